"""Directory schema version 2: the FTS5 full-text index over service and organisation text.

Frozen, structure only: the index is filled by ``store.search_index`` once all pending
migrations have run (see ``store.database_files.migrate``), never from here.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m002_search_index"

SQL = """
CREATE VIRTUAL TABLE service_search USING fts5(
    service_id UNINDEXED, name, organization, categories, keywords, description,
    tokenize='unicode61 remove_diacritics 2'
);
"""


def apply(db: Database) -> None:
    """Create the full-text index table."""
    run_statements(db, SQL)
