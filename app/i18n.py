"""The translation catalogues: compiled at build time, and at start-up when missing or stale.

`make` compiles messages.po to messages.mo, and so does the package build (setup.py), but a
deployer who runs `pip install -e .` from a clone and starts gunicorn never runs either. So the
app checks at start-up and compiles what is missing into the package's folder, or, when that is
read-only (a system-wide install), into instance/translations. Nothing here imports Flask:
setup.py loads this file on its own, before any dependency is installed.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def catalogues(source: Path) -> list[Path]:
    """Every <language>/LC_MESSAGES/messages.po under `source`."""
    return sorted(source.glob("*/LC_MESSAGES/messages.po"))


def is_fresh(po: Path, mo: Path) -> bool:
    return mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile each .po under `source` to a .mo at the same place under `target`.

    Returns the .mo files written (fresh ones are left alone). Raises OSError when `target`
    cannot be written.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in catalogues(source):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if is_fresh(po, mo):
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = mo.with_name(mo.name + ".partial")
        with partial.open("wb") as f:
            write_mo(f, catalog)
        partial.replace(mo)  # atomic: a second worker starting at once never reads half a file
        written.append(mo)
    return written


def usable_translations(source: Path, fallback: Path) -> Path:
    """The folder to read compiled catalogues from: `source` if its .mo files are (or can be
    made) fresh there, else `fallback` after compiling into it. When neither can be written,
    `source` (the pages then show Indonesian, the default, rather than failing to start).
    """
    if all(is_fresh(po, po.with_suffix(".mo")) for po in catalogues(source)):
        return source
    for target in (source, fallback):
        try:
            compile_catalogues(source, target)
        except OSError as error:
            log.warning("cannot compile translations into %s: %s", target, error)
            continue
        return target
    return source
