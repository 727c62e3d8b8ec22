"""Directory schema version 8: an organisation's locations and services found by index.

Frozen, structure only. A service whose own record gives no way to reach it can still be
asked about at its organisation's base (``core.fallbacks``), and the review counts such an
address as a contact route, as the directory's sources do. Loading an organisation's
locations by ``organization_id`` scanned the whole location table (100,000 rows with a
national feed in); these indexes make it one lookup per organisation.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m008_organization_links"

SQL = """
CREATE INDEX idx_location_organization ON location (organization_id);
CREATE INDEX idx_service_organization ON service (organization_id);
"""


def apply(db: Database) -> None:
    """Index locations and services by the organisation they belong to."""
    run_statements(db, SQL)
