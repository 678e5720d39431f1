"""Who may open what: every route, every role, allowed and refused."""

import pytest

from app.access import PUBLIC, access
from app.models import Role
from tests.factories import PASSWORD, PEOPLE
from tests.pages import csrf_token_in

LESSON = "/courses/contoh-kursus/dasar/pembuka"
ROLES = {who: PEOPLE[who] for who in ("learner", "trainer", "supervisor", "admin")}

# (method, url) -> status for a signed-in user of any role; a guest is sent to log in.
SIGNED_IN_PAGES = [
    ("GET", "/", 200),
    ("GET", "/me/learning", 200),
    ("GET", "/courses/contoh-kursus/", 200),
    ("GET", LESSON, 200),
    ("POST", LESSON + "/complete", 303),
    ("GET", "/courses/contoh-kursus/media/diagram.png", 200),
    ("POST", "/courses/contoh-kursus/dasar/kuis/attempts", 303),
    ("POST", "/logout", 302),
    ("GET", "/me/jp", 200),
    ("GET", "/me/jp/claims/new", 200),
    ("GET", "/check-in", 200),
]
# A signed-in user opening /login is sent on to the catalog.
PUBLIC_PAGES = [("GET", "/login", 302), ("POST", "/language", 302),
                ("GET", "/verify/tidak-ada", 404)]


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "access", None) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize(("method", "url", "status"), SIGNED_IN_PAGES)
def test_guests_are_sent_to_log_in(client, make, method, url, status):
    make.course()
    response = client.open(url, method=method)
    assert response.status_code == 302
    expected = "/login?next=" if method == "GET" else "/login"
    assert response.headers["Location"].startswith(expected)


def test_guests_may_open_the_public_pages(client):
    assert client.get("/login").status_code == 200
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
    assert client.get("/verify/tidak-ada").status_code == 404  # answered, not sent to log in
    page = client.get("/login").get_data(as_text=True)
    token = csrf_token_in(page)
    response = client.post("/language", data={"locale": "en", "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "status"), SIGNED_IN_PAGES + PUBLIC_PAGES)
def test_every_role_may_learn(login, make, role, method, url, status):
    make.course()
    me = login(roles=ROLES[role])
    data = {"csrf_token": me.csrf(), "locale": "id"} if method == "POST" else None
    assert me.client.open(url, method=method, data=data).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("learner", 404), ("supervisor", 404), ("other trainer", 404), ("owner", 200),
     ("admin", 200)],
)
@pytest.mark.parametrize("url", ["/courses/contoh-kursus/", LESSON,
                                 "/courses/contoh-kursus/media/diagram.png"])
def test_an_unpublished_course_is_seen_only_by_its_trainer_and_admins(
    login_as, make, role, status, url
):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course(publish=False)
    assert login_as(role, owner).client.get(url).status_code == status


def test_a_preview_never_records_progress(login, make):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course(publish=False)
    me = login(owner)
    assert "Pratinjau" in me.client.get(LESSON).get_data(as_text=True)
    response = me.client.post(LESSON + "/complete", data={"csrf_token": me.csrf()})
    assert response.status_code == 409
    assert "0 dari 4 selesai" in me.client.get(LESSON).get_data(as_text=True)


@pytest.fixture
def guarded_app(fresh_app):
    """A second app on the same database, with an admin-only view and a view with no rule."""
    guarded = fresh_app()

    @guarded.route("/_admin-only")
    @access(Role.ADMIN)
    def admin_only():
        return "rahasia admin"

    @guarded.route("/_forgotten")
    def forgotten():
        return "tidak boleh terlihat"

    @guarded.route("/_open")
    @access(PUBLIC)
    def open_view():
        return "terbuka"

    return guarded


@pytest.mark.parametrize(
    ("roles", "admin_only"),
    [(Role.LEARNER | Role.TRAINER | Role.SUPERVISOR, 403), (Role.ADMIN, 200)],
)
def test_role_rules_and_forgotten_declarations_fail_closed(guarded_app, make, roles, admin_only):
    guest = guarded_app.test_client()
    assert guest.get("/_open").data == b"terbuka"
    assert guest.get("/_forgotten").status_code == 404
    assert guest.get("/_admin-only").status_code == 302

    user = make.user(roles=roles)
    client = guarded_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = csrf_token_in(page)
    client.post("/login", data={"login": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.get("/_admin-only").status_code == admin_only
    assert client.get("/_forgotten").status_code == 403


# Supervisors' and admins' pages: (method, url, who may) — everyone else gets 403.
REPORTERS = {"supervisor", "admin"}
MANAGER_PAGES = [
    ("GET", "/reports/", REPORTERS),
    ("GET", "/reports/rows", REPORTERS),
    ("GET", "/reports/jp", REPORTERS),
    ("GET", "/reports/learners/{me}", REPORTERS),
    ("GET", "/reports/export.csv", REPORTERS),
    ("GET", "/reports/export.xlsx", REPORTERS),
    ("GET", "/admin/assignments", REPORTERS),
    ("GET", "/admin/", {"admin"}),
    ("GET", "/admin/units", {"admin"}),
    ("GET", "/admin/units/{unit}", {"admin"}),
    ("GET", "/admin/users", {"admin"}),
    ("GET", "/admin/users/{me}", {"admin"}),
    ("GET", "/admin/users/import", {"admin"}),
    ("POST", "/admin/users/{me}/password-link", {"admin"}),
    ("POST", "/admin/assignments/999/delete", REPORTERS),
    ("GET", "/jp/claims/review", REPORTERS),
    ("GET", "/jp/hr-export.csv", {"admin"}),
    ("GET", "/jp/hr-export.xlsx", {"admin"}),
    ("GET", "/classroom/", {"trainer", "admin"}),
    ("GET", "/classroom/new", {"trainer", "admin"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "allowed"), MANAGER_PAGES)
def test_reports_and_admin_pages_by_role(login, make, role, method, url, allowed):
    unit = make.unit("SETJEN", "Sekretariat Jenderal")
    me = login(roles=ROLES[role], unit_code="SETJEN")
    url = url.format(me=me.user.id, unit=unit)
    data = {"csrf_token": me.csrf()} if method == "POST" else None
    status = me.client.open(url, method=method, data=data).status_code
    if role not in allowed:
        assert status == 403
    elif url.endswith("/999/delete"):
        assert status == 404  # allowed in, but there is no such assignment
    else:
        assert status == 200


@pytest.mark.parametrize(("method", "url", "allowed"), MANAGER_PAGES)
def test_guests_are_sent_to_log_in_from_manager_pages(client, method, url, allowed):
    response = client.open(url.format(me=1, unit=1), method=method)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_set_password_page_is_public_but_needs_a_real_link(client):
    response = client.get("/password/bukan-tautan")
    assert response.status_code == 404
    assert "Tautan ini tidak berlaku" in response.get_data(as_text=True)


@pytest.mark.parametrize(("roles", "links"), [
    (Role.LEARNER, []), (Role.TRAINER, []), (Role.SUPERVISOR | Role.LEARNER, ["Laporan"]),
    (Role.ADMIN, ["Laporan", "Admin"]),
])
def test_the_header_offers_reports_and_admin_to_those_who_may(login, make, roles, links):
    make.unit("SETJEN", "Sekretariat Jenderal")
    me = login(roles=roles, unit_code="SETJEN")
    nav = me.client.get("/").get_data(as_text=True).split("<nav", 1)[1].split("</nav>", 1)[0]
    shown = [name for name in ("Laporan", "Admin") if f">{name}</a>" in nav]
    assert shown == links


# The trainer area: (method, url, {who: status}). "{id}" is a staged upload of the owner's.
UPLOAD = "/authoring/uploads/{id}"
COURSE = "/authoring/courses/contoh-kursus"
TRAINER_ONLY = {"learner": 403, "supervisor": 403}
OWNED = {**TRAINER_ONLY, "other trainer": 404}
AUTHORING_PAGES = [
    ("GET", "/authoring/", {**TRAINER_ONLY, "other trainer": 200, "owner": 200, "admin": 200}),
    ("GET", "/authoring/upload", {**TRAINER_ONLY, "other trainer": 200, "owner": 200,
                                  "admin": 200}),
    # Posted without a file: the form says so.
    ("POST", "/authoring/upload", {**TRAINER_ONLY, "other trainer": 200, "owner": 200,
                                   "admin": 200}),
    ("GET", UPLOAD, {**OWNED, "owner": 200, "admin": 200}),
    ("GET", UPLOAD + "/preview/", {**OWNED, "owner": 200, "admin": 200}),
    ("GET", UPLOAD + "/preview/dasar/pembuka", {**OWNED, "owner": 200, "admin": 200}),
    ("GET", UPLOAD + "/preview/media/diagram.png", {**OWNED, "owner": 200, "admin": 200}),
    ("GET", UPLOAD + "/preview/dasar/kuis/answers", {**OWNED, "owner": 200, "admin": 200}),
    ("POST", UPLOAD + "/publish", {**OWNED, "owner": 303, "admin": 303}),
    ("POST", UPLOAD + "/draft", {**OWNED, "owner": 400, "admin": 400}),  # already published
    ("POST", UPLOAD + "/discard", {**OWNED, "owner": 303, "admin": 303}),
    ("GET", COURSE, {**OWNED, "owner": 200, "admin": 200}),
    ("GET", COURSE + "/analytics", {**OWNED, "owner": 200, "admin": 200}),
    ("GET", COURSE + "/quizzes/dasar/kuis", {**OWNED, "owner": 200, "admin": 200}),
    ("POST", COURSE + "/publish", {**OWNED, "owner": 303, "admin": 303}),
    ("POST", COURSE + "/unpublish", {**OWNED, "owner": 303, "admin": 303}),
    ("POST", COURSE + "/owner", {**TRAINER_ONLY, "other trainer": 403, "owner": 403,
                                 "admin": 303}),
    ("GET", "/authoring/audit", {**TRAINER_ONLY, "other trainer": 403, "owner": 403,
                                 "admin": 200}),
]


@pytest.fixture
def staged(app, make):
    """The owner's published course and a staged new version of it; returns (owner, id)."""
    from app.extensions import db
    from app.models import User
    from app.services.authoring import stage_upload
    from tests.factories import DATA, zip_course

    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course()
    with app.app_context():
        user = db.session.get(User, owner.id)
        upload = stage_upload(db.session, user, "contoh-kursus.zip",
                              zip_course(DATA / "courses" / "contoh-kursus")).upload
        db.session.commit()
        return owner, upload.id


@pytest.mark.parametrize(("method", "url", "statuses"), AUTHORING_PAGES)
def test_guests_are_sent_to_log_in_from_the_trainer_area(client, staged, method, url,
                                                          statuses):
    response = client.open(url.format(id=staged[1]), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["learner", "supervisor", "other trainer", "owner", "admin"])
@pytest.mark.parametrize(("method", "url", "statuses"), AUTHORING_PAGES)
def test_the_trainer_area_is_for_owners_and_admins(
    login_as, staged, who, method, url, statuses
):
    owner, upload_id = staged
    me = login_as(who, owner)
    data = {"csrf_token": me.csrf(), "email": "pelatih@example.go.id"} if method == "POST" else None
    response = me.client.open(url.format(id=upload_id), method=method, data=data)
    assert response.status_code == statuses[who]
