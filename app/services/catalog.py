"""Catalog search: find published courses by words in their title, summary or tags."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.services.errors import InvalidInput
from app.services.progress import CourseCard

MAX_QUERY_LENGTH = 100


def _fold(text: str) -> str:
    """Lower case without accents, so "Pelatihan" finds "pelatihan" and "é" finds "e"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class CatalogSearch:
    """What the learner asked for: words (all must match), one tag, one level; all optional."""

    text: str = ""
    tag: str = ""
    level: str = ""

    @property
    def active(self) -> bool:
        return bool(self.text or self.tag or self.level)


@dataclass
class CatalogResult:
    cards: list[CourseCard]
    tags: list[str]  # every tag of the published courses, for the filter's choices
    levels: list[str]


def search(cards: list[CourseCard], wanted: CatalogSearch) -> CatalogResult:
    """The cards matching every word (in title, summary or a tag), the tag and the level.

    Matching ignores case and accents. The choices come from all the cards given, so a filter
    never offers a tag that finds nothing. Raises InvalidInput for a query longer than
    MAX_QUERY_LENGTH characters or a tag or level no published course has.
    """
    tags = sorted({t for card in cards for t in card.course.tags or []}, key=_fold)
    levels = sorted({card.course.level for card in cards if card.course.level}, key=_fold)
    if len(wanted.text) > MAX_QUERY_LENGTH:
        raise InvalidInput(_l("Kata pencarian terlalu panjang (paling banyak %(n)d huruf).",
                              n=MAX_QUERY_LENGTH))
    if wanted.tag and wanted.tag not in tags:
        raise InvalidInput(_l("Tidak ada kursus dengan topik \u201c%(tag)s\u201d.", tag=wanted.tag))
    if wanted.level and wanted.level not in levels:
        raise InvalidInput(_l("Tidak ada kursus dengan tingkat \u201c%(level)s\u201d.",
                              level=wanted.level))
    words = _fold(wanted.text).split()
    found = []
    for card in cards:
        course = card.course
        if wanted.tag and wanted.tag not in (course.tags or []):
            continue
        if wanted.level and course.level != wanted.level:
            continue
        haystack = _fold(" ".join([course.title, course.summary, *(course.tags or [])]))
        if all(word in haystack for word in words):
            found.append(card)
    return CatalogResult(found, tags, levels)
