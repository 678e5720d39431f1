"""The package build also compiles the translation catalogues (.po -> .mo) into the wheel.

Everything else about the package is in pyproject.toml.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


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
        target = source if getattr(self, "editable_mode", False) else (
            Path(self.build_lib) / "app" / "translations")
        _i18n().compile_catalogues(source, target)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
