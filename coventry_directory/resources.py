"""The one path helper: finds bundled resources from the source tree or a frozen app.

Everything shipped with the app (directory sources and database, fonts, translations,
the HSDS schema) is found through :func:`resource_path`, so PyInstaller builds
(which unpack to ``sys._MEIPASS``) and source checkouts behave the same.
"""

from __future__ import annotations

import sys
from pathlib import Path


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resources_root() -> Path:
    """The folder that holds ``resources/`` contents for this run."""
    if is_frozen():
        return Path(sys._MEIPASS) / "resources"  # type: ignore[attr-defined]
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("fonts", "NotoSans-Regular.ttf")``."""
    return resources_root().joinpath(*parts)


def directory_source_dir() -> Path:
    """Human-readable directory sources (TOML) that the database is built from."""
    return resource_path("directory")


def bundled_database_path() -> Path:
    """The directory database shipped with the app (built from the sources)."""
    return resource_path("directory.db")
