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
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from coventry_directory.resources import resource_path
from coventry_directory.store.schema import HSDS_TABLES, column_names

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

# jsonschema is imported by the functions that validate, not with this module: the schema's
# field types and relations are wanted by every worker process of an import or export, and
# the general validator only for a record the quick check cannot pass.

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
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

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
    from jsonschema import Draft202012Validator, FormatChecker

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


# --- a quick check for the common case: an object the full validator would pass -----------
# The HSDS 3.0 schema files use only these keywords on properties (checked when the rules are
# made, so a new schema version that uses another keyword cannot be checked wrongly: it stops
# the import instead). Of its formats, the full validator enforces only these.
_QUICK_KEYWORDS = {"name", "title", "description", "type", "constraints", "example", "core", "format"}
_QUICK_KEYWORDS |= {"items", "datapackage_type", "enum", "$ref"}
_ENFORCED_FORMATS = {"uuid", "email"}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


@dataclass(frozen=True)
class _Rule:
    types: tuple[type, ...]
    enum: tuple | None
    format: str | None
    child: str | None  # the table of a nested object, or of a list's items
    item_types: tuple[type, ...] | None


@cache
def _quick_rules(table: str) -> tuple[dict[str, _Rule], tuple[str, ...]]:
    spec = table_schema(table)
    rules = {}
    for prop, body in spec["properties"].items():
        unknown = set(body) - _QUICK_KEYWORDS
        if unknown:
            raise RuntimeError(f"{table}.{prop} uses schema keywords the quick check does not know: {unknown}")
        ref = body.get("$ref") or (body.get("items") or {}).get("$ref")
        item_type = (body.get("items") or {}).get("type")
        fmt = body.get("format")
        rules[prop] = _Rule(
            types=_JSON_TYPES[body["type"]] if "type" in body else (dict,),
            enum=tuple(body["enum"]) if "enum" in body else None,
            format=fmt if fmt in _ENFORCED_FORMATS else None,
            child=ref.removesuffix(".json") if ref else None,
            item_types=_JSON_TYPES[item_type] if item_type else None,
        )
    return rules, tuple(spec.get("required", ()))


def _format_ok(fmt: str, value: str) -> bool:
    if fmt == "email":
        return "@" in value
    # the full validator's uuid rule (parses, hyphens where a UUID has them) is exactly this spelling
    return _CANONICAL_UUID.fullmatch(value) is not None


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def quickly_valid(table: str, obj: object) -> bool:
    """True only when the full schema check of ``obj`` as ``table`` would find nothing wrong.

    False means "not sure": the caller then runs the full validator, which says what is
    wrong and where. Reading a national feed, almost every record is valid, and this check
    is many times faster than the general one.
    """
    if not isinstance(obj, dict):
        return False
    rules, required = _quick_rules(table)
    if any(name not in obj for name in required):
        return False
    for key, value in obj.items():
        rule = rules.get(key)
        if rule is None:
            continue  # not in the schema: an extension field, which HSDS allows
        if isinstance(value, bool) and bool not in rule.types:
            return False  # JSON true is not a number
        if not isinstance(value, rule.types):
            return False
        if rule.enum is not None and value not in rule.enum:
            return False
        if rule.format is not None and not _format_ok(rule.format, value):
            return False
        if rule.child is not None:
            items = value if isinstance(value, list) else [value]
            if not all(quickly_valid(rule.child, item) for item in items):
                return False
        elif rule.item_types is not None and not all(
            isinstance(item, rule.item_types) and not (isinstance(item, bool) and bool not in rule.item_types)
            for item in value
        ):
            return False
    return True
