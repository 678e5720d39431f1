"""Lentera installed as a deployer would: a wheel (`pip install .`) run from an empty folder,
migrated, loaded with the demo and served by gunicorn behind a proxy; or an editable install.

Slow-ish (two package builds, ~30 s): marked `packaging`; `pytest -m "not packaging"` skips it.
Each install goes into a fresh virtualenv with --no-deps; the dependencies come from this
environment's site-packages through a .pth file, so nothing is downloaded but the build backend.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.i18n import usable_translations
from tests.conftest import free_port
from tests.pages import csrf_token_in

ROOT = Path(__file__).parents[1]
pytestmark = pytest.mark.packaging


def source_copy(tmp_path: Path) -> Path:
    """The committed files of the repository, as a fresh clone has them: no compiled .mo."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split()
    copy = tmp_path / "clone"
    for name in listed:
        if (ROOT / name).is_file() and not name.startswith("tests/"):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    assert not list(copy.rglob("*.mo"))
    return copy


def fresh_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # The dependencies, from this environment (after the venv's own site-packages).
    Path(site, "lentera-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def pip_install(python: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", *args], check=True, capture_output=True)


def english_login_page(python: Path, workdir: Path) -> str:
    """Start gunicorn on the clone's wsgi.py and fetch /login in English."""
    env = deployer_env(DATABASE_URL=f"sqlite:///{workdir / 'x.db'}")
    with gunicorn(python, workdir, env, "wsgi:app") as port:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/login",
                                         headers={"Accept-Language": "en"})
        # Generous: the worker may still be booting (and compiling) on a busy machine.
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode()


def deployer_env(**settings: str) -> dict:
    """The environment of a deployer's shell: no Flask, Python or test settings of ours."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLASK_", "PYTHON", "VIRTUAL_ENV", "TEST_"))}
    env.update(SECRET_KEY="packaging-test-" + "k" * 32, **settings)
    return env


@contextmanager
def gunicorn(python: Path, workdir: Path, env: dict, target: str) -> Iterator[int]:
    """Serve `target` with gunicorn from `workdir`; yields the port once it answers."""
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", target],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(log_path.read_text()) from None
                    time.sleep(0.3)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=10)


def run(command: list, cwd: Path, env: dict) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done.stdout + done.stderr


class BehindProxy:
    """A browser at https://HOST reaching gunicorn through the README's reverse proxy, which
    terminates TLS and passes on X-Forwarded-For, X-Forwarded-Proto and (unless told not to)
    the Host. Keeps the cookies it is given."""

    HOST = "lentera.example.go.id"

    def __init__(self, port: int, forwards_host: bool = True):
        self.port = port
        self.host = self.HOST if forwards_host else f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": self.host, "X-Forwarded-Proto": "https",
                   "X-Forwarded-For": "203.0.113.7", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.HOST}"  # what the browser's address bar says
            headers["Referer"] = f"https://{self.HOST}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response, content


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> tuple[Path, Path]:
    """The wheel `pip install .` builds from a fresh clone, installed into a fresh virtualenv.

    Returns the virtualenv's python and the clone.
    """
    tmp_path = tmp_path_factory.mktemp("wheel")
    clone = source_copy(tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(clone)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("lentera-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    for shipped in ("app/translations/en/LC_MESSAGES/messages.mo",
                    "app/translations/en/LC_MESSAGES/messages.po",
                    "app/templates/base.html", "app/fonts/DroidSansFallback.ttf"):
        assert shipped in names
    # Every migration, static file and sample course of the clone, none left behind.
    for folder in ("static", "migrations", "courses"):
        files = [p for p in (clone / folder).rglob("*") if p.is_file()]
        assert files
        for path in files:
            assert f"app/shipped/{path.relative_to(clone)}" in names

    python = fresh_venv(tmp_path / "venv")
    pip_install(python, str(wheel))
    return python, clone


@pytest.fixture
def deployment_database(tmp_path) -> Iterator[str]:
    """DATABASE_URL for the deployer: an SQLite file, or with TEST_DATABASE_URL a fresh
    PostgreSQL database beside the test database (`<name>_packaging`, dropped afterwards)."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'lentera.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(test_url)
    name = f"{url.database}_packaging"
    server = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def execute(statement: str) -> None:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(statement)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_wheel_installed_as_a_deployer_would_migrates_and_serves_every_page(
        installed_wheel, deployment_database, tmp_path):
    """README, Deploying: `pip install .`, then from any folder `lentera db upgrade` (or
    `flask --app app:create_app …`), `lentera demo`, gunicorn 'app:create_process_app()' behind a
    proxy."""
    python, clone = installed_wheel
    site = tmp_path / "site"  # an empty folder, nowhere near a clone
    site.mkdir()
    env = deployer_env(DATABASE_URL=deployment_database, SESSION_COOKIE_SECURE="1")
    imported = run([python, "-c", "import app; print(app.__file__)"], site, env)
    assert imported.strip().startswith(str(python.parents[1])), "the clone was imported"

    lentera = python.parent / "lentera"  # the console script the wheel installs
    run([lentera, "db", "upgrade"], site, env)
    # The other documented spelling. `db check` fails unless the database is at the latest
    # revision and the models agree with it: every migration was shipped and found.
    run([python, "-m", "flask", "--app", "app:create_app", "db", "check"], site, env)
    assert "budi@lentera.test" in run([lentera, "demo"], site, env)

    with gunicorn(python, site, env, "app:create_process_app()") as port:
        browser = BehindProxy(port)
        response, page = browser.request("GET", "/login")
        page = page.decode()
        assert response.status == 200
        assert "Sign in" in page and "Masuk" not in page.replace("Masuk sebagai", "")
        session_cookie = next(h for h in browser.set_cookie_headers if h.startswith("session="))
        assert "Secure" in session_cookie

        # The stylesheet and scripts, at their fingerprinted URLs, byte for byte the clone's.
        assets = dict(re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"', page))
        assert "/static/css/app.css" in assets
        assert any(asset.endswith(".js") for asset in assets)
        for asset, version in assets.items():
            response, body = browser.request("GET", f"{asset}?v={version}")
            assert response.status == 200, asset
            assert body == (clone / asset.lstrip("/")).read_bytes(), asset
            assert "immutable" in response.headers["Cache-Control"]

        # Sign in through the proxy (CSRF checks the https Referer against the forwarded Host),
        # then the sample course the demo imported from the package, with its images.
        response, _ = browser.request("POST", "/login", {
            "csrf_token": csrf_token_in(page), "login": "budi@lentera.test",
            "password": "lentera-demo"})
        assert response.status == 302
        response, catalog = browser.request("GET", "/")
        assert response.status == 200
        assert "Literasi Digital dan Pelindungan Data Pribadi" in catalog.decode()
        response, _ = browser.request("GET", "/courses/literasi-digital-asn/")
        assert response.status == 200
        response, image = browser.request(
            "GET", "/courses/literasi-digital-asn/media/spbe-lapisan.png")
        assert response.status == 200
        assert image == (clone / "courses/literasi-digital-asn/media/spbe-lapisan.png").read_bytes()

        # Why the README's proxy must pass on Host: gunicorn took https from the proxy, so
        # Flask-WTF checks the Referer against the Host it sees, and a proxy sending its own
        # upstream address (nginx's default) fails every sign-in.
        careless = BehindProxy(port, forwards_host=False)
        _, page = careless.request("GET", "/login")
        response, _ = careless.request("POST", "/login", {
            "csrf_token": csrf_token_in(page.decode()), "login": "budi@lentera.test",
            "password": "lentera-demo"})
        assert response.status == 400

    # Without DATABASE_URL the SQLite file goes to the virtualenv's instance folder, never
    # into site-packages.
    del env["DATABASE_URL"]
    run([lentera, "db", "upgrade"], site, env)
    assert (python.parents[1] / "var" / "app-instance" / "lentera.db").is_file()
    assert not list(python.parents[1].glob("lib/*/site-packages/instance"))


def test_an_editable_install_compiles_the_catalogue_at_start_up(tmp_path):
    clone = source_copy(tmp_path)
    python = fresh_venv(tmp_path / "venv")
    pip_install(python, "-e", str(clone))
    for mo in clone.rglob("*.mo"):  # as after a `git pull` that brought a newer .po
        mo.unlink()
    page = english_login_page(python, clone)
    assert "Sign in" in page
    assert (clone / "app/translations/en/LC_MESSAGES/messages.mo").is_file()


def test_a_package_folder_it_cannot_write_to_compiles_into_the_instance_folder(tmp_path):
    source = tmp_path / "package" / "translations"
    shutil.copytree(ROOT / "app/translations", source,
                    ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    # A directory where the .mo would go: writing there fails, even for root.
    (source / "en" / "LC_MESSAGES" / "messages.mo").mkdir()
    used = usable_translations(source, tmp_path / "instance" / "translations")
    assert used == tmp_path / "instance" / "translations"
    assert (used / "en" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
