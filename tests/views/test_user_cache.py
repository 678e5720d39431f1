"""The signed-in user comes from Redis, and any change to them reaches the very next request."""

import pytest
from sqlalchemy import event, update

from app import autocommit_reads
from app.extensions import db
from app.models import LessonProgress, User
from app.services import user_cache
from tests.conftest import REDIS_URL
from tests.factories import PASSWORD, make_user
from tests.pages import csrf_token_in

LESSON = "/courses/contoh-kursus/dasar/pembuka"


@pytest.fixture
def cached_app(fresh_app, redis_store):
    return fresh_app(REDIS_URL=REDIS_URL)


def signed_in(app, email):
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def user_queries(app, client, path) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        if 'from "user"' in statement.lower() or "from user" in statement.lower():
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_a_signed_in_request_finds_its_user_in_redis_not_the_database(
        cached_app, make, redis_store):
    person = make.user(name="Sari Dewi")
    client = signed_in(cached_app, person.email)
    client.get("/")
    assert user_queries(cached_app, client, "/") == 0
    cached = redis_store.get(user_cache.PREFIX + str(person.id))
    assert b"Sari Dewi" in cached
    assert b"argon2" not in cached and b"password" not in cached  # the hash stays in the db
    assert "Sari Dewi" in client.get("/").get_data(as_text=True)


def test_a_change_to_the_user_reaches_the_next_request_from_every_worker(cached_app, make,
                                                                          redis_store):
    person = make.user(name="Sari Dewi")
    client = signed_in(cached_app, person.email)
    client.get("/")
    with cached_app.app_context():
        db.session.get(User, person.id).name = "Sari Lestari"
        db.session.commit()
    assert redis_store.get(user_cache.PREFIX + str(person.id)) == user_cache.TOMBSTONE
    assert "Sari Lestari" in client.get("/").get_data(as_text=True)

    # A new session version (sign-out everywhere, password change) ends the session at once,
    # although the session's own "still exists" answer is cached too.
    with cached_app.app_context():
        db.session.get(User, person.id).session_version += 1
        db.session.commit()
        assert user_cache.load(db.session, redis_store, person.id).session_version == 2
        db.session.remove()
    assert client.get("/").status_code == 302


def test_a_reader_holding_the_old_row_cannot_put_it_back(cached_app, make, redis_store):
    person = make.user()
    with cached_app.app_context():
        old = db.session.get(User, person.id)
        stale = user_cache._encode(old)
        old.session_version += 1
        db.session.commit()
        # A request that read the row before that commit now tries to cache it: refused.
        redis_store.set(user_cache.PREFIX + str(person.id), stale, nx=True)
        assert user_cache.load(db.session, redis_store, person.id).session_version == 2
        db.session.remove()


def test_a_bulk_change_of_users_drops_every_cached_user(cached_app, make, redis_store):
    people = [make.user(), make.user()]
    with cached_app.app_context():
        for p in people:
            user_cache.load(db.session, redis_store, p.id)
        db.session.remove()
        assert all(redis_store.get(user_cache.PREFIX + str(p.id))
                   not in (None, user_cache.TOMBSTONE) for p in people)
        db.session.execute(update(User).values(active=False))
        db.session.commit()
    assert all(redis_store.get(user_cache.PREFIX + str(p.id)) == user_cache.TOMBSTONE
               for p in people)


def test_a_cached_user_still_reaches_its_unit_and_password(cached_app, make, redis_store):
    make.unit("BIRO-SDM", "Biro SDM")
    person = make.user(unit_code="BIRO-SDM")
    with cached_app.app_context():
        user_cache.load(db.session, redis_store, person.id)
        db.session.remove()
        user = user_cache.load(db.session, redis_store, person.id)  # from Redis now
        assert user.unit.code == "BIRO-SDM"
        assert user.password_hash.startswith("$argon2")
        db.session.remove()


def test_the_lesson_page_records_the_visit_and_completion_with_the_cached_user(
        cached_app, make, redis_store):
    make.course()
    person = make.user()
    client = signed_in(cached_app, person.email)
    page = client.get(LESSON)
    assert page.status_code == 200
    client.get(LESSON)
    token = csrf_token_in(page.get_data(as_text=True))
    assert client.post(LESSON + "/complete", data={"csrf_token": token}).status_code == 303
    with cached_app.app_context():
        rows = db.session.query(LessonProgress).filter_by(user_id=person.id).all()
        assert len(rows) == 1 and rows[0].completed_at is not None
    assert "Pelajaran ini sudah selesai" in client.get(LESSON).get_data(as_text=True)


def test_a_lesson_page_read_again_is_one_query_outside_any_transaction(
        cached_app, make, redis_store):
    """docs/performance.md: the sign-in check, the user and the whole lesson page in one query,
    asking Redis nothing; on PostgreSQL in autocommit on its own engine, so the ORM session
    takes no connection (no BEGIN, no ROLLBACK round trips)."""
    make.course()
    client = signed_in(cached_app, make.user().email)
    client.get(LESSON)  # the first opening writes; the second is the common case
    with cached_app.app_context():
        engine = db.engine
        reads_engine = autocommit_reads.engine_for(db.session)
    statements = []

    def record(conn, _cursor, statement, *_args):
        statements.append(statement)

    redis_before = redis_store.info("commandstats")
    before = autocommit_reads.statements_run()
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(LESSON).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    redis_after = redis_store.info("commandstats")
    for command in ("cmdstat_get", "cmdstat_mget"):  # what the user cache asks
        assert redis_after.get(command) == redis_before.get(command), "the page asked Redis"
    if reads_engine is None:  # SQLite: the one query through the session, in process
        assert len(statements) == 1, statements
        assert "login_session" in statements[0]
    else:
        assert statements == [] and autocommit_reads.statements_run() - before == 1
        with reads_engine.connect() as conn:
            assert conn.connection.dbapi_connection.autocommit is True


def test_a_bulk_change_of_one_user_drops_only_that_user(cached_app, make, redis_store):
    one, other = make.user(), make.user()
    with cached_app.app_context():
        for p in (one, other):
            user_cache.load(db.session, redis_store, p.id)
        db.session.remove()
        # As "sign out everywhere" raises the version: one UPDATE … WHERE id = …
        db.session.execute(update(User).where(User.id == one.id)
                           .values(session_version=User.session_version + 1)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        assert redis_store.get(user_cache.PREFIX + str(one.id)) == user_cache.TOMBSTONE
        assert redis_store.get(user_cache.PREFIX + str(other.id)) not in (
            None, user_cache.TOMBSTONE)
        assert user_cache.load(db.session, redis_store, one.id).session_version == 2
        db.session.remove()


def test_an_ended_session_is_never_remembered_again(session, redis_store):
    user_id = make_user(session).id
    session.commit()
    digest = "ab" * 32

    def known() -> bool:
        return user_cache.load_with_session(session, redis_store, user_id, digest)[1]

    assert not known()
    user_cache.remember_session(redis_store, digest)
    assert known()
    user_cache.forget_session(redis_store, [digest])  # signed out
    user_cache.remember_session(redis_store, digest)  # a request that checked just before
    assert not known()
    redis_store.delete(user_cache.SESSION_PREFIX + digest)
