"""Part of the store: opening, checking, copying, backing up and migrating SQLite files.

Also keeps the user's own database private (:func:`make_private`): 0600, like its backups.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from coventry_directory.atomic_write import fsync_file
from coventry_directory.store.errors import StoreError
from coventry_directory.store.migrations import DIRECTORY_MIGRATIONS
from coventry_directory.store.search_index import rebuild_search_index


def fts5_available() -> bool:
    """True when this Python's sqlite3 has FTS5 compiled in."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def sqlite_library_version() -> str:
    """The version of the SQLite library this Python uses (e.g. "3.45.1")."""
    return sqlite3.sqlite_version


def _read_only_uri(path: Path) -> str:
    # as_uri() percent-encodes, so a folder named "a?b" or "50%" still opens the right file
    return Path(path).resolve().as_uri() + "?mode=ro"


PRIVATE_FILE = 0o600  # the user's own database and its backups: only this user may read them
_SIDECARS = ("-journal", "-wal", "-shm")


def _backup_glob(path: Path) -> str:
    return f"{path.stem}.backup-*{path.suffix}"


def _chmod(path: Path, mode: int) -> None:
    if os.name != "posix":
        return  # Windows: the per-user profile folder is already the user's own
    try:
        if stat.S_IMODE(os.stat(path).st_mode) != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # not there (no journal now), or a file system without permissions (a FAT USB stick)


def _create(path: Path, mode: int) -> None:
    """Create an empty file with permission ``mode`` (narrowed by the umask) unless one is there."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode))


def make_private(path: Path) -> None:
    """Create ``path`` as an empty 0600 file if missing; put it, its journals and its backups back to 0600.

    Called before the user's database is opened, so SQLite never creates it with the
    umask's permissions (usually 0644, readable by every user of the computer), and a file
    left readable by an older release is closed up again. SQLite gives the journals it
    makes the database file's permissions.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _create(path, PRIVATE_FILE)
    for each in (
        path,
        *(path.with_name(path.name + s) for s in _SIDECARS),
        *path.parent.glob(_backup_glob(path)),
    ):
        _chmod(each, PRIVATE_FILE)


def backup_database(path: Path) -> Path:
    """Copy a database file (consistently, via SQLite's backup API) beside itself.

    The copy gets the original's permissions before a byte is written: a backup of the
    user's private database is as private as the database (0600), one of the shared
    directory as readable as the directory.
    """
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    _create(target, mode)
    _chmod(target, mode)  # the umask may have narrowed it; an existing file may have been wider
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def open_checked(path: Path, *, readonly: bool = False) -> Database:
    """A Database on ``path`` that has been read once, so a non-database fails here, clearly.

    ``readonly`` opens it with SQLite's ``mode=ro``: nothing through this connection can
    change the file (a background search thread, or a directory shipped in a read-only
    program folder).
    """
    try:
        if readonly:
            conn = sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=True)
        else:
            conn = sqlite3.connect(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The file {path} is not a readable database ({exc}). Reinstall the directory or restore a backup."
        ) from exc
    return Database(conn)


def migrate(db: Database, path: Path | None, migrations: Migrations = DIRECTORY_MIGRATIONS) -> Path | None:
    """Apply pending migrations; back up a database that already has tables first.

    After the directory's structure is up to date its derived search tables are rebuilt
    once, from the HSDS rows, with today's code: the migrations themselves only create
    structure. Returns the backup's path, or None when nothing was backed up.
    """
    pending = migrations.pending(db)
    if not pending:
        return None
    backup = None
    if path is not None and db.table_names():
        backup = backup_database(path)
    migrations.apply(db)
    if migrations is DIRECTORY_MIGRATIONS:
        with db.atomic():
            rebuild_search_index(db)
    return backup


def copy_database(src: Path, dst: Path, *, sync: bool = True) -> None:
    """A consistent copy of a database file (SQLite's backup API), fsynced before return unless not ``sync``.

    ``sync=False`` is for a staging copy that the installer fsyncs before swapping it in.
    """
    dst = Path(dst)
    if dst.exists():
        dst.unlink()
    try:
        source = sqlite3.connect(_read_only_uri(src), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"The directory database {src} cannot be opened: {exc}") from exc
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise StoreError(f"The directory database {src} cannot be copied: {exc}") from exc
    finally:
        target.close()
        source.close()
    if sync:
        fsync_file(dst)


def check_database(path: Path, *, thorough: bool = True) -> dict[str, str]:
    """Open a directory file read-only, run SQLite's integrity check; return its directory_info.

    ``thorough=False`` runs ``quick_check`` instead (it skips matching every index against
    its table): for a file this app has just written itself, where the full check of a
    national-sized directory would take longer than writing it. A file from elsewhere (a
    bundle) gets the full check. Raises StoreError (with the reason) when the file is not a
    sound directory database.
    """
    path = Path(path)
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path} cannot be opened: {exc}") from exc
    try:
        result = conn.execute("PRAGMA integrity_check" if thorough else "PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"{path} is damaged: {result}")
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"service", "directory_info"} <= names:
            raise StoreError(f"{path} is not a Coventry Directory database")
        return dict(conn.execute("SELECT key, value FROM directory_info").fetchall())
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable database: {exc}") from exc
    finally:
        conn.close()


def read_info(path: Path) -> dict[str, str]:
    """directory_info of a database file, read-only; {} when it cannot be read."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM directory_info").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
