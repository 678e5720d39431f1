"""Every learning hour counts, on 360 × 740 phones: a face-to-face session with check-in by
code, and outside training claimed with a photo and approved by the supervisor."""

import os
from datetime import date
from pathlib import Path

import pytest

from app.models import Role
from tests.browser.conftest import PHONE

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser
PHOTO = Path(__file__).parents[1] / "data" / "courses" / "contoh-kursus" / "media" / "diagram.png"


@pytest.fixture
def phones(browser):
    """phones() -> another page in its own context: one phone per person."""
    contexts = []

    def _open():
        context = browser.new_context(viewport=PHONE, locale="id-ID", device_scale_factor=2,
                                      is_mobile=True, has_touch=True)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and page.js_errors.append(m.text))
        return page

    yield _open
    for context in contexts:
        context.close()


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Email atau NIP").fill(email)
    page.get_by_label("Kata sandi").fill("kata-sandi-uji")
    page.get_by_role("button", name="Masuk").click()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name):
    """LENTERA_SHOTS=/some/dir keeps a screenshot of each step to look at."""
    folder = os.environ.get("LENTERA_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def org(make):
    make.unit("SETJEN", "Sekretariat Jenderal")
    make.unit("BIRO", "Biro SDM", "SETJEN")
    return {
        "trainer": make.user(roles=Role.TRAINER, email="pelatih@example.go.id"),
        "sup": make.user(roles=Role.SUPERVISOR | Role.LEARNER, email="atasan@example.go.id",
                         unit_code="SETJEN"),
        "ani": make.user(email="ani@example.go.id", name="Ani Lestari", unit_code="BIRO",
                         nip="198609262015051001"),
    }


def jp_row(page, name):
    return page.get_by_role("region", name="Di bawah target").get_by_role("row", name=name)


def test_a_learner_checks_in_by_code_and_the_supervisor_sees_the_session_jp(
        org, phones, live_server):
    trainer = phones()
    sign_in(trainer, live_server, "pelatih@example.go.id")
    trainer.get_by_role("link", name="Tatap muka", exact=True).click()
    trainer.get_by_role("link", name="Buat sesi").click()
    trainer.get_by_label("Judul sesi").fill("Literasi digital di aula")
    trainer.get_by_label("Tempat").fill("Aula lantai 2")
    trainer.get_by_label("JP", exact=True).fill("3")
    trainer.get_by_role("button", name="Simpan sesi").click()
    trainer.get_by_role("button", name="Buka presensi").click()
    code = trainer.locator("#checkin-code").inner_text().strip()
    expect(trainer.locator(".checkin-code")).to_have_text(f"Kode sesi: {code}")
    expect(trainer.get_by_role("img", name="Kode QR presensi")).to_be_visible()
    assert len(code) == 6 and fits(trainer)
    shot(trainer, "session-open")

    learner = phones()
    sign_in(learner, live_server, "ani@example.go.id")
    learner.get_by_role("link", name="Pembelajaran saya").first.click()
    learner.get_by_role("link", name="Presensi sesi tatap muka").click()
    learner.get_by_label("Kode sesi").fill(code.lower())
    shot(learner, "check-in")
    learner.get_by_role("button", name="Saya hadir").click()
    expect(learner.get_by_role("status")).to_contain_text("+3 JP")
    assert fits(learner)
    shot(learner, "checked-in")
    learner.get_by_role("link", name="Lihat JP saya").click()
    expect(learner.locator(".jp-total")).to_contain_text("3 dari target 20 JP")
    shot(learner, "my-jp")

    trainer.reload()
    expect(trainer.get_by_role("heading", name="1 peserta hadir")).to_be_visible()
    remove = trainer.get_by_role("button", name="Hapus Ani Lestari dari daftar hadir")
    expect(remove).to_be_visible()
    assert fits(trainer)
    shot(trainer, "session-attendees")

    sup = phones()
    sign_in(sup, live_server, "atasan@example.go.id")
    sup.goto(live_server + "/reports/jp")
    row = jp_row(sup, "Ani Lestari")
    cells = row.locator("td").all_inner_texts()
    # NIP, unit, JP this year, short of the target, course, session, outside, pending
    assert cells[2:7] == ["3", "17", "0", "3", "0"]
    assert fits(sup)
    shot(sup, "report-jp")
    row.get_by_role("link", name="Ani Lestari").click()
    sources = sup.locator(".jp-sources")
    expect(sources).to_contain_text("Sesi tatap muka")
    assert sources.locator("div", has_text="Sesi tatap muka").locator("dd").inner_text() == "3 JP"
    expect(sup.locator(".ledger")).to_contain_text("Literasi digital di aula")
    shot(sup, "report-learner")
    assert trainer.js_errors == learner.js_errors == sup.js_errors == []


def test_a_claim_with_a_photo_counts_once_the_supervisor_approves(org, phones, live_server):
    today = date.today().isoformat()
    learner = phones()
    sign_in(learner, live_server, "ani@example.go.id")
    learner.goto(live_server + "/me/jp")
    learner.get_by_role("link", name="Ajukan pelatihan luar").click()
    learner.get_by_label("Nama pelatihan").fill("Pelatihan kepemimpinan")
    learner.get_by_label("Penyelenggara").fill("LAN RI")
    learner.get_by_label("Tanggal mulai").fill(today)
    learner.get_by_label("Tanggal selesai").fill(today)
    learner.get_by_label("JP", exact=True).fill("8")
    learner.get_by_label("Bukti (sertifikat atau surat tugas)").set_input_files(str(PHOTO))
    assert fits(learner)
    shot(learner, "claim-form")
    learner.get_by_role("button", name="Kirim pengajuan").click()
    expect(learner.get_by_role("status")).to_contain_text("Pengajuan terkirim")
    expect(learner.locator(".jp-total")).to_contain_text("0 dari target 20 JP")
    expect(learner.locator(".jp-sources")).to_contain_text("Menunggu persetujuan")
    shot(learner, "claim-pending")

    sup = phones()
    sign_in(sup, live_server, "atasan@example.go.id")
    sup.goto(live_server + "/reports/jp")
    cells = jp_row(sup, "Ani Lestari").locator("td").all_inner_texts()
    assert cells[2] == "0" and cells[-1] == "8"  # pending, shown apart and not counted
    sup.get_by_role("link", name="Pengajuan JP").click()
    claim = sup.get_by_role("listitem").filter(has_text="Pelatihan kepemimpinan")
    with sup.expect_download() as info:
        claim.get_by_role("link", name="Unduh bukti").click()
    assert info.value.suggested_filename.endswith(".png")
    assert fits(sup)
    shot(sup, "review-queue")
    claim.get_by_role("button", name="Setujui").click()
    expect(sup.get_by_role("status")).to_contain_text("Pengajuan disetujui")
    sup.goto(live_server + "/reports/jp")
    cells = jp_row(sup, "Ani Lestari").locator("td").all_inner_texts()
    assert cells[2:8] == ["8", "12", "0", "0", "8", "–"]

    learner.goto(live_server + "/me/learning")
    expect(learner.locator(".progress-text")).to_contain_text("8 dari target 20 JP")
    shot(learner, "my-learning")
    learner.goto(live_server + "/me/jp")
    expect(learner.locator(".ledger").first).to_contain_text("diakui")
    assert learner.js_errors == sup.js_errors == []
