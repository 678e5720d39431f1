"""The lesson page's own read (app/autocommit_reads.py) outlives a PostgreSQL restart."""

import pytest
from sqlalchemy import text

from app import autocommit_reads
from app.extensions import db

LESSON = "/courses/contoh-kursus/dasar/pembuka"


@pytest.mark.parametrize("idle", [1, 3])
def test_after_postgresql_dropped_every_connection_the_next_lesson_page_still_opens(
        app, make, login, idle):
    """A restart closes every connection at once: the read drops the whole pool, not just the
    connection that failed, so the first page after it opens as well (reviewer's finding)."""
    make.course()
    me = login()
    assert me.client.get(LESSON).status_code == 200
    with app.app_context():
        engine = autocommit_reads.engine_for(db.session)
        if engine is None:
            pytest.skip("the autocommit engine exists on PostgreSQL only")
        held = [engine.raw_connection() for _ in range(idle)]  # a pool with `idle` in it
        for connection in held:
            connection.close()
        db.session.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'lentera-reads' AND datname = current_database()"))
        db.session.commit()
    assert [me.client.get(LESSON).status_code for _ in range(3)] == [200] * 3
