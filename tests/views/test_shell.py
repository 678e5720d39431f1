"""The page shell: headers, static caching, error pages, no stack traces."""

import re

import pytest
from flask import abort

from app.access import PUBLIC, access


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"  # the sign-in page is personal
    page = response.get_data(as_text=True)
    # No inline script anywhere: every <script> has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page and "<style" not in page


def test_static_urls_are_fingerprinted_and_cached_immutably(client):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=\w{12})"', page).group(1)
    js = re.search(r'src="(/static/js/htmx\.min\.js\?v=\w{12})"', page).group(1)
    for url in (css, js):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=31536000" in response.headers["Cache-Control"]


def test_a_missing_static_file_is_not_cached_for_a_year(client):
    """A fingerprinted URL that answers 404 (a deploy not finished on this server) must be
    asked again, not kept by browsers and proxies for a year."""
    with client.get("/static/css/nope.css?v=0123456789ab") as response:
        assert response.status_code == 404
        kept = response.headers["Cache-Control"]
        assert "immutable" not in kept and "max-age" not in kept and "public" not in kept


@pytest.mark.parametrize("path", ["/tidak%00ada", "/tidak%FFada"])
def test_the_error_page_of_a_refused_url_does_not_write_it_back(login, path):
    """The input guard refuses a NUL or broken UTF-8 in the path (a 404); its error page's
    language form must not carry it either: it returns to the home page."""
    page = login().client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 404 and "\x00" not in text and "\ufffd" not in text
    assert 'name="next" value="/"' in text


def test_htmx_is_served_locally_with_its_licence(client):
    with client.get("/static/js/htmx.min.js") as response:
        assert response.status_code == 200 and b"htmx" in response.data
    with client.get("/static/js/htmx.LICENSE.txt") as response:
        assert b"Zero-Clause BSD" in response.data


def test_a_missing_page_is_friendly_and_translated(login):
    me = login()
    response = me.client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
    # No language chosen yet: the browser's languages decide.
    response = me.client.get("/tidak-ada", headers={"Accept-Language": "en-GB,id;q=0.5"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    # Chosen once, the language holds without the header.
    me.client.post("/language", data={"locale": "en", "csrf_token": me.csrf()})
    assert "Page not found" in me.client.get("/tidak-ada").get_data(as_text=True)


@pytest.fixture
def broken_app(fresh_app):
    app = fresh_app()

    @app.route("/_boom")
    @access(PUBLIC)
    def boom():
        raise RuntimeError("rahasia internal: password=hunter2")

    @app.route("/_forbidden")
    @access(PUBLIC)
    def forbidden():
        abort(403)

    return app


def test_a_crash_shows_a_friendly_500_without_a_stack_trace(broken_app):
    client = broken_app.test_client()
    response = client.get("/_boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in page
    assert "Traceback" not in page and "hunter2" not in page and "RuntimeError" not in page
    response = client.get("/_forbidden")
    assert response.status_code == 403 and "Akses ditolak" in response.get_data(as_text=True)
