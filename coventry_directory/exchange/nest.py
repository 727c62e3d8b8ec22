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
* extension fields (see ``extension.py``) go back onto their object;
* services come in the order they were stored, and every list in rowid order.

Services are made a batch at a time: the batch's rows, then what they nest, level by
level, are read with a few ``IN (...)`` queries per table (``store.hsds_batches``), and
each service goes straight into its JSON text - exactly ``json.dumps(service,
ensure_ascii=False, indent=2)`` at its depth in the export's list. (That encoder is pure
Python, a call per token: it took most of a national export's time.) An object's plain
fields go through the C encoder in one call, its item separator carrying the indentation,
and a shared object's text is kept (:data:`SHARED_TEXT`), so it is read and written once,
not once per service. :func:`nested_services` parses the text back into objects.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache
from json.encoder import encode_basestring

from coventry_directory.exchange.extension import EXTENSION_TERM_ID, extension_fields
from coventry_directory.exchange.hsds_schema import Relation, field_type, relations
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.hsds_batches import BatchReader
from coventry_directory.store.hsds_rows import read_table
from coventry_directory.store.schema import HSDS_TABLES, column_names

BATCH = 500  # services per batch: a few MB of rows and text, and few queries per service
SHARED_TEXT = 16 << 20  # characters of shared objects' text kept from batch to batch
_SHARED = {r.table for t in HSDS_TABLES for r in relations(t) if r.kind == "one"}  # may appear more than once
_LINK = {"link": "attribute", "resource": "metadata"}


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


@cache
def number_columns(table: str) -> tuple[str, ...]:
    """The fields of ``table`` the spec types as numbers (the only ones :func:`json_value` changes)."""
    return tuple(c for c in column_names(table) if field_type(table, c) == "number")


def _indent(level: int) -> str:
    return "\n" + "  " * level


@cache
def _plain_encoder(level: int) -> Callable[[dict, int], list[str]]:
    """Encodes a dict of plain values (str, number, bool, None), its items ``level`` deep: pieces to join."""
    sep = "," + _indent(level)
    make = getattr(json.encoder, "c_make_encoder", None)  # None where the C accelerator is missing
    if make is None:
        slow = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(sep, ": "))
        return lambda obj, _level: [slow.encode(obj)]
    return make(None, None, encode_basestring, None, ": ", sep, False, False, True)


def _indented(value, level: int) -> str:
    """Any JSON value as ``json.dumps(indent=2)`` writes it ``level`` deep (a string never holds a raw newline)."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", _indent(level))


class _Raw(str):
    """Text already written as JSON (a nested object or list), put in place as it is."""


class _Node:
    """One row of a batch: its values (the reader's columns), the rows nested under it, its extension fields."""

    __slots__ = ("table", "values", "kids", "ext")

    def __init__(self, table: str, values: tuple):
        self.table = table
        self.values = values
        self.kids: dict[str, list[_Node]] | None = None  # {property: nodes in rowid order}
        self.ext: dict | None = None


class _Plan:
    """How one table's objects are written at one depth, given which properties this directory uses.

    Properties no row of this directory fills (always ``[]``) are written once, into the
    text before the next property looked up per object (``steps``) or into ``tail``.
    ``leaf`` is all that follows the plain fields of an object that nests nothing.
    """

    def __init__(self, nester: Nester, table: str, level: int):
        self.table, self.level = table, level
        self.shared = table in _SHARED
        self.names = names = nester.reader.columns(table)
        self.numbers = [c for c in number_columns(table) if c in names]
        self.open, close = "{" + _indent(level + 1), _indent(level) + "}"
        self.encode = _plain_encoder(level + 1)
        pad, item = "," + _indent(level + 1), _indent(level + 2)
        used = nester.relations(table)
        steps: list[tuple] = []
        leaf = before = ""
        ones: list[int] = []
        for rel in relations(table):
            key = f"{pad}{encode_basestring(rel.prop)}: "
            if rel.kind != "one":
                leaf += key + "[]"  # an empty list is written; a missing object is not
            if rel not in used:
                before += "" if rel.kind == "one" else key + "[]"
                continue
            if rel.kind == "one":
                ones.append(names.index(rel.fk))
                child = nester.plan(rel.table, level + 1)
                steps.append((before, before + key, "", "", ones[-1], rel.table, child, rel.prop))
            else:
                child = nester.plan(_LINK.get(rel.kind, rel.table), level + 2)
                start, end = f"{before}{key}[{item}", _indent(level + 1) + "]"
                steps.append((before + key + "[]", start, "," + item, end, -1, rel.table, child, rel.prop))
            before = ""
        self.steps, self.ones = steps, tuple(ones)
        self.tail, self.leaf = before + close, leaf + close
        # a property named like a column would take the column's place: write such a table field by field
        self.generic = bool({r.prop for r in relations(table)} & set(column_names(table)))


class Nester:
    """Builds one directory's nested objects a batch at a time; ``close()`` when done."""

    def __init__(self, store: DirectoryStore):
        self.store = store
        self.rows = _Tables(store)  # the self-test takes its sample service from here
        self.reader = BatchReader(store)
        self.shared: dict[tuple[str, str], dict[int, str]] = {}  # (table, id) -> {depth: text}
        self._shared_size = 0
        self._plans: dict[tuple[str, int], _Plan] = {}
        self._relations: dict[str, list[Relation]] = {}

    def close(self) -> None:
        """Drop the reader's scratch tables."""
        self.reader.close()

    def service_texts(self, size: int | None = None) -> Iterator[str]:
        """Every service's JSON text, one level deep (as in the export's list), in storage order."""
        for rows in self.reader.iter_rows("service", size or BATCH):
            yield from self.texts(rows)

    def texts(self, rows: list[tuple]) -> list[str]:
        """The JSON texts of these service rows (one batch; tuples of the reader's columns)."""
        batch, plan = _Batch(self, "service", rows), self.plan("service", 1)
        return [batch.text(node, plan) for node in batch.top]

    def build(self, table: str, row: dict) -> dict:
        """One object with everything nested under it."""
        batch = _Batch(self, table, [tuple(row[c] for c in self.reader.columns(table))])
        return json.loads(batch.text(batch.top[0], self.plan(table, 0)))

    def relations(self, table: str) -> list[Relation]:
        """The nested properties of ``table`` that can hold anything in this directory."""
        if table not in self._relations:
            has = self.reader.has_values
            self._relations[table] = [
                rel
                for rel in relations(table)
                if (rel.kind == "one" and has(table, rel.fk))
                or (rel.kind == "many" and has(rel.table, rel.fk))
                or (rel.kind in _LINK and table in self.reader.entities(_LINK[rel.kind]))
            ]
        return self._relations[table]

    def plan(self, table: str, level: int) -> _Plan:
        """How ``table`` objects are written ``level`` deep (worked out once per export)."""
        plan = self._plans.get((table, level))
        if plan is None:
            plan = self._plans[(table, level)] = _Plan(self, table, level)
        return plan

    def remember(self, key: tuple[str, str], level: int, text: str) -> None:
        """Keep a shared object's text; the oldest go first once there are :data:`SHARED_TEXT` characters."""
        self.shared.setdefault(key, {})[level] = text
        self._shared_size += len(text)
        while self._shared_size > SHARED_TEXT and self.shared:
            gone = self.shared.pop(next(iter(self.shared)))
            self._shared_size -= sum(map(len, gone.values()))


class _Tables:
    """``nester.rows[table]``: every row of a table, read when asked."""

    def __init__(self, store: DirectoryStore):
        self.store = store

    def __getitem__(self, table: str) -> list[dict]:
        return read_table(self.store, table)


class _Batch:
    """Every row a batch of records nests, read level by level, then written from memory."""

    def __init__(self, nester: Nester, table: str, rows: list[tuple]):
        self.nester = nester
        self.by_id: dict[str, dict[str, _Node]] = defaultdict(dict)
        self.known: dict[tuple[str, str], dict[int, str]] = {}  # shared objects not read again: their texts
        self.top = self._nodes(table, rows, pending := defaultdict(list))
        while pending:
            level, pending = pending, defaultdict(list)
            for name, nodes in level.items():
                self._nested(name, nodes, pending)

    def _nodes(
        self, table: str, rows: list[tuple], pending: dict[str, list[_Node]], under: tuple | None = None
    ) -> list[_Node]:
        """A node for each row (the one already made for its id, if any); new ones wait in ``pending``.

        ``under``: (parents by id, the column of a row that names its parent, the parent's property).
        """
        known = self.by_id[table] if table in _SHARED else None  # any other row comes once, under its one owner
        waiting = pending[table]
        parents, at, prop = under or ({}, 0, "")
        out = []
        for values in rows:
            node = known.get(values[0]) if known is not None else None  # id comes first
            if node is None:
                node = _Node(table, values)
                waiting.append(node)
                if known is not None:
                    known[values[0]] = node
            out.append(node)
            if under is not None:
                parent = parents[values[at]]
                if parent.kids is None:
                    parent.kids = {prop: [node]}
                elif prop in parent.kids:
                    parent.kids[prop].append(node)
                else:
                    parent.kids[prop] = [node]
        return out

    def _nested(self, table: str, nodes: list[_Node], pending: dict[str, list[_Node]]) -> None:
        """Read what these new ``table`` nodes nest, and hang it under them."""
        reader, shared = self.nester.reader, self.nester.shared
        parents = {n.values[0]: n for n in nodes}
        ids = list(parents)
        if table in reader.entities("attribute"):
            cols = reader.columns("attribute")
            link = cols.index("link_id")
            term = cols.index("taxonomy_term_id") if "taxonomy_term_id" in cols else None
            plain = []
            for values in reader.linked("attribute", table, ids):
                if term is not None and values[term] == EXTENSION_TERM_ID:  # extension.is_extension, on a tuple
                    # the last one counts, as when the fields were read in
                    parents[values[link]].ext = extension_fields(dict(zip(cols, values, strict=True)))
                else:
                    plain.append(values)
            props = [r.prop for r in relations(table) if r.kind == "link"]
            if props:  # a table without attributes in HSDS only takes its extension fields
                self._nodes("attribute", plain, pending, (parents, link, props[0]))
        for rel in self.nester.relations(table):
            if rel.kind == "one":
                at, known, wanted = reader.columns(table).index(rel.fk), self.by_id[rel.table], set()
                for node in nodes:
                    ref = node.values[at]
                    if ref and ref not in known:
                        texts = shared.get((rel.table, ref))
                        if texts is None:
                            wanted.add(ref)
                        else:
                            self.known[(rel.table, ref)] = texts
                self._nodes(rel.table, reader.by_id(rel.table, sorted(wanted)), pending)
            elif rel.kind == "many":
                rows = reader.owned(rel.table, rel.fk, ids)
                if rel.table == "location" and rows:
                    # a location a service reaches is written under that service, not here
                    reached = reader.reached_locations([r[0] for r in rows])
                    rows = [r for r in rows if r[0] not in reached]
                self._nodes(rel.table, rows, pending, (parents, reader.columns(rel.table).index(rel.fk), rel.prop))
            elif rel.kind == "resource":
                rows = reader.linked("metadata", table, ids)
                at = reader.columns("metadata").index("resource_id")
                self._nodes("metadata", rows, pending, (parents, at, rel.prop))

    def text(self, node: _Node, plan: _Plan) -> str:
        """The JSON text of one object and everything under it, written as ``plan`` says."""
        values = node.values
        if plan.shared:
            text = self.nester.shared.get((node.table, values[0]), {}).get(plan.level)
            if text is not None:
                return text
        plain = {c: v for c, v in zip(plan.names, values, strict=True) if v is not None}
        for c in plan.numbers:  # json_value, with its commonest case first
            v = plain.get(c)
            if type(v) is float:
                if v.is_integer():
                    plain[c] = int(v)
            elif v is not None and type(v) is not int:
                plain[c] = json_value(plan.table, c, v)
        kids = node.kids
        if node.ext or plan.generic:
            text = self._generic(node, plan, plain)
        elif kids is None and not (plan.ones and any(values[i] for i in plan.ones)):
            text = plan.open + "".join(plan.encode(plain, 0))[1:-1] + plan.leaf
        else:
            parts = [plan.open, "".join(plan.encode(plain, 0))[1:-1]]
            for empty, start, sep, end, fk, table, child, prop in plan.steps:
                if fk >= 0:  # one object, by the id in column ``fk``
                    target = self._one(table, values[fk], child)
                    parts.append(empty if target is None else start + target)
                    continue
                items = kids.get(prop) if kids else None
                if items:
                    parts += (start, sep.join([self.text(c, child) for c in items]), end)
                else:
                    parts.append(empty)
            parts.append(plan.tail)
            text = "".join(parts)
        if plan.shared:
            self.nester.remember((node.table, values[0]), plan.level, text)
        return text

    def _one(self, table: str, ref, plan: _Plan) -> str | None:
        """The text of the ``table`` object with id ``ref`` (None when there is none)."""
        node = self.by_id[table].get(ref) if ref else None
        if node is not None:
            return self.text(node, plan)
        texts = self.known.get((table, ref)) if ref else None
        if texts is None:
            return None  # no such row
        if plan.level not in texts:  # kept, but written at another depth: read it again
            rows = self.nester.reader.by_id(table, [ref])
            if not rows:
                return None
            batch = _Batch(self.nester, table, rows)
            return batch.text(batch.top[0], plan)
        return texts[plan.level]

    def _value(self, node: _Node, level: int, rel: Relation) -> str | None:
        """The text of one nested property (None for a missing object)."""
        names = self.nester.reader.columns(node.table)
        if rel.kind == "one":
            ref = node.values[names.index(rel.fk)] if rel.fk in names else None
            return self._one(rel.table, ref, self.nester.plan(rel.table, level + 1))
        items = (node.kids or {}).get(rel.prop)
        if not items:
            return "[]"
        child = self.nester.plan(_LINK.get(rel.kind, rel.table), level + 2)
        pad = _indent(level + 2)
        return "[" + pad + ("," + pad).join(self.text(c, child) for c in items) + _indent(level + 1) + "]"

    def _generic(self, node: _Node, plan: _Plan, obj: dict) -> str:
        """An object field by field: its fields, then extension fields, then nested properties."""
        level = plan.level
        for name, value in sorted((node.ext or {}).items()):
            obj.setdefault(name, value)
        for rel in relations(node.table):
            value = self._value(node, level, rel)
            if value is not None:
                obj[rel.prop] = _Raw(value)
        if not obj:
            return "{}"
        pad = _indent(level + 1)
        items = (
            f"{encode_basestring(k)}: {v if isinstance(v, _Raw) else _indented(v, level + 1)}" for k, v in obj.items()
        )
        return "{" + pad + ("," + pad).join(items) + _indent(level) + "}"


def service_texts(store: DirectoryStore, size: int | None = None) -> Iterator[str]:
    """Each service's JSON text, as it sits in the export's list (one level deep), in storage order."""
    nester = Nester(store)
    try:
        yield from nester.service_texts(size)
    finally:
        nester.close()


def nested_services(store: DirectoryStore) -> list[dict]:
    """The whole directory as a list of HSDS 3.0 service objects (each its own copy)."""
    return [json.loads(text) for text in service_texts(store)]
