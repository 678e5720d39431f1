"""gzip for text responses: smaller pages for phones, untouched for clients that cannot read it."""

import gzip
import re
from pathlib import Path

import pytest
from flask import Response, stream_with_context

from app.access import PUBLIC, access

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
STATIC = Path(__file__).resolve().parents[2] / "static"


def _vary(response) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",")}


def test_a_page_is_gzipped_when_the_browser_accepts_it(client):
    plain = client.get("/login")
    packed = client.get("/login", headers=GZIP)
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in _vary(packed) and "HX-Request" in _vary(packed)
    body = packed.get_data()
    assert int(packed.headers["Content-Length"]) == len(body)
    assert len(body) < len(plain.get_data()) / 2
    page = gzip.decompress(body).decode()
    # The same page, only smaller (the CSRF tokens carry the second they were signed in).
    token = re.compile(r"[\w-]+\.[\w-]+\.[\w-]+(?=\")")
    assert token.sub("T", page) == token.sub("T", plain.get_data(as_text=True))
    assert "Kata sandi" in page


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_a_client_without_gzip_gets_the_page_untouched(client, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    response = client.get("/login", headers=headers)
    assert "Content-Encoding" not in response.headers
    assert "<!doctype html>" in response.get_data(as_text=True)
    # Caches must still keep the two versions apart.
    assert "Accept-Encoding" in _vary(response)


def _static_url(client, pattern: str) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(pattern, page).group(1)


@pytest.mark.parametrize(("pattern", "name"), [
    (r'src="(/static/js/htmx\.min\.js\?v=\w+)"', "js/htmx.min.js"),
    (r'href="(/static/css/app\.css\?v=\w+)"', "css/app.css"),
    (r'src="(/static/js/offline\.js\?v=\w+)"', "js/offline.js"),
])
def test_static_text_files_are_gzipped_and_still_cached_for_a_year(client, pattern, name):
    url = _static_url(client, pattern)
    original = (STATIC / name).read_bytes()
    with client.get(url, headers=GZIP) as packed:
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "immutable" in packed.headers["Cache-Control"]
        assert "Accept-Encoding" in _vary(packed)
        unpacked = gzip.decompress(packed.data)
        if name.endswith(".min.js"):
            assert unpacked == original
        else:  # minified too: the same rules without comments and spaces
            assert b"/*" in original and b"/*" not in unpacked
            assert len(unpacked) < len(original) * 0.9
            assert b"--accent:#8a4b00" in unpacked or b"function" in unpacked  # still all there
        assert len(packed.data) < len(original) / 2
        etag = packed.headers["ETag"]
    assert etag.startswith('W/"'), "a gzipped body is only weakly the same as the file"
    with client.get(url, headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""
    with client.get(url) as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.data == original


def test_images_are_not_compressed_again(client):
    with client.get(_static_url(client, r'href="(/static/img/icon\.png\?v=\w+)"'),
                    headers=GZIP) as response:
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert response.data == (STATIC / "img" / "icon.png").read_bytes()


@pytest.fixture
def streaming_app(fresh_app):
    app = fresh_app()
    app.produced = []

    @app.route("/_rows.csv")
    @access(PUBLIC)
    def rows():
        def generate():
            for n in range(20_000):
                app.produced.append(n)
                # Varied text, so zlib has to emit output as it goes.
                yield f"{n},{n * 7919 % 10007},baris nomor {n * 104729 % 1000003}\n"

        return Response(stream_with_context(generate()), mimetype="text/csv")

    class Rows:
        """A streamed body that notes whether the server closed it."""

        closed = False

        def __iter__(self):
            yield from (f"{n},baris {n * 31}\n" for n in range(5000))

        def close(self):
            Rows.closed = True

    app.rows = Rows

    @app.route("/_closable.csv")
    @access(PUBLIC)
    def closable():
        return Response(Rows(), mimetype="text/csv")

    @app.route("/_tiny")
    @access(PUBLIC)
    def tiny():
        return Response("ok", mimetype="text/plain")

    return app


def _expected_csv() -> str:
    return "".join(
        f"{n},{n * 7919 % 10007},baris nomor {n * 104729 % 1000003}\n" for n in range(20_000)
    )


def test_a_streamed_export_is_compressed_as_it_is_produced_not_gathered(streaming_app):
    client = streaming_app.test_client()
    response = client.get("/_rows.csv", headers=GZIP, buffered=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response.headers
    chunks = iter(response.response)
    first = next(chunks)
    # The first compressed bytes left while most rows were not even generated yet.
    assert first and len(streaming_app.produced) < 20_000 / 2
    body = first + b"".join(chunks)
    response.close()
    assert len(streaming_app.produced) == 20_000
    assert gzip.decompress(body).decode() == _expected_csv()


def test_a_download_abandoned_before_the_first_byte_still_closes_the_export(streaming_app):
    client = streaming_app.test_client()
    response = client.get("/_closable.csv", headers=GZIP, buffered=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert streaming_app.rows.closed is False
    response.close()  # the phone went out of signal: nothing was read
    assert streaming_app.rows.closed is True


def test_a_streamed_export_stays_plain_for_a_client_without_gzip(streaming_app):
    client = streaming_app.test_client()
    response = client.get("/_rows.csv")
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True) == _expected_csv()


def test_tiny_responses_are_not_worth_compressing(streaming_app):
    response = streaming_app.test_client().get("/_tiny", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True) == "ok"
