"""Stored lesson HTML with absolute link targets, for readers without a page to resolve
relative ones against (the JSON API's apps, the offline download, the printed booklet)."""

import re
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

_ATTRIBUTE = re.compile(r'(\s(href|src|srcset)=")([^"]*)(")')


def _resolve(target: str, page_url: str) -> str:
    if not target or target.startswith("#") or urlsplit(target).scheme:
        return target
    return urljoin(page_url, target)


def absolute_links(html: str, page_url: str) -> str:
    """Every relative href, src and srcset candidate in `html` resolved against `page_url`.

    `page_url` is the lesson's own web address, which the stored links are relative to.
    Absolute URLs, mailto: and in-page #anchors are left alone; entities in the attribute
    are decoded before resolving and encoded again after. The HTML was sanitised at import;
    this changes only link targets, never markup. Raises nothing.
    """

    def rewrite(match: re.Match[str]) -> str:
        value = unescape(match.group(3))
        if match.group(2) == "srcset":
            candidates = []
            for candidate in value.split(","):
                url, _, descriptor = candidate.strip().partition(" ")
                candidates.append(f"{_resolve(url, page_url)} {descriptor}".strip())
            value = ", ".join(candidates)
        else:
            value = _resolve(value, page_url)
        return f"{match.group(1)}{escape(value, quote=True)}{match.group(4)}"

    return _ATTRIBUTE.sub(rewrite, html)
