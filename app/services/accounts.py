"""Accounts: creating users and checking who is logging in."""

import math
import re
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy import true as sa_true
from sqlalchemy.orm import joinedload

from app.models import Role, Unit, User
from app.services.audit import record
from app.services.errors import InvalidInput, NotFound, TooManyAttempts
from app.services.nip import normalize_nip
from app.services.paging import PAGE_SIZE, Page, fetch_page
from app.services.passwords import hash_password, verify_password
from app.services.sessions import end_all_sessions
from app.services.throttle import DatabaseThrottle, Throttle
from app.services.types import DbSession

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_PASSWORD_LENGTH = 8


def normalize_email(raw: str) -> str:
    """The address trimmed and lower-cased. Raises InvalidInput when it is not an email address
    or is longer than 254 characters (RFC 5321)."""
    email = (raw or "").strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise InvalidInput(_l("Alamat email tidak valid."))
    return email


def check_password_strength(password: str) -> None:
    """Returns nothing for a usable password; raises InvalidInput when it is shorter than
    MIN_PASSWORD_LENGTH (8) characters."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH))


def create_user(
    session: DbSession,
    *,
    email: str,
    name: str,
    roles: Role = Role.LEARNER,
    password: str | None = None,
    nip: str | None = None,
    unit_code: str | None = None,
    locale: str | None = None,
    cost: tuple[int, int] = (3, 64 * 1024),
) -> User:
    """Validate and add (flush) a User; `cost` is Argon2's (time_cost, memory KiB).

    Raises InvalidInput naming the first bad value: an invalid or taken email, an empty name,
    an invalid (PRODUCT §2) or taken NIP, an unknown unit code, a too-short password."""
    email = normalize_email(email)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_l("Nama wajib diisi."))
    nip = normalize_nip(nip) if nip and nip.strip() else None
    if session.scalar(select(User.id).where(User.email == email)):
        raise InvalidInput(_l("Email %(email)s sudah terdaftar.", email=email))
    if nip and session.scalar(select(User.id).where(User.nip == nip)):
        raise InvalidInput(_l("NIP %(nip)s sudah terdaftar.", nip=nip))
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise InvalidInput(_l("Unit %(code)s tidak dikenal.", code=unit_code))
    if password is not None:
        check_password_strength(password)
    user = User(
        email=email,
        name=name,
        nip=nip,
        roles=int(roles),
        unit=unit,
        locale=locale,
        password_hash=hash_password(password, *cost) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def login_key(login: str) -> str:
    """The canonical form of a login: a lowercased email, or a NIP's digits without spaces.
    Raises nothing."""
    login = (login or "").strip()
    if "@" in login:
        return login.lower()
    return re.sub(r"\s+", "", login)


def find_by_login(session: DbSession, login: str) -> User | None:
    """The User whose email or NIP (spaces allowed) this login is, active or not; None when
    there is none or the login is neither. Raises nothing."""
    key = login_key(login)
    if "@" in key:
        return session.scalar(select(User).where(User.email == key))
    if key.isascii() and key.isdigit() and len(key) == 18:
        return session.scalar(select(User).where(User.nip == key))
    return None


# NIST SP 800-63B §5.2.2 (at most 100 consecutive failures per account) and ASVS 2.2.1: a
# small budget per account, whichever login names it, and a generous one per address, since
# a whole office signs in through one NAT or proxy address.
ACCOUNT_FAILURES = 10
ACCOUNT_WINDOW = timedelta(minutes=15)
ADDRESS_FAILURES = 300
ADDRESS_WINDOW = timedelta(minutes=5)
# Repeated failures are written to the audit log at this count, lockouts at ACCOUNT_FAILURES.
REPORTED_FAILURES = 5


@cache
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    return hash_password("not the password of anyone", time_cost, memory_cost)


def _account_key(user: User | None, login: str) -> str:
    # Unknown logins are counted too, by their canonical form, so they lock like real ones.
    return f"login:user:{user.id}" if user else f"login:name:{login_key(login)[:150]}"


def authenticate(
    session: DbSession,
    login: str,
    password: str,
    *,
    address: str | None = None,
    throttle: Throttle | None = None,
    cost: tuple[int, int] = (3, 64 * 1024),
) -> User | None:
    """The active user with this login (email or NIP) and password, or None.

    Never says which part was wrong, and takes as long for an unknown login as for a known
    one (a dummy Argon2 hash of the same `cost`, (time_cost, memory KiB), is verified).
    Failures are counted per account (its email and NIP share one budget: ACCOUNT_FAILURES per
    ACCOUNT_WINDOW) and per client `address` (ADDRESS_FAILURES per ADDRESS_WINDOW); a success
    clears the account's count. `throttle` is the shared store (services.throttle; the
    database when None). Raises TooManyAttempts, with `retry_at`, while either budget is spent.
    The caller commits whatever the outcome, so that the count and audit entries are kept.
    """
    store = throttle or DatabaseThrottle(session)
    user = find_by_login(session, login)
    account = _account_key(user, login)
    address_key = f"login:addr:{address[:100]}" if address else None
    for key, limit, window in ((account, ACCOUNT_FAILURES, ACCOUNT_WINDOW),
                               (address_key, ADDRESS_FAILURES, ADDRESS_WINDOW)):
        count = store.peek(key, window) if key else None
        if count is not None and count.hits >= limit:
            raise TooManyAttempts(count.ends_at)
    known = user if user is not None and user.active and user.password_hash else None
    stored = known.password_hash if known is not None else None
    if verify_password(stored or _dummy_hash(*cost), password or "") and known is not None:
        store.reset(account)
        return known
    failures = store.hit(account, ACCOUNT_WINDOW)
    if address_key:
        store.hit(address_key, ADDRESS_WINDOW)
    if user is not None and failures.hits in (REPORTED_FAILURES, ACCOUNT_FAILURES):
        action = "auth.lockout" if failures.hits == ACCOUNT_FAILURES else "auth.failures"
        record(session, None, action, f"user:{user.id}", failures=failures.hits,
               address=address, until=failures.ends_at.isoformat())
    return None


def retry_minutes(exc: TooManyAttempts, now: datetime) -> int:
    """Whole minutes until a throttled login may try again (at least 1). Raises nothing."""
    return max(1, math.ceil((exc.retry_at - now).total_seconds() / 60))


def get_user(session: DbSession, user_id: int) -> User:
    """The User with this id. Raises NotFound when there is none."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def search_users(
    session: DbSession, query: str = "", *, page: int = 1, per_page: int = PAGE_SIZE
) -> Page[User]:
    """A Page of Users whose name, email or NIP contains `query`, by name, their units loaded;
    `page` counts from 1 (past the last: an empty page). Raises InvalidInput for a page below
    1."""
    condition: ColumnElement[bool] = sa_true()
    text = (query or "").strip()
    if text:
        like = f"%{text.lower().replace('%', '').replace('_', '')}%"
        digits = re.sub(r"\s+", "", text)
        condition = or_(
            func.lower(User.name).like(like), User.email.like(like),
            User.nip.like(f"%{digits}%") if digits.isascii() and digits.isdigit() else false(),
        )
    return fetch_page(session, select(User).options(joinedload(User.unit)).where(condition)
                      .order_by(func.lower(User.name), User.id), page, per_page, entities=True)


def update_user(
    session: DbSession, actor: User, user_id: int, *, roles: Role, unit_id: int | None,
    active: bool,
) -> User:
    """An admin changes someone's roles, unit or access; returns the User.

    Role changes and (de)activation go to the audit log; deactivating ends the user's
    sessions. Raises NotFound for an unknown user, InvalidInput for no role, an unknown unit,
    or admins taking their own admin role or access away."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if not roles:
        raise InvalidInput(_l("Pilih paling sedikit satu peran."))
    if user.id == actor.id and (not roles & Role.ADMIN or not active):
        raise InvalidInput(_l(
            "Anda tidak dapat mencabut peran admin atau menonaktifkan akun Anda sendiri."))
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise InvalidInput(_l("Unit tidak dikenal."))
    before = Role(user.roles)
    if before != roles:
        record(session, actor.id, "user.roles", f"user:{user.id}", before=before.names,
               after=Role(roles).names)
    if user.active and not active:
        record(session, actor.id, "user.deactivate", f"user:{user.id}")
        end_all_sessions(session, user)
    elif active and not user.active:
        record(session, actor.id, "user.activate", f"user:{user.id}")
    user.roles, user.unit_id, user.active = int(roles), unit_id, active
    session.flush()
    return user


def update_identity(
    session: DbSession, actor: User, user_id: int, *, name: str, email: str, nip: str | None,
) -> User:
    """An admin corrects someone's name, email or NIP (validated per PRODUCT §2).

    Raises NotFound for an unknown user, InvalidInput naming the first bad or taken value.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(_l("Nama wajib diisi (paling panjang 200 karakter)."))
    email = normalize_email(email)
    nip = normalize_nip(nip) if nip and nip.strip() else None
    if session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
        raise InvalidInput(_l("Email %(email)s sudah terdaftar.", email=email))
    if nip and session.scalar(select(User.id).where(User.nip == nip, User.id != user.id)):
        raise InvalidInput(_l("NIP %(nip)s sudah terdaftar.", nip=nip))
    changed = [f for f, old, new in (("name", user.name, name), ("email", user.email, email),
                                     ("nip", user.nip, nip)) if old != new]
    if changed:
        record(session, actor.id, "user.identity", f"user:{user.id}", fields=changed)
    user.name, user.email, user.nip = name, email, nip
    session.flush()
    return user


def update_profile(session: DbSession, user: User, *, name: str, locale: str | None) -> User:
    """Someone changes their own name and interface language ("id", "en" or None: the
    browser's, PRODUCT §1); returns the User. Raises InvalidInput for an empty or too long
    (over 200 characters) name or another language."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(_l("Nama wajib diisi (paling panjang 200 karakter)."))
    if locale not in (None, "id", "en"):
        raise InvalidInput(_l("Bahasa tidak dikenal."))
    user.name, user.locale = name, locale
    session.flush()
    return user


def change_password(
    session: DbSession, user: User, current: str, new: str, *, cost: tuple[int, int],
) -> User:
    """Someone changes their own password, proving the current one first.

    Ends every session, remember cookie and API token of the user (the caller signs this
    device in again). Raises InvalidInput when the current password is wrong or the new
    one too short (ASVS 2.1.1, 2.1.5).
    """
    if not verify_password(user.password_hash, current or ""):
        raise InvalidInput(_l("Kata sandi saat ini salah."))
    check_password_strength(new)
    user.password_hash = hash_password(new, *cost)
    end_all_sessions(session, user)
    record(session, user.id, "auth.password_change", f"user:{user.id}")
    return user


RESET_PER_ACCOUNT = 3
RESET_PER_ADDRESS = 30
RESET_WINDOW = timedelta(hours=1)


def reset_target(
    session: DbSession, login: str, *, address: str | None = None, throttle: Throttle | None = None,
) -> User | None:
    """"Lupa kata sandi?": the active account to email a reset link to, or None.

    None also when the account has had RESET_PER_ACCOUNT requests this hour, so the answer
    never tells whether an account exists. Raises TooManyAttempts only for an address that
    asked RESET_PER_ADDRESS times this hour (which says nothing about any account).
    """
    store = throttle or DatabaseThrottle(session)
    if address:
        count = store.hit(f"reset:addr:{address[:100]}", RESET_WINDOW)
        if count.hits > RESET_PER_ADDRESS:
            raise TooManyAttempts(count.ends_at)
    user = find_by_login(session, login)
    key = f"reset:{_account_key(user, login)}"
    if store.hit(key, RESET_WINDOW).hits > RESET_PER_ACCOUNT:
        return None
    if user is None or not user.active:
        return None
    return user


def register(
    session: DbSession, *, email: str, name: str, password: str, locale: str | None = None,
    cost: tuple[int, int] = (3, 64 * 1024),
) -> tuple[User, bool]:
    """Public self-registration (PRODUCT §1): a learner with no NIP and no unit, inactive until
    the address is confirmed.

    Returns (user, created). For an address already registered nothing changes and
    created is False: the caller emails that person instead of saying so on the page.
    Raises InvalidInput for an invalid email or a too-short password (for a registered
    address too, so the answer does not tell), and for an empty name."""
    email = normalize_email(email)
    existing = session.scalar(select(User).where(User.email == email))
    if existing is not None:
        check_password_strength(password)
        return existing, False
    user = create_user(session, email=email, name=name, password=password, locale=locale,
                       cost=cost)
    user.active = False
    record(session, user.id, "user.register", f"user:{user.id}")
    session.flush()
    return user, True
