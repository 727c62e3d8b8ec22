"""User schema version 3: the shortlist remembers each service's name.

Frozen: never edit. A shortlisted service can leave the directory (its source was removed,
or a new edition dropped it); with its name kept, the shortlist can say which one went
instead of silently showing one fewer. A service name is not about the client.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "u003_shortlist_names"

SQL = """
ALTER TABLE shortlist ADD COLUMN name TEXT;
"""


def apply(db: Database) -> None:
    """Add the name column (empty for services shortlisted before this version)."""
    run_statements(db, SQL)
