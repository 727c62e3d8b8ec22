"""Part of the store: the user's own database (shortlist, correction notes, settings).

The file holds the referral log and the mail settings: it is private (0600), created so
from its first byte and put back to 0600 whenever it is opened (a file from an older
release, or one copied in by hand, may have been readable by others). The backups
migrations make beside it are made private too (``database_files.backup_database``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlite_utils import Database

from coventry_directory.store.database_files import make_private, migrate, open_checked
from coventry_directory.store.errors import StoreError
from coventry_directory.store.migrations import USER_MIGRATIONS


class UserStore:
    """The user's own database: shortlist, correction notes and settings."""

    def __init__(self, path: Path | None):
        if path is None:
            self._db = Database(memory=True)
        else:
            try:
                make_private(path)
            except OSError as exc:
                raise StoreError(f"Your data file {path} cannot be opened: {exc.strerror or exc}") from exc
            self._db = open_checked(path)
        try:
            migrate(self._db, path, USER_MIGRATIONS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Your data file {path} could not be upgraded: {exc}") from exc

    def shortlist(self) -> list[str]:
        """Service ids on the shortlist, in the order added."""
        return [r[0] for r in self._db.execute("SELECT service_id FROM shortlist ORDER BY position")]

    def shortlist_names(self) -> dict[str, str]:
        """{service id: the name it had when shortlisted} ('' for entries older than names)."""
        return {r[0]: r[1] or "" for r in self._db.execute("SELECT service_id, name FROM shortlist")}

    def add_to_shortlist(self, service_id: str, name: str = "") -> None:
        """Add a service (no-op when already there), remembering its name for when it leaves the directory."""
        with self._db.atomic():
            pos = self._db.execute("SELECT coalesce(max(position), 0) + 1 FROM shortlist").fetchone()[0]
            self._db.execute(
                "INSERT OR IGNORE INTO shortlist (service_id, position, added_at, name) VALUES (?, ?, ?, ?)",
                [service_id, pos, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), name],
            )

    def remove_from_shortlist(self, service_id: str) -> None:
        """Take a service off the shortlist."""
        with self._db.atomic():
            self._db.execute("DELETE FROM shortlist WHERE service_id = ?", [service_id])

    def clear_shortlist(self) -> None:
        """Empty the shortlist."""
        with self._db.atomic():
            self._db.execute("DELETE FROM shortlist")

    def add_correction(self, service_id: str, note: str) -> int:
        """Queue a correction note for the directory maintainer; returns its id."""
        with self._db.atomic():
            cur = self._db.execute(
                "INSERT INTO correction (service_id, note, created_at) VALUES (?, ?, ?)",
                [service_id, note, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            )
            return int(cur.lastrowid or 0)

    def corrections(self, unsent_only: bool = True) -> list[dict]:
        """Queued correction notes."""
        where = "WHERE sent_at IS NULL" if unsent_only else ""
        return [dict(r) for r in self._db.query(f"SELECT * FROM correction {where} ORDER BY id")]

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A stored setting."""
        row = self._db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        self.set_settings({key: value})

    def set_settings(self, items: Mapping[str, str]) -> None:
        """Store several settings in one transaction: all of them are saved, or none."""
        with self._db.atomic():
            self._db.conn.executemany(
                "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", [(k, v) for k, v in items.items()]
            )

    def mark_corrections_sent(self, ids: Sequence[int], when: str) -> None:
        """Record that these queued correction notes were sent."""
        with self._db.atomic():
            self._db.conn.executemany("UPDATE correction SET sent_at = ? WHERE id = ?", [(when, i) for i in ids])

    def close(self) -> None:
        """Close the connection."""
        self._db.conn.close()
