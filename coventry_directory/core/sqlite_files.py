"""Part of the store: opening, checking, backing up and migrating SQLite files."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from coventry_directory.core.schema import DIRECTORY_MIGRATIONS


class StoreError(Exception):
    """A problem with a database file, worded for the person using the app."""


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


def backup_database(path: Path) -> Path:
    """Copy a database file (consistently, via SQLite's backup API) beside itself."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def open_checked(path: Path) -> Database:
    try:
        conn = sqlite3.connect(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The file {path} is not a readable database ({exc}). "
            "Reinstall the directory or restore a backup."
        ) from exc
    return Database(conn)


def migrate(db: Database, path: Path | None, migrations=DIRECTORY_MIGRATIONS) -> Path | None:
    """Apply pending migrations; back up a database that already has tables first.

    Returns the backup's path, or None when nothing was backed up.
    """
    pending = migrations.pending(db)
    if not pending:
        return None
    backup = None
    if path is not None and db.table_names():
        backup = backup_database(path)
    migrations.apply(db)
    return backup
