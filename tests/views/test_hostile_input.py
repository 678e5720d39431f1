"""Hostile input is a 4xx, never a 500 (issue 10 point 6): every route in the URL map.

Runs on PostgreSQL too (TEST_DATABASE_URL), where a NUL byte reaching a query is an error.
"""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import Role
from tests.pages import csrf_token_in

EVERYONE = Role.LEARNER | Role.TRAINER | Role.SUPERVISOR | Role.ADMIN

# Raw path segments (already percent-encoded where needed).
HOSTILE_SEGMENTS = [
    "99999999999999999999", "%C2%B2", "-1", "0", "%00", "a%00b", "%FF", "%C0%AF", "%ED%A0%80",
    "9999-12-31", "%D9%A3",  # an Arabic-Indic digit: int() reads it, a database id it is not
    "x" * 300,
]
HOSTILE_QUERY = [
    ("page", "%C2%B2"), ("page", "99999999999999999999"), ("page", "-5"), ("page", "%00"),
    ("to", "9999-12-31"), ("from", "0001-01-01"), ("to", "%C2%B2026-01-01"), ("from", "%FF"),
    ("unit", "99999999999999999999"), ("course", "%D9%A3"), ("status", "%00"), ("q", "%00"),
    ("q", "%FF%FE"), ("action", "%00"), ("next", "%00"), ("v", "%FF"), ("year", "99999"),
]
HOSTILE_FIELDS = ["\x00", "a\x00b", "²", "99999999999999999999", "9999-12-31", "0001-01-01",
                  "\ufeff", "x" * 5000]
FIELD_NAMES = ["login", "password", "name", "email", "nip", "code", "parent", "unit", "course",
               "due_on", "roles", "locale", "next", "current", "confirm", "owner", "profile-name",
               "password-current", "action", "q1", "q2"]


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _fill(rule, values: dict[str, str], default: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values.get(m.group(1), default), rule.rule)


@pytest.fixture
def everyone(login, make):
    """Signed in with every role, with a course in place so that real lookups happen."""
    course = make.course()
    person = login(roles=EVERYONE)
    module, lesson = course.lesson_paths[0].split("/")
    person.real = {"slug": course.slug, "module": module, "lesson": lesson}
    return person


def _urls(app, real):
    for rule in _rules(app):
        for bad in HOSTILE_SEGMENTS:
            yield rule, _fill(rule, {}, bad)
            if rule.arguments - {"slug"}:  # a real course, hostile everything else
                yield rule, _fill(rule, {"slug": real["slug"]}, bad)
            if "lesson" in rule.arguments:
                yield rule, _fill(rule, {"slug": real["slug"], "module": real["module"]}, bad)


def _assert_no_500(response, method, url):
    assert response.status_code < 500, f"{method} {url} → {response.status_code}"


def test_every_route_answers_hostile_path_values_without_a_500(app, everyone):
    client = everyone.client
    token = everyone.csrf()
    for rule, url in _urls(app, everyone.real):
        if "GET" in rule.methods:
            _assert_no_500(client.get(url), "GET", url)
        if "POST" in rule.methods:
            response = client.post(url, data={"csrf_token": token})
            _assert_no_500(response, "POST", url)


def test_every_route_answers_hostile_query_strings_without_a_500(app, everyone, client):
    for rule in _rules(app):
        url = _fill(rule, everyone.real, "1")
        for name, value in HOSTILE_QUERY:
            for who in (everyone.client, client):  # signed in, and a guest
                if "GET" in rule.methods:
                    _assert_no_500(who.get(f"{url}?{name}={value}"), "GET", url)


def test_every_form_answers_hostile_fields_without_a_500(app, everyone, client):
    guest_token = csrf_token_in(client.get("/login").get_data(as_text=True))
    token = everyone.csrf()
    for rule in _rules(app):
        if "POST" not in rule.methods:
            continue
        url = _fill(rule, everyone.real, "1")
        # Signing out would leave the rest of the sweep to a guest: those two only as a guest.
        people = [(client, guest_token)]
        if rule.endpoint not in ("auth.logout", "auth.sign_out_everywhere"):
            people.append((everyone.client, token))
        for value in HOSTILE_FIELDS:
            data = dict.fromkeys(FIELD_NAMES, value)
            for who, csrf in people:
                response = who.post(url, data={**data, "csrf_token": csrf})
                _assert_no_500(response, "POST", f"{url} with {value[:10]!r}")


def test_invalid_utf8_in_a_form_body_is_a_400(app, client):
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data=f"csrf_token={token}&login=%FF%FE&password=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "status"), [
    ("/?page=%C2%B2", 200),  # the catalog has no pages: ignored
    ("/reports/rows?page=%C2%B2", 400),
    ("/attempts/99999999999999999999", 404),
    ("/reports/rows?to=9999-12-31", 400),
    ("/courses/a%00b/", 404),
    ("/admin/users?page=%C2%B2", 400),
    ("/authoring/audit?page=99999999999999999999", 400),
])
def test_the_examples_of_the_issue_are_friendly(everyone, url, status):
    response = everyone.client.get(url)
    assert response.status_code == status
    if status != 200:
        page = response.get_data(as_text=True)
        assert "<h1>" in page and "Traceback" not in page


def test_a_nul_byte_in_a_login_is_refused_politely(client, make):
    user = make.user()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": user.email + "\x00", "password": "x",
                                           "csrf_token": token})
    assert response.status_code == 400


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=st.one_of(
    st.text(min_size=1, max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=__import__("datetime").date(1, 1, 1)).map(str),
    st.binary(min_size=1, max_size=12).map(lambda b: quote(b, safe="")),
))
def test_generated_values_in_report_filters_and_ids_never_give_a_500(everyone, value):
    encoded = value if "%" in value else quote(value, safe="")
    client = everyone.client
    for url in (f"/reports/rows?page={encoded}", f"/reports/jp?from={encoded}&to={encoded}",
                f"/reports/?unit={encoded}&course={encoded}", f"/admin/users?q={encoded}",
                f"/attempts/{encoded}", f"/reports/learners/{encoded}",
                f"/courses/{encoded}/", f"/verify/{encoded}"):
        _assert_no_500(client.get(url), "GET", url)
