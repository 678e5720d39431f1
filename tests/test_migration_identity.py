"""Migration 0011 re-keys lessons imported with numbered paths, keeping everyone's progress."""

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db, enable_migrations

NOW = "2026-11-01 08:00:00"


def test_existing_lessons_get_their_identity_and_keep_progress_and_attempts(app, tmp_path):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_app(config)
    enable_migrations(old)
    with old.app_context():
        upgrade(revision="0006_session_version")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO user (id, email, name, roles, active, created_at, session_version)"
                " VALUES (1, 'a@example.go.id', 'A', 1, 1, :now, 1)"), {"now": NOW})
            conn.execute(text(
                "INSERT INTO course (id, slug, title, summary, description_html, jp, language,"
                " tags, completion, published, source_path, content_hash, imported_at)"
                " VALUES (1, 'k', 'K', 'S', '', 2, 'id', '[]', 'all', 1, 'x', 'h', :now)"),
                {"now": NOW})
            for mid, name, pos in [(1, "01-pengantar", 1), (2, "02-lanjut", 2),
                                   (3, "03-lanjut", 3)]:
                conn.execute(text(
                    "INSERT INTO module (id, course_id, dir_name, title, intro_html, position,"
                    " retired) VALUES (:id, 1, :name, 'M', '', :pos, 0)"),
                    {"id": mid, "name": name, "pos": pos})
            for lid, mid, path, kind in [(1, 1, "01-pengantar/01-satu", "lesson"),
                                         (2, 1, "01-pengantar/02-kuis", "quiz"),
                                         (3, 2, "02-lanjut/01-a", "lesson"),
                                         (4, 3, "03-lanjut/01-a", "lesson")]:
                conn.execute(text(
                    "INSERT INTO lesson (id, course_id, module_id, path, kind, title, minutes,"
                    " body_html, content_hash, position, retired)"
                    " VALUES (:id, 1, :mid, :path, :kind, 'L', 1, '', 'h', :id, 0)"),
                    {"id": lid, "mid": mid, "path": path, "kind": kind})
            conn.execute(text(
                "INSERT INTO lesson_progress (user_id, lesson_id, opened_at, completed_at)"
                " VALUES (1, 1, :now, :now)"), {"now": NOW})
            conn.execute(text(
                "INSERT INTO quiz (lesson_id, pass_mark, shuffle, question_count)"
                " VALUES (2, 70, 0, 0)"))
            conn.execute(text(
                "INSERT INTO quiz_attempt (id, user_id, quiz_id, number, started_at, timed_out,"
                " snapshot) VALUES (1, 1, 2, 1, :now, 0, '{}')"), {"now": NOW})

        upgrade()

        with db.engine.connect() as conn:
            lessons = dict(conn.execute(text("SELECT id, path FROM lesson")).all())
            modules = dict(conn.execute(text("SELECT id, dir_name FROM module")).all())
            progress = conn.execute(text("SELECT lesson_id FROM lesson_progress")).scalars()
            attempts = conn.execute(text("SELECT quiz_id FROM quiz_attempt")).scalars()
            assert (list(progress), list(attempts)) == ([1], [2])
        db.engine.dispose()
    assert lessons[1] == "pengantar/satu" and lessons[2] == "pengantar/kuis"
    # "02-lanjut" and "03-lanjut" would both become "lanjut": they keep their old keys.
    assert modules == {1: "pengantar", 2: "02-lanjut", 3: "03-lanjut"}
    assert (lessons[3], lessons[4]) == ("02-lanjut/01-a", "03-lanjut/01-a")
