"""Today's database shape: HSDS 3.0 tables and their fields, indexes, and the search index columns.

Code that reads or writes HSDS rows (export, import, sync) takes table and column names
from here, never from input. Migrations do not: each keeps a frozen copy of its version's
SQL in ``store/migrations/``, and ``tests/test_schema.py`` checks the two agree.
"""

from __future__ import annotations

from functools import cache

# HSDS 3.0 tables with their scalar fields, in the spec's order. Types: TEXT unless named.
HSDS_TABLES: dict[str, tuple[str, ...]] = {
    "organization": (
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated:REAL",
        "legal_status",
        "logo",
        "uri",
        "parent_organization_id",
    ),
    "program": ("id", "organization_id", "name", "alternate_name", "description"),
    "service": (
        "id",
        "organization_id",
        "program_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "wait_time",
        "fees",
        "accreditations",
        "eligibility_description",
        "minimum_age:REAL",
        "maximum_age:REAL",
        "assured_date",
        "assurer_email",
        "licenses",
        "alert",
        "last_modified",
    ),
    "location": (
        "id",
        "location_type",
        "url",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude:REAL",
        "longitude:REAL",
        "external_identifier",
        "external_identifier_type",
    ),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "address": (
        "id",
        "location_id",
        "attention",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    "contact": (
        "id",
        "organization_id",
        "service_id",
        "service_at_location_id",
        "location_id",
        "name",
        "title",
        "department",
        "email",
    ),
    "phone": (
        "id",
        "location_id",
        "service_id",
        "organization_id",
        "contact_id",
        "service_at_location_id",
        "number",
        "extension:REAL",
        "type",
        "description",
    ),
    "schedule": (
        "id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "dtstart",
        "timezone:REAL",
        "until",
        "count:REAL",
        "wkst",
        "freq",
        "interval:REAL",
        "byday",
        "byweekno",
        "bymonthday",
        "byyearday",
        "description",
        "opens_at",
        "closes_at",
        "schedule_link",
        "attending_type",
        "notes",
    ),
    "service_area": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "language": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "accessibility": ("id", "location_id", "description", "details", "url"),
    "cost_option": (
        "id",
        "service_id",
        "valid_from",
        "valid_to",
        "option",
        "currency",
        "amount:REAL",
        "amount_description",
    ),
    "funding": ("id", "organization_id", "service_id", "source"),
    "organization_identifier": ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    "required_document": ("id", "service_id", "document", "uri"),
    "taxonomy": ("id", "name", "description", "uri", "version"),
    "taxonomy_term": (
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "language",
        "taxonomy_id",
        "term_uri",
    ),
    "attribute": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
    "metadata": (
        "id",
        "resource_id",
        "resource_type",
        "last_action_date",
        "last_action_type",
        "field_name",
        "previous_value",
        "replacement_value",
        "updated_by",
    ),
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

# When a row could hang under several parents, it is written once, under the first of
# these foreign keys that is set (most specific first). Writing each row exactly once keeps
# the order of every list stable through export -> import -> export.
OWNER_PRECEDENCE: tuple[str, ...] = (
    "service_at_location_id",
    "service_id",
    "location_id",
    "contact_id",
    "phone_id",
    "organization_id",
)


def owner_columns(table: str) -> tuple[str, ...]:
    """The foreign keys of ``table`` that can make a row a nested child, by precedence."""
    cols = column_names(table)
    return tuple(c for c in OWNER_PRECEDENCE if c in cols)


SEARCH_TABLE = "service_search"
SEARCH_COLUMNS = ("name", "organization", "categories", "keywords", "description")


def column_names(table: str) -> list[str]:
    """The HSDS field names of ``table``."""
    return list(_column_names(table))


@cache
def _column_names(table: str) -> tuple[str, ...]:
    # called for every field of every record an import reads: worked out once per table
    return tuple(c.split(":")[0] for c in HSDS_TABLES[table])
