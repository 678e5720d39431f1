"""Migration 0010 turns every existing course completion into a credited ledger entry.

It runs on its own database (SQLite file, or a sibling of TEST_DATABASE_URL's PostgreSQL
database), migrated to the revision before, given completions, then upgraded.
"""

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app.extensions import db, enable_migrations

REVISION = "0010_jp_ledger"


def _database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'migration.db'}"
    base = make_url(url)
    name = f"{base.database}_mig"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    target = base.set(database=name)
    engine = sa.create_engine(target)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return target.render_as_string(hide_password=False)


def _filler(column: sa.Column, n: int):
    """A value for a required column this test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 5, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 5)
    if isinstance(kind, sa.Integer | sa.Numeric):
        return 1
    if isinstance(kind, sa.LargeBinary):
        return b""
    if isinstance(kind, sa.JSON):
        return []
    length = getattr(kind, "length", None) or 40
    return f"{column.name}-{n}"[:length]


def _insert(conn, table: sa.Table, n: int, **values) -> int:
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        if column.primary_key and isinstance(column.type, sa.Integer):
            continue
        values[column.name] = _filler(column, n)
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


@pytest.fixture
def migration_app(fresh_app, tmp_path):
    app = fresh_app(SQLALCHEMY_DATABASE_URI=_database_url(tmp_path))
    enable_migrations(app)
    return app


def test_every_completion_becomes_one_credited_entry(migration_app):
    with migration_app.app_context():
        script = ScriptDirectory.from_config(migration_app.extensions["migrate"].migrate
                                             .get_config())
        before = script.get_revision(REVISION).down_revision
        upgrade(revision=before)
        meta = sa.MetaData()
        meta.reflect(db.engine, only=["user", "course", "enrolment"])
        user, course, enrolment = (meta.tables[n] for n in ("user", "course", "enrolment"))
        with db.engine.begin() as conn:
            ani = _insert(conn, user, 1, email="ani@example.go.id", name="Ani")
            budi = _insert(conn, user, 2, email="budi@example.go.id", name="Budi")
            spbe = _insert(conn, course, 1, slug="spbe", title="Literasi SPBE", jp=Decimal("4"))
            data = _insert(conn, course, 2, slug="data", title="Keamanan Data",
                           jp=Decimal("3"))
            # Frozen JP 2.5 (the course says 4 now); 20:00 UTC on 31 Dec is 1 Jan in Jakarta.
            _insert(conn, enrolment, 1, user_id=ani, course_id=spbe, jp_credited=Decimal("2.5"),
                    completed_at=datetime(2025, 12, 31, 20, 0, tzinfo=UTC))
            # An older completion without frozen JP: the course's.
            _insert(conn, enrolment, 2, user_id=ani, course_id=data, jp_credited=None,
                    completed_at=datetime(2025, 6, 1, 3, 0, tzinfo=UTC))
            # Enrolled, not completed: no entry.
            _insert(conn, enrolment, 3, user_id=budi, course_id=spbe, jp_credited=None,
                    completed_at=None)
        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT user_id, source, ref_id, hours, on_date, year, status, title "
                "FROM jp_entry ORDER BY on_date")).all()
        db.engine.dispose()
    as_tuples = [(r[0], r[1], r[2], Decimal(str(r[3])), str(r[4])[:10], r[5], r[6], r[7])
                 for r in rows]
    assert as_tuples == [
        (ani, "course", data, Decimal("3"), "2025-06-01", 2025, "credited", "Keamanan Data"),
        (ani, "course", spbe, Decimal("2.5"), "2026-01-01", 2026, "credited", "Literasi SPBE"),
    ]
