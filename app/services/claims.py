"""Outside training a learner declares with proof, and the supervisor's decision on it.

The claim's ledger entry is "pending" until a supervisor of the learner's unit subtree (or an
admin) approves it ("credited") or rejects it with a reason ("rejected"); only credited hours
count (PRODUCT §8). The proof is kept in the database and handed only to the learner, those
supervisors and admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.models import JpClaim, JpEntry, Role, User, utcnow
from app.services import ledger
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.services.scope import scoped_unit_ids
from app.services.types import AnySelect, DbSession, rowcount

MAX_PROOF_BYTES = 5 * 1024 * 1024
MAX_HOURS = Decimal("200")
PROOF_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def proof_type(data: bytes) -> str:
    """The proof's media type, read from its content (never from its name or the browser's
    word): a PDF (%PDF- header and an %%EOF marker), a JPEG (SOI marker, then a segment) or a
    PNG (signature, then the IHDR chunk). Raises InvalidInput for anything else or > 5 MB."""
    if not data:
        raise InvalidInput(_l("Berkas bukti kosong."))
    if len(data) > MAX_PROOF_BYTES:
        raise InvalidInput(_l("Berkas bukti lebih dari 5 MB. Perkecil foto atau PDF-nya."))
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4 and data[3] >= 0xC0:
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "image/png"
    raise InvalidInput(_l("Bukti harus berupa PDF, JPEG atau PNG yang utuh."))


def parse_hours(value: str | Decimal) -> Decimal:
    """JP as a positive Decimal with at most two places (a comma is a decimal separator).
    Raises InvalidInput for anything else."""
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(_l("JP harus berupa angka, misalnya 4 atau 2,5.")) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS or hours != hours.quantize(
            Decimal("0.01")):
        raise InvalidInput(_l("JP harus lebih dari 0 dan paling banyak %(max)s, dengan paling "
                              "banyak dua angka di belakang koma.", max=MAX_HOURS))
    return hours


def file_claim(
    session: DbSession, user: User, *, title: str, organiser: str, starts_on: date, ends_on: date,
    hours: Decimal | str, proof: bytes, today: date,
) -> JpClaim:
    """Record a claim and its pending ledger entry, dated on the training's last day.

    Raises InvalidInput for an empty title or organiser, dates in the wrong order, in the
    future (`today` is the local day) or outside the ledger's years (`ledger.check_day`), JP
    out of range, or a proof that is not PDF/JPEG/PNG.
    """
    title, organiser = (title or "").strip(), (organiser or "").strip()
    if not title or not organiser:
        raise InvalidInput(_l("Isi nama pelatihan dan penyelenggaranya."))
    ledger.check_day(starts_on)
    ledger.check_day(ends_on)
    if ends_on < starts_on:
        raise InvalidInput(_l("Tanggal selesai tidak boleh sebelum tanggal mulai."))
    if ends_on > today:
        raise InvalidInput(_l("Pelatihan yang belum selesai belum dapat diajukan."))
    hours = parse_hours(hours)
    kind = proof_type(proof)
    claim = JpClaim(user_id=user.id, title=title[:200], organiser=organiser[:200],
                    starts_on=starts_on, ends_on=ends_on, hours=hours, proof_type=kind,
                    proof_size=len(proof), proof=proof)
    session.add(claim)
    session.flush()
    ledger.record(session, user_id=user.id, source=ledger.CLAIM, ref_id=claim.id, hours=hours,
                  on_date=ends_on, title=claim.title, status=ledger.PENDING)
    return claim


@dataclass
class ClaimLine:
    claim: JpClaim
    entry: JpEntry
    person: User


def _lines(session: DbSession, query: AnySelect) -> list[ClaimLine]:
    return [ClaimLine(c, e, u) for c, e, u in session.execute(query)]


def _claims_query() -> AnySelect:
    return (
        select(JpClaim, JpEntry, User)
        .join(JpEntry, (JpEntry.source == ledger.CLAIM) & (JpEntry.ref_id == JpClaim.id)
              & (JpEntry.user_id == JpClaim.user_id))
        .join(User, User.id == JpClaim.user_id)
    )


def claims_of(session: DbSession, user_id: int) -> list[ClaimLine]:
    """The learner's own claims as ClaimLines (claim, ledger entry, learner), newest first.
    Raises nothing."""
    return _lines(session, _claims_query().where(JpClaim.user_id == user_id)
                  .order_by(JpClaim.created_at.desc(), JpClaim.id.desc()))


def pending_queue(session: DbSession, viewer: User) -> list[ClaimLine]:
    """Pending ClaimLines the viewer may decide, oldest first: an admin's are everyone else's; a
    supervisor's are those of the other people in their unit subtree (PRODUCT §8). Nobody
    decides their own. Raises Forbidden for a viewer who is neither (scoped_unit_ids)."""
    query = _claims_query().where(JpEntry.status == ledger.PENDING, User.id != viewer.id)
    if not viewer.roles & Role.ADMIN:
        query = query.where(User.unit_id.in_(scoped_unit_ids(session, viewer)))
    return _lines(session, query.order_by(JpClaim.created_at, JpClaim.id))


def _may_see(session: DbSession, viewer: User, claimant: User) -> bool:
    if viewer.id == claimant.id or viewer.roles & Role.ADMIN:
        return True
    if viewer.roles & Role.SUPERVISOR and claimant.unit_id is not None:
        return session.scalar(select(User.id).where(
            User.id == claimant.id, User.unit_id.in_(scoped_unit_ids(session, viewer)))) is not None
    return False


def visible_claim(session: DbSession, viewer: User, claim_id: int) -> JpClaim:
    """The JpClaim with this id, when the viewer may look at it (and download its proof): its
    learner, supervisors of the learner's unit subtree, admins. Raises NotFound for anyone
    else, as if it did not exist."""
    claim = session.get(JpClaim, claim_id)
    if claim is None or not _may_see(session, viewer, claim.user):
        raise NotFound()
    return claim


def decide(
    session: DbSession, viewer: User, claim_id: int, *, approve: bool, reason: str = ""
) -> JpEntry:
    """Approve (credited) or reject (with a reason) a pending claim, recording who and when.

    Raises NotFound outside the viewer's scope, Forbidden for one's own claim (an admin's too:
    another admin or their supervisor decides it) or for a learner,
    InvalidInput when rejecting without a reason or when the claim was already decided.
    """
    if not viewer.roles & (Role.SUPERVISOR | Role.ADMIN):
        raise Forbidden()
    claim = visible_claim(session, viewer, claim_id)
    if claim.user_id == viewer.id:
        raise Forbidden(_l("Pengajuan Anda sendiri diputuskan oleh atasan Anda."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput(_l("Tulis alasan penolakan, agar peserta tahu apa yang kurang."))
    # Only the first of two simultaneous decisions changes the row.
    decided = rowcount(session.execute(
        update(JpEntry)
        .where(JpEntry.user_id == claim.user_id, JpEntry.source == ledger.CLAIM,
               JpEntry.ref_id == claim.id, JpEntry.status == ledger.PENDING)
        .values(status=ledger.CREDITED if approve else ledger.REJECTED,
                decided_by_id=viewer.id, decided_at=utcnow(), reason=reason[:500] or None)
        .execution_options(synchronize_session=False)
    ))
    if not decided:
        raise InvalidInput(_l("Pengajuan ini sudah diputuskan."))
    return session.scalars(select(JpEntry).where(
        JpEntry.user_id == claim.user_id, JpEntry.source == ledger.CLAIM,
        JpEntry.ref_id == claim.id).execution_options(populate_existing=True)).one()


def proof_filename(claim: JpClaim) -> str:
    """The download name of a claim's proof, e.g. "bukti-pelatihan-12.pdf". Raises nothing."""
    return f"bukti-pelatihan-{claim.id}.{PROOF_EXTENSIONS[claim.proof_type]}"
