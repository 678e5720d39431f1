"""One paging helper for every paged list: the arithmetic, the two queries, the edges."""

import pytest
from sqlalchemy import select

from app.models import AuditEntry, User
from app.services import audit
from app.services.errors import InvalidInput
from app.services.paging import Page, fetch_page, page_count, page_of
from tests.factories import make_user


@pytest.mark.parametrize(("total", "size", "pages"), [
    (0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (100, 50, 2), (101, 50, 3), (7, 1, 7)])
def test_page_count_is_at_least_one_and_rounds_up(total, size, pages):
    assert page_count(total, size) == pages
    assert Page([], 1, total, size).pages == pages


def test_a_page_knows_its_neighbours_and_converts_its_items():
    middle = Page([1, 2], number=2, total=6, size=2)
    assert (middle.has_previous, middle.has_next) == (True, True)
    first, last = Page([1, 2], 1, 6, 2), Page([5, 6], 3, 6, 2)
    assert (first.has_previous, first.has_next, last.has_previous, last.has_next) == (
        False, True, True, False)
    assert middle.map(str) == Page(["1", "2"], 2, 6, 2)


def test_page_of_a_list_in_memory():
    letters = list("abcdefg")
    assert page_of(letters, 1, 3) == Page(["a", "b", "c"], 1, 7, 3)
    assert page_of(letters, 3, 3) == Page(["g"], 3, 7, 3)
    assert page_of(letters, 99999, 3) == Page([], 99999, 7, 3)


@pytest.mark.parametrize("number", [0, -1, -99999])
def test_a_page_below_one_is_refused(session, number):
    with pytest.raises(InvalidInput):
        page_of([1, 2, 3], number)
    with pytest.raises(InvalidInput):
        fetch_page(session, select(User).order_by(User.id), number)
    with pytest.raises(InvalidInput):
        audit.audit_page(session, page=number)


def test_fetch_page_counts_then_reads_one_page_empty_or_clamped_past_the_end(session):
    people = [make_user(session, name=f"Orang {n:02d}") for n in range(5)]
    query = select(User).order_by(User.name)
    second = fetch_page(session, query, 2, 2, entities=True)
    assert (second.items, second.number, second.total, second.pages) == (people[2:4], 2, 5, 3)
    rows = fetch_page(session, select(User.name).order_by(User.name), 3, 2)
    assert [tuple(r) for r in rows.items] == [("Orang 04",)]
    assert fetch_page(session, query, 99999, 2, entities=True) == Page([], 99999, 5, 2)
    clamped = fetch_page(session, query, 99999, 2, clamp=True, entities=True)
    assert (clamped.items, clamped.number) == ([people[4]], 3)
    empty = fetch_page(session, select(User).where(User.id < 0), 5, clamp=True)
    assert (empty.items, empty.number, empty.total, empty.pages) == ([], 1, 0, 1)


def test_the_audit_log_pages_newest_first_and_shows_the_last_page_past_the_end(session):
    for n in range(3):
        audit.record(session, None, "course.import", f"course:{n}")
    session.flush()
    first = audit.audit_page(session, per_page=2)
    assert [e.target for e in first.items] == ["course:2", "course:1"]
    assert isinstance(first.items[0], AuditEntry) and first.pages == 2
    past = audit.audit_page(session, page=99999, per_page=2)
    assert ([e.target for e in past.items], past.number) == (["course:0"], 2)
