"""Directory schema version 5: place and facet tags in the full-text index; weekly opening hours.

Frozen, structure only. The index of version 2 is replaced by one with a ``tags`` column
(map grid cells, catchment areas, national coverage, substances: ``store.search_tags``),
so one FTS5 query can ask for "these words, near here"; ``service_week`` holds each
service's opening hours as weekly spans (``store.open_hours``) for "open at" search, and
``service_date`` the dated occurrences of hours that are not the same every week, for the
days in ``service_date_window``;
``service_facets.edition`` marks the services the Coventry and Warwickshire edition describes
(its scope is the area, whether or not a record names its catchment), and ``elsewhere``
those with no map point whose address the gazetteer cannot place (outside the area); ``search_term`` lists the index's words with how many services use each (for prefixes
and typo correction, without counting them over the whole index at every start). All
are derived: refilled from the HSDS tables once all pending migrations have run.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m005_search_places"

SQL = """
DROP TABLE IF EXISTS service_search;
CREATE VIRTUAL TABLE service_search USING fts5(
    service_id UNINDEXED, name, organization, categories, keywords, description, tags,
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE service_week (
    service_id TEXT NOT NULL, weekday INTEGER NOT NULL, opens INTEGER NOT NULL, closes INTEGER NOT NULL,
    first_day TEXT, last_day TEXT, whole_day INTEGER NOT NULL
);
CREATE INDEX idx_service_week_service ON service_week (service_id, weekday);
CREATE TABLE service_date (
    service_id TEXT NOT NULL, day TEXT NOT NULL, opens INTEGER NOT NULL, closes INTEGER NOT NULL,
    whole_day INTEGER NOT NULL
);
CREATE INDEX idx_service_date_service ON service_date (service_id, day);
CREATE TABLE service_date_window (first_day TEXT NOT NULL, last_day TEXT NOT NULL);
ALTER TABLE service_facets ADD COLUMN edition INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_facets ADD COLUMN elsewhere INTEGER NOT NULL DEFAULT 0;
CREATE TABLE search_term (term TEXT PRIMARY KEY NOT NULL, docs INTEGER NOT NULL) WITHOUT ROWID;
"""


def apply(db: Database) -> None:
    """Replace the full-text index table with one that has a tags column; add the weekly hours table."""
    run_statements(db, SQL)
