"""One page of a longer list: its rows, its number, and the arithmetic between them.

Every paged list (the report's rows, the JP report, the audit log, the admin's user search,
the API's catalogue) is cut here, so page N always starts at row (N - 1) × size and "pages"
always means at least one. Page numbers come from the query string through
app.safe_input.page_arg (ASCII digits only, 1 to 1,000,000, else a 400); a number below 1
that reaches a service anyway is refused with InvalidInput.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.services.errors import InvalidInput
from app.services.types import AnySelect, DbSession

PAGE_SIZE = 50
T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Page `number` (from 1) of `size` items, out of `total` in the whole list."""

    items: list[T]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the whole list fills: at least 1, even when it is empty."""
        return page_count(self.total, self.size)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page with each item converted (a row into a typed line, say)."""
        return Page([convert(item) for item in self.items], self.number, self.total, self.size)


def page_count(total: int, size: int) -> int:
    """Pages needed for `total` items, `size` to a page; 1 for none. Raises
    ZeroDivisionError for a size of 0 (callers pass PAGE_SIZE or a checked size)."""
    return max(1, -(-total // size))


def _checked(number: int, size: int) -> None:
    if number < 1:
        raise InvalidInput(_l("Nomor halaman tidak valid."))
    if size < 1:
        raise ValueError(f"page size must be positive, not {size}")


def fetch_page(
    session: DbSession, query: AnySelect, number: int, size: int = PAGE_SIZE, *,
    clamp: bool = False, entities: bool = False,
) -> Page[Any]:
    """Page `number` of the query's result, in two queries: a count, then the page's rows.

    The query brings its own ORDER BY. `entities`: the items are the first column's values
    (ORM objects for select(Model)) rather than rows. `clamp`: a number past the last page
    shows the last page (its number is the last page's), else it is an empty page.
    Raises InvalidInput for a number below 1.
    """
    _checked(number, size)
    total = session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if clamp:
        number = min(number, page_count(total, size))
    result = session.execute(query.limit(size).offset((number - 1) * size))
    items = list(result.scalars().unique() if entities else result.all())
    return Page(items, number, total, size)


def page_of(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """Page `number` of a list already in memory (past the end: an empty page).
    Raises InvalidInput for a number below 1."""
    _checked(number, size)
    start = (number - 1) * size
    return Page(list(items[start:start + size]), number, len(items), size)
