"""Every paged page takes ?page= the same way: a hostile number is a friendly 400, a page past
the end is an empty page (the audit log shows its last page instead)."""

import pytest

from app.extensions import db
from app.models import Role
from app.services.audit import record

PAGED = ("/admin/users", "/admin/audit", "/authoring/audit", "/reports/rows", "/reports/jp")
HOSTILE = ("0", "-1", "%C2%B2", "%D9%A3", "1.5", "1e3", "%2B2", "99999999999", "dua")


@pytest.fixture
def admin(app, login):
    admin = login(roles=Role.ADMIN | Role.SUPERVISOR, name="Admin Satu")
    with app.app_context():
        for n in range(55):
            record(db.session, admin.user.id, "user.roles", f"user:{n}", roles=["trainer"])
        db.session.commit()
    return admin


@pytest.mark.parametrize("url", PAGED)
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_page_number_is_a_friendly_400(admin, url, value):
    response = admin.client.get(f"{url}?page={value}")
    assert response.status_code == 400, (url, value)
    page = response.get_data(as_text=True)
    assert "<h1>" in page and "Traceback" not in page


@pytest.mark.parametrize("url", PAGED)
def test_page_one_and_no_page_are_the_same_page(admin, url):
    plain, first = admin.client.get(url), admin.client.get(f"{url}?page=1")
    assert plain.status_code == first.status_code == 200
    assert plain.get_data(as_text=True).count("<li") == first.get_data(as_text=True).count("<li")


def test_past_the_last_page_lists_are_empty_and_the_audit_log_shows_its_last_page(admin):
    users = admin.client.get("/admin/users?page=99999")
    assert users.status_code == 200
    assert "Tidak ada pengguna yang cocok." in users.get_data(as_text=True)
    rows = admin.client.get("/reports/rows?page=99999")
    assert rows.status_code == 200 and 'rel="prev"' not in rows.get_data(as_text=True)
    for url in ("/admin/audit", "/authoring/audit"):
        last = admin.client.get(f"{url}?page=99999").get_data(as_text=True)
        assert "halaman 2 dari 2" in last and 'rel="next"' not in last, url
        assert 'rel="prev"' in last and "?page=1" in last, url
