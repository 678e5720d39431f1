"""Stored lesson HTML with absolute link targets, for readers without a page to resolve
relative ones against (the JSON API's apps)."""

import re
from urllib.parse import urljoin, urlsplit

_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def absolute_links(html: str, page_url: str) -> str:
    """Every relative href/src in `html` resolved against `page_url` (the lesson's own web
    address, which the stored links are relative to); absolute URLs, mailto: and in-page
    #anchors are left alone. The HTML was sanitised at import; this changes only targets."""

    def resolve(match: re.Match) -> str:
        target = match.group(2)
        if not target or target.startswith("#") or urlsplit(target).scheme:
            return match.group(0)
        return match.group(1) + urljoin(page_url, target) + match.group(3)

    return _ATTRIBUTE.sub(resolve, html)
