"""GET /me/jp and POST /me/jp/claims: the caller's JP ledger and outside training over the API."""

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Role
from app.services import claims, ledger

PNG = (Path(__file__).parents[1] / "data" / "courses" / "contoh-kursus" / "media"
       / "diagram.png").read_bytes()


def today():
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def send_claim(caller, **overrides):
    """A multipart claim with a PNG photo (named .jpg: the content decides); overrides replace
    fields, None leaves one out."""
    values = {"title": "Diklat PIM", "organiser": "LAN", "starts_on": today().isoformat(),
              "ends_on": today().isoformat(), "jp": "8", "proof": (io.BytesIO(PNG), "foto.jpg")}
    values.update(overrides)
    values = {k: v for k, v in values.items() if v is not None}
    return caller.client.post("/api/v1/me/jp/claims", data=values,
                              content_type="multipart/form-data", headers=caller.headers())


@pytest.mark.parametrize("role", ["learner", "trainer", "supervisor", "admin"])
def test_the_ledger_of_the_year_by_source_with_each_entry(make, api, role):
    course = make.course()
    caller = api(role=role)
    make.completed(caller.user, course, *course.lesson_paths)
    body = caller.get("/me/jp").get_json()
    year = today().year
    assert (body["year"], body["target"]) == (year, 20)
    assert body["totals"] == {"course": 2.0, "session": 0.0, "claim": 0.0, "total": 2.0,
                              "pending": 0.0}
    [entry] = body["entries"]
    assert entry == {"id": entry["id"], "source": "course", "ref_id": course.id,
                     "title": "Kursus Contoh", "jp": 2.0, "date": today().isoformat(),
                     "status": "credited", "decided_at": None, "reason": None}
    assert caller.get(f"/me/jp?year={year - 1}").get_json()["entries"] == []


def test_a_claim_is_pending_until_approved(app, make, api):
    make.unit("UNIT", "Unit")
    caller = api(unit_code="UNIT")
    sup = make.user(roles=Role.SUPERVISOR, unit_code="UNIT")
    response = send_claim(caller, jp="2.5")
    assert response.status_code == 201
    claim = response.get_json()
    assert (claim["status"], claim["jp"], claim["organiser"]) == ("pending", 2.5, "LAN")
    body = caller.get("/me/jp").get_json()
    assert (body["totals"]["total"], body["totals"]["pending"]) == (0.0, 2.5)
    assert [(e["source"], e["ref_id"], e["status"]) for e in body["entries"]] == [
        ("claim", claim["id"], "pending")]
    with app.app_context():
        from app.models import User

        claims.decide(db.session, db.session.get(User, sup.id), claim["id"], approve=True)
        db.session.commit()
    body = caller.get("/me/jp").get_json()
    assert body["totals"]["claim"] == body["totals"]["total"] == 2.5
    assert body["entries"][0]["decided_at"] is not None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"proof": (io.BytesIO(b"<html>bukan bukti</html>"), "bukti.pdf")}, None),
    ({"title": None}, "title"),
    ({"jp": "0"}, "jp"),
    ({"jp": "banyak"}, "jp"),
    ({"jp": "1.234"}, None),  # more than two decimal places
    ({"ends_on": "2000-01-01"}, None),  # before the start
    ({"proof": "teks, bukan berkas"}, "proof"),
    ({"extra": "x"}, "extra"),
])
def test_a_bad_claim_is_a_422_in_the_envelope_and_records_nothing(app, api, overrides, field):
    caller = api()
    response = send_claim(caller, **overrides)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request" and error["message"]
    if field:
        assert field in error["fields"]
    assert caller.get("/me/jp").get_json()["entries"] == []
    with app.app_context():
        assert ledger.entries(db.session, caller.user.id) == []


def test_the_ledger_needs_a_token(client):
    assert client.get("/api/v1/me/jp").status_code == 401
    response = client.post("/api/v1/me/jp/claims", data={"title": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_year_out_of_range_is_refused(api):
    response = api().get("/me/jp?year=1900")
    assert response.status_code == 422 and "year" in response.get_json()["error"]["fields"]


def test_report_rows_split_this_years_jp_by_source(app, api, tmp_path):
    from tests.factories import UserInfo
    from tests.seed import expected_jp, seed

    with app.app_context():
        org = seed(db.session, tmp_path)
    sup = api(UserInfo(org.users["sup"], "sup@example.go.id", int(Role.SUPERVISOR)))
    body = sup.get("/reports/completions?per_page=200").get_json()
    jp = {k: float(v) for k, v in expected_jp("SETJEN").items()}
    for row in body["items"]:
        assert row["jp_by_source"] == {"course": jp[row["name"].lower()], "session": 0.0,
                                       "claim": 0.0}
        assert row["jp_this_year"] == jp[row["name"].lower()]
