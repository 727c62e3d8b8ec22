"""User schema version 4: the keeper's queue of correction notes received from workers.

Frozen: never edit. The notes come in from workers' exports and emails (``corrections
import``) and stay: an outcome is added to a note, a note is never deleted. The id is
derived from the note's own content (service, time written, text), so importing the same
file twice adds nothing. A note says which service and what is wrong; it holds no client
details, but its text is the worker's own words, so it lives here, in the keeper's private
database, and never in the public directory sources.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "u004_correction_queue"

SQL = """
CREATE TABLE correction_queue (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL,
    service_key TEXT,
    service_name TEXT,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reported_by TEXT,
    edition TEXT,
    source_file TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    resolved_at TEXT,
    resolved_by TEXT,
    resolution_note TEXT
);
CREATE INDEX idx_correction_queue_status ON correction_queue (status, created_at);
"""


def apply(db: Database) -> None:
    """Create the queue table and its index on status and date."""
    run_statements(db, SQL)
