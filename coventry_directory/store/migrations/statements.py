"""Runs a frozen migration's SQL text one statement at a time.

Not ``executescript``: that commits the open transaction first, and sqlite-utils runs each
migration and the record of it inside one transaction, so a failed step leaves nothing.
"""

from __future__ import annotations

from sqlite_utils import Database


def run_statements(db: Database, sql: str) -> None:
    """Execute each ``;``-terminated statement of ``sql`` (frozen DDL holds no other semicolons)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)
