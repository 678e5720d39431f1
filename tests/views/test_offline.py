"""The installable app over HTTP (issue 11): manifest, service worker, downloads, sign-out."""

import gzip
import json
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
COURSE = "/courses/contoh-kursus/"


def test_the_manifest_makes_lentera_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["short_name"] == "Lentera" and manifest["theme_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        response.close()
    assert 'rel="manifest"' in client.get("/login").get_data(as_text=True)


def test_the_service_worker_covers_the_whole_site_and_is_never_stale(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    assert "/static/css/app.css?v=" in response.get_data(as_text=True)


def test_service_worker_and_all_javascript_fit_30_kb_compressed(client):
    """PRODUCT §6: the service worker and all JavaScript together at most 30 KB compressed."""
    total = len(gzip.compress(client.get("/sw.js").get_data(), 9))
    total += sum(len(gzip.compress(f.read_bytes(), 9)) for f in (STATIC / "js").glob("*.js")
                 if f.name != "sw.js")
    assert total <= 30_000, total


def test_the_offline_package_carries_lessons_and_questions_never_answers(app, login, make):
    make.course()
    me = login()
    package = me.client.get(COURSE + "offline.json").get_json()
    assert package["version"] and package["total_bytes"] > 0
    assert [item["path"] for item in package["lessons"]] == [
        "dasar/pembuka", "dasar/kedua", "dasar/kuis", "lanjutan/lanjut"]
    first = package["lessons"][0]
    assert first["url"] == "http://localhost" + COURSE + "dasar/pembuka"
    assert 'src="http://localhost/courses/contoh-kursus/media/diagram.png' in first["html"]
    assert package["media"] and all(m["bytes"] > 0 for m in package["media"])
    quiz = package["lessons"][2]["quiz"]
    # Timed: its questions come only with a started attempt (the clock runs from then).
    assert quiz["questions"] == [] and quiz["time_limit_minutes"] == 5
    text = json.dumps(package)
    for secret in ('"correct"', '"accepted"', "explanation", "dua puluh"):
        assert secret not in text
    assert me.client.get(COURSE + "offline.json").get_json()["version"] == package["version"]


def test_the_course_page_shows_the_download_size_before_it_starts(login, make):
    make.course()
    page = login().client.get(COURSE).get_data(as_text=True)
    assert "Unduh untuk dibaca offline (" in page and " KB)" in page


def test_the_download_size_follows_a_new_version_of_the_course(login, make, course_copy):
    """The size is worked out once per course version: a longer lesson re-imported shows."""
    import re

    folder = course_copy()
    make.course(folder)
    reader = login()

    def size() -> int:
        page = reader.client.get(COURSE).get_data(as_text=True)
        return int(re.search(r'data-bytes="(\d+)"', page).group(1))

    before = size()
    assert size() == before
    lesson = folder / "01-dasar" / "01-pembuka.md"
    lesson.write_text(lesson.read_text() + "\n" + "Paragraf tambahan yang panjang. " * 1000)
    make.course(folder)
    assert size() > before + 1000


def test_pages_say_whose_they_are_and_sign_out_clears_the_phone(login, make):
    make.course()
    one, two = login(), login()
    mine, theirs = (c.client.get(COURSE).headers["X-Lentera-User"] for c in (one, two))
    assert mine and theirs and mine != theirs
    response = one.client.post("/logout", data={"csrf_token": one.csrf()})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "X-Lentera-User" not in one.client.get("/login").headers


def test_a_signed_in_page_gets_a_short_lived_api_token_with_its_csrf_token(login, make):
    make.course()
    me = login()
    assert me.client.post("/offline/token").status_code == 400  # no CSRF token: refused
    response = me.client.post("/offline/token", headers={"X-CSRFToken": me.csrf(COURSE)})
    token = response.get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert me.client.get("/api/v1/courses/contoh-kursus/offline", headers=bearer).status_code == 200
    assert me.client.delete("/api/v1/auth/token", headers=bearer).status_code == 204
    assert me.client.get("/api/v1/courses/contoh-kursus/offline", headers=bearer).status_code == 401
