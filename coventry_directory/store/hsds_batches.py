"""HSDS table rows a batch at a time: the SQL behind the exports that stream.

An export of a national directory cannot hold every table in memory, so it reads rows in
batches instead: a table in rowid order a slice at a time, rows by id, the rows that hang
under a set of parents, the attributes or metadata of a set of records. Every ``IN (...)``
list is chunked to ``_CHUNK`` ids, and table and column names come only from
``store.schema`` (never from input), as in ``hsds_rows``.

What :class:`BatchReader` does so that a national export stays fast:

* only the columns some row fills are read (one count per table finds them): a directory
  leaves most HSDS fields empty, and each column read costs time for every row;
* a batch query on a column with no index would scan the whole table once per batch,
  which grows with the square of the directory, so the first such query copies the
  column's (value, rowid) pairs into an indexed TEMP table - never a change to the
  database file, which may be read-only - dropped again on ``close()``;
* a column with only a few distinct values (a handful of places that name their
  organisation) is read whole once, so that only ids that are there are asked for.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from coventry_directory.store.schema import HSDS_INDEXES, HSDS_TABLES, column_names, owner_columns

if TYPE_CHECKING:  # not imported at run time: an export worker process starts faster without the whole store
    from coventry_directory.store.directory import DirectoryStore

    Rows: TypeAlias = "DirectoryStore | ReadOnlyFile"  # what the batches are read from

_CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit
_FEW = 10_000  # a column with at most this many distinct values is known whole: only its ids are asked for
_FETCH = 1000  # rows per fetch when walking a whole table
_INDEXED = {(table, cols[0]) for table, cols in HSDS_INDEXES} | {(table, "id") for table in HSDS_TABLES}
_LINKS = {"attribute": ("link_entity", "link_id"), "metadata": ("resource_type", "resource_id")}
_names = itertools.count()  # TEMP table names: unique, so one reader never sees another's
# a reader's findings about the tables: columns with values, few distinct values, linked entities
Survey: TypeAlias = tuple[
    dict[str, list[str]], dict[tuple[str, str, str | None], frozenset | None], dict[str, set[str]]
]


def _checked(table: str, *columns: str) -> str:
    """``table`` if it and ``columns`` are in the schema (names are put into SQL text)."""
    if table not in HSDS_TABLES or not set(columns) <= set(column_names(table)):
        raise ValueError(f"not an HSDS table and columns: {table!r} {columns!r}")
    return table


def _select(table: str) -> str:
    return ", ".join(f"[{c}]" for c in column_names(_checked(table)))


def iter_rows(store: Rows, table: str, size: int = _FETCH) -> Iterator[list[tuple]]:
    """Every row of an HSDS table in rowid order, ``size`` rows at a time, as tuples in ``column_names`` order."""
    cur = store._db.execute(f"SELECT {_select(table)} FROM [{table}] ORDER BY rowid")
    try:
        while batch := cur.fetchmany(size):
            yield batch
    finally:
        cur.close()  # a statement left open would stop :meth:`BatchReader.close` dropping its tables


class ReadOnlyFile:
    """A directory file opened read-only for :class:`BatchReader` alone (``close()`` when done).

    What an export worker process needs: a connection of its own, without the imports of
    ``store.directory`` (a spawned worker reads, and in a source checkout compiles, every
    module it imports again). The file is read once here, so one that is no database fails
    at once.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        # as_uri() percent-encodes, so a folder named "a?b" or "50%" still opens the right file
        self._db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()


def map_for_reading(store: Rows, size: int) -> None:
    """Let SQLite read up to ``size`` bytes of the file by memory-mapping it, not copying each page it reads.

    For a connection that only reads, many times over (an export worker looks rows up
    across a whole national directory): the pages are the operating system's file cache,
    shared, and counted in the process's resident memory once touched.
    """
    store._db.execute(f"PRAGMA mmap_size = {int(size)}")


def rowid_ranges(store: Rows, table: str, size: int = _FETCH) -> Iterator[tuple[int, int]]:
    """(first, last) rowids of each ``size`` rows of ``table`` in turn: batches that other connections can read."""
    cur = store._db.execute(f"SELECT rowid FROM [{_checked(table)}] ORDER BY rowid")
    try:
        while batch := cur.fetchmany(size):
            yield batch[0][0], batch[-1][0]
    finally:
        cur.close()


class BatchReader:
    """Batched reads of one directory's HSDS rows for one export; ``close()`` when done.

    Rows come in rowid order as tuples of the table's :meth:`columns` (the id first).
    """

    def __init__(self, store: Rows, survey: Survey | None = None):
        self.store = store
        self._db: Any = store._db  # a sqlite_utils Database or a sqlite3 Connection: both execute()
        self._present: dict[tuple[str, str, str | None], frozenset | None] = {}
        self._columns: dict[str, list[str]] = {}
        self._temp: dict[tuple[str, str], str] = {}
        self._entities: dict[str, set[str]] = {}
        if survey is not None:
            columns, present, entities = survey
            self._columns, self._present, self._entities = dict(columns), dict(present), dict(entities)

    def survey(self) -> Survey:
        """What this reader has found out about the tables so far, for another reader of the same file.

        Finding it out reads whole tables (half a second for a national directory), so an
        export's worker processes are given it rather than each reading them again.
        """
        return (dict(self._columns), dict(self._present), dict(self._entities))

    def close(self) -> None:
        """Drop the TEMP tables this reader made."""
        for name in self._temp.values():
            # the connection drops them when it closes anyway: a statement still open
            # elsewhere ("table is locked") is no reason to fail a finished export
            with contextlib.suppress(sqlite3.OperationalError):
                self._db.execute(f"DROP TABLE IF EXISTS temp.[{name}]")
        self._temp.clear()

    def columns(self, table: str) -> list[str]:
        """The columns of ``table`` that hold a value in any row, in schema order (``id`` first).

        Only these are read: a national directory leaves most HSDS fields empty, and each
        column read costs as much again for every row as the search that found the row.
        """
        if table not in self._columns:
            names = column_names(_checked(table))
            counts = self._db.execute(f"SELECT {', '.join(f'count([{c}])' for c in names)} FROM [{table}]").fetchone()
            self._columns[table] = [c for c, n in zip(names, counts, strict=True) if n or c == "id"]
        return self._columns[table]

    def rows_between(self, table: str, first: int, last: int) -> list[tuple]:
        """The rows of ``table`` whose rowid is from ``first`` to ``last``, as tuples of :meth:`columns`."""
        cols = ", ".join(f"[{c}]" for c in self.columns(table))
        return self._db.execute(
            f"SELECT {cols} FROM [{table}] WHERE rowid BETWEEN ? AND ? ORDER BY rowid", [first, last]
        ).fetchall()

    def has_values(self, table: str, column: str) -> bool:
        """Whether any row of ``table`` has a value in ``column``."""
        return column in self.columns(_checked(table, column))

    def iter_rows(self, table: str, size: int = _FETCH) -> Iterator[list[tuple]]:
        """Every row of ``table`` in rowid order, ``size`` at a time, as tuples of :meth:`columns`."""
        cols = ", ".join(f"[{c}]" for c in self.columns(table))
        cur = self._db.execute(f"SELECT {cols} FROM [{table}] ORDER BY rowid")
        try:
            while batch := cur.fetchmany(size):
                yield batch
        finally:
            cur.close()  # a statement left open would stop :meth:`close` dropping the TEMP tables

    def _values(self, table: str, column: str, entity: str | None = None) -> frozenset | None:
        """The distinct values of ``column`` (of ``entity`` 's attributes or metadata), or None for more than a few.

        Asked once per column. Most owner columns are empty or nearly so in a directory (a
        few places name their organisation), so most batches need not ask about them at all.
        """
        key = (_checked(table, column), column, entity)
        if key not in self._present:
            where = f" AND [{_LINKS[table][0]}] = ?" if entity is not None else ""
            # by one entity: a scan, not the link_id index, which would look up every row to test its entity
            scan = " NOT INDEXED" if entity is not None else ""
            sql = (
                f"SELECT DISTINCT [{column}] FROM [{table}]{scan} WHERE [{column}] IS NOT NULL{where} LIMIT {_FEW + 1}"
            )
            found = frozenset(r[0] for r in self._db.execute(sql, [] if entity is None else [entity]))
            self._present[key] = found if len(found) <= _FEW else None
        return self._present[key]

    def _test(self, table: str, column: str, marks: str) -> str:
        """SQL that is true for the rows whose ``column`` is one of ``marks``, through an index."""
        if (table, column) in _INDEXED:
            return f"[{column}] IN ({marks})"
        name = self._temp.get((table, column))
        if name is None:
            name = self._temp[(table, column)] = f"_batch_{table}_{column}_{next(_names)}"
            self._db.execute(
                f"CREATE TABLE temp.[{name}] AS SELECT [{column}] AS value, rowid AS rid "
                f"FROM main.[{table}] WHERE [{column}] IS NOT NULL"
            )
            self._db.execute(f"CREATE INDEX temp.[{name}_value] ON [{name}] (value)")
        return f"rowid IN (SELECT t.rid FROM temp.[{name}] t WHERE t.value IN ({marks}))"

    def _rows_in(
        self,
        table: str,
        column: str,
        values: Sequence,
        where: str = "",
        params: Sequence = (),
        entity: str | None = None,
    ) -> list:
        """Rows whose ``column`` is one of ``values`` (and that match ``where``), in rowid order."""
        present = self._values(table, column, entity) if values and self.has_values(table, column) else frozenset()
        if present is not None:
            values = [v for v in values if v in present]
        if not values:
            return []
        cols = ", ".join(f"[{c}]" for c in self.columns(table))
        several = len(values) > _CHUNK  # then each chunk's rows carry their rowid, to be put in one order
        found: list[tuple] = []
        for i in range(0, len(values), _CHUNK):
            chunk = list(values[i : i + _CHUNK])
            test = self._test(table, column, ",".join("?" * len(chunk)))
            select = f"rowid, {cols}" if several else cols
            sql = f"SELECT {select} FROM main.[{table}] WHERE {test}{where} ORDER BY rowid"
            found += self._db.execute(sql, [*chunk, *params]).fetchall()
        if several:
            found.sort(key=lambda r: r[0])
            return [r[1:] for r in found]
        return found

    def by_id(self, table: str, ids: Sequence[str]) -> list[tuple]:
        """The rows of ``table`` with these ids (unknown ids are skipped), in rowid order."""
        return self._rows_in(table, "id", ids)

    def owned(self, table: str, column: str, parent_ids: Sequence[str]) -> list[tuple]:
        """The rows of ``table`` that hang under these parents through ``column``, in rowid order.

        A row hangs under the first of its owner columns (``OWNER_PRECEDENCE``) that names a
        parent that exists: a phone that names a service and a place not in the database
        belongs to the service. So a row is taken here only when every owner column before
        ``column`` names no row that exists.
        """
        owners = owner_columns(_checked(table, column))
        if column not in owners:
            raise ValueError(f"{column!r} does not make a row of {table} a nested child")
        # NOT EXISTS is true for a NULL column too (no row has a NULL id); a column no row uses needs no test
        nearer = "".join(
            f" AND NOT EXISTS (SELECT 1 FROM main.[{c.removesuffix('_id')}] p WHERE p.id = main.[{table}].[{c}])"
            for c in owners[: owners.index(column)]
            if self.has_values(table, c)
        )
        return self._rows_in(table, column, parent_ids, nearer)

    def linked(self, table: str, entity: str, ids: Sequence[str]) -> list[tuple]:
        """The attributes (``table="attribute"``) or metadata (``"metadata"``) of these ``entity`` records, in rowid order."""
        kind, key = _LINKS[table]
        if entity not in self.entities(table):
            return []
        return self._rows_in(table, key, ids, f" AND [{kind}] = ?", [entity], entity)

    def entities(self, table: str) -> set[str]:
        """The tables that have any attributes (``table="attribute"``) or metadata (``"metadata"``)."""
        if table not in self._entities:
            kind = _LINKS[table][0]
            self._entities[table] = {r[0] for r in self._db.execute(f"SELECT DISTINCT [{kind}] FROM [{table}]")}
        return self._entities[table]

    def reached_locations(self, location_ids: Sequence[str]) -> set[str]:
        """Which of these locations a service that exists reaches through ``service_at_location``."""
        found: set[str] = set()
        for i in range(0, len(location_ids), _CHUNK):
            chunk = list(location_ids[i : i + _CHUNK])
            found.update(
                r[0]
                for r in self._db.execute(
                    "SELECT sal.location_id FROM service_at_location sal "
                    f"WHERE sal.location_id IN ({','.join('?' * len(chunk))}) "
                    "AND EXISTS (SELECT 1 FROM service s WHERE s.id = sal.service_id)",
                    chunk,
                )
            )
        return found
