"""Sign-in throttling (NIST SP 800-63B §5.2.2, ASVS 2.2.1), against the database and real Redis."""

import statistics
import time
import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import delete, select

from app.models import AuditEntry, LoginThrottle, utcnow
from app.services import accounts
from app.services.accounts import ACCOUNT_FAILURES, authenticate
from app.services.errors import TooManyAttempts
from app.services.throttle import DatabaseThrottle, RedisThrottle
from tests.conftest import REDIS_URL
from tests.factories import PASSWORD, make_user

NIP = "198609262015051001"
COST = (1, 64)


@pytest.fixture(params=["database", "redis"])
def stores(request, session):
    """Two stores as two workers would hold them: they must share one budget."""
    if request.param == "database":
        yield lambda: DatabaseThrottle(session)
        return
    request.getfixturevalue("redis_store")  # skips without Redis; clears "lentera:*" after
    prefix = f"lentera:test-throttle:{uuid.uuid4().hex}:"
    yield lambda: RedisThrottle(redis.Redis.from_url(REDIS_URL), prefix)


def test_email_and_nip_of_one_account_share_one_budget_across_workers(session, stores):
    user = make_user(session, email="budi@instansi.go.id", nip=NIP)
    workers = [stores(), stores()]
    logins = ["budi@instansi.go.id", " BUDI@Instansi.go.id ", NIP, "19860926 201505 1 001"]
    for n in range(ACCOUNT_FAILURES):
        assert authenticate(session, logins[n % 4], "tebakan", throttle=workers[n % 2],
                            address=f"10.0.0.{n}", cost=COST) is None
    # Locked: even the right password, through the other login and the other worker.
    with pytest.raises(TooManyAttempts) as locked:
        authenticate(session, NIP, PASSWORD, throttle=workers[1], address="10.9.9.9", cost=COST)
    wait = locked.value.retry_at - utcnow()
    assert timedelta(minutes=14) < wait <= timedelta(minutes=15)
    assert accounts.retry_minutes(locked.value, utcnow()) == 15
    # The lockout is in the audit log, naming the account.
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.target == f"user:{user.id}")).all()
    assert sorted(actions) == ["auth.failures", "auth.lockout"]


def test_a_success_clears_the_account_count(session, stores):
    user = make_user(session)
    store = stores()
    for _ in range(ACCOUNT_FAILURES - 1):
        authenticate(session, user.email, "tebakan", throttle=store, cost=COST)
    assert authenticate(session, user.email, PASSWORD, throttle=store, cost=COST) == user
    for _ in range(ACCOUNT_FAILURES - 1):
        authenticate(session, user.email, "tebakan", throttle=store, cost=COST)
    assert authenticate(session, user.email, PASSWORD, throttle=store, cost=COST) == user


def test_unknown_logins_lock_like_known_ones(session, stores):
    store = stores()
    for _ in range(ACCOUNT_FAILURES):
        assert authenticate(session, "siapa@instansi.go.id", "x", throttle=store,
                            cost=COST) is None
    with pytest.raises(TooManyAttempts):
        authenticate(session, "SIAPA@instansi.go.id", "x", throttle=store, cost=COST)


def test_three_hundred_staff_behind_one_address_all_get_in(session, stores):
    """A whole office behind one NAT, a third of them mistyping once, within 5 minutes."""
    people = [make_user(session, email=f"staf{n}@instansi.go.id", cost=COST)
              for n in range(300)]
    store = stores()
    signed_in = 0
    for n, person in enumerate(people):
        if n % 3 == 0:
            assert authenticate(session, person.email, "salah ketik", address="203.0.113.7",
                                throttle=store, cost=COST) is None
        signed_in += authenticate(session, person.email, PASSWORD, address="203.0.113.7",
                                  throttle=store, cost=COST) == person
    assert signed_in == 300


def test_one_address_spraying_many_accounts_is_stopped(session, stores):
    store = stores()
    for n in range(accounts.ADDRESS_FAILURES):
        authenticate(session, f"orang{n}@instansi.go.id", "123456", address="198.51.100.1",
                     throttle=store, cost=COST)
    user = make_user(session)
    with pytest.raises(TooManyAttempts):
        authenticate(session, user.email, PASSWORD, address="198.51.100.1", throttle=store,
                     cost=COST)
    # Another address is not affected.
    assert authenticate(session, user.email, PASSWORD, address="198.51.100.2", throttle=store,
                        cost=COST) == user


def test_unknown_logins_take_as_long_as_known_ones(session):
    """6 ms against 126 ms told which emails exist; now both verify an Argon2 hash."""
    cost = (2, 16 * 1024)
    user = make_user(session, cost=cost, nip=NIP)

    logins = [user.email, "tidak-ada@instansi.go.id", "199001012015011001"]
    ratios = {login: [] for login in logins[1:]}
    for _ in range(25):
        took = {}
        for login in logins:
            start = time.perf_counter()
            assert authenticate(session, login, "salah", cost=cost) is None
            took[login] = time.perf_counter() - start
        session.execute(delete(LoginThrottle))  # stay below the lockout
        for login in logins[1:]:
            ratios[login].append(took[login] / took[user.email])
    # Each round's runs are side by side in time, so a busy machine slows them alike.
    for login, values in ratios.items():
        assert 0.6 < statistics.median(values) < 1.6, (login, sorted(values))


def test_with_redis_unreachable_sign_in_still_counts_and_locks_in_the_database(session):
    """Redis down must neither turn sign-in into a 500 nor let guesses through uncounted."""
    user = make_user(session, email="budi@instansi.go.id")
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens
    store = RedisThrottle(dead, "lentera-test-dead:", fallback=DatabaseThrottle(session))
    for _ in range(ACCOUNT_FAILURES):
        assert authenticate(session, user.email, "tebakan", throttle=store, cost=COST) is None
    with pytest.raises(TooManyAttempts):
        authenticate(session, user.email, PASSWORD, throttle=store, cost=COST)
    assert session.scalar(select(LoginThrottle.count).where(
        LoginThrottle.key == f"login:user:{user.id}")) >= ACCOUNT_FAILURES
