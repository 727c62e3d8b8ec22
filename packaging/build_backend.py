"""The PEP 517 build backend: setuptools, plus the app's resources compiled into the wheel.

``pyproject.toml`` names this module (``[build-system] backend-path = ["packaging"]``).
Every hook is setuptools.build_meta's; this module adds two setuptools commands, named in
``[tool.setuptools.cmdclass]``:

- ``build_py`` also fills ``coventry_directory/_resources/`` in the build tree from the
  top-level ``resources/`` folder, with the directory database and the translation
  catalogs compiled fresh by the project's own compilers (``build-db``,
  ``build-translations``). Both are build output that a clone does not have, and an
  installed package cannot compile them (it has no ``translations/``, and site-packages
  may be read-only). ``resources.py`` finds ``_resources/`` when the package is installed.
- ``sdist`` adds what that needs (``resources/``, ``translations/``, this module), so a
  wheel built from the sdist holds the same files.

Editable installs (``pip install -e .``) skip the resource step: the package then runs from
the checkout and reads the top-level ``resources/`` directly.

The compilers import part of the app, so ``[build-system] requires`` lists the runtime
dependencies that import chain needs; a missing one fails the build with a pointer here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from setuptools.build_meta import *  # noqa: F403 - the PEP 517 hooks themselves, re-exported
from setuptools.build_meta import __all__  # noqa: F401 - re-exported as this backend's hooks
from setuptools.command.build_py import build_py as _build_py
from setuptools.command.sdist import sdist as _sdist

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "coventry_directory"
INSTALLED_RESOURCES = "_resources"  # the same name as in coventry_directory/resources.py
# Build output that may lie in a developer's resources/ (git-ignored): never copied,
# because the wheel gets freshly compiled ones.
BUILT_RESOURCES = {"directory.db", "locale"}
# Folders the sdist needs besides the package (which setuptools adds itself).
SDIST_EXTRA = ["resources", "translations", "packaging/build_backend.py"]


def _ignore_build_output(folder: str, names: list[str]) -> set[str]:
    """shutil.copytree filter: caches, half-written files and (at the top) compiled resources."""
    skip = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".building"))}
    if Path(folder).resolve() == (ROOT / "resources").resolve():
        skip |= BUILT_RESOURCES & set(names)
    return skip


def _run_compiler(stage: Path, *args: str) -> None:
    """``python -m coventry_directory ARGS`` run from ``stage`` (so it imports the staged copy)."""
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)  # the staged package is found through the working folder
    cmd = [sys.executable, "-m", PACKAGE, *args]
    result = subprocess.run(cmd, cwd=stage, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        hint = ""
        if "ModuleNotFoundError" in result.stderr:
            hint = (
                "\nThe compilers import part of the app: add the missing distribution to "
                "[build-system] requires in pyproject.toml (see packaging/build_backend.py)."
            )
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {result.returncode}):\n{result.stderr.strip()}{hint}")
    if result.stdout.strip():
        print(f"[build_backend] {result.stdout.strip()}", flush=True)


def compile_resources(dest: Path) -> list[Path]:
    """Write ``resources/`` into ``dest`` with the database and catalogs compiled; returns the files.

    The compilers write beside the sources they read (``build-translations`` always into
    ``resources/locale``), so they run in a throwaway copy of the checkout's layout: the
    package, ``resources/`` and ``translations/``. The source tree is never written to.
    """
    with tempfile.TemporaryDirectory(prefix="coventry-directory-build-") as tmp:
        stage = Path(tmp)
        shutil.copytree(
            ROOT / PACKAGE, stage / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", INSTALLED_RESOURCES)
        )
        shutil.copytree(ROOT / "resources", stage / "resources", ignore=_ignore_build_output)
        shutil.copytree(ROOT / "translations", stage / "translations", ignore=_ignore_build_output)
        _run_compiler(stage, "build-db", "-o", str(stage / "resources" / "directory.db"))
        _run_compiler(stage, "build-translations")
        # Had the compilers imported another copy of the package (an editable install ahead
        # of the working folder), they would have written elsewhere: check they wrote here.
        if not (stage / "resources" / "directory.db").is_file() or not any(
            (stage / "resources" / "locale").glob("*/LC_MESSAGES/*.mo")
        ):
            raise RuntimeError("the compilers did not write into the build stage; the wheel would lack them")
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(stage / "resources", dest)
    return sorted(p for p in dest.rglob("*") if p.is_file())


class BuildPy(_build_py):
    """setuptools' build_py, then the compiled resources into the package in the build tree."""

    def initialize_options(self) -> None:
        """Start with setuptools' own options."""
        super().initialize_options()
        self._resource_files: list[Path] = []

    def run(self) -> None:
        """Build the package, then compile the resources into it."""
        if not self.editable_mode:
            # Start from an empty package folder: setuptools never deletes, so a module removed
            # from the source since the last build would otherwise still ship.
            shutil.rmtree(Path(self.build_lib) / PACKAGE, ignore_errors=True)
        super().run()
        if not self.editable_mode:
            self._resource_files = compile_resources(Path(self.build_lib) / PACKAGE / INSTALLED_RESOURCES)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:  # type: ignore[override]
        """Setuptools' outputs plus the compiled resource files."""
        return super().get_outputs(include_bytecode) + [str(p) for p in self._resource_files]


class Sdist(_sdist):
    """setuptools' sdist, plus the resource sources, translations and this backend."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        """The sdist tree, with the resources, translations and this backend added."""
        super().make_release_tree(base_dir, files)
        for name in SDIST_EXTRA:
            source, target = ROOT / name, Path(base_dir) / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=_ignore_build_output, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
