"""The database schema uses HSDS 3.0 table and field names."""

from __future__ import annotations

import json

import pytest

from coventry_directory.resources import resource_path
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.schema import HSDS_TABLES, SEARCH_TABLE, column_names

SCHEMA_DIR = resource_path("hsds-3.0", "schema")


@pytest.mark.parametrize("table", sorted(HSDS_TABLES))
def test_table_fields_match_hsds(table):
    spec = json.loads((SCHEMA_DIR / f"{table}.json").read_text())
    scalar = [
        name
        for name, prop in spec["properties"].items()
        if prop.get("type") in ("string", "number", "integer", "boolean")
    ]
    assert column_names(table) == scalar


def test_database_has_every_hsds_table_with_spec_columns():
    store = DirectoryStore.create()
    for table in HSDS_TABLES:
        assert store._db[table].exists(), table
        assert [c.name for c in store._db[table].columns] == column_names(table)
    assert SEARCH_TABLE in store._db.table_names()


def test_every_core_hsds_object_has_a_table():
    core = {
        "organization",
        "service",
        "location",
        "address",
        "phone",
        "schedule",
        "service_at_location",
        "service_area",
        "language",
        "contact",
        "accessibility",
        "cost_option",
        "taxonomy",
        "taxonomy_term",
        "attribute",
        "metadata",
    }
    assert core <= set(HSDS_TABLES)


def test_taxonomy_is_stored_as_hsds_terms(directory_store):
    rows = directory_store._db.execute("SELECT taxonomy, code FROM taxonomy_term").fetchall()
    by_tax = {}
    for tax, code in rows:
        by_tax.setdefault(tax, set()).add(code)
    assert {"alcohol", "opiates", "nitrous-oxide", "any"} <= by_tax["substance"]
    assert {"needle-syringe", "naloxone", "mutual-aid", "detox-rehab"} <= by_tax["category"]
    assert len(by_tax["catchment"]) == 6
    # every attribute points at a real term
    orphans = directory_store._db.execute(
        "SELECT count(*) FROM attribute a LEFT JOIN taxonomy_term t ON t.id = a.taxonomy_term_id WHERE t.id IS NULL"
    ).fetchone()[0]
    assert orphans == 0


def test_code_fields_cover_every_public_vocabulary():
    from coventry_directory.core.models import CODE_FIELDS, VOCABULARIES
    from coventry_directory.core.taxonomy import RECORD_TAXONOMY, vocabularies

    assert set(CODE_FIELDS.values()) | {"verification"} == set(VOCABULARIES)
    assert set(vocabularies()) - {RECORD_TAXONOMY} == set(VOCABULARIES)
