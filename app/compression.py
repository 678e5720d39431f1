"""gzip for text responses, so a phone on slow data downloads a third of the bytes.

gunicorn does not compress, and the app must meet its page-weight budget without counting on
a proxy. Pages, CSS, JavaScript, JSON and CSV are gzipped when the client accepts it; static
files are compressed once per file version and kept in memory; a streamed response (a CSV
export) is compressed chunk by chunk as it is produced, never gathered first.

On BREACH (guessing a secret from compressed sizes, when a page also shows text the attacker
chose): the only secret our pages carry is the CSRF token. Flask-WTF signs it with a timestamp,
so on most pages its signature changes every second, and the part that stays the same is
worthless without a valid signature. The lesson page reuses one signed token for the whole
session (web.signed_csrf_token), so it shows nothing of the request a third party can choose:
no query string, and only paths of live lessons reach it (learn/views.py).

Compression is zlib-ng's (the zlib-ng package): the same format and, at the same level, the same
size as zlib's, in about half the time (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin
from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join
from zlib_ng import gzip_ng, zlib_ng

COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/csv", "text/xml", "text/javascript",
    "application/javascript", "application/json", "application/xml", "image/svg+xml",
})
# Below this, the gzip header and trailer eat most of what compression would save.
MIN_SIZE = 256
DYNAMIC_LEVEL = 6  # a page is compressed on every request: the usual speed/size balance
STATIC_LEVEL = 9  # a static file is compressed once per version: take the smallest


def _skip(response: Response) -> bool:
    """Responses that must stay as they are, whoever asks."""
    return (
        response.mimetype not in COMPRESSIBLE
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or "Content-Encoding" in response.headers
        or "no-transform" in response.headers.get("Cache-Control", "")
    )


@lru_cache(maxsize=64)
def _gzipped_file(path: str, mtime_ns: int, size: int) -> bytes:
    """A static file, gzipped (CSS and JavaScript minified first: comments and spaces are
    a fifth of what a first visit downloads, PRODUCT §6); the key changes whenever the file
    does. The identity body stays the file as written, for reading it in a browser."""
    data = Path(path).read_bytes()
    if path.endswith(".css"):
        data = rcssmin.cssmin(data)
    elif path.endswith(".js") and not path.endswith(".min.js"):
        data = rjsmin.jsmin(data)
    return gzip_ng.compress(data, STATIC_LEVEL, mtime=0)


def _static_body(response: Response) -> bytes | None:
    filename = (request.view_args or {}).get("filename", "")
    folder = current_app.static_folder  # None for an app without static files
    path = safe_join(folder, filename) if folder else None
    if path is None or not Path(path).is_file():
        return None
    stat = Path(path).stat()
    return _gzipped_file(path, stat.st_mtime_ns, stat.st_size)


class _GzipStream:
    """Compress as the chunks come: memory stays at zlib's window, whatever the length."""

    def __init__(self, chunks: Iterable[bytes | str]):
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        compressor = zlib_ng.compressobj(DYNAMIC_LEVEL, zlib_ng.DEFLATED, 31)  # 31: gzip framing
        for chunk in self._chunks:
            if isinstance(chunk, str):
                chunk = chunk.encode()  # Werkzeug sends str as UTF-8
            out = compressor.compress(chunk)
            if out:
                yield out
        yield compressor.flush()

    def close(self) -> None:
        # Passed on even when nothing was read (the client left): closing the original ends
        # stream_with_context's request context and its database session.
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def compress_response(response: Response) -> Response:
    """after_request: gzip the body when the client accepts it (and say so in Vary)."""
    if _skip(response):
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    if request.endpoint == "static" and (body := _static_body(response)) is not None:
        # Compressed once per file version (whether or not the server passes files through).
        close = getattr(response.response, "close", None)
        if close is not None:
            close()  # the open file the response was about to send
        response.direct_passthrough = False
        response.set_data(body)
    elif response.is_streamed:
        response.response = _GzipStream(response.response)
        response.headers.pop("Content-Length", None)
    elif response.direct_passthrough:
        return response  # a file sent as is: course media is PNG/PDF, already compressed
    else:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = gzip_ng.compress(data, DYNAMIC_LEVEL, mtime=0)
        if len(body) >= len(data):
            return response
        response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        # Another byte sequence than the identity one: only weakly the same entity.
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    # Registered before every other after_request hook, so it runs after all of them
    # and compresses the body they finished.
    app.after_request(compress_response)
