"""Disk and database failures in words a user can act on, for every front end and writer.

The system's own texts name neither the problem's cause nor the file it hit ("No space
left on device", SQLite's "database or disk is full", "File exists" for a file standing
where a folder is needed). :func:`os_error_text` words an OSError; :func:`database_error`
turns a SQLite error into an OSError about the file being written, so that a full disk is
"no space left on the disk holding FILE" whichever library was writing.

SQLite errors are recognised by their ``sqlite_errorname`` attribute (every
``sqlite3.Error`` has it): nothing outside ``store/`` imports sqlite3.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# SQLite's primary result codes, by what the user can do about them.
_DB_FULL = {"SQLITE_FULL"}
_DB_UNWRITABLE = {"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"}


def os_error_text(exc: BaseException) -> str:
    """A file or network problem in words: the reason, then the file it concerns (if any).

    A full disk says so plainly ("no space left on the disk holding FILE"), and a file in
    the way of a folder says which file.
    """
    filename = getattr(exc, "filename", None)
    name = os.fsdecode(filename) if isinstance(filename, (str, bytes)) else ""
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", None):
        where = f"the disk holding {name}" if name else "the disk"
        return f"no space left on {where}; nothing was written (free some space and try again)"
    if name and code == errno.ENOTDIR:
        blocker = next((p for p in reversed(Path(name).parents) if p.is_file()), None)
        if blocker is not None:
            return f"cannot use {name}: {blocker} is a file, not a folder"
    if name and code == errno.EEXIST and Path(name).exists() and not Path(name).is_dir():
        return f"cannot make the folder {name}: a file of that name is in the way"
    if name and code == errno.EROFS:
        return f"cannot write {name}: it is on a read-only disk"
    reason = getattr(exc, "strerror", None) or exc
    return f"{reason}: {name}".rstrip(": ")


def database_error(exc: BaseException, path: Path | str | None) -> OSError | None:
    """A SQLite error met while writing ``path``, as an OSError worded for the user; None if ``exc`` is not one.

    A full disk becomes ENOSPC (reported as "no space left on the disk holding ..."); a
    read-only file, folder or disk says so; any other database error keeps SQLite's words.
    """
    name = getattr(exc, "sqlite_errorname", None)
    if not isinstance(name, str):
        return None
    base = "_".join(name.split("_")[:2])  # SQLITE_READONLY_DIRECTORY -> SQLITE_READONLY
    where = str(path) if path is not None else None
    what = f"the database {where}" if where else "a database"
    if base in _DB_FULL:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), where)
    if base in _DB_UNWRITABLE:
        return OSError(errno.EACCES, f"{what} cannot be written: its file, folder or disk is read-only ({exc})")
    return OSError(errno.EIO, f"{what} could not be read or written: {exc}")


@contextmanager
def database_writes(path: Path | str | None) -> Iterator[None]:
    """Raise a SQLite error from inside the block as :func:`database_error` words it.

    An OSError about one of ``path``'s scratch files (``directory.db.incoming-123``,
    ``d.db.building``, a journal) is made to name ``path`` itself: the user chose that name
    and has never heard of the others.
    """
    try:
        yield
    except OSError as exc:
        if path is not None and _is_scratch_of(exc.filename, Path(path)):
            exc.filename = str(path)
        raise
    except Exception as exc:
        worded = database_error(exc, path)
        if worded is None:
            raise
        raise worded from exc


def _is_scratch_of(filename: object, target: Path) -> bool:
    if not isinstance(filename, (str, bytes)):
        return False
    name = Path(os.fsdecode(filename))
    return name.parent == target.parent and name.name.startswith(target.name + ".")
