"""The one path helper: finds bundled resources in a checkout, an installed wheel or a frozen app.

Everything shipped with the app (directory sources and database, fonts, translations,
the HSDS schema) is found through :func:`resource_path`, so the three ways the app runs
behave the same:

- a source checkout or an editable install: the top-level ``resources/`` folder beside
  the package (the source of truth in the repository);
- an installed wheel: ``coventry_directory/_resources/``, which the wheel build
  (``packaging/build_backend.py``) fills from ``resources/`` with the database and the
  translation catalogs freshly compiled;
- a PyInstaller bundle: ``resources/`` under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The name of the resources folder inside an installed package (the wheel build writes it).
INSTALLED_RESOURCES = "_resources"


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resources_root() -> Path:
    """The folder that holds ``resources/`` contents for this run."""
    if is_frozen():
        return Path(sys._MEIPASS) / "resources"  # type: ignore[attr-defined]
    installed = PACKAGE_DIR / INSTALLED_RESOURCES
    if installed.is_dir():  # only a built wheel has it; a checkout never does (it is git-ignored)
        return installed
    return PACKAGE_DIR.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("fonts", "NotoSans-Regular.ttf")``."""
    return resources_root().joinpath(*parts)


def directory_source_dir() -> Path:
    """Human-readable directory sources (TOML) that the database is built from."""
    return resource_path("directory")


def bundled_database_path() -> Path:
    """The directory database shipped with the app (built from the sources)."""
    return resource_path("directory.db")
