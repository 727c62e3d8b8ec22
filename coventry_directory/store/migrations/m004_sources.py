"""Directory schema version 4: where each service came from, when the directory has several sources.

Frozen, structure only. ``directory_source`` lists the sources a composed directory was
made from (the shipped or installed edition, imported files, feeds, meeting lists), in
the order their facts take precedence; ``service_source`` names, for every service, each
source that described it and the id it had there (one service may come from two sources
that described the same service). Both are filled when the directory is composed
(``store.compose``); an edition that was never composed has them empty.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m004_sources"

SQL = """
CREATE TABLE directory_source (
    name TEXT PRIMARY KEY NOT NULL, rank INTEGER NOT NULL, kind TEXT NOT NULL,
    location TEXT, format TEXT, services INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT, pulled_at TEXT, problems INTEGER NOT NULL DEFAULT 0, stamp TEXT
);
CREATE TABLE service_source (
    service_id TEXT NOT NULL, source TEXT NOT NULL, record_id TEXT NOT NULL, matched_by TEXT NOT NULL,
    PRIMARY KEY (service_id, source, record_id)
);
CREATE INDEX idx_service_source_source ON service_source (source);
"""


def apply(db: Database) -> None:
    """Create the source list and the per-service provenance table."""
    run_statements(db, SQL)
