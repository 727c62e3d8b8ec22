"""The database schema: HSDS 3.0 tables and fields, plus our search index, as migrations.

Every schema change is a new function registered on ``DIRECTORY_MIGRATIONS`` (or
``USER_MIGRATIONS`` for the user's own database); never edit an applied one. Old-schema
fixtures for the tests live in ``tests/fixtures/``.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# HSDS 3.0 tables with their scalar fields, in the spec's order. Types: TEXT unless named.
HSDS_TABLES: dict[str, tuple[str, ...]] = {
    "organization": ("id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated:REAL", "legal_status", "logo", "uri", "parent_organization_id"),
    "program": ("id", "organization_id", "name", "alternate_name", "description"),
    "service": ("id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age:REAL", "maximum_age:REAL", "assured_date", "assurer_email", "licenses", "alert", "last_modified"),
    "location": ("id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude:REAL", "longitude:REAL", "external_identifier", "external_identifier_type"),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "address": ("id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"),
    "contact": ("id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department", "email"),
    "phone": ("id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension:REAL", "type", "description"),
    "schedule": ("id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone:REAL", "until", "count:REAL", "wkst", "freq", "interval:REAL", "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"),
    "service_area": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "language": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "accessibility": ("id", "location_id", "description", "details", "url"),
    "cost_option": ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount:REAL", "amount_description"),
    "funding": ("id", "organization_id", "service_id", "source"),
    "organization_identifier": ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    "required_document": ("id", "service_id", "document", "uri"),
    "taxonomy": ("id", "name", "description", "uri", "version"),
    "taxonomy_term": ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"),
    "attribute": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "metadata": ("id", "resource_id", "resource_type", "last_action_date", "last_action_type", "field_name", "previous_value", "replacement_value", "updated_by"),
    "meta_table_description": ("id", "name", "language", "character_set"),
}

# Indexes the queries rely on (foreign keys and attribute look-ups).
HSDS_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("service", ("organization_id",)),
    ("service_at_location", ("service_id",)),
    ("service_at_location", ("location_id",)),
    ("address", ("location_id",)),
    ("phone", ("service_id",)),
    ("phone", ("location_id",)),
    ("schedule", ("service_id",)),
    ("service_area", ("service_id",)),
    ("language", ("service_id",)),
    ("attribute", ("link_id",)),
    ("attribute", ("taxonomy_term_id",)),
    ("taxonomy_term", ("taxonomy", "code")),
)

SEARCH_TABLE = "service_search"
SEARCH_COLUMNS = ("name", "organization", "categories", "keywords", "description")

DIRECTORY_MIGRATIONS = Migrations("coventry_directory")
USER_MIGRATIONS = Migrations("coventry_directory_user")


def column_names(table: str) -> list[str]:
    """The HSDS field names of ``table``."""
    return [c.split(":")[0] for c in HSDS_TABLES[table]]


def _column_sql(spec: str) -> str:
    name, _, sql_type = spec.partition(":")
    if name == "id":
        return "id TEXT PRIMARY KEY NOT NULL"
    return f"[{name}] {sql_type or 'TEXT'}"


@DIRECTORY_MIGRATIONS(name="m001_hsds_tables")
def m001_hsds_tables(db: Database) -> None:
    """The HSDS 3.0 tables and our directory_info key/value table."""
    for table, columns in HSDS_TABLES.items():
        db.execute(f"CREATE TABLE [{table}] ({', '.join(_column_sql(c) for c in columns)})")
    for table, cols in HSDS_INDEXES:
        db[table].create_index(list(cols))
    db.execute("CREATE TABLE directory_info (key TEXT PRIMARY KEY NOT NULL, value TEXT)")


@DIRECTORY_MIGRATIONS(name="m002_search_index")
def m002_search_index(db: Database) -> None:
    """FTS5 index over service and organisation text, filled from the HSDS tables."""
    cols = ", ".join(SEARCH_COLUMNS)
    db.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        f"service_id UNINDEXED, {cols}, tokenize='unicode61 remove_diacritics 2')"
    )
    # Local import: the store owns the SQL that fills the index; importing at module
    # level would be circular (the store imports this module).
    from coventry_directory.core.store_search import rebuild_fts

    rebuild_fts(db)


@USER_MIGRATIONS(name="u001_user_tables")
def u001_user_tables(db: Database) -> None:
    """Shortlist, corrections queue and settings for one user."""
    db.execute(
        "CREATE TABLE shortlist (service_id TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL, added_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE correction (id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, "
        "note TEXT NOT NULL, created_at TEXT NOT NULL, sent_at TEXT)"
    )
    db.execute("CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT)")


@DIRECTORY_MIGRATIONS(name="m003_search_facets")
def m003_search_facets(db: Database) -> None:
    """Denormalised facets and map points per service, so search filters and ranks without joins."""
    db.execute(
        "CREATE TABLE service_facets (service_id TEXT PRIMARY KEY NOT NULL, key TEXT, name TEXT, organization TEXT, "
        "status TEXT, assured_date TEXT, evidence_date TEXT, "
        "categories TEXT, genders TEXT, substances TEXT, client_groups TEXT, groups_required INTEGER, "
        "referral_routes TEXT, delivery_modes TEXT, catchment TEXT, national INTEGER, languages TEXT, "
        "minimum_age REAL, maximum_age REAL, has_schedule INTEGER, free INTEGER, verification TEXT)"
    )
    db.execute(
        "CREATE TABLE service_point (service_id TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL, "
        "precision TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_service_point_service ON service_point (service_id)")
    db.execute("CREATE INDEX idx_service_point_latitude ON service_point (latitude)")
    # the indexed text again, folded to plain words once at build time, so ranking a
    # candidate is a few substring tests instead of Unicode work per query
    db.execute(
        "CREATE TABLE service_folded (service_id TEXT PRIMARY KEY NOT NULL, name TEXT, organization TEXT, "
        "categories TEXT, keywords TEXT, description TEXT)"
    )
    db.execute("CREATE INDEX idx_service_facets_name ON service_facets (name)")
    from coventry_directory.core.store_search import rebuild_facets, rebuild_folded

    rebuild_folded(db)
    rebuild_facets(db)


@USER_MIGRATIONS(name="u002_referrals")
def u002_referrals(db: Database) -> None:
    """Referral outbox metadata and the referral log (issue 6).

    Neither table holds a client's personal data: the referral itself waits encrypted in a
    file beside the database; these rows hold only the service, dates, status, the
    Message-ID and an optional local reference the worker chose.
    """
    db.execute(
        "CREATE TABLE referral_outbox (id TEXT PRIMARY KEY NOT NULL, service_id TEXT NOT NULL, "
        "service_name TEXT NOT NULL, to_address TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE, "
        "queued_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, "
        "last_error TEXT, needs_attention INTEGER NOT NULL DEFAULT 0, sent_at TEXT, purge_after TEXT)"
    )
    db.execute(
        "CREATE TABLE referral_log (id TEXT PRIMARY KEY NOT NULL, service_id TEXT NOT NULL, "
        "service_name TEXT NOT NULL, created_at TEXT NOT NULL, delivery TEXT NOT NULL, status TEXT NOT NULL, "
        "status_at TEXT NOT NULL, follow_up_by TEXT, local_reference TEXT, message_id TEXT, "
        "consent_at TEXT, shared_fields TEXT)"
    )
    db.execute("CREATE INDEX idx_referral_log_follow_up ON referral_log (follow_up_by)")
