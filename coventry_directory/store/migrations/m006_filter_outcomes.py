"""Directory schema version 6: what a service does not say, for filters with three outcomes.

Frozen, structure only. ``service_facets.fees_stated`` marks services whose record says
anything about cost (free or not), so the "free" filter can tell "known to be free",
"cost not stated" and "charges" apart, and ``groups_for`` holds the groups a service
that requires its groups is only for (``core.eligibility.required_groups``: empty when it
is open to anyone as far as groups go), both for ``store.search_filters``. ``service_rule`` holds
each schedule's validity and whether its hours can be worked out at all, so "open at" can
tell "closed then" from "not known then" exactly as the details do (``store.open_hours``).
The index's tags gain a "not stated" tag per code field and hour-of-week tags
(``store.search_tags``); like every derived table they are refilled from the HSDS tables
once all pending migrations have run.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m006_filter_outcomes"

SQL = """
ALTER TABLE service_facets ADD COLUMN fees_stated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_facets ADD COLUMN groups_for TEXT NOT NULL DEFAULT '';
CREATE TABLE service_rule (service_id TEXT NOT NULL, timed INTEGER NOT NULL, valid_from TEXT, valid_to TEXT);
CREATE INDEX idx_service_rule_service ON service_rule (service_id);
"""


def apply(db: Database) -> None:
    """Add the column saying whether a service's cost is stated, and the table of schedule validity."""
    run_statements(db, SQL)
