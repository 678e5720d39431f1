"""Accounts: creating users and checking who is logging in."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Session, joinedload

from app.models import Role, Unit, User
from app.services.audit import record
from app.services.errors import InvalidInput, NotFound
from app.services.nip import normalize_nip
from app.services.passwords import hash_password, verify_password

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_PASSWORD_LENGTH = 8


def normalize_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise InvalidInput(_l("Alamat email tidak valid."))
    return email


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH))


def create_user(
    session: Session,
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
    """Validate and add a user; raises InvalidInput naming the first bad value."""
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


def find_by_login(session: Session, login: str) -> User | None:
    """A login is an email address or a NIP (spaces allowed)."""
    login = (login or "").strip()
    if "@" in login:
        return session.scalar(select(User).where(User.email == login.lower()))
    digits = re.sub(r"\s+", "", login)
    if digits.isdigit():
        return session.scalar(select(User).where(User.nip == digits))
    return None


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None (never says which part was wrong)."""
    user = find_by_login(session, login)
    if user is None or not user.active:
        return None
    return user if verify_password(user.password_hash, password) else None


def get_user(session: Session, user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def search_users(
    session: Session, query: str = "", *, page: int = 1, per_page: int = 50
) -> tuple[list[User], int]:
    """Users whose name, email or NIP contains the query, by name; one page and the total."""
    condition = sa_true()
    text = (query or "").strip()
    if text:
        like = f"%{text.lower().replace('%', '').replace('_', '')}%"
        digits = re.sub(r"\s+", "", text)
        condition = or_(
            func.lower(User.name).like(like), User.email.like(like),
            User.nip.like(f"%{digits}%") if digits.isdigit() else false(),
        )
    total = session.scalar(select(func.count()).select_from(User).where(condition))
    users = session.scalars(
        select(User).options(joinedload(User.unit)).where(condition)
        .order_by(func.lower(User.name), User.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(users), total or 0


def update_user(
    session: Session, actor: User, user_id: int, *, roles: Role, unit_id: int | None,
    active: bool,
) -> User:
    """An admin changes someone's roles, unit or access; role changes go to the audit log."""
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
    user.roles, user.unit_id, user.active = int(roles), unit_id, active
    session.flush()
    return user
