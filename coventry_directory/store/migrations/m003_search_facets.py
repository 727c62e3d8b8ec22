"""Directory schema version 3: per-service facets, map points and folded text for ranking.

Frozen, structure only (filled after migrating, like the full-text index). The folded
table holds the indexed text folded to plain words once at build time, so ranking a
candidate is a few substring tests instead of Unicode work per query.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m003_search_facets"

SQL = """
CREATE TABLE service_facets (
    service_id TEXT PRIMARY KEY NOT NULL, key TEXT, name TEXT, organization TEXT,
    status TEXT, assured_date TEXT, evidence_date TEXT,
    categories TEXT, genders TEXT, substances TEXT, client_groups TEXT, groups_required INTEGER,
    referral_routes TEXT, delivery_modes TEXT, catchment TEXT, national INTEGER, languages TEXT,
    minimum_age REAL, maximum_age REAL, has_schedule INTEGER, free INTEGER, verification TEXT
);
CREATE TABLE service_point (
    service_id TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL, precision TEXT NOT NULL
);
CREATE INDEX idx_service_point_service ON service_point (service_id);
CREATE INDEX idx_service_point_latitude ON service_point (latitude);
CREATE TABLE service_folded (
    service_id TEXT PRIMARY KEY NOT NULL, name TEXT, organization TEXT,
    categories TEXT, keywords TEXT, description TEXT
);
CREATE INDEX idx_service_facets_name ON service_facets (name);
"""


def apply(db: Database) -> None:
    """Create the facet, point and folded-text tables."""
    run_statements(db, SQL)
