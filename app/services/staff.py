"""Staff import: create or update many users from one CSV (PRODUCT §4).

Columns: email,name,nip,unit_code,role. Every bad row is reported with its line and reason;
nothing is written while any row is bad, unless the admin chose to skip the bad rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.models import Role, Unit, User
from app.services.accounts import normalize_email
from app.services.audit import record
from app.services.csvfile import RowProblem, read_rows
from app.services.errors import InvalidInput
from app.services.nip import normalize_nip
from app.services.password_links import issue_link
from app.services.types import DbSession

COLUMNS = ("email", "name", "nip", "unit_code", "role")


@dataclass
class StaffRow:
    line: int
    email: str
    name: str
    nip: str | None
    unit_code: str | None
    roles: Role


@dataclass
class PasswordLink:
    user_id: int
    email: str
    name: str
    secret: str
    expires_at: datetime


@dataclass
class StaffImport:
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    links: list[PasswordLink] = field(default_factory=list)


def _check_rows(session: DbSession, data: bytes | str) -> tuple[list[StaffRow], list[RowProblem]]:
    raw_rows, problems = read_rows(data, COLUMNS)
    rows: list[StaffRow] = []
    emails: dict[str, int] = {}
    nips: dict[str, int] = {}
    for line, raw in raw_rows:
        row, reasons = _check_row(line, raw, emails, nips)
        if reasons:
            problems.extend(RowProblem(line, reason) for reason in reasons)
        else:
            rows.append(row)
    good = _check_against_database(session, rows, problems)
    problems.sort(key=lambda p: p.line)
    return good, problems


def _check_row(line: int, raw: dict[str, str], emails: dict[str, int],
               nips: dict[str, int]) -> tuple[StaffRow, list[str]]:
    """One file row on its own and against the rows above it (emails and NIPs seen so far)."""
    reasons: list[str] = []
    email = ""  # stays empty only on a row with a reason, which is never applied
    nip: str | None = None
    try:
        email = normalize_email(raw["email"])
    except InvalidInput:
        reasons.append(str(_l("email tidak valid: %(value)s", value=raw["email"] or "-")))
    name = raw["name"]
    if not name:
        reasons.append(str(_l("nama kosong")))
    elif len(name) > 200:
        reasons.append(str(_l("nama lebih dari 200 karakter")))
    if raw["nip"]:
        try:
            nip = normalize_nip(raw["nip"])
        except InvalidInput as exc:
            reasons.append(str(_l("NIP %(value)s salah: %(reason)s", value=raw["nip"],
                                  reason=str(exc))))
    try:
        roles = Role.parse(raw["role"] or "learner")
    except ValueError:
        roles = Role.LEARNER
        reasons.append(str(_l(
            "peran tidak dikenal: %(value)s (pilih learner, trainer, supervisor, admin)",
            value=raw["role"])))
    if email and email in emails:
        reasons.append(str(_l("email %(email)s sudah ada di baris %(line)d",
                              email=email, line=emails[email])))
    elif email:
        emails[email] = line
    if nip and nip in nips:
        reasons.append(str(_l("NIP %(nip)s sudah ada di baris %(line)d",
                              nip=nip, line=nips[nip])))
    elif nip:
        nips[nip] = line
    return StaffRow(line, email, name, nip, raw["unit_code"] or None, roles), reasons


def _check_against_database(session: DbSession, rows: list[StaffRow],
                            problems: list[RowProblem]) -> list[StaffRow]:
    """The rows whose unit exists and whose NIP is not another user's; the rest to problems."""
    # What the database already holds, in three queries for the whole file.
    codes = {row.unit_code for row in rows if row.unit_code}
    known_units = set(session.scalars(select(Unit.code).where(Unit.code.in_(codes)))) if codes \
        else set()
    nip_owner = dict(session.execute(
        select(User.nip, User.email).where(User.nip.in_([r.nip for r in rows if r.nip]))
    ).all())
    good = []
    for row in rows:
        reasons = []
        if row.unit_code and row.unit_code not in known_units:
            reasons.append(str(_l("unit %(code)s tidak dikenal", code=row.unit_code)))
        if row.nip and nip_owner.get(row.nip, row.email) != row.email:
            reasons.append(str(_l("NIP %(nip)s sudah terdaftar untuk pengguna lain", nip=row.nip)))
        if reasons:
            problems.extend(RowProblem(row.line, reason) for reason in reasons)
        else:
            good.append(row)
    return good


def import_staff(
    session: DbSession, data: bytes | str, *, skip_invalid: bool = False,
    actor_id: int | None = None, link_now: datetime | None = None,
) -> StaffImport:
    """Check every CSV row (`email,name,nip,unit_code,role`, PRODUCT §4); unless a row is bad
    (and skip_invalid is off), create or update users.

    Returns a StaffImport: the bad rows with their lines, whether anything was applied, the
    counts, the skipped lines and the one-time password links. New users, and listed users
    who never set a password, get such a link. Role changes of existing users go to the
    audit log. Raises nothing: bad values are row problems."""
    rows, problems = _check_rows(session, data)
    result = StaffImport(problems=problems)
    if problems and not skip_invalid:
        return result
    result.skipped_lines = sorted({p.line for p in problems})
    units = dict(session.execute(
        select(Unit.code, Unit.id).where(Unit.code.in_({r.unit_code for r in rows if r.unit_code}))
    ).all())
    existing = {u.email: u for u in session.scalars(
        select(User).where(User.email.in_([r.email for r in rows]))
    )}
    needs_link: list[User] = []
    for row in rows:
        unit_id = units.get(row.unit_code) if row.unit_code else None
        user = existing.get(row.email)
        if user is None:
            user = User(email=row.email, name=row.name, nip=row.nip, roles=int(row.roles),
                        unit_id=unit_id)
            session.add(user)
            result.created += 1
            needs_link.append(user)
            continue
        before = (user.name, user.nip, user.unit_id, user.roles)
        old_roles = Role(user.roles)
        user.name, user.unit_id, user.roles = row.name, unit_id, int(row.roles)
        if row.nip:
            user.nip = row.nip
        if (user.name, user.nip, user.unit_id, user.roles) == before:
            result.unchanged += 1
        else:
            result.updated += 1
        if old_roles != row.roles:
            record(session, actor_id, "user.roles", f"user:{user.id}", before=old_roles.names,
                   after=row.roles.names, source="staff-import")
        if user.password_hash is None and user.active:
            needs_link.append(user)
    session.flush()
    for user in needs_link:
        secret, expires_at = issue_link(session, user.id, now=link_now, audit=False)
        result.links.append(PasswordLink(user.id, user.email, user.name, secret, expires_at))
    record(session, actor_id, "staff.import", "users", created=result.created,
           updated=result.updated, links=len(result.links),
           skipped=len(result.skipped_lines))
    result.applied = True
    return result
