"""Directory schema version 7: the search tables joined by row number, not by service id.

Frozen, structure only. A service's row in the full-text index, in ``service_facets`` and
in ``service_folded`` has the same rowid (``store.search_index`` writes them so), and
``service_point.row`` holds it for each map point, with an index covering the point, so
a search joins what it draws from the index by integer row: never reading the index's
stored text to find a service id (4-6 ms per query at 100,000 services). Like every
derived table they are refilled from the HSDS tables once all pending migrations have run.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m007_search_rows"

SQL = """
ALTER TABLE service_point ADD COLUMN row INTEGER NOT NULL DEFAULT 0;
CREATE INDEX idx_service_point_row ON service_point (row, latitude, longitude, precision);
"""


def apply(db: Database) -> None:
    """Add the row number of its service to each map point, indexed with the point."""
    run_statements(db, SQL)
