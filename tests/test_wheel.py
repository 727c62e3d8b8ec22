"""The wheel is true: built as from a fresh clone, it holds everything the app needs.

Installed on its own, it passes the self-test.

The repository is copied without its build output (no ``resources/directory.db``, no
``resources/locale/``, no ``build/``: what a clone lacks), so the wheel build itself must
compile the database and the catalogs (``packaging/build_backend.py``). The wheel is then
installed into a bare folder and the self-test runs from a folder outside the checkout, with
that folder on PYTHONPATH: the package and every resource must come from the wheel.

It builds with this environment's pip and setuptools (``--no-build-isolation``, so no
network): setuptools comes from the packaging extra, as PyInstaller does for test_frozen.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from coventry_directory import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone does not have (.gitignore): build output, caches, environments.
NOT_IN_A_CLONE = {
    ".git",
    ".venv",
    "build",
    "dist",
    "data",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "portable.txt",
}
BUILT = {
    ROOT / "resources" / "directory.db",
    ROOT / "resources" / "locale",
    ROOT / "coventry_directory" / "_resources",
    ROOT / "bench" / ".cache",
}
PREFIX = "coventry_directory/_resources/"


def _clone_filter(folder: str, names: list[str]) -> set[str]:
    here = Path(folder)
    return {
        n for n in names if n in NOT_IN_A_CLONE or n.endswith((".pyc", ".egg-info", ".building")) or here / n in BUILT
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a clean copy of the working tree."""
    try:
        setuptools = version("setuptools")
    except PackageNotFoundError:
        setuptools = "0"
    assert int(setuptools.split(".")[0]) >= 77, f"setuptools {setuptools} cannot build the wheel: install the lock"
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "clone"
    shutil.copytree(ROOT, source, ignore=_clone_filter, symlinks=True)
    assert not (source / "resources" / "directory.db").exists() and not (source / "resources" / "locale").exists()
    out = tmp / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    wheels = list(out.glob("*.whl"))
    assert [w.name for w in wheels] == [f"coventry_directory-{__version__}-py3-none-any.whl"]
    assert not (source / "resources" / "directory.db").exists(), "the build wrote into the source tree"
    return wheels[0]


def test_wheel_holds_code_resources_and_licences(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    resources = ROOT / "resources"
    missing = []
    # Every module (a folder without __init__.py would be silently left out of the wheel)...
    missing += [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "coventry_directory").rglob("*.py")
        if "_resources" not in p.parts and p.relative_to(ROOT).as_posix() not in names
    ]
    # ...every resource source file (fonts, schema, keys, synonyms, places, forms, directory)...
    missing += [
        PREFIX + p.relative_to(resources).as_posix()
        for p in resources.rglob("*")
        if p.is_file()
        and not {"directory.db", "locale"} & {p.relative_to(resources).parts[0]}
        and not p.name.endswith(".building")
        and PREFIX + p.relative_to(resources).as_posix() not in names
    ]
    # ...and what the build compiles: the database and a catalog per translation (and the pseudo-locale).
    codes = [p.parent.parent.name for p in (ROOT / "translations").glob("*/LC_MESSAGES/*.po")] + ["x-pseudo"]
    compiled = [PREFIX + "directory.db"] + [f"{PREFIX}locale/{c}/LC_MESSAGES/coventry_directory.mo" for c in codes]
    missing += [n for n in compiled if n not in names]
    assert not missing, "not in the wheel: " + ", ".join(missing[:20])
    for expected in ("fonts/OFL.txt", "hsds-3.0/schema/service.json", "search/synonyms.toml", "places.toml"):
        assert PREFIX + expected in names
    licences = {n.split(".dist-info/licenses/", 1)[1] for n in names if ".dist-info/licenses/" in n}
    assert {"LICENSE", "resources/fonts/OFL.txt"} <= licences
    metadata = zipfile.ZipFile(wheel).read(f"coventry_directory-{__version__}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata and f"Version: {__version__}" in metadata


def test_installed_wheel_passes_self_test_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # The dependencies come from this environment; the package only from the wheel (PYTHONPATH
    # comes before site-packages and the editable install of the checkout).
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    where = subprocess.run(
        [sys.executable, "-c", "import coventry_directory; print(coventry_directory.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr
    result = subprocess.run(
        [sys.executable, "-m", "coventry_directory", "self-test", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout)
    failed = [f"{c['name']}: {c['detail']}" for c in report["checks"] if not c["ok"]]
    assert result.returncode == 0 and report["ok"], "self-test failed:\n" + "\n".join(failed)
    assert Path(report["resources"]) == site / "coventry_directory" / "_resources"
    directory = next(c["detail"] for c in report["checks"] if c["name"] == "directory")
    assert str(site / "coventry_directory" / "_resources" / "directory.db") in directory
