"""Directory schema version 6: what a service does not say, for filters with three outcomes.

Frozen, structure only. ``service_facets.fees_stated`` marks services whose record says
anything about cost (free or not), so the "free" filter can tell "known to be free",
"cost not stated" and "charges" apart (``core.filter_outcomes``). The index's tags gain
a "not stated" tag per code field (``store.search_tags``); like every derived table they
are refilled from the HSDS tables once all pending migrations have run.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m006_filter_outcomes"

SQL = """
ALTER TABLE service_facets ADD COLUMN fees_stated INTEGER NOT NULL DEFAULT 0;
"""


def apply(db: Database) -> None:
    """Add the column saying whether a service's cost is stated."""
    run_statements(db, SQL)
