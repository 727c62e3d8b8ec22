"""User schema version 1: shortlist, queued correction notes and settings for one user.

Frozen: never edit; a change is a new migration module.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "u001_user_tables"

SQL = """
CREATE TABLE shortlist (
    service_id TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL, added_at TEXT NOT NULL
);
CREATE TABLE correction (
    id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL, sent_at TEXT
);
CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT);
"""


def apply(db: Database) -> None:
    """Create the user tables."""
    run_statements(db, SQL)
