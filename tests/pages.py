"""Reading what a page sends back, as a browser would."""

import re

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form on a page (every page carries one)."""
    match = _CSRF.search(html)
    assert match, "the page carries no CSRF token"
    return match.group(1)
