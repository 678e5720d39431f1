import pytest

from app.services.errors import InvalidInput
from app.services.nip import mask_nip, normalize_nip


def test_a_valid_nip_is_kept_as_its_18_digits_with_spaces_removed():
    assert normalize_nip("19860926 201505 1 001") == "198609262015051001"


@pytest.mark.parametrize(
    ("nip", "why"),
    [
        ("19860926201505100", "18 angka"),  # 17 digits
        ("1986092620150510011", "18 angka"),  # 19 digits
        ("19860926201505100A", "18 angka"),
        ("19860230201505 1001", "tanggal lahir"),  # 30 February
        ("19861326201505 1001", "tanggal lahir"),  # month 13
        ("198609262015131001", "bulan pengangkatan"),  # appointment month 13
        ("198609262015001001", "bulan pengangkatan"),  # appointment month 00
        ("198609261985051001", "sebelum tanggal lahir"),  # appointed before being born
        ("198609262015053001", "jenis kelamin"),  # sex 3
    ],
)
def test_an_invalid_nip_is_refused_with_the_reason(app, nip, why):
    with app.app_context(), pytest.raises(InvalidInput, match=why):
        normalize_nip(nip)


def test_a_nip_is_masked_keeping_birth_date_sex_and_sequence():
    assert mask_nip("198503122010011001") == "19850312******1001"
    assert mask_nip(None) == ""
