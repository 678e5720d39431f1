"""The command line of PRODUCT §4, run through Flask's CLI runner on the real database."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Assignment,
    AuditEntry,
    Certificate,
    Course,
    CourseVersion,
    JpEntry,
    Lesson,
    LessonProgress,
    QuizAttempt,
    Role,
    Unit,
    User,
)

DATA = Path(__file__).parent / "data" / "courses"
BROKEN = DATA.parent / "broken"


def test_check_a_good_course_exits_0(runner):
    result = runner.invoke(args=["courses", "check", str(DATA / "contoh-kursus")])
    assert result.exit_code == 0, result.output
    assert "contoh-kursus: OK (2 modul, 4 langkah)" in result.output


def test_check_a_broken_course_prints_path_line_message_and_exits_1(runner):
    result = runner.invoke(args=["courses", "check", str(BROKEN / "rusak")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    root = str(BROKEN / "rusak")
    assert f"{root}/course.md:3: 'jp' harus angka lebih dari 0" in lines
    assert f"{root}/01-modul/03-kuis.md:4: 'pass_mark' harus persen dari 0 sampai 100" in lines
    assert f"{root}/media/gambar.svg:1: jenis berkas tidak diizinkan (hanya PNG, JPEG, WebP, GIF dan PDF)" in lines  # noqa: E501
    # Two dead links in it are warnings (printed with the errors), not errors.
    assert sum(": peringatan: tautan" in line for line in lines) == 2
    assert lines[-1] == "16 kesalahan ditemukan; tidak ada yang diimpor."


def test_import_refuses_everything_when_one_course_is_broken(app, runner):
    result = runner.invoke(
        args=["courses", "import", str(DATA / "contoh-kursus"), str(BROKEN / "rusak")]
    )
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_import_then_reimport_reports_what_changed(app, runner):
    result = runner.invoke(args=["courses", "import", str(DATA / "contoh-kursus")])
    assert result.exit_code == 0, result.output
    assert "contoh-kursus: draf; 4 baru, 0 diubah, 0 tidak berubah, 0 diarsipkan" in result.output
    result = runner.invoke(args=["courses", "import", "--publish", str(DATA / "contoh-kursus")])
    assert "contoh-kursus: diterbitkan; 0 baru, 0 diubah, 4 tidak berubah, 0 diarsipkan" in (
        result.output
    )
    with app.app_context():
        assert db.session.scalar(select(Course.published)) is True
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        # The second import also made the course visible: that is a publication.
        assert [(e.action, e.target, e.actor_id) for e in entries] == [
            ("course.import", "course:contoh-kursus", None),
            ("course.import", "course:contoh-kursus", None),
            ("course.publish", "course:contoh-kursus", None),
        ]
        assert entries[1].details["published"] is True
        # Same content twice: one version in the history, imported from the command line.
        versions = db.session.scalars(select(CourseVersion)).all()
        assert [(v.version, v.source, v.imported_by_id) for v in versions] == [("1.0", "cli", None)]


def test_users_create_with_nip_and_unit(app, runner, make):
    make.unit("SETJEN", "Sekretariat Jenderal")
    result = runner.invoke(args=[
        "users", "create", "--email", "Ani@Example.go.id", "--name", "Ani", "--role",
        "supervisor,learner", "--nip", "19860926 201505 1 001", "--unit", "SETJEN",
        "--password", "rahasia-ani",
    ])
    assert result.exit_code == 0, result.output
    assert "ani@example.go.id (learner, supervisor, NIP 19860926******1001)" in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.nip == "198609262015051001" and user.unit.code == "SETJEN"
        assert user.roles == Role.SUPERVISOR | Role.LEARNER


def test_users_create_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "b@example.go.id", "--name", "B", "--role", "trainer"],
        input="rahasia-budi\nrahasia-budi\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)).startswith("$argon2id$")


def test_users_create_explains_bad_input_without_a_traceback(runner):
    result = runner.invoke(args=[
        "users", "create", "--email", "c@example.go.id", "--name", "C", "--role", "learner",
        "--nip", "198602302015051001", "--password", "rahasia-c",
    ])
    assert result.exit_code == 1
    assert "NIP memuat tanggal lahir yang tidak ada." in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(args=[
        "users", "create", "--email", "c@example.go.id", "--name", "C", "--role", "kepala",
        "--password", "rahasia-c",
    ])
    assert result.exit_code == 2 and "peran tidak dikenal: kepala" in result.output


def test_demo_is_idempotent_and_prints_the_logins(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    for login in ("admin@lentera.test", "pelatih@lentera.test", "atasan@lentera.test",
                  "budi@lentera.test"):
        assert login in second.output
    assert "lentera-demo" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
        assert db.session.scalar(select(func.count()).select_from(Course)) == 1
        assert db.session.scalar(select(func.count()).select_from(Lesson)) == 4
        # The report has something to show: one mandatory course, assigned once.
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1
        # budi finished the first lessons of the course, once.
        budi = db.session.scalar(select(User).where(User.email == "budi@lentera.test"))
        done = db.session.scalar(
            select(func.count()).select_from(LessonProgress).where(
                LessonProgress.user_id == budi.id, LessonProgress.completed_at.is_not(None)
            )
        )
        assert done == 3  # the test course has three lessons (and one quiz)
        # siti finished everything, quiz included, once: one certificate, one attempt.
        siti = db.session.scalar(select(User).where(User.email == "siti@lentera.test"))
        certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == siti.id))
        assert certificate is not None and certificate.learner_name == "Siti Rahmawati"
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        # The ledger, once per source: siti's course, budi's face-to-face session.
        entries = db.session.execute(select(JpEntry.user_id, JpEntry.source)).all()
        assert sorted(entries) == sorted([(siti.id, "course"), (budi.id, "session")])


def test_units_import_builds_the_tree_and_reports_bad_rows_by_line(app, runner, tmp_path):
    good = tmp_path / "unit.csv"
    good.write_text("code,name,parent_code\nBIRO,Biro Umum,SETJEN\nSETJEN,Setjen,KEMEN\n"
                    "KEMEN,Kementerian,\n")
    result = runner.invoke(args=["units", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "Unit: 3 baru, 0 diperbarui." in result.output
    bad = tmp_path / "rusak.csv"
    bad.write_text("code,name,parent_code\nBARU,Baru,KEMEN\nX,,HILANG\n")
    result = runner.invoke(args=["units", "import", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:3: nama unit kosong" in result.output
    assert f"{bad}:3: unit induk HILANG tidak dikenal" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 3


def test_users_import_refuses_bad_files_unless_told_to_skip(app, runner, make, tmp_path):
    make.unit("BIRO", "Biro")
    staff = tmp_path / "pegawai.csv"
    staff.write_text("email,name,nip,unit_code,role\n"
                     "ani@instansi.go.id,Ani,19860926 201505 1 001,BIRO,learner\n"
                     "budi@instansi.go.id,Budi,,BIRO,raja\n")
    result = runner.invoke(args=["users", "import", str(staff)])
    assert result.exit_code == 1
    assert f"{staff}:3: peran tidak dikenal: raja" in result.output
    assert "tidak ada yang diimpor" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    result = runner.invoke(args=["users", "import", "--skip-invalid", str(staff)])
    assert result.exit_code == 0, result.output
    assert "Pengguna: 1 baru, 0 diperbarui, 0 tetap, 1 baris dilewati." in result.output
    assert re.search(r"ani@instansi\.go\.id  http://localhost/password/[\w-]{40,}",
                     result.output)
    with app.app_context():
        assert db.session.scalar(select(User.nip)) == "198609262015051001"


def test_courses_new_scaffolds_a_folder_that_passes_check_and_imports(app, runner, tmp_path):
    result = runner.invoke(args=[
        "courses", "new", "literasi-data", "--dir", str(tmp_path), "--title",
        "Literasi Data: Dasar", "--owner", "rina@example.go.id",
    ])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "literasi-data"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == [
        "01-pengantar/01-selamat-datang.md", "01-pengantar/02-menulis-pelajaran.md",
        "01-pengantar/03-kuis-pengantar.md", "01-pengantar/module.md", "course.md",
        "media/contoh.png",
    ]
    assert "flask courses check" in result.output
    check = runner.invoke(args=["courses", "check", str(folder)])
    assert check.exit_code == 0, check.output
    assert "literasi-data: OK (1 modul, 3 langkah)" in check.output
    imported = runner.invoke(args=["courses", "import", str(folder)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        course = db.session.scalar(select(Course))
        assert (course.title, course.owner_email) == ("Literasi Data: Dasar", "rina@example.go.id")
        quiz = db.session.scalar(select(Lesson).where(Lesson.kind == "quiz"))
        assert quiz.quiz.question_count == 3


def test_courses_new_refuses_a_bad_slug_or_an_existing_folder(runner, tmp_path):
    result = runner.invoke(args=["courses", "new", "Literasi Data", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "huruf kecil, angka dan tanda '-'" in result.output
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "catatan.md").write_text("jangan ditimpa")
    result = runner.invoke(args=["courses", "new", "ada", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "sudah ada; tidak ada yang diubah." in result.output
    assert (tmp_path / "ada" / "catatan.md").read_text() == "jangan ditimpa"


def test_convert_quiz_writes_one_quiz_per_category_that_passes_the_check(runner, course_copy):
    folder = course_copy()
    bank = DATA.parent / "banks" / "bank.gift"
    out = folder / "03-bank"
    result = runner.invoke(args=["courses", "convert-quiz", str(bank), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{bank}:11: bobot per pilihan diubah menjadi semua-atau-tidak" in result.output
    assert f"{bank}:43: soal menjodohkan (->)" in result.output
    assert f"{bank}:48: soal esai" in result.output
    assert f"{out}/01-dasar.md: 6 soal" in result.output
    assert "10 soal dikonversi, 3 tidak dapat dikonversi." in result.output
    assert sorted(p.name for p in out.iterdir()) == ["01-dasar.md", "02-angka.md"]
    check = runner.invoke(args=["courses", "check", str(folder)])
    assert check.exit_code == 0, check.output
    # Written files are never overwritten.
    again = runner.invoke(args=["courses", "convert-quiz", str(bank), "--out", str(out)])
    assert again.exit_code == 1 and "sudah ada" in again.output


def test_convert_quiz_refuses_a_malformed_bank_with_its_lines(runner, tmp_path):
    bank = tmp_path / "rusak.txt"
    bank.write_text("Soal?\nA. satu\nB. dua\nANSWER: C\n")
    result = runner.invoke(args=["courses", "convert-quiz", str(bank), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{bank}:1: soal Aiken butuh sedikitnya dua pilihan" in result.output
    assert list(tmp_path.iterdir()) == [bank]


def test_check_needs_no_database(app, runner, fresh_app, tmp_path):
    """A trainer checks a course on a laptop where Lentera's database was never created."""
    bare = fresh_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'leer.db'}")
    result = bare.test_cli_runner().invoke(args=["courses", "check", str(DATA / "contoh-kursus")])
    assert result.exit_code == 0, result.output
    assert "contoh-kursus: OK" in result.output


@pytest.mark.parametrize("package", ["reportlab", "alembic"])
def test_the_app_starts_without_loading_what_only_some_commands_need(package):
    """Every `flask` command and gunicorn worker first loads the app: PDFs are drawn with
    reportlab only when one is asked for, and alembic (under Flask-Migrate) is imported only
    by a `flask db` command, so start-up does not pay for them (PRODUCT §6: an import within
    2 s, start-up included)."""
    loaded = f"import sys, wsgi; print([m for m in sys.modules if m.startswith('{package}')])"
    result = subprocess.run([sys.executable, "-c", loaded], cwd=DATA.parents[2],
                            env={**os.environ, "SECRET_KEY": "s" * 40},
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_flask_db_still_migrates(runner, app):
    """`flask db …` brings Flask-Migrate in when it runs (extensions.enable_migrations)."""
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0 and "upgrade" in listed.output and "--directory" in listed.output
    result = runner.invoke(args=["db", "upgrade"])  # already at the head: nothing to do
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["db", "-d", "/no/such/folder", "upgrade"]).exit_code != 0


def test_the_process_app_leaves_the_garbage_collector_running():
    """wsgi.py builds its app with the collector paused (create_process_app): afterwards the
    collector runs again, or a long-lived worker would never free a reference cycle."""
    probe = ("import gc, wsgi; print(gc.isenabled(), gc.get_freeze_count() > 0, "
             "wsgi.app.name)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=DATA.parents[2],
                            env={**os.environ, "SECRET_KEY": "s" * 40},
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", "app"]
