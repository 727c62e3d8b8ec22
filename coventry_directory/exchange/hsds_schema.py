"""The official HSDS 3.0 schema, read from resources/hsds-3.0/schema, and what follows from it.

Two things come from the schema files rather than being typed out by hand, so the code
cannot drift from the spec:

* validators for any HSDS object, with the files' relative ``$ref`` values resolved through a
  ``referencing`` registry (nothing is fetched from the network);
* the nesting of objects (which property holds which table, and which foreign key ties
  a nested row to its parent), used to flatten JSON into table rows and back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from coventry_directory.resources import resource_path
from coventry_directory.store.schema import HSDS_TABLES, column_names

# The URI the spec publishes its files under (the openapi.json refers to it); we only use it
# as a name inside the registry.
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"



@dataclass(frozen=True)
class Relation:
    """A property of an HSDS object that holds other HSDS rows.

    ``kind`` is ``many`` (an array of children whose ``fk`` column points at the parent),
    ``one`` (a single object the parent points at through its own ``fk`` column),
    ``link`` (attributes: link_id/link_entity) or ``resource`` (metadata: resource_id/type).
    """

    prop: str
    table: str
    kind: str
    fk: str


def schema_dir():
    """Folder of the bundled HSDS 3.0 schema files."""
    return resource_path("hsds-3.0", "schema")


@cache
def table_schema(table: str) -> dict:
    """The spec's schema object for one table (e.g. ``service.json``)."""
    return json.loads((schema_dir() / f"{table}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every schema file, registered under its published URI so ``$ref`` s resolve offline."""
    resources = []
    for path in sorted(schema_dir().glob("*.json")):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((SCHEMA_BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(table: str, *, rows_only: bool = False) -> Draft202012Validator:
    """A validator for one HSDS object (nested form), or for a flat CSV row when ``rows_only``."""
    if rows_only:
        spec = table_schema(table)
        scalar = {k: v for k, v in spec["properties"].items() if k in column_names(table)}
        # A tabular row must also carry the foreign keys the spec marks tabular_required.
        required = list(dict.fromkeys([*spec.get("required", []), *spec.get("tabular_required", [])]))
        schema = {"type": "object", "properties": scalar, "required": required}
        return Draft202012Validator(schema, format_checker=FormatChecker())
    return Draft202012Validator(
        {"$ref": SCHEMA_BASE + f"{table}.json"}, registry=registry(), format_checker=FormatChecker()
    )


def required_fields(table: str) -> tuple[str, ...]:
    """Fields the spec requires on every object of this table."""
    return tuple(table_schema(table).get("required", []))


def field_type(table: str, column: str) -> str:
    """The spec's JSON type of a scalar field (string or number)."""
    return table_schema(table)["properties"][column].get("type", "string")


def property_names(table: str) -> tuple[str, ...]:
    """Every property the spec defines for this object, in the spec's order."""
    return tuple(table_schema(table)["properties"])


@cache
def relations(table: str) -> tuple[Relation, ...]:
    """The nested properties of an object, derived from the spec's ``$ref`` s."""
    out = []
    for prop, spec in table_schema(table)["properties"].items():
        ref = spec.get("$ref") or (spec.get("items") or {}).get("$ref")
        if not ref:
            continue
        child = ref.removesuffix(".json")
        if child == "attribute":
            out.append(Relation(prop, child, "link", "link_id"))
        elif child == "metadata":
            out.append(Relation(prop, child, "resource", "resource_id"))
        elif spec.get("type") == "array":
            fk = f"{table}_id"
            assert fk in column_names(child), (table, prop)
            out.append(Relation(prop, child, "many", fk))
        else:
            # one object the parent points at: organization -> organization_id,
            # taxonomy_detail -> taxonomy_id (the one name the spec does not derive)
            fk = "taxonomy_id" if prop == "taxonomy_detail" else f"{prop}_id"
            assert fk in column_names(table), (table, prop)
            out.append(Relation(prop, child, "one", fk))
    return tuple(out)


# Where each HSDS table's CSV lives in a tabular data package (from compiled/tabular.json).
@lru_cache(maxsize=1)
def csv_file_names() -> dict[str, str]:
    """{table: file name} per the spec's tabular package, in the spec's order."""
    tabular = json.loads((schema_dir() / "compiled" / "tabular.json").read_text(encoding="utf-8"))
    names = {table: body["items"]["path"] for table, body in tabular["properties"].items()}
    assert set(names) == set(HSDS_TABLES)
    return names
