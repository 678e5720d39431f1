"""English whatever way Lentera is installed: a wheel, or an editable install, then gunicorn.

Slow-ish (two package builds, ~20 s): marked `packaging`; `pytest -m "not packaging"` skips it.
Each install goes into a fresh virtualenv with --no-deps; the dependencies come from this
environment's site-packages through a .pth file, so nothing is downloaded but the build backend.
"""

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from app.i18n import usable_translations

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def english_login_page(python: Path, workdir: Path) -> str:
    """Start gunicorn as a deployer would and fetch /login in English."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHON"))}
    env.update(SECRET_KEY="packaging-test", DATABASE_URL=f"sqlite:///{workdir / 'x.db'}")
    log = (workdir / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/login",
                                         headers={"Accept-Language": "en"})
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.read().decode()
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_a_wheel_carries_compiled_english_and_serves_it_under_gunicorn(tmp_path):
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

    python = fresh_venv(tmp_path / "venv")
    pip_install(python, str(wheel))
    site = tmp_path / "site"  # where a deployer keeps wsgi.py, away from the source tree
    site.mkdir()
    shutil.copy2(clone / "wsgi.py", site / "wsgi.py")
    page = english_login_page(python, site)
    assert "Sign in" in page and "Masuk" not in page.replace("Masuk sebagai", "")


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
