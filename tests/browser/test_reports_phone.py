"""A supervisor on a 360 × 740 phone reads the report's chart and downloads the CSV."""

import csv
import io

import pytest

from app.extensions import db
from app.models import Role
from tests.browser.conftest import PHONE
from tests.seed import expected_rows, seed

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser


def test_a_supervisor_reads_the_chart_and_downloads_the_csv(app, phone, live_server, tmp_path):
    with app.app_context():
        org = seed(db.session, tmp_path)
    page = phone
    page.goto(live_server + "/login")
    page.get_by_label("Email atau NIP").fill("sup@example.go.id")
    page.get_by_label("Kata sandi").fill("kata-sandi-uji")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Laporan").click()
    expect(page.get_by_role("heading", name="Laporan penyelesaian", level=1)).to_be_visible()

    chart = page.get_by_role("img", name="Tingkat penyelesaian per unit")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The bars are drawn to scale: a 0% unit has an empty bar, the widest is the best rate.
    widths = page.locator("svg.chart rect.bar").evaluate_all(
        "bars => bars.map(b => parseFloat(b.getAttribute('width')))")
    rates = page.locator("svg.chart text.value").evaluate_all(
        "texts => texts.map(t => t.textContent)")
    assert [round(w / 2.5) for w in widths] == [int(r.rstrip("%")) for r in rates]
    expect(page.get_by_role("region", name="Per unit").get_by_role(
        "rowheader", name="Biro SDM")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == (
        f"laporan-penyelesaian-{org.calendar.today.isoformat()}.csv")
    text = (tmp_path / "laporan.csv")
    download.save_as(text)
    rows = list(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8-sig"))))
    titles = {"Kursus Contoh": "A", "Kursus Kedua": "B"}
    statuses = {"Selesai": "completed", "Terlambat": "overdue", "Sedang berjalan": "in_progress",
                "Belum mulai": "not_started"}
    got = {(r["Nama"].lower(), titles[r["Kursus"]]): statuses[r["Status"]] for r in rows}
    assert got == expected_rows("SETJEN", org.calendar.today)
    assert page.js_errors == []


def test_an_admins_pages_fit_the_phone(app, phone, live_server, make):
    admin = make.user(roles=Role.ADMIN | Role.LEARNER)
    make.unit("KEMEN", "Kementerian")
    page = phone
    page.goto(live_server + "/login")
    page.get_by_label("Email atau NIP").fill(admin.email)
    page.get_by_label("Kata sandi").fill("kata-sandi-uji")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.get_by_role("heading", name="Admin", level=1)).to_be_visible()
    for path in ("/admin/", "/admin/units", "/admin/users", f"/admin/users/{admin.id}",
                 "/admin/users/import", "/admin/assignments", "/reports/", "/reports/rows"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    assert page.js_errors == []
