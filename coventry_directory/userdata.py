"""Where the app keeps the user's own files (settings, shortlist, logs, installed editions).

Portable mode: a file named ``portable.txt`` next to the executable (or the project root
when run from source) keeps everything in a ``data`` folder beside it, for running from a
USB stick. Otherwise per-user folders from platformdirs; never next to the executable.
The environment variable ``COVENTRY_DIRECTORY_HOME`` overrides both (tests use it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from coventry_directory import APP_ID
from coventry_directory.resources import is_frozen

PORTABLE_MARKER = "portable.txt"
HOME_ENV = "COVENTRY_DIRECTORY_HOME"


def _install_dir() -> Path:
    if is_frozen():
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable() -> bool:
    """True when a portable marker file sits beside the executable."""
    return (_install_dir() / PORTABLE_MARKER).is_file()


def data_dir() -> Path:
    """The folder for this user's data, created if needed."""
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override)
    elif is_portable():
        path = _install_dir() / "data"
    else:
        path = Path(platformdirs.user_data_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_database_path() -> Path:
    """The user's own database: shortlist, corrections, referral log."""
    return data_dir() / "user.db"


def installed_directory_path() -> Path:
    """Where an installed (newer) directory edition lives, if one has been installed."""
    return data_dir() / "directory.db"


def log_dir() -> Path:
    """Folder for log files (which never hold personal data)."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
