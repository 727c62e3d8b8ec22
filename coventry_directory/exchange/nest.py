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
Python, a call per token: it took most of a national export's time.) The plain fields of
all the rows one query read are written at once, a column at a time (:class:`_Fields`):
most columns are ids and names that JSON writes as they are, and the rest go through the
C encoder in one call per column. A shared object's text is kept (:data:`SHARED_TEXT`),
so it is read and written once, not once per service. :func:`nested_services` parses the
text back into objects.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from itertools import repeat
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

from coventry_directory.exchange.extension import EXTENSION_TERM_ID, extension_fields
from coventry_directory.exchange.hsds_schema import Relation, field_type, relations
from coventry_directory.store.hsds_batches import BatchReader
from coventry_directory.store.schema import HSDS_TABLES, column_names

if TYPE_CHECKING:  # not imported at run time: an export worker process starts faster without the whole store
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.store.hsds_batches import Rows, Survey

BATCH = 500  # services per batch: a few MB of rows and text, and few queries per service
SHARED_TEXT = 16 << 20  # characters of shared objects' text kept from batch to batch
_SHARED = {r.table for t in HSDS_TABLES for r in relations(t) if r.kind == "one"}  # may appear more than once
_LINK = {"link": "attribute", "resource": "metadata"}
# the bytes of UTF-8 text that JSON writes as they are in a string: all but control characters, " and \\
_AS_IS = bytes(b for b in range(256) if b >= 0x20 and b not in b'"\\')


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


def _number(table: str, column: str, value):
    """:func:`json_value` of a number field's value that is neither null nor an int, its commonest case first."""
    if type(value) is float:
        return int(value) if value.is_integer() else value
    return json_value(table, column, value)


@cache
def _list_encoder(separator: str) -> Callable[[Sequence, int], list[str]]:
    """Encodes a list of plain values (str, number, None) with ``separator`` between items: pieces to join."""
    make = getattr(json.encoder, "c_make_encoder", None)  # None where the C accelerator is missing
    if make is None:
        slow = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(separator, ": "))
        return lambda values, _level: [slow.encode(list(values))]
    return make(None, None, encode_basestring, None, ": ", separator, False, False, True)


def _indented(value, level: int) -> str:
    """Any JSON value as ``json.dumps(indent=2)`` writes it ``level`` deep (a string never holds a raw newline)."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", _indent(level))


class _Raw(str):
    """Text already written as JSON (a nested object or list), put in place as it is."""


class _Fields:
    """Writes the plain fields of a table's rows as an object ``level`` deep holds them, many rows at once.

    Each row's text is joined from a piece per column - a comma, a new indented line and
    ``"key": value``, or nothing for a null - without the first comma: what follows ``{``.
    A column of strings that JSON writes as they are, between quotes (most are ids and
    names), is put in as it is. Any other column goes through the C encoder in one call for
    all the rows, as a list whose item separator is a NUL (never raw in JSON text) and the
    column's key, and the list's text is split at the NULs.
    """

    def __init__(self, table: str, names: Sequence[str], level: int):
        self.table, self.level = table, level
        self.indent = _indent(level + 1)
        numbers = number_columns(table)
        self.columns = []
        for name in names:
            key = f",{self.indent}{encode_basestring(name)}: "
            # the same without its comma, for a first column that no row leaves null (the id)
            self.columns.append((name, name in numbers, key + "null", (key, key[1:])))

    def texts(self, rows: Sequence[tuple]) -> list[str]:
        """Each row's plain fields ('' for a row with none), in the order of ``rows``."""
        if not rows:
            return []
        segments: list = []  # text every row has (a str), or a column: a row's piece each
        common = ""  # text every row has next, not yet in ``segments``
        strip = started = False  # strip: each row's text starts with a comma to drop
        for (name, number, null, keys), values in zip(self.columns, zip(*rows, strict=True), strict=True):
            column: Sequence = values
            if number:
                column = [v if v is None or type(v) is int else _number(self.table, name, v) for v in values]
            nulls = column.count(None)
            if nulls == len(column):
                continue
            key = keys[not started and not nulls]
            strip = strip or (not started and nulls > 0)
            started = True
            if not nulls and _verbatim(column):
                segments += (common + key + '"', column)
                common = '"'
                continue
            text = "".join(_list_encoder("\0" + key)(column, 0))
            pieces = (key + text[1:-1]).split("\0")
            if nulls:
                pieces = [p if p != null else "" for p in pieces]
            if common:
                segments.append(common)
                common = ""
            segments.append(pieces)
        if common:
            segments.append(common)
        if not segments:
            return [""] * len(rows)
        columns = (repeat(s) if type(s) is str else s for s in segments)  # a text every row has, repeated
        texts = list(map("".join, zip(*columns, strict=False)))  # (as long as the columns: repeat() never ends)
        return [t[1:] for t in texts] if strip else texts


def _verbatim(column: Sequence) -> bool:
    """Whether every value of ``column`` is a string that JSON writes as it is, between quotes."""
    try:
        joined = "".join(column).encode()
    except (TypeError, UnicodeEncodeError):  # not all strings, or one that is not text
        return False
    return not joined.translate(None, _AS_IS)  # (a regular expression looks at each character 5 times slower)


class _Node:
    """One row of a batch: its values (the reader's columns), its plain fields' text, what it nests, its extension fields."""

    __slots__ = ("table", "values", "plain", "kids", "ext")

    def __init__(self, table: str, values: tuple, plain: str):
        self.table = table
        self.values = values
        self.plain = plain  # as its table's :class:`_Fields` writes it
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
        close = _indent(level) + "}"
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
        self.reindent: tuple[str, str] | None = None
        self.quick = False
        if table in nester._fields:  # else set when the first rows are read (:meth:`Nester.fields`)
            self.use(nester._fields[table])

    def use(self, fields: _Fields) -> None:
        """Take the plain fields of this table as ``fields`` writes them: indented again when it writes another depth."""
        self.reindent = None if fields.level == self.level else (fields.indent, _indent(self.level + 1))
        # an object of this plan that nests nothing is just its fields and ``leaf``
        self.quick = self.reindent is None and not (self.shared or self.generic or self.ones)

    def field_values(self, values: tuple) -> dict:
        """One row's plain fields as a dict, as :func:`json_value` gives them (for an object written field by field)."""
        plain = {c: v for c, v in zip(self.names, values, strict=True) if v is not None}
        for c in self.numbers:
            v = plain.get(c)
            if v is not None and type(v) is not int:
                plain[c] = _number(self.table, c, v)
        return plain


class Nester:
    """Builds one directory's nested objects a batch at a time; ``close()`` when done."""

    def __init__(self, store: Rows, survey: Survey | None = None):
        self.store = store
        self.rows = _Tables(store)  # the self-test takes its sample service from here
        self.reader = BatchReader(store, survey)  # ``survey``: what another reader found out about the tables
        self.shared: dict[tuple[str, str], dict[int, str]] = {}  # (table, id) -> {depth: text}
        self._kept: deque[tuple[str, str]] = deque()  # the keys of ``shared``, oldest first
        self._shared_size = 0
        self._plans: dict[tuple[str, int], _Plan] = {}
        self._fields: dict[str, _Fields] = {}
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
        plan = self.plan("service", 1)  # first: the plans set the depth each table's fields are written at
        batch = _Batch(self, "service", rows)
        return [batch.text(node, plan) for node in batch.top]

    def build(self, table: str, row: dict) -> dict:
        """One object with everything nested under it."""
        plan = self.plan(table, 0)
        batch = _Batch(self, table, [tuple(row[c] for c in self.reader.columns(table))])
        return json.loads(batch.text(batch.top[0], plan))

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

    def fields(self, table: str) -> _Fields:
        """How the plain fields of ``table`` rows are written (worked out once per export, after the first plans)."""
        fields = self._fields.get(table)
        if fields is None:
            # as deep as the shallowest plan: the commonest depth (a service's own phones, not its places' ones)
            level = min((lv for t, lv in self._plans if t == table), default=0)
            fields = self._fields[table] = _Fields(table, self.reader.columns(table), level)
            for (t, _), plan in self._plans.items():
                if t == table:
                    plan.use(fields)
        return fields

    def remember(self, key: tuple[str, str], level: int, text: str) -> None:
        """Keep a shared object's text; the oldest go first once there are :data:`SHARED_TEXT` characters."""
        texts = self.shared.get(key)
        if texts is None:
            texts = self.shared[key] = {}
            self._kept.append(key)
        texts[level] = text
        self._shared_size += len(text)
        while self._shared_size > SHARED_TEXT and self._kept:
            gone = self.shared.pop(self._kept.popleft())
            self._shared_size -= sum(map(len, gone.values()))


class _Tables:
    """``nester.rows[table]``: every row of a table, read when asked."""

    def __init__(self, store: Rows):
        self.store = store

    def __getitem__(self, table: str) -> list[dict]:
        from coventry_directory.store.hsds_rows import read_table  # only the self-test asks: a worker never does

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
        plains = self.nester.fields(table).texts(rows)
        if table in _SHARED:  # any other row comes once, under its one owner
            known, new, out = self.by_id[table], pending[table], []
            for values, plain in zip(rows, plains, strict=True):
                node = known.get(values[0])  # id comes first
                if node is None:
                    node = known[values[0]] = _Node(table, values, plain)
                    new.append(node)
                out.append(node)
        else:
            out = list(map(_Node, repeat(table), rows, plains))
            pending[table] += out
        if under is not None:
            parents, at, prop = under
            for node in out:
                parent = parents[node.values[at]]
                kids = parent.kids
                if kids is None:
                    parent.kids = {prop: [node]}
                elif prop in kids:
                    kids[prop].append(node)
                else:
                    kids[prop] = [node]
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
            texts = self.nester.shared.get((node.table, values[0]))
            if texts is not None and plan.level in texts:
                return texts[plan.level]
        plain = node.plain if plan.reindent is None else node.plain.replace(*plan.reindent)
        kids = node.kids
        if node.ext or plan.generic or not plain:
            text = self._generic(node, plan, plan.field_values(values))
        elif kids is None and not (plan.ones and any(map(values.__getitem__, plan.ones))):
            text = "{" + plain + plan.leaf
        else:
            parts = ["{", plain]
            for empty, start, sep, end, fk, table, child, prop in plan.steps:
                if fk >= 0:  # one object, by the id in column ``fk``
                    target = self._one(table, values[fk], child)
                    parts.append(empty if target is None else start + target)
                    continue
                items = kids.get(prop) if kids else None
                if not items:
                    parts.append(empty)
                elif child.quick:  # text() inlined for the commonest child: a plain object that nests nothing
                    leaf = child.leaf
                    texts = [
                        "{" + c.plain + leaf if c.kids is None and not c.ext and c.plain else self.text(c, child)
                        for c in items
                    ]
                    parts += (start, sep.join(texts), end)
                else:
                    parts += (start, sep.join([self.text(c, child) for c in items]), end)
            parts.append(plan.tail)
            text = "".join(parts)
        if plan.shared:
            self.nester.remember((node.table, values[0]), plan.level, text)
        return text

    def _one(self, table: str, ref, plan: _Plan) -> str | None:
        """The text of the ``table`` object with id ``ref`` (None when there is none)."""
        if not ref:
            return None
        kept = self.nester.shared.get((table, ref))  # what text() would look up first: most are kept
        if kept is not None and plan.level in kept:
            return kept[plan.level]
        node = self.by_id[table].get(ref)
        if node is not None:
            return self.text(node, plan)
        texts = self.known.get((table, ref))
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
