"""NIP (Nomor Induk Pegawai): validation and masking, per PRODUCT §2."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from app.services.errors import InvalidInput

_NIP = re.compile(r"\d{18}")


def normalize_nip(raw: str) -> str:
    """The bare 18 digits of a NIP, with the spaces people type stripped (PRODUCT §2).

    Layout: birth date YYYYMMDD, appointment YYYYMM, sex 1|2, sequence NNN. Raises
    InvalidInput for anything but 18 digits, a birth date or appointment month that does
    not exist, an appointment before birth, or another sex code."""
    nip = re.sub(r"\s+", "", raw or "")
    if not _NIP.fullmatch(nip):
        raise InvalidInput(_l("NIP harus 18 angka."))
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise InvalidInput(_l("NIP memuat tanggal lahir yang tidak ada.")) from None
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise InvalidInput(_l("NIP memuat bulan pengangkatan yang tidak ada.")) from None
    if (year, month) < (born.year, born.month):
        raise InvalidInput(_l("NIP memuat pengangkatan sebelum tanggal lahir."))
    if nip[14] not in "12":
        raise InvalidInput(_l("NIP memuat kode jenis kelamin selain 1 atau 2."))
    return nip


def mask_nip(nip: str | None) -> str:
    """The NIP with only birth date and sequence shown (PRODUCT §2):
    198503122010011001 -> 19850312******1001; "" for no NIP. Raises nothing."""
    if not nip:
        return ""
    return nip[:8] + "*" * 6 + nip[14:]
