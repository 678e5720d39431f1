"""A small HTTP client for loopback benchmarks: one connection per client, gzip like a phone."""

from __future__ import annotations

import gzip
import http.client
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.settings import USER_AGENT

HOST = "127.0.0.1"  # loopback only, always


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes  # decoded (gunzipped)
    wire_bytes: int  # body bytes as sent
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    """Requests as one signed-in learner (or a guest), reusing the connection when allowed."""

    def __init__(self, port: int, cookie: str | None = None, csrf: str | None = None,
                 timeout: float = 30, headers: dict | None = None):
        self.port, self.cookie, self.csrf, self.timeout = port, cookie, csrf, timeout
        self.headers = headers or {}  # sent with every request (an API bearer token)
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | list | None = None,
                headers: dict | None = None) -> Reply:
        all_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        if self.cookie:
            all_headers["Cookie"] = f"session={self.cookie}"
        all_headers.update(self.headers)
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        started = time.perf_counter()
        while True:
            reused = self._conn is not None
            if self._conn is None:
                self._conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=all_headers)
                response = self._conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if not reused:
                    raise
                # A kept-alive connection the server had closed meanwhile: once more, fresh.
        seconds = time.perf_counter() - started
        reply_headers = {k.lower(): v for k, v in response.getheaders()}
        if response.will_close:
            self.close()
        decoded = gzip.decompress(raw) if reply_headers.get("content-encoding") == "gzip" else raw
        return Reply(response.status, reply_headers, decoded, len(raw), seconds)

    def get(self, path: str, headers: dict | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict | list | None = None,
             headers: dict | None = None) -> Reply:
        return self.request("POST", path, form=form or {}, headers=headers)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class Download:
    status: int
    headers: dict[str, str]
    wire_bytes: int
    body_bytes: int
    lines: int
    first_byte_seconds: float
    seconds: float


def download(port: int, path: str, cookie: str | None, timeout: float = 600) -> Download:
    """Read a (large, streamed) response chunk by chunk, keeping only counts, not the body."""
    import zlib

    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        first = time.perf_counter() - started
        reply_headers = {k.lower(): v for k, v in response.getheaders()}
        inflate = (zlib.decompressobj(31)
                   if reply_headers.get("content-encoding") == "gzip" else None)
        wire = body = lines = 0
        while chunk := response.read(64 * 1024):
            wire += len(chunk)
            data = inflate.decompress(chunk) if inflate else chunk
            body += len(data)
            lines += data.count(b"\n")
        return Download(response.status, reply_headers, wire, body, lines, first,
                        time.perf_counter() - started)
    finally:
        conn.close()
