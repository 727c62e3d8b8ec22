"""Where the app keeps the user's own files (settings, shortlist, logs, installed editions).

Portable mode: a file named ``portable.txt`` next to the executable (or the project root
when run from source) keeps everything in a ``data`` folder beside it, for running from a
USB stick. Otherwise per-user folders from platformdirs; never next to the executable.
The environment variable ``COVENTRY_DIRECTORY_HOME`` overrides both (tests use it).

Everything here holds the user's own data (the referral log, mail settings, the outbox,
logs), so the folders are made private - 0700, only this user may open them - when they
are created, and put back to 0700 each time they are asked for (a folder made by an older
release, or by hand, may be open to every user of the computer). Log files are 0600 from
their first byte (:class:`PrivateLogHandler`). Windows keeps per-user folders private by
itself; there ``chmod`` means only "read-only", so it is left alone.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from coventry_directory import APP_ID
from coventry_directory.resources import is_frozen

PORTABLE_MARKER = "portable.txt"
HOME_ENV = "COVENTRY_DIRECTORY_HOME"
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parents) as a folder only this user can open; returns it.

    An existing folder is put back to 0700 too. A file system without permissions (a FAT USB
    stick in portable mode) is left as it is: nothing can be done there.
    """
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    _restrict(path, PRIVATE_FOLDER)
    return path


def _restrict(path: Path, mode: int) -> None:
    if os.name != "posix":
        return
    try:
        if stat.S_IMODE(os.lstat(path).st_mode) != mode and not path.is_symlink():
            os.chmod(path, mode)
    except OSError:
        pass  # gone meanwhile, or a file system without permissions


def _install_dir() -> Path:
    if is_frozen():
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable() -> bool:
    """True when a portable marker file sits beside the executable."""
    return (_install_dir() / PORTABLE_MARKER).is_file()


class DataFolderError(OSError):
    """The user-data folder cannot be made or written to; the message says which and why.

    An OSError, so whoever reports file errors reports this one; ``str(exc)`` and
    ``exc.strerror`` are the whole sentence (``filename`` stays empty: the sentence names it).
    """

    def __init__(self, path: Path, problem: OSError, doing: str):
        reason = problem.strerror or problem.__class__.__name__
        blocker = next((p for p in (*reversed(path.parents), path) if p.is_file()), None)
        if blocker is not None:  # ENOTDIR or EEXIST: say which file is in the way
            reason = f"{blocker} is a file, not a folder"
        message = (
            f"the data folder {path} {doing}: {reason} (free some space, fix its permissions, "
            f"or set {HOME_ENV} to a folder you can write to)"
        )
        super().__init__(problem.errno, message)
        self.strerror = message
        self.path = path


def _private_folder(path: Path) -> Path:
    """:func:`private_dir`, with a failure worded as :class:`DataFolderError`."""
    try:
        return private_dir(path)
    except OSError as exc:
        raise DataFolderError(path, exc, "cannot be created") from exc


def data_dir(*, create: bool = True) -> Path:
    """The folder for this user's data, created if needed (DataFolderError if it cannot be).

    ``create=False`` only names it, for readers that need nothing there yet: a search with
    no installed edition reads the shipped directory, whatever state the data folder is in.
    """
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override)
    elif is_portable():
        path = _install_dir() / "data"
    else:
        path = Path(platformdirs.user_data_dir(APP_ID, appauthor=False))
    return _private_folder(path) if create else path


USER_DATABASE = "user.db"


def require_writable_data_dir() -> Path:
    """The data folder, made if needed and proved writable; DataFolderError if it is not.

    Proved by making (and removing) a scratch file in it, and by opening an existing
    ``user.db`` for writing: permission bits say nothing about a read-only file system,
    and nothing at all to root. Commands that write the user's database call this first,
    so a read-only folder is one clear sentence before any work is done, not a database
    error halfway through it.
    """
    path = data_dir()
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
        user_db = path / USER_DATABASE
        if user_db.is_file():
            with open(user_db, "r+b"):
                pass  # opened for writing, nothing written: its bytes and times stay as they were
    except OSError as exc:
        raise DataFolderError(path, exc, "cannot be written to") from exc
    return path


def user_database_path() -> Path:
    """The user's own database: shortlist, corrections, referral log."""
    return data_dir() / USER_DATABASE


def installed_directory_path() -> Path:
    """Where an installed (newer) directory edition lives, if one has been installed.

    The data folder is made if it can be; if it cannot (read-only, under a file), the path
    is still returned: a reader then finds no installed edition and reads the shipped one,
    and whoever installs an edition proves the folder writable first.
    """
    try:
        return data_dir() / "directory.db"
    except DataFolderError:
        return data_dir(create=False) / "directory.db"


def log_dir() -> Path:
    """Folder for log files (which never hold personal data, but are the user's): 0700, its files 0600."""
    path = _private_folder(data_dir() / "logs")
    for each in path.iterdir():
        if each.is_file() and not each.is_symlink():
            _restrict(each, PRIVATE_FILE)
    return path


class PrivateLogHandler(RotatingFileHandler):
    """A rotating log file that is 0600 from its first byte, and so is each file it rotates to."""

    def _open(self):  # logging's hook for (re)opening the file
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        _restrict(Path(self.baseFilename), PRIVATE_FILE)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)
