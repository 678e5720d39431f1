"""The lesson page's own read (app/autocommit_reads.py): it outlives a PostgreSQL restart and never
sends PostgreSQL what it cannot take."""

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


@pytest.mark.parametrize("path", ["/courses/contoh-kursus/dasar/pem%00buka",
                                  "/courses/contoh%00kursus/dasar/pembuka"])
def test_a_nul_in_a_lesson_url_is_a_404_as_production_answers_it(app, make, login, path):
    """The input guard refuses the URL and the 404 page reads current_user: the lesson page's
    sign-in query must not get the NUL (PostgreSQL refuses it, and the error page's own
    sign-in check then failed again: a bare 500). Reviewer's finding."""
    make.course()
    me = login()
    testing, propagate = app.testing, app.config.get("PROPAGATE_EXCEPTIONS")
    app.testing, app.config["PROPAGATE_EXCEPTIONS"] = False, False
    try:
        response = me.client.get(path)
    finally:
        app.testing, app.config["PROPAGATE_EXCEPTIONS"] = testing, propagate
    assert response.status_code == 404
    assert me.client.get(LESSON).status_code == 200
