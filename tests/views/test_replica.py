"""Reports read from a PostgreSQL streaming replica; everything else reads and writes the primary.

Needs the replica made by scripts/pg-replica.sh (CI runs it): TEST_REPLICA_DATABASE_URL, or the
test database's URL on port 5433. Without one the test is skipped, except where
LENTERA_REQUIRE_REPLICA=1 (CI) makes the missing replica a failure.
"""

import csv
import gc
import io
import os
import re
import time

import pytest
from sqlalchemy import create_engine, event, make_url, text, update

from app.extensions import db
from app.models import LessonProgress, User
from app.reports_database import reports_engine, reports_session
from tests.factories import PASSWORD
from tests.pages import csrf_token_in
from tests.seed import seed


def _replica_url() -> str | None:
    primary = os.environ.get("TEST_DATABASE_URL", "")
    if not primary.startswith("postgresql"):
        return None
    return os.environ.get("TEST_REPLICA_DATABASE_URL") or make_url(primary).set(
        port=5433).render_as_string(hide_password=False)


def _replica_or_skip() -> str:
    url = _replica_url()
    reason = "no PostgreSQL replica (scripts/pg-replica.sh) for the test database"
    if url:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                if conn.scalar(text("select pg_is_in_recovery()")):
                    return url
            reason = f"{make_url(url).port}: not a standby"
        except Exception as error:  # noqa: BLE001 - any failure to connect means "no replica"
            reason += f" ({type(error).__name__})"
        finally:
            engine.dispose()
    if os.environ.get("LENTERA_REQUIRE_REPLICA") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _caught_up(primary, replica, timeout: float = 15) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with primary.connect() as conn:
        lsn = conn.scalar(text("select pg_current_wal_lsn()::text"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with replica.connect() as conn:
            if conn.scalar(text("select pg_last_wal_replay_lsn() >= cast(:lsn as pg_lsn)"),
                           {"lsn": lsn}):
                return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay {lsn} within {timeout} s")


class Statements:
    """The SQL each engine ran while the block was open."""

    def __init__(self, **engines):
        self.engines, self.seen = engines, {name: [] for name in engines}

    def __enter__(self):
        for name, engine in self.engines.items():
            event.listen(engine, "before_cursor_execute", self._listener(name))
        return self

    def _listener(self, name):
        def record(_conn, _cursor, statement, *_args):
            self.seen[name].append(" ".join(statement.split()).lower())

        self.__dict__.setdefault("listeners", []).append((name, record))
        return record

    def __exit__(self, *_exc):
        for name, record in self.listeners:
            event.remove(self.engines[name], "before_cursor_execute", record)


@pytest.fixture
def reporting(fresh_app):
    """An app whose reports read from the replica; its replica connections closed after."""
    made = fresh_app(REPORTS_DATABASE_URL=_replica_or_skip())
    yield made
    # A streamed response caught in a reference cycle keeps its replica connection checked
    # out until the collector runs; dispose() would not close it, and the collector later
    # warned about an open connection in some other test. Collect first, then check.
    gc.collect()
    with made.app_context():
        engine = reports_engine()
        assert engine.pool.checkedout() == 0, "a response still holds a replica connection"
        engine.dispose()


def test_reports_read_from_the_replica_and_everything_else_uses_the_primary(
        app, reporting, tmp_path):
    with app.app_context():
        org = seed(db.session, tmp_path)
        db.session.commit()
    with reporting.app_context():
        primary, replica = db.engine, reports_engine()
        assert replica is not primary
        with replica.connect() as conn:
            assert conn.scalar(text("select pg_is_in_recovery()")) is True
        with primary.connect() as conn:
            assert conn.scalar(text("select pg_is_in_recovery()")) is False
        # The replica refuses writes: it is a real standby, not a second copy.
        with pytest.raises(Exception, match="read-only transaction"):
            reports_session().execute(update(User).values(name="x"))
        reports_session().rollback()
    _caught_up(primary, replica)

    client = _signed_in(reporting, "sup@example.go.id")

    # A change written on the primary reaches the report through replication.
    with app.app_context():
        db.session.execute(update(User).where(User.id == org.users["ani"])
                           .values(name="Ani Lewat Replika"))
        db.session.commit()
    _caught_up(primary, replica)

    with Statements(primary=primary, replica=replica) as seen:
        for path in ("/reports/", "/reports/rows", "/reports/jp",
                     f"/reports/learners/{org.users['ani']}", "/reports/export.xlsx"):
            with client.get(path) as response:
                assert response.status_code == 200, path
        with client.get("/reports/export.csv") as response:
            exported = response.get_data(as_text=True)
    names = [r["Nama"] for r in csv.DictReader(io.StringIO(exported[1:]))]
    assert "Ani Lewat Replika" in names
    report_sql = [s for s in seen.seen["replica"]
                  if re.search(r"\b(enrolment|jp_entry|report_rollup)\b", s)]
    assert len(report_sql) >= 6
    # On the primary, only what every signed-in request does (its user), no report query.
    assert not [s for s in seen.seen["primary"]
                if re.search(r"\b(from|join) (unit|enrolment|course)\b", s)]
    assert all(s.startswith(("select", "with")) for s in seen.seen["replica"])

    # Everything else reads and writes the primary, and never touches the replica.
    learner = _signed_in(reporting, "budi@example.go.id")
    lesson = "/courses/contoh-kursus/dasar/pembuka"
    with Statements(primary=primary, replica=replica) as seen:
        assert learner.get("/me/learning").status_code == 200
        assert learner.get(lesson).status_code == 200
        done = learner.post(lesson + "/complete", data={"csrf_token": csrf_token_in(
            learner.get(lesson).get_data(as_text=True))})
        assert done.status_code in (200, 303)
    assert seen.seen["replica"] == []
    assert [s for s in seen.seen["primary"] if s.startswith(("insert", "update"))]
    with app.app_context():
        assert db.session.query(LessonProgress).filter(
            LessonProgress.user_id == org.users["budi"],
            LessonProgress.completed_at.is_not(None)).count() == 1


def _signed_in(app, email: str):
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
