"""Raw HSDS table rows: the SQL that import, export, sync and bundles need.

``store.directory`` reads and writes whole model objects; the exchange layer (HSDS
JSON/CSV, ORUK sync, bundles) works on plain table rows instead, so that fields the
models do not use still round-trip. Table and column names are only ever taken from
``store.schema.HSDS_TABLES`` (never from input), so nothing a data file says can reach
the SQL text.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from coventry_directory.store.database_files import migrate, open_checked
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.errors import StoreError
from coventry_directory.store.schema import HSDS_TABLES, column_names
from coventry_directory.store.search_index import rebuild_search_index

_CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit


def _table(table: str) -> str:
    if table not in HSDS_TABLES:
        raise ValueError(f"not an HSDS table: {table!r}")
    return table


def _column(table: str, column: str) -> str:
    if column not in column_names(table):
        raise ValueError(f"not a column of {table}: {column!r}")
    return column


@contextlib.contextmanager
def atomic(store: DirectoryStore) -> Iterator[None]:
    """One transaction around several writes: all of them happen, or none."""
    with store._db.atomic():
        yield


def read_table(store: DirectoryStore, table: str) -> list[dict]:
    """Every row of an HSDS table, in insertion (rowid) order, as {column: value}."""
    cols = ", ".join(f"[{c}]" for c in column_names(_table(table)))
    cur = store._db.execute(f"SELECT {cols} FROM [{table}] ORDER BY rowid")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def table_counts(store: DirectoryStore) -> dict[str, int]:
    """How many rows each HSDS table holds."""
    return {t: store._db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in HSDS_TABLES}


def clear_tables(store: DirectoryStore, tables: Iterable[str]) -> None:
    """Delete every row of these HSDS tables (call inside :func:`atomic`)."""
    for table in tables:
        store._db.execute(f"DELETE FROM [{_table(table)}]")


def insert_rows(store: DirectoryStore, table: str, rows: Sequence[Mapping]) -> None:
    """Insert rows, replacing any with the same id; unknown keys are ignored."""
    if not rows:
        return
    cols = column_names(_table(table))
    insert_values(store, table, [tuple(row.get(c) for c in cols) for row in rows])


def insert_values(store: DirectoryStore, table: str, rows: Sequence[tuple]) -> None:
    """Insert rows given as value tuples in ``column_names(table)`` order, replacing any with the same id."""
    if not rows:
        return
    cols = column_names(_table(table))
    placeholders = ", ".join("?" for _ in cols)
    store._db.conn.executemany(
        f"INSERT OR REPLACE INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({placeholders})", rows
    )


def delete_owned(
    store: DirectoryStore,
    table: str,
    equals: Mapping[str, str],
    null_columns: Sequence[str] = (),
    keep_ids: Iterable[str] = (),
) -> list[str]:
    """Delete the rows matching ``equals`` whose ``null_columns`` are NULL, except ``keep_ids``.

    Used by delta imports: a parent that arrives with a list of children is the whole truth
    about the children it owns, so the ones no longer listed go. Returns the deleted ids.
    """
    where = [f"[{_column(table, c)}] = ?" for c in equals]
    where += [f"[{_column(table, c)}] IS NULL" for c in null_columns]
    rows = store._db.execute(
        f"SELECT id FROM [{_table(table)}] WHERE {' AND '.join(where)}", list(equals.values())
    ).fetchall()
    keep = set(keep_ids)
    gone = [r[0] for r in rows if r[0] not in keep]
    delete_ids(store, table, gone)
    return gone


def delete_ids(store: DirectoryStore, table: str, ids: Sequence[str]) -> None:
    """Delete rows by id."""
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        store._db.execute(f"DELETE FROM [{_table(table)}] WHERE id IN ({','.join('?' * len(chunk))})", chunk)


def column_values(store: DirectoryStore, table: str, column: str) -> set:
    """The distinct non-null values of one column."""
    return {
        r[0]
        for r in store._db.execute(
            f"SELECT DISTINCT [{_column(table, column)}] FROM [{_table(table)}] WHERE [{column}] IS NOT NULL"
        )
    }


def column_max(store: DirectoryStore, table: str, column: str):
    """The largest non-null value of one column (None for an empty table)."""
    return store._db.execute(f"SELECT max([{_column(table, column)}]) FROM [{_table(table)}]").fetchone()[0]


def rebuild_search(store: DirectoryStore) -> None:
    """Refill the search index after raw writes (call inside the same transaction)."""
    rebuild_search_index(store._db)


def set_info(store: DirectoryStore, updates: Mapping[str, str | None], *, replace_all: bool = False) -> None:
    """Write directory_info keys (a None value deletes the key); ``replace_all`` drops the rest first."""
    with store._db.atomic():
        if replace_all:
            store._db.execute("DELETE FROM directory_info")
        for key, value in updates.items():
            if value is None:
                store._db.execute("DELETE FROM directory_info WHERE key = ?", [key])
            else:
                store._db.execute("INSERT OR REPLACE INTO directory_info (key, value) VALUES (?, ?)", [key, value])


def open_new(path: Path) -> DirectoryStore:
    """A new, empty, migrated directory at ``path`` (any old file there is removed first).

    Only for staging files: written without SQLite's own syncing (see :func:`staging_mode`).
    """
    path = Path(path)
    for p in (path, path.with_name(path.name + "-journal")):
        if p.exists():
            p.unlink()
    store = DirectoryStore.create(path)
    staging_mode(store._db.conn)
    return store


STAGING_CACHE_KB = 131072  # SQLite's page cache for a staging file: 128 MB at most (used only as it fills)


def staging_mode(conn: sqlite3.Connection) -> None:
    """Write a staging file fast: no fsync per transaction, the rollback journal in memory.

    Safe only for a file nobody uses until it is complete: a crash leaves a staging file
    that is thrown away, and the installer fsyncs the finished file before swapping it in
    (``exchange.install.commit``), so what is swapped in is on the disk.
    """
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    # a national feed's pages in memory while its rows go in (in random id order): the
    # default 2 MB cache makes every insert re-read index pages from the file
    conn.execute(f"PRAGMA cache_size = -{STAGING_CACHE_KB}")


class BulkLoad:
    """Rows written into a new staging file in one transaction, its secondary indexes built once at the end.

    Keeping the owner-column indexes up to date row by row, and committing every batch,
    cost a national feed more than half its import time; building each index once from
    the finished table is a sort. Nothing reads the file until :meth:`commit`. (A writer
    thread was tried and is slower: the GIL passes between the threads at every row.)
    """

    def __init__(self, store: DirectoryStore) -> None:
        self.store = store
        self._indexes: list[str] | None = None  # the dropped indexes' SQL while a load is open

    def insert(self, table: str, rows: Sequence[tuple]) -> None:
        """Insert value tuples (see :func:`insert_values`), opening the load on first use."""
        if self._indexes is None:
            self._open()
        insert_values(self.store, table, rows)

    def _open(self) -> None:
        conn = self.store._db.conn
        if not conn.in_transaction:
            conn.execute("BEGIN")
        names = ", ".join("?" for _ in HSDS_TABLES)
        found = conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names})",
            list(HSDS_TABLES),
        ).fetchall()
        for name, _ in found:
            conn.execute(f'DROP INDEX "{name}"')  # names from our own schema, never from data
        self._indexes = [sql for _, sql in found]

    def commit(self) -> None:
        """Build the indexes again and commit what was inserted."""
        if self._indexes is None:
            return
        conn = self.store._db.conn
        for sql in self._indexes:
            conn.execute(sql)
        self._indexes = None
        conn.commit()

    def abort(self) -> None:
        """Throw away what was inserted (reading failed or was refused)."""
        if self._indexes is None:
            return
        self._indexes = None
        self.store._db.conn.rollback()  # the dropped indexes come back with it


def open_for_writing(path: Path) -> DirectoryStore:
    """A working copy of a directory opened for raw writes, brought up to this app's schema.

    Only for copies (staging files): it migrates without the usual backup, because the
    original the copy was made from is the backup.
    """
    path = Path(path)
    db = open_checked(path)
    if not db["service"].exists():
        db.conn.close()
        raise StoreError(f"The file {path} is not a Coventry Directory database.")
    staging_mode(db.conn)
    try:
        migrate(db, None)
    except sqlite3.DatabaseError as exc:
        db.conn.close()
        raise StoreError(f"The directory database {path} could not be upgraded: {exc}") from exc
    return DirectoryStore(db, path)
