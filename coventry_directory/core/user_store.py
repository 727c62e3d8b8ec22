"""Part of the store: the user's own database (shortlist, correction notes, settings)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from coventry_directory.core.schema import USER_MIGRATIONS
from coventry_directory.core.sqlite_files import StoreError, migrate, open_checked


class UserStore:
    """The user's own database: shortlist, correction notes and settings."""

    def __init__(self, path: Path | None):
        if path is None:
            self.db = Database(memory=True)
        else:
            self.db = open_checked(path)
        try:
            migrate(self.db, path, USER_MIGRATIONS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Your data file {path} could not be upgraded: {exc}") from exc

    def shortlist(self) -> list[str]:
        """Service ids on the shortlist, in the order added."""
        return [r[0] for r in self.db.execute("SELECT service_id FROM shortlist ORDER BY position")]

    def add_to_shortlist(self, service_id: str) -> None:
        """Add a service (no-op when already there)."""
        with self.db.atomic():
            pos = self.db.execute("SELECT coalesce(max(position), 0) + 1 FROM shortlist").fetchone()[0]
            self.db.execute(
                "INSERT OR IGNORE INTO shortlist (service_id, position, added_at) VALUES (?, ?, ?)",
                [service_id, pos, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")],
            )

    def remove_from_shortlist(self, service_id: str) -> None:
        """Take a service off the shortlist."""
        with self.db.atomic():
            self.db.execute("DELETE FROM shortlist WHERE service_id = ?", [service_id])

    def clear_shortlist(self) -> None:
        """Empty the shortlist."""
        with self.db.atomic():
            self.db.execute("DELETE FROM shortlist")

    def add_correction(self, service_id: str, note: str) -> int:
        """Queue a correction note for the directory maintainer; returns its id."""
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO correction (service_id, note, created_at) VALUES (?, ?, ?)",
                [service_id, note, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")],
            )
            return cur.lastrowid

    def corrections(self, unsent_only: bool = True) -> list[dict]:
        """Queued correction notes."""
        where = "WHERE sent_at IS NULL" if unsent_only else ""
        return [dict(r) for r in self.db.query(f"SELECT * FROM correction {where} ORDER BY id")]

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A stored setting."""
        row = self.db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.db.atomic():
            self.db.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", [key, value])

    def close(self) -> None:
        """Close the connection."""
        self.db.conn.close()
