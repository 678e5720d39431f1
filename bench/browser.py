"""Bytes a phone downloads for a lesson page, first and repeat visit, in headless Chromium.

Chromium's own network log (CDP Network.loadingFinished → encodedDataLength) counts what
crossed the wire for every resource the page asked for: headers and the compressed body. The
service worker (static/js/sw.js) fetches for the page and fills its own caches; what it
downloads is counted from its own requests (Playwright reports a service worker's network
requests, with their sizes), and a page response it served counts 0 there. The first visit
starts from an empty browser (after logging in): HTTP cache, Cache Storage and the service
worker all removed, so it includes installing the service worker and what it stores. The
repeat visit comes back to the same lesson from another page, as a reader does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Visit:
    resources: dict[str, dict] = field(default_factory=dict)  # request id -> url, type, bytes

    @property
    def total_bytes(self) -> int:
        return sum(r.get("bytes", 0) for r in self._requested())

    def _requested(self) -> list[dict]:
        # Only requests sent during this visit (not the tail of the previous page's).
        return [r for r in self.resources.values() if "url" in r]

    def as_dict(self) -> dict:
        return {
            "kb": round(self.total_bytes / 1024, 1),
            "resources": sorted(
                ({"url": r.get("url", "?"), "type": r.get("type", "?"),
                  "bytes": r.get("bytes", 0), "from_cache": r.get("from_cache", False),
                 "via_service_worker": r.get("via_service_worker", False)}
                 for r in self._requested()), key=lambda r: r["url"]),
        }


class _ServiceWorkerLog:
    """The service worker's own downloads during a visit (Playwright's context events)."""

    def __init__(self, context):
        self.visit: Visit | None = None
        self.requests: list = []
        context.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        if self.visit is not None and request.service_worker is not None:
            self.requests.append((self.visit, request))

    def settle(self) -> None:
        """Add the service worker's requests of the visits so far to them."""
        for visit, request in self.requests:
            sizes = request.sizes()
            # No body bytes: answered from the browser's HTTP cache, nothing crossed the wire
            # (the page had just downloaded the same file).
            body = max(0, sizes["responseBodySize"])
            visit.resources[f"sw-{id(request)}"] = {
                "url": request.url, "type": "service worker fetch", "from_cache": body == 0,
                "bytes": body and body + max(0, sizes["responseHeadersSize"])}
        self.requests.clear()


class _NetworkLog:
    def __init__(self, cdp):
        self.visit: Visit | None = None
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.loadingFinished", self._finished)

    def _entry(self, event) -> dict | None:
        if self.visit is None:
            return None
        return self.visit.resources.setdefault(event["requestId"], {})

    def _sent(self, event) -> None:
        entry = self._entry(event)
        if entry is not None:
            entry["url"] = event["request"]["url"]
            entry["type"] = event.get("type", "?")

    def _received(self, event) -> None:
        entry = self._entry(event)
        if entry is not None:
            entry["status"] = event["response"]["status"]
            entry["via_service_worker"] = event["response"].get("fromServiceWorker", False)
            entry["from_cache"] = entry.get("from_cache") or event["response"].get(
                "fromDiskCache", False) or event["response"].get("fromMemoryCache", False)

    def _cached(self, event) -> None:
        entry = self._entry(event)
        if entry is not None:
            entry["from_cache"] = True

    def _finished(self, event) -> None:
        entry = self._entry(event)
        if entry is not None:
            entry["bytes"] = int(event["encodedDataLength"])


def page_weight(base_url: str, login: str, password: str, lesson_path: str,
                other_path: str) -> dict:
    """{"first_visit": Visit, "repeat_visit": Visit} for one lesson page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                          device_scale_factor=2, locale="id-ID")
            page = context.new_page()
            page.set_default_timeout(30_000)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            log = _NetworkLog(cdp)

            page.goto(base_url + "/login")
            page.fill("#login", login)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_url(base_url + "/")
            page.wait_for_load_state("networkidle")
            sw_log = _ServiceWorkerLog(context)
            # A phone that never opened Lentera, except for the sign-in cookie.
            cdp.send("Network.clearBrowserCache")
            cdp.send("Storage.clearDataForOrigin", {
                "origin": base_url, "storageTypes": "cache_storage,service_workers"})

            first = log.visit = sw_log.visit = Visit()
            page.goto(base_url + lesson_path, wait_until="networkidle")
            page.wait_for_timeout(1000)  # the service worker installs and stores its files
            log.visit = sw_log.visit = None
            if "/login" in page.url:
                raise RuntimeError("the browser was not signed in")
            page.goto(base_url + other_path, wait_until="networkidle")
            repeat = log.visit = sw_log.visit = Visit()
            page.goto(base_url + lesson_path, wait_until="networkidle")
            page.wait_for_timeout(500)
            log.visit = sw_log.visit = None
            sw_log.settle()
            return {"first_visit": first, "repeat_visit": repeat}
        finally:
            browser.close()
