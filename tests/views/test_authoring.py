"""The trainer area over HTTP: upload, check, preview, publish, update, own, audit."""

import io
import re
import shutil
import zipfile

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Course, CourseUpload, CourseVersion, Lesson, Role
from tests.conftest import DATA
from tests.factories import zip_course

BANKS = DATA / "banks"

TRAINER_EMAIL = "pelatih@example.go.id"  # the owner named in contoh-kursus/course.md


@pytest.fixture
def trainer(login, make):
    return login(make.user(email=TRAINER_EMAIL, name="Rina Pelatih", roles=Role.TRAINER))


def upload(me, data: bytes, filename: str = "contoh-kursus.zip"):
    return me.client.post(
        "/authoring/upload",
        data={"csrf_token": me.csrf("/authoring/upload"), "archive": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def staged_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.search(r"/authoring/uploads/(\d+)$", response.headers["Location"]).group(1))


def post(me, url: str, **data):
    return me.client.post(url, data={"csrf_token": me.csrf("/authoring/"), **data})


def scalar(app, query):
    with app.app_context():
        return db.session.scalar(query)


def test_a_clean_upload_is_staged_and_learners_cannot_see_it(app, trainer, login, course_copy):
    upload_id = staged_id(upload(trainer, zip_course(course_copy())))
    page = trainer.client.get(f"/authoring/uploads/{upload_id}").get_data(as_text=True)
    assert "Lolos pemeriksaan" in page and "2 modul, 4 langkah" in page
    assert "kursus baru" in page and "Terbitkan" in page and "Simpan sebagai draf" in page
    assert scalar(app, select(func.count()).select_from(Course)) == 0
    learner = login()
    assert "Kursus Contoh" not in learner.client.get("/").get_data(as_text=True)
    assert learner.client.get("/courses/contoh-kursus/").status_code == 404


def test_every_mistake_is_shown_as_path_line_message_and_nothing_is_kept(app, trainer,
                                                                         course_copy):
    folder = course_copy()
    first = folder / "01-dasar" / "01-pembuka.md"
    first.write_text(first.read_text().replace("minutes: 3", "minutes: tiga"))
    (folder / "course.md").write_text((folder / "course.md").read_text().replace("jp: 2", "jp: 0"))
    response = upload(trainer, zip_course(folder))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 kesalahan ditemukan" in page
    assert ("contoh-kursus/01-dasar/01-pembuka.md:3: &#39;minutes&#39; harus bilangan bulat "
            "lebih dari 0") in page
    assert "contoh-kursus/course.md:4: &#39;jp&#39; harus angka lebih dari 0" in page
    assert scalar(app, select(func.count()).select_from(CourseUpload)) == 0


def test_a_hostile_archive_is_refused_on_the_page(app, trainer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("contoh-kursus/course.md", "---\ntitle: x\n---\n")
        zf.writestr("contoh-kursus/../../../etc/cron.d/evil.md", "* * * * * root sh")
    response = upload(trainer, buffer.getvalue())
    page = response.get_data(as_text=True)
    assert "Arsip ditolak" in page and "jalur keluar dari folder kursus (..)" in page
    assert scalar(app, select(func.count()).select_from(CourseUpload)) == 0


def test_the_form_asks_for_a_zip(trainer):
    response = upload(trainer, b"bukan zip", filename="kursus.tar.gz")
    assert "Pilih berkas berakhiran .zip." in response.get_data(as_text=True)
    response = trainer.client.post("/authoring/upload",
                                   data={"csrf_token": trainer.csrf("/authoring/upload")})
    assert "Pilih berkas .zip berisi folder kursus." in response.get_data(as_text=True)


def test_a_request_over_the_limit_gets_a_friendly_413_page(trainer):
    # What a browser sends for a 51 MB file: refused on its Content-Length, before parsing.
    response = trainer.client.post(
        "/authoring/upload", data=b"\0" * (51 * 1024 * 1024),
        content_type="multipart/form-data; boundary=batas",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Berkas terlalu besar" in page and "50 MB" in page and "Traceback" not in page


def test_the_preview_renders_the_staged_course_with_the_learners_pages(trainer, course_copy):
    upload_id = staged_id(upload(trainer, zip_course(course_copy())))
    root = f"/authoring/uploads/{upload_id}/preview/"
    outline = trainer.client.get(root).get_data(as_text=True)
    assert "Pratinjau versi yang diunggah: peserta belum melihatnya." in outline
    assert '<h1>Kursus Contoh</h1>' in outline and "Dasar-dasar" in outline
    assert f'href="{root}dasar/pembuka"' in outline
    assert "0% · 0 dari 4 selesai" in outline
    response = trainer.client.get(root + "dasar/pembuka")
    lesson = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="admonition note">' in lesson
    assert f'rel="next" href="{root}dasar/kedua"' in lesson
    assert f'<a href="{root}">Kursus Contoh</a>' in lesson
    assert "Selesai & lanjut" not in lesson  # previews record nothing
    # The image's relative URL resolves inside the preview.
    src = re.search(r'src="\.\./(media/diagram\.png\.lentera-32w\?v=\w+)"', lesson).group(1)
    with trainer.client.get(root + src) as image:
        assert image.status_code == 200 and image.mimetype == "image/png"
    quiz = trainer.client.get(root + "dasar/kuis").get_data(as_text=True)
    assert "3 pertanyaan" in quiz and "Nilai lulus 80" in quiz
    assert trainer.client.get(root + "dasar/tidak-ada").status_code == 404


def test_publishing_a_new_course_imports_it_and_records_who_did_it(app, trainer, login,
                                                                   course_copy):
    upload_id = staged_id(upload(trainer, zip_course(course_copy())))
    response = post(trainer, f"/authoring/uploads/{upload_id}/publish")
    assert response.headers["Location"].endswith("/authoring/courses/contoh-kursus")
    page = trainer.client.get("/authoring/courses/contoh-kursus").get_data(as_text=True)
    assert "Kursus Contoh diterbitkan (4 baru, 0 diubah, 0 tidak berubah, 0 diarsipkan)." in page
    assert "Terbit" in page and "Pemilik: Rina Pelatih" in page
    assert re.search(r"versi 1.0</strong>\s*<span class=\"meta\">diimpor .* oleh Rina Pelatih, "
                     r"lewat unggahan web", page)
    learner = login()
    assert "Kursus Contoh" in learner.client.get("/").get_data(as_text=True)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_id) for e in entries] == [
            ("course.import", trainer.user.id), ("course.publish", trainer.user.id)]
        assert entries[0].details["source"] == "upload"
        version = db.session.scalar(select(CourseVersion))
        assert (version.imported_by_id, version.source, version.version) == (
            trainer.user.id, "upload", "1.0")
        assert db.session.scalar(select(func.count()).select_from(CourseUpload)) == 0


def test_an_uploader_without_owner_in_course_md_becomes_the_owner(app, login, make, course_copy):
    folder = course_copy()
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace("owner: pelatih@example.go.id\n", ""))
    me = login(roles=Role.TRAINER)
    upload_id = staged_id(upload(me, zip_course(folder)))
    post(me, f"/authoring/uploads/{upload_id}/draft")
    assert scalar(app, select(Course.owner_id)) == me.user.id
    assert scalar(app, select(Course.published)) is False
    assert "Kursus Contoh" in me.client.get("/authoring/").get_data(as_text=True)


def test_a_trainer_cannot_give_a_course_to_someone_else_through_owner(app, login, make,
                                                                      course_copy):
    make.user(email=TRAINER_EMAIL, roles=Role.TRAINER)
    me = login(roles=Role.TRAINER)
    response = upload(me, zip_course(course_copy()))
    assert ("contoh-kursus/course.md:8: &#39;owner&#39; adalah email pengguna lain "
            "(pelatih@example.go.id)") in response.get_data(as_text=True)


def test_a_draft_is_published_and_unpublished_from_the_course_page(app, trainer, login,
                                                                   course_copy):
    upload_id = staged_id(upload(trainer, zip_course(course_copy())))
    post(trainer, f"/authoring/uploads/{upload_id}/draft")
    learner = login()
    assert learner.client.get("/courses/contoh-kursus/").status_code == 404
    post(trainer, "/authoring/courses/contoh-kursus/publish")
    assert learner.client.get("/courses/contoh-kursus/").status_code == 200
    response = post(trainer, "/authoring/courses/contoh-kursus/unpublish")
    assert response.status_code == 303
    assert learner.client.get("/courses/contoh-kursus/").status_code == 404
    assert "Kursus Contoh" not in learner.client.get("/").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["course.import", "course.publish", "course.unpublish"]


def test_a_new_version_waits_for_publishing_and_keeps_progress(app, trainer, login, make,
                                                               course_copy):
    folder = course_copy()
    course = make.course(folder)
    learner = login()
    make.completed(learner.user, course, "dasar/pembuka", "lanjutan/lanjut")

    # Version 1.1: lesson 02 edited, module 02 removed, a lesson added.
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace('version: "1.0"', 'version: "1.1"'))
    second = folder / "01-dasar" / "02-kedua.md"
    second.write_text(second.read_text().replace("Catatan kaki", "Catatan kaki baru"))
    first = folder / "01-dasar" / "01-pembuka.md"
    first.write_text(first.read_text().replace(
        " atau [modul lanjutan](../02-lanjutan/01-lanjut.md)", ""))
    (folder / "02-lanjutan" / "01-lanjut.md").unlink()
    shutil.rmtree(folder / "02-lanjutan")
    (folder / "01-dasar" / "04-baru.md").write_text("---\ntitle: Pelajaran Baru\n---\nBaru.\n")
    upload_id = staged_id(upload(trainer, zip_course(folder)))

    plan = trainer.client.get(f"/authoring/uploads/{upload_id}").get_data(as_text=True)
    assert "versi baru dari kursus yang sudah terbit" in plan
    assert "1 baru, 2 diubah, 1 tidak berubah, 1 diarsipkan" in plan
    assert "Baru: Pelajaran Baru" in plan and "Diubah: Pembuka, Pelajaran Kedua" in plan
    assert "Diarsipkan: Lanjutan" in plan
    # The learner finished Lanjutan: the preview names it and asks before archiving it.
    assert "Lanjutan (<code>lanjutan/lanjut</code>): 1 peserta" in plan
    assert 'name="confirm_archive"' in plan
    assert "Simpan sebagai draf" not in plan  # a published course only gets published versions

    # Until it is published, learners keep the current version; the preview shows the new one.
    old = learner.client.get("/courses/contoh-kursus/dasar/kedua").get_data(as_text=True)
    assert "Catatan kaki baru" not in old
    assert learner.client.get("/courses/contoh-kursus/lanjutan/lanjut").status_code == 200
    preview = trainer.client.get(f"/authoring/uploads/{upload_id}/preview/dasar/kedua")
    assert "Catatan kaki baru" in preview.get_data(as_text=True)
    assert post(trainer, f"/authoring/uploads/{upload_id}/draft").status_code == 400

    refused = post(trainer, f"/authoring/uploads/{upload_id}/publish")
    assert refused.headers["Location"].endswith(f"/authoring/uploads/{upload_id}")
    assert learner.client.get("/courses/contoh-kursus/lanjutan/lanjut").status_code == 200
    done = post(trainer, f"/authoring/uploads/{upload_id}/publish", confirm_archive="1")
    assert "1 baru, 2 diubah, 1 tidak berubah, 1 diarsipkan" in trainer.client.get(
        done.headers["Location"]).get_data(as_text=True)
    new = learner.client.get("/courses/contoh-kursus/dasar/kedua").get_data(as_text=True)
    assert "Catatan kaki baru" in new
    assert learner.client.get("/courses/contoh-kursus/lanjutan/lanjut").status_code == 404
    outline = learner.client.get("/courses/contoh-kursus/").get_data(as_text=True)
    # Pembuka stays done (its path is unchanged), out of four live steps.
    assert "25% · 1 dari 4 selesai" in outline and "versi 1.1" in outline
    with app.app_context():
        retired = db.session.scalar(select(Lesson.retired).where(
            Lesson.path == "lanjutan/lanjut"))
        assert retired is True
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "course.import"))
        assert (entry.details["created"], entry.details["retired"]) == (1, 1)
        versions = db.session.scalars(select(CourseVersion.version)).all()
        assert versions == ["1.1"]


def test_a_trainer_cannot_touch_another_trainers_course(app, trainer, login, make, course_copy):
    folder = course_copy()
    make.course(folder)  # owned by `trainer`, named in course.md
    other = login(roles=Role.TRAINER)
    response = upload(other, zip_course(folder))
    assert "sudah ada dan dikelola pelatih lain" in response.get_data(as_text=True)
    upload_id = staged_id(upload(trainer, zip_course(folder)))
    assert other.client.get(f"/authoring/uploads/{upload_id}").status_code == 404
    assert post(other, f"/authoring/uploads/{upload_id}/publish").status_code == 404
    assert post(other, "/authoring/courses/contoh-kursus/unpublish").status_code == 404
    assert other.client.get("/authoring/courses/contoh-kursus/analytics").status_code == 404
    assert "Kursus Contoh" not in other.client.get("/authoring/").get_data(as_text=True)
    assert scalar(app, select(Course.published)) is True


def test_discarding_an_upload_changes_nothing(app, trainer, course_copy):
    upload_id = staged_id(upload(trainer, zip_course(course_copy())))
    response = post(trainer, f"/authoring/uploads/{upload_id}/discard")
    assert response.headers["Location"].endswith("/authoring/")
    assert scalar(app, select(func.count()).select_from(CourseUpload)) == 0
    assert scalar(app, select(func.count()).select_from(Course)) == 0


def test_a_newer_upload_replaces_the_one_waiting(app, trainer, course_copy):
    data = zip_course(course_copy())
    staged_id(upload(trainer, data))
    second = staged_id(upload(trainer, data))
    assert scalar(app, select(func.count()).select_from(CourseUpload)) == 1
    index = trainer.client.get("/authoring/").get_data(as_text=True)
    assert "Kursus baru menunggu diterbitkan" in index
    assert index.count("/authoring/uploads/") == 1 and f"/authoring/uploads/{second}" in index


def test_an_admin_assigns_an_owner(app, login, make):
    make.course(publish=False)
    admin = login(roles=Role.ADMIN)
    url = "/authoring/courses/contoh-kursus/owner"
    response = post(admin, url, email="tidak-ada@example.go.id")
    assert response.status_code == 200
    assert "Tidak ada pengguna dengan email tidak-ada@example.go.id." in (
        response.get_data(as_text=True))
    learner = make.user(email="ani@example.go.id", name="Ani")
    response = post(admin, url, email="ani@example.go.id")
    assert "Ani belum berperan pelatih." in response.get_data(as_text=True)
    budi = make.user(email="budi@example.go.id", name="Budi", roles=Role.TRAINER)
    response = post(admin, url, email=" Budi@Example.go.id ")
    assert response.status_code == 303
    page = admin.client.get("/authoring/courses/contoh-kursus").get_data(as_text=True)
    assert "Budi sekarang pemilik kursus ini." in page
    assert scalar(app, select(Course.owner_id)) == budi.id
    assert "Kursus Contoh" in login(budi).client.get("/authoring/").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.actor_id, entry.details["owner"]) == (
            "course.owner", admin.user.id, "budi@example.go.id")
    # Trainers cannot assign owners.
    trainer = login(budi)
    assert post(trainer, url, email=learner.email).status_code == 403


def test_the_analytics_page_shows_the_funnel(app, trainer, login, make):
    course = make.course()
    for paths in [("dasar/pembuka", "dasar/kedua"), ("dasar/pembuka",)]:
        make.completed(make.user(), course, *paths)
    page = trainer.client.get("/authoring/courses/contoh-kursus/analytics").get_data(
        as_text=True)
    assert re.search(r"<dt>Terdaftar</dt><dd>2</dd>", page)
    assert re.search(r"<dt>Mulai belajar</dt><dd>2 <span", page)
    assert "belum ada yang selesai" in page
    reached = re.findall(r"(\d+) peserta sampai di sini", page)
    assert reached == ["2", "1", "0", "0"]


def test_the_trainer_area_link_is_shown_to_trainers_and_admins_only(login):
    for roles, shown in [(Role.LEARNER, False), (Role.SUPERVISOR | Role.LEARNER, False),
                         (Role.TRAINER, True), (Role.ADMIN, True)]:
        page = login(roles=roles).client.get("/").get_data(as_text=True)
        assert ('href="/authoring/"' in page) is shown, roles


def test_the_audit_log_lists_everything_newest_first_with_a_filter(app, login, make):
    from app.services.audit import record

    admin = login(roles=Role.ADMIN, name="Admin Satu")
    with app.app_context():
        for i in range(55):
            record(db.session, admin.user.id, "user.roles", f"user:{i}", roles=["trainer"])
        record(db.session, None, "course.import", "course:contoh-kursus", source="cli")
        db.session.commit()
    page = admin.client.get("/authoring/audit").get_data(as_text=True)
    assert "56 entri" in page and "halaman 1 dari 2" in page
    assert page.index("course:contoh-kursus") < page.index("user:54")
    assert "baris perintah atau sistem" in page and "Admin Satu" in page
    assert "Ubah peran pengguna" in page and "Impor kursus" in page
    second = admin.client.get("/authoring/audit?page=2").get_data(as_text=True)
    assert "user:0<" in second and "user:54<" not in second
    filtered = admin.client.get("/authoring/audit?action=course.import").get_data(as_text=True)
    assert "1 entri" in filtered and "user:1<" not in filtered
    # An unknown filter says so in the page (issue 14) rather than quietly showing everything.
    unknown = admin.client.get("/authoring/audit?action=x")
    assert unknown.status_code == 400 and "tidak ada di log audit" in unknown.get_data(as_text=True)
    assert login(roles=Role.TRAINER).client.get("/authoring/audit").status_code == 403


def test_times_are_shown_in_the_users_time_zone_and_language(app, login, make):
    from datetime import UTC, datetime

    from app.services.audit import record

    admin = login(roles=Role.ADMIN)
    with app.app_context():
        entry = record(db.session, admin.user.id, "course.publish", "course:contoh-kursus")
        entry.at = datetime(2026, 11, 23, 12, 51, tzinfo=UTC)
        db.session.commit()
    assert "23 Nov 2026, 19.51" in admin.client.get("/authoring/audit").get_data(as_text=True)
    admin.client.post("/language", data={"locale": "en", "csrf_token": admin.csrf()})
    page = admin.client.get("/authoring/audit").get_data(as_text=True)
    assert "23 Nov 2026, 19:51" in page and "Course published" in page


def test_the_quiz_answer_key_shows_right_answers_and_explanations_to_its_trainers(
    trainer, login, make
):
    make.course()
    page = trainer.client.get("/authoring/courses/contoh-kursus").get_data(as_text=True)
    assert 'href="/authoring/courses/contoh-kursus/quizzes/dasar/kuis"' in page
    key = trainer.client.get("/authoring/courses/contoh-kursus/quizzes/dasar/kuis")
    html = key.get_data(as_text=True)
    assert key.status_code == 200
    right = re.findall(r'<li class="right">.*?</li>', html, re.S)
    assert len(right) == 3 and "Sistem Pemerintahan Berbasis Elektronik" in right[0]
    assert "kuda-baterai-staples-benar" in right[2]
    assert "<code>20</code>, <code>dua puluh</code>" in html
    assert "SPBE diatur dalam Perpres 95/2018." in html and "2 poin" in html
    learner = login()
    assert learner.client.get("/authoring/courses/contoh-kursus/quizzes/dasar/kuis"
                              ).status_code == 403
    assert trainer.client.get("/authoring/courses/contoh-kursus/quizzes/dasar/pembuka"
                              ).status_code == 404


def test_a_staged_quiz_and_a_question_bank_in_the_archive_have_answer_keys(
    trainer, course_copy
):
    folder = course_copy()
    shutil.copy(BANKS / "bank.gift", folder / "02-lanjutan" / "02-bank.gift")
    upload_id = staged_id(upload(trainer, zip_course(folder)))
    root = f"/authoring/uploads/{upload_id}/preview/"
    quiz = trainer.client.get(root + "lanjutan/bank").get_data(as_text=True)
    assert f'href="{root}lanjutan/bank/answers"' in quiz
    key = trainer.client.get(root + "lanjutan/bank/answers").get_data(as_text=True)
    assert "10 pertanyaan" in key and "<code>3.14 ± 0.01</code>" in key
    assert "Ibu kota Indonesia adalah ___ sejak 1945." in key


def test_the_upload_preview_shows_the_warnings_that_courses_check_prints(trainer, course_copy):
    """A trainer who only uses the web learns what the sanitiser drops, as on the command line."""
    folder = course_copy()
    (folder / "01-dasar" / "05-catatan.md").write_text(
        "---\ntitle: Catatan\n---\nTeks.\n\n<iframe src=\"https://contoh.id\"></iframe>\n")
    upload_id = staged_id(upload(trainer, zip_course(folder)))
    page = trainer.client.get(f"/authoring/uploads/{upload_id}").get_data(as_text=True)
    # The sample course has three warnings of its own (a <script>, a javascript: link).
    assert "4 peringatan" in page
    assert "contoh-kursus/01-dasar/05-catatan.md:6: peringatan: HTML &lt;iframe&gt;" in page
    (folder / "01-dasar" / "05-catatan.md").unlink()
    clean = staged_id(upload(trainer, zip_course(folder)))
    page = trainer.client.get(f"/authoring/uploads/{clean}").get_data(as_text=True)
    assert "3 peringatan" in page and "05-catatan.md" not in page
