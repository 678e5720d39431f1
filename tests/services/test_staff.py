"""Staff import: every bad row by line and reason, all-or-nothing unless skipping, links issued."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, PasswordToken, Role, User, utcnow
from app.services.errors import InvalidInput, NotFound
from app.services.password_links import issue_link, redeem_link, valid_link
from app.services.staff import import_staff
from tests.factories import make_unit, make_user

HEADER = "email,name,nip,unit_code,role\n"
GOOD = "ani@instansi.go.id,Ani Lestari,19860926 201505 1 001,BIRO,learner\n"


@pytest.fixture
def biro(session):
    make_unit(session, "KEMEN", "Kementerian")
    return make_unit(session, "BIRO", "Biro", "KEMEN")


def users(session):
    return session.scalar(select(func.count()).select_from(User))


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(session, biro):
    make_user(session, email="lama@instansi.go.id", nip="199102142019032003")
    csv = HEADER + GOOD + (
        "bukan-email,Budi,,BIRO,learner\n"                       # line 3
        "citra@instansi.go.id,Citra,198602302015051001,BIRO,\n"  # line 4: 30 February
        "dedi@instansi.go.id,Dedi,,TIDAK-ADA,learner\n"          # line 5
        "Ani@Instansi.go.id,Ani Dua,,BIRO,learner\n"             # line 6: duplicate email
        "eko@instansi.go.id,Eko,,BIRO,kepala\n"                  # line 7
        "fajar@instansi.go.id,Fajar,199102142019032003,BIRO,\n"  # line 8: someone else's NIP
        "gita@instansi.go.id,,,BIRO,learner\n"                   # line 9
        "hana@instansi.go.id,Hana\n"                             # line 10
    )
    before = users(session)
    result = import_staff(session, csv)
    found = {(p.line, p.message) for p in result.problems}
    assert not result.applied and users(session) == before
    assert (3, "email tidak valid: bukan-email") in found
    assert (4, "NIP 198602302015051001 salah: NIP memuat tanggal lahir yang tidak ada.") in found
    assert (5, "unit TIDAK-ADA tidak dikenal") in found
    assert (6, "email ani@instansi.go.id sudah ada di baris 2") in found
    assert (7, "peran tidak dikenal: kepala (pilih learner, trainer, supervisor, admin)") in found
    assert (8, "NIP 199102142019032003 sudah terdaftar untuk pengguna lain") in found
    assert (9, "nama kosong") in found
    assert (10, "ada 2 kolom, seharusnya 5") in found
    assert [p.line for p in result.problems] == sorted(p.line for p in result.problems)


def test_skip_invalid_imports_the_good_rows_and_issues_links(session, biro):
    csv = HEADER + GOOD + "bukan-email,Budi,,BIRO,learner\n" + \
        'cici@instansi.go.id,Cici,,BIRO,"supervisor,learner"\n'
    result = import_staff(session, csv, skip_invalid=True)
    assert result.applied and result.created == 2 and result.skipped_lines == [3]
    ani = session.scalar(select(User).where(User.email == "ani@instansi.go.id"))
    assert ani.nip == "198609262015051001" and ani.unit_id == biro.id
    assert ani.password_hash is None
    cici = session.scalar(select(User).where(User.email == "cici@instansi.go.id"))
    assert Role(cici.roles) == Role.SUPERVISOR | Role.LEARNER
    assert {link.email for link in result.links} == {ani.email, cici.email}
    stored = session.scalars(select(PasswordToken.token_hash)).all()
    assert len(stored) == 2 and all(link.secret not in stored for link in result.links)


def test_reimport_updates_and_audits_role_changes(session, biro):
    admin = make_user(session, roles=Role.ADMIN)
    existing = make_user(session, email="ani@instansi.go.id", name="Ani")
    csv = HEADER + "ani@instansi.go.id,Ani Lestari,,BIRO,\"learner,supervisor\"\n"
    result = import_staff(session, csv, actor_id=admin.id)
    assert (result.created, result.updated) == (0, 1)
    assert result.links == []  # she already has a password
    assert existing.name == "Ani Lestari" and existing.unit_id == biro.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.roles"))
    assert entry.actor_id == admin.id and entry.target == f"user:{existing.id}"
    assert entry.details["before"] == ["learner"]
    assert entry.details["after"] == ["learner", "supervisor"]
    again = import_staff(session, csv, actor_id=admin.id)
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_password_link_works_once_and_only_until_it_expires(session, biro):
    user = make_user(session, password=None)
    secret, expires_at = issue_link(session, user.id)
    assert expires_at - utcnow() > timedelta(days=6)
    assert valid_link(session, secret).user_id == user.id
    with pytest.raises(InvalidInput, match="minimal 8"):
        redeem_link(session, secret, "pendek", cost=(1, 64))
    redeem_link(session, secret, "kata-sandi-baru", cost=(1, 64))
    assert user.password_hash.startswith("$argon2id$")
    with pytest.raises(NotFound):
        redeem_link(session, secret, "kata-sandi-lain", cost=(1, 64))
    old, _ = issue_link(session, user.id, now=utcnow() - timedelta(days=8))
    with pytest.raises(NotFound):
        valid_link(session, old)
    first, _ = issue_link(session, user.id)
    second, _ = issue_link(session, user.id)
    with pytest.raises(NotFound):  # a newer link replaces the older one
        valid_link(session, first)
    assert valid_link(session, second)
    with pytest.raises(NotFound):
        valid_link(session, "tebakan")
