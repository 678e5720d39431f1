import pytest

from app.models import Role
from app.services.accounts import authenticate
from app.services.errors import InvalidInput
from tests.factories import PASSWORD, make_user


def test_passwords_are_stored_as_argon2id_hashes(session):
    user = make_user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_log_in_with_email_in_any_case_or_with_nip_with_spaces(session):
    user = make_user(session, email="Ani@Example.go.id", nip="198609262015051001")
    assert authenticate(session, "ANI@example.go.id", PASSWORD) == user
    assert authenticate(session, "19860926 201505 1 001", PASSWORD) == user


def test_wrong_password_unknown_login_and_inactive_user_are_refused(session):
    user = make_user(session, nip="198609262015051001")
    assert authenticate(session, user.email, "salah-sandi") is None
    assert authenticate(session, "tidak-ada@example.go.id", PASSWORD) is None
    assert authenticate(session, "199001012015011001", PASSWORD) is None
    user.active = False
    assert authenticate(session, user.email, PASSWORD) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "bukan-email"}, "email"),
        ({"name": "  "}, "Nama"),
        ({"nip": "123"}, "NIP"),
        ({"password": "pendek"}, "minimal 8"),
        ({"unit_code": "TIDAK-ADA"}, "TIDAK-ADA"),
    ],
)
def test_bad_account_values_are_refused_with_a_message(session, overrides, message):
    with pytest.raises(InvalidInput, match=message):
        make_user(session, **overrides)


def test_email_and_nip_are_unique(session):
    make_user(session, email="sama@example.go.id", nip="198609262015051001")
    with pytest.raises(InvalidInput, match="sudah terdaftar"):
        make_user(session, email="SAMA@example.go.id")
    with pytest.raises(InvalidInput, match="sudah terdaftar"):
        make_user(session, nip="198609262015051001")


def test_roles_combine_and_parse_from_the_command_line_form():
    assert Role.parse("supervisor, learner") == Role.SUPERVISOR | Role.LEARNER
    assert (Role.SUPERVISOR | Role.LEARNER).names == ["learner", "supervisor"]
    with pytest.raises(ValueError, match="kepala"):
        Role.parse("kepala")
    with pytest.raises(ValueError, match="^$"):
        Role.parse("")
