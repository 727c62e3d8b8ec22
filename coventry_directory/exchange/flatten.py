"""Nested HSDS 3.0 service objects -> table rows, checking that the nesting is consistent.

A row nested under a parent gets the parent's id in its foreign key (``phone.service_id``
for ``service.phones``...). The same object may appear many times (an organisation under
each of its services, a location under each service_at_location): the copies are merged
by id, and two copies that disagree are reported with both JSON paths. Properties HSDS
does not define are kept as extension fields (see ``extension.py``).

Each list that is present is also recorded as an ``Assertion`` ("these are all of the
parent's children"), which a delta import uses to drop children that have gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.extension import extension_attribute, extension_taxonomy_rows
from coventry_directory.exchange.hsds_schema import Relation, property_names, relations
from coventry_directory.store.schema import HSDS_TABLES, column_names


@dataclass
class Assertion:
    """A present list property: ``child_ids`` are all the children ``parent`` has there."""

    parent_table: str
    parent_id: str
    relation: Relation
    child_ids: list[str]


@dataclass
class FlatData:
    """Rows per table (first-seen order), extension fields, list assertions and problems."""

    tables: dict[str, dict[str, dict]] = field(default_factory=lambda: {t: {} for t in HSDS_TABLES})
    extensions: dict[tuple[str, str], dict] = field(default_factory=dict)
    assertions: list[Assertion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repaired: list[Problem] = field(default_factory=list)
    _first_path: dict[tuple[str, str], str] = field(default_factory=dict)

    def rows(self) -> dict[str, list[dict]]:
        """Every table's rows, with extension fields turned into attribute rows."""
        out = {t: list(rows.values()) for t, rows in self.tables.items()}
        if self.extensions:
            out["attribute"] += [extension_attribute(t, i, f) for (t, i), f in self.extensions.items()]
            for table, extra_rows in extension_taxonomy_rows().items():
                out[table] += [r for r in extra_rows if r["id"] not in self.tables[table]]
        return out

    def record_keys(self) -> list[tuple[str, str]]:
        """(table, id) of every record seen."""
        return [(t, i) for t, rows in self.tables.items() for i in rows]


class Flattener:
    """Walks nested objects and collects rows into a :class:`FlatData`.

    ``tolerant``: a foreign key that contradicts where the record is nested (an attribute
    under a service that says ``link_entity: "location"``) is taken from the nesting, with
    a note in ``data.repaired``, instead of being a problem.
    """

    def __init__(self, *, tolerant: bool = False) -> None:
        self.data = FlatData()
        self.tolerant = tolerant

    def add_services(self, services: list, prefix: str = "$") -> FlatData:
        """Flatten a list of service objects; paths are reported as ``{prefix}[i]...``."""
        for i, svc in enumerate(services):
            self.add("service", svc, f"{prefix}[{i}]", {})
        return self.data

    def add(self, table: str, obj, path: str, from_parent: dict) -> str | None:
        """Add one object (and everything nested in it); returns its id."""
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            return None  # the schema check reports the shape problem
        rid = obj["id"]
        row = {c: obj[c] for c in _columns(table) if obj.get(c) is not None}
        for col, value in from_parent.items():
            self._set(row, col, value, path, "")
        for rel in relations(table):
            child = obj.get(rel.prop)
            if rel.kind == "one" and isinstance(child, dict) and isinstance(child.get("id"), str):
                self._set(row, rel.fk, child["id"], path, rel.prop)
        known = _known(table)
        extras = {k: v for k, v in obj.items() if k not in known}
        self._merge(table, rid, row, path)
        if extras:
            self._merge_extras(table, rid, extras, path)
        for rel in relations(table):
            if rel.prop not in obj:
                continue
            value = obj[rel.prop]
            if rel.kind == "one":
                self.add(rel.table, value, f"{path}.{rel.prop}", {})
                continue
            if not isinstance(value, list):
                continue
            link = {
                "many": {rel.fk: rid},
                "link": {"link_id": rid, "link_entity": table},
                "resource": {"resource_id": rid, "resource_type": table},
            }[rel.kind]
            ids = [self.add(rel.table, child, f"{path}.{rel.prop}[{n}]", link) for n, child in enumerate(value)]
            self.data.assertions.append(Assertion(table, rid, rel, [i for i in ids if i]))
        return rid

    def _set(self, row: dict, col: str, value: str, path: str, prop: str) -> None:
        """Set a foreign key from the nesting (``prop``: the nested object's property, '' for the parent)."""
        if row.get(col) is None:
            row[col] = value
        elif row[col] != value:
            # the words are made only here: this runs for every nested record of a national feed
            path = f"{path}.{col}"
            why = f"its {prop} object has id" if prop else "it is nested under"
            if self.tolerant:
                self.data.repaired.append(Problem(path, f"was {row[col]!r}; {why} {value!r}, so read as that"))
                row[col] = value
                return
            self.data.problems.append(Problem(path, f"is {row[col]!r} but {why} {value!r}"))

    def _merge(self, table: str, rid: str, row: dict, path: str) -> None:
        existing = self.data.tables[table].get(rid)
        if existing is None:
            self.data.tables[table][rid] = row
            self.data._first_path[(table, rid)] = path
            return
        first = self.data._first_path[(table, rid)]
        for col, value in row.items():
            if existing.get(col) is None:
                existing[col] = value
            elif existing[col] != value:
                self.data.problems.append(
                    Problem(
                        f"{path}.{col}",
                        f"{table} {rid} appears twice with different {col}: {value!r} here, {existing[col]!r} at {first}",
                    )
                )

    def _merge_extras(self, table: str, rid: str, extras: dict, path: str) -> None:
        existing = self.data.extensions.setdefault((table, rid), {})
        for name, value in extras.items():
            if name in existing and existing[name] != value:
                self.data.problems.append(
                    Problem(f"{path}.{name}", f"{table} {rid} appears twice with different {name}")
                )
            existing.setdefault(name, value)


@cache
def _columns(table: str) -> tuple[str, ...]:
    return tuple(column_names(table))


@cache
def _known(table: str) -> frozenset[str]:
    """The properties HSDS defines for ``table`` (anything else is an extension field)."""
    return frozenset(property_names(table))


def flatten_services(services: list, prefix: str = "$") -> FlatData:
    """Rows, extensions, assertions and consistency problems for a list of services."""
    return Flattener().add_services(services, prefix)
