"""Table rows -> nested HSDS 3.0 service objects (the shape of the spec's ``service.json``).

Rules that make the output valid and stable:

* null fields are left out (HSDS types do not allow null); whole numbers print as ints;
* every list property is written, empty or not (an empty list says "none", an absent one
  would say "not known" to a delta import);
* each row is written once, under its most specific parent (``OWNER_PRECEDENCE``), so the
  order of every list survives export -> import -> export; shared objects (a location
  used by several services, an organisation, a taxonomy term) are repeated whole;
* ``organization.locations`` lists only the locations no service reaches through
  ``service_at_locations`` - the others are already written there, and repeating every
  location of a big organisation under each of its services would not scale;
* extension fields (see ``extension.py``) go back onto their object.
"""

from __future__ import annotations

from collections import defaultdict

from coventry_directory.exchange.extension import extension_fields, is_extension
from coventry_directory.exchange.hsds_schema import field_type, relations
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.hsds_rows import read_table
from coventry_directory.store.schema import HSDS_TABLES, column_names, owner_columns


def json_value(table: str, column: str, value):
    """A stored value as HSDS JSON wants it (REAL 18.0 -> 18 for number fields)."""
    if field_type(table, column) == "number" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field_type(table, column) == "number" and isinstance(value, str):
        # a number that came in as text (e.g. from a CSV) still prints as a number
        try:
            num = float(value)
        except ValueError:
            return value
        return int(num) if num.is_integer() else num
    return value


class Nester:
    """Reads every HSDS table once, then builds nested objects from memory."""

    def __init__(self, store: DirectoryStore):
        self.rows = {t: read_table(store, t) for t in HSDS_TABLES}
        self.by_id = {t: {r["id"]: r for r in rows} for t, rows in self.rows.items()}
        services = self.by_id["service"]
        # locations reached from a service: written under service_at_locations, not the organisation
        self.reached_locations = {
            r["location_id"] for r in self.rows["service_at_location"] if r["service_id"] in services
        }
        self.owned: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        for table, rows in self.rows.items():
            owners = owner_columns(table)
            if not owners:
                continue
            for row in rows:
                col = self._owner(table, row, owners)
                if col:
                    self.owned[(table, col)][row[col]].append(row)
        self.attributes: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.extensions: dict[tuple[str, str], dict] = {}
        for row in self.rows["attribute"]:
            key = (row["link_entity"], row["link_id"])
            if is_extension(row):
                self.extensions[key] = extension_fields(row)
            else:
                self.attributes[key].append(row)
        self.metadata: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in self.rows["metadata"]:
            self.metadata[(row["resource_type"], row["resource_id"])].append(row)
        self._built: dict[tuple[str, str], dict] = {}

    def _owner(self, table: str, row: dict, owners: tuple[str, ...]) -> str | None:
        if table == "location" and row["id"] in self.reached_locations:
            return None
        for col in owners:
            parent = row[col]
            if parent is not None and parent in self.by_id[col.removesuffix("_id")]:
                return col
        return None

    def services(self) -> list[dict]:
        """Every service, fully nested, in the order they were stored."""
        return [self.build("service", row) for row in self.rows["service"]]

    def build(self, table: str, row: dict) -> dict:
        """One object with everything nested under it (built once, then reused)."""
        key = (table, row["id"])
        if key in self._built:
            return self._built[key]
        obj = {c: json_value(table, c, row[c]) for c in column_names(table) if row[c] is not None}
        for name, value in sorted(self.extensions.get(key, {}).items()):
            obj.setdefault(name, value)
        for rel in relations(table):
            if rel.kind == "one":
                target = self.by_id[rel.table].get(row[rel.fk]) if row[rel.fk] else None
                if target is not None:
                    obj[rel.prop] = self.build(rel.table, target)
            elif rel.kind == "many":
                children = self.owned[(rel.table, rel.fk)].get(row["id"], [])
                obj[rel.prop] = [self.build(rel.table, c) for c in children]
            elif rel.kind == "link":
                obj[rel.prop] = [self.build("attribute", a) for a in self.attributes.get(key, [])]
            else:
                obj[rel.prop] = [self.build("metadata", m) for m in self.metadata.get(key, [])]
        self._built[key] = obj
        return obj


def nested_services(store: DirectoryStore) -> list[dict]:
    """The whole directory as a list of HSDS 3.0 service objects.

    Shared objects (an organisation, a location, a taxonomy term) are the same dict each
    time they appear: copy before changing one.
    """
    return Nester(store).services()
