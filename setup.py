"""The package build also puts into the wheel what a clone keeps outside the package.

- the translation catalogues, compiled (.po -> .mo);
- static/, migrations/ and courses/, copied from the repository's top into app/shipped/, where
  `app.config.shipped()` finds them once installed (a clone and an editable install read them
  where they are).

Everything else about the package is in pyproject.toml.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Kept at the repository's top for the people who edit them; shipped inside the package.
SHIPPED_FOLDERS = ("static", "migrations", "courses")


def _i18n():
    # Loaded from its file: importing the app package would need Flask, not installed yet.
    spec = importlib.util.spec_from_file_location("lentera_i18n", ROOT / "app" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogues(build_py):
    def run(self):
        super().run()
        source = ROOT / "app" / "translations"
        # An editable install reads the source tree; a wheel carries its own copy.
        if getattr(self, "editable_mode", False):
            _i18n().compile_catalogues(source, source)
            return
        package = Path(self.build_lib) / "app"
        _i18n().compile_catalogues(source, package / "translations")
        for name in SHIPPED_FOLDERS:
            if not (ROOT / name).is_dir():
                raise SystemExit(f"{ROOT / name} is missing: build from a clone or a full sdist")
            target = package / "shipped" / name
            shutil.rmtree(target, ignore_errors=True)  # nothing left from an older build
            shutil.copytree(ROOT / name, target,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithCatalogues})
