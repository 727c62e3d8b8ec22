"""Part of the store: one directory composed from several source databases, in rank order.

Each source (the curated edition, an imported file, a feed, a meeting list) is kept as a
directory database of its own. The first in rank is copied whole; each later one is
attached and merged into the copy, by these rules:

- a service already there - the same id, or the same organisation and name at the same
  postcode or phone (``core.matching``) - is the same service: the earlier source's fields
  stand, and each field it left empty is filled from the later one; so is each list it
  left empty (phones, schedules, locations, languages ... and, per taxonomy, its
  attributes), so a curated record with no phone gains the feed's phone but keeps its own
  description;
- the same holds for any other record already there under the same id (a location two
  feeds share keeps its first phones);
- everything else arrives with all it owns; a record whose owner was left out (a
  duplicate's own organisation) is left out with it;
- every service lists each source that described it, with the id it had there
  (``service_source``), and the sources themselves are listed in ``directory_source``.

Table and column names come from ``store.schema`` only; source data never reaches SQL text.
The whole merge and the search index rebuild run in one transaction on a staging copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from coventry_directory.store.database_files import copy_database, migrate, open_checked
from coventry_directory.store.errors import StoreError
from coventry_directory.store.hsds_rows import staging_mode
from coventry_directory.store.merge import Merger
from coventry_directory.store.migrations import DIRECTORY_MIGRATIONS
from coventry_directory.store.overlap import shares_nothing
from coventry_directory.store.search_index import rebuild_search_index


@dataclass(frozen=True)
class SourceFile:
    """One source to compose: its database file, name, kind and where it came from."""

    path: Path
    name: str
    kind: str
    location: str = ""
    format: str = ""
    updated_at: str = ""
    pulled_at: str = ""
    problems: int = 0
    stamp: str = ""


def _record_source(conn: sqlite3.Connection, rank: int, source: SourceFile, services: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO main.directory_source "
        "(name, rank, kind, location, format, services, updated_at, pulled_at, problems, stamp) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            source.name,
            rank,
            source.kind,
            source.location,
            source.format,
            services,
            source.updated_at,
            source.pulled_at,
            source.problems,
            source.stamp,
        ],
    )


def _schema_current(path: Path) -> None:
    db = open_checked(path, readonly=True)
    try:
        if not db["service"].exists() or DIRECTORY_MIGRATIONS.pending(db):
            raise StoreError(f"the source database {path} is not in this version's format; import it again")
    finally:
        db.conn.close()


def compose(
    sources: Sequence[SourceFile],
    out: Path,
    info: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    conflicts: dict[str, list[tuple[str, str]]] | None = None,
) -> dict[str, int]:
    """Write the directory composed of ``sources`` (rank order) to the new file ``out``.

    ``info`` is added to the first source's ``directory_info``. ``conflicts`` (when given)
    receives, per source, the services left out because their id belongs to a different
    service or organisation already in the directory. Returns how many services
    each source contributed of its own (not counting duplicates). StoreError when a
    source cannot be read.

    The first source's file is copied and the others merged into the copy. When a later
    source is far larger (a national feed beside the local edition), that one is copied
    instead and the earlier ones merged into it, which is the same directory when none of
    them shares anything with it (``_base`` checks; otherwise it is composed in plain rank
    order): copying a file is far faster than copying a million rows.
    """
    if not sources:
        raise StoreError("there is no source to make the directory from")
    for src in sources[1:]:
        _schema_current(src.path)
    return _compose(sources, _base(sources), out, info, progress, conflicts)


BASE_FACTOR = 4  # a later source is copied whole when it has this many times the services of all before it


def _base(sources: Sequence[SourceFile]) -> int:
    """The position of the source to copy whole: the first, or a far larger later one that shares nothing before it.

    Merging the earlier sources into that one makes the same directory as merging it after
    them only when it shares nothing with them: then no rule ever compares the two.
    (Sources after it are merged after it, as in rank order.)
    """
    if len(sources) < 2:
        return 0
    counts = [_count(src.path) for src in sources]
    big = max(range(len(sources)), key=lambda i: counts[i])
    if not big or counts[big] < BASE_FACTOR * sum(counts[:big]):
        return 0
    conn = sqlite3.connect(f"{sources[big].path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for src in sources[:big]:
            conn.execute("ATTACH DATABASE ? AS earlier", [f"{src.path.resolve().as_uri()}?mode=ro"])
            try:
                if not shares_nothing(conn, "main", "earlier"):
                    return 0
            finally:
                conn.execute("DETACH DATABASE earlier")
    finally:
        conn.close()
    return big


def _count(path: Path) -> int:
    db = open_checked(path, readonly=True)
    try:
        return db.execute("SELECT count(*) FROM service").fetchone()[0]
    finally:
        db.conn.close()


def _compose(
    sources: Sequence[SourceFile],
    base_at: int,
    out: Path,
    info: dict[str, str] | None,
    progress: Callable[[str], None] | None,
    conflicts: dict[str, list[tuple[str, str]]] | None,
) -> dict[str, int]:
    out = Path(out)
    base = sources[base_at]
    copy_database(base.path, out, sync=False)  # a staging file: the installer fsyncs it
    db = open_checked(out)
    contributed: dict[str, int] = {}
    found: dict[str, list[tuple[str, str]]] = {}
    try:
        staging_mode(db.conn)  # a staging file, fsynced by the installer before it is swapped in
        migrate(db, None)
        conn = db.conn
        conn.isolation_level = None  # explicit transactions: ATTACH cannot run inside one
        conn.execute("BEGIN")
        conn.execute("DELETE FROM main.directory_source")
        conn.execute("DELETE FROM main.service_source")
        conn.execute("INSERT INTO main.service_source SELECT id, ?, id, 'new' FROM main.service", [base.name])
        contributed[base.name] = conn.execute("SELECT count(*) FROM main.service").fetchone()[0]
        _record_source(conn, base_at, base, contributed[base.name])
        conn.execute("COMMIT")
        rest = [(rank, src) for rank, src in enumerate(sources) if rank != base_at]
        for rank, src in rest:
            if progress:
                progress(src.name)
            conn.execute("ATTACH DATABASE ? AS src", [f"{src.path.resolve().as_uri()}?mode=ro"])
            try:
                conn.execute("BEGIN")
                merger = Merger(conn, src)
                merger.run()
                if merger.conflicts:
                    found.setdefault(src.name, []).extend(merger.conflicts)
                if rank == 0:  # the copied base was another: the directory's own facts are the first source's
                    conn.execute("DELETE FROM main.directory_info")
                    conn.execute("INSERT INTO main.directory_info SELECT * FROM src.directory_info")
                count = conn.execute("SELECT count(*) FROM temp.fresh WHERE tbl = 'service'").fetchone()[0]
                contributed[src.name] = count
                total = conn.execute("SELECT count(*) FROM src.service").fetchone()[0]
                _record_source(conn, rank, src, total)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.execute("DETACH DATABASE src")
        conn.execute("BEGIN")
        for key, value in (info or {}).items():
            conn.execute("INSERT OR REPLACE INTO main.directory_info (key, value) VALUES (?, ?)", [key, value])
        rebuild_search_index(db)
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the directory could not be composed from its sources: {exc}") from exc
    finally:
        db.conn.close()
    if conflicts is not None:
        for name, left_out in found.items():
            conflicts.setdefault(name, []).extend(left_out)
    return {src.name: contributed[src.name] for src in sources}


def source_stats(path: Path) -> dict[str, int]:
    """How many services a source database holds, by status (``total`` for all)."""
    db = open_checked(path, readonly=True)
    try:
        rows = db.execute("SELECT coalesce(status, ''), count(*) FROM service GROUP BY 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable source database ({exc})") from exc
    finally:
        db.conn.close()
    out = {status or "unknown": n for status, n in rows}
    out["total"] = sum(n for _, n in rows)
    return out


def composed_stamps(path: Path) -> dict[str, str]:
    """{source name: stamp} of the sources the directory at ``path`` was composed from."""
    db = open_checked(path, readonly=True)
    try:
        if not db["directory_source"].exists():
            return {}
        return {name: stamp or "" for name, stamp in db.execute("SELECT name, stamp FROM directory_source")}
    finally:
        db.conn.close()
