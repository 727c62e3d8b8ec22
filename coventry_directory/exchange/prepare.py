"""Preparing each service of an import - repair, our categories, checks, rows - shared with worker processes when it is large.

What is done to one service does not depend on any other, so the services of a large
streamed file are shared out in batches: each worker process reads the file itself and
prepares its batches, and only the finished rows (tuples, in column order) come back,
while this process prepares its own share and writes everything in order. Handing parsed
services to a worker was tried first and cost more than preparing them. Small inputs, and
feeds (already in memory), are prepared here. Order is kept, so the result is the same
either way (the tests compare).

Workers are started with ``spawn`` on every platform: forking a process that runs Qt
threads is not safe, and it is what Windows does anyway. (The frozen app calls
``multiprocessing.freeze_support()`` so that a worker started from it becomes a worker.)
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import os
import queue
import signal
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.exchange.errors import ExchangeError, Problem
from coventry_directory.exchange.flatten import FlatData, Flattener
from coventry_directory.exchange.repair import repair_service
from coventry_directory.input_files import file_identity
from coventry_directory.store.schema import HSDS_TABLES, column_names

BATCH = 250  # services a worker prepares and hands over at a time
QUEUED = 4  # prepared batches a worker may have waiting: memory stays bounded
MAX_WORKERS = 4


@dataclass
class Prepared:
    """One service made ready to write, or why it cannot be."""

    path: str
    service_id: str | None = None
    flat: FlatData | None = None
    kinds: Counter = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    # without keep_lists: the rows as (table, values in column order), the service's first;
    # tuples, not dicts, because they cross a process boundary and go straight to executemany
    rows: list[tuple[str, tuple]] | None = None
    by_worker: bool = False  # prepared in a worker process (``import --json`` counts them)


def prepare(path: str, obj: object, source: str, strict: bool, map_terms: bool, keep_lists: bool) -> Prepared:
    """Repair, link to our categories, check and flatten one service (``keep_lists``: keep list assertions)."""
    out = Prepared(path)
    try:
        outcome = repair_service(obj, path, source, strict=strict)
    except RecursionError:
        out.problems.append(Problem(path, "is nested too deeply to read"))
        return out
    out.kinds, out.warnings = outcome.kinds, outcome.warnings
    svc = outcome.service
    if svc is None:
        out.problems = outcome.problems
        return out
    if map_terms:
        from coventry_directory.exchange.taxonomy_map import add_our_terms

        svc, out.unmapped = add_our_terms(svc)
    flattener = Flattener(tolerant=not strict)
    try:
        flattener.add("service", svc, path, {})
    except RecursionError:
        out.problems.append(Problem(path, "is nested too deeply to read"))
        return out
    flat = flattener.data
    if flat.problems:
        out.problems = flat.problems
        return out
    for note in flat.repaired:
        out.warnings.append(note)
        out.kinds["link that contradicts its nesting"] += 1
    flat.repaired = []
    flat._first_path = {}  # only for messages inside this one service: not worth sending back
    out.service_id = svc["id"]
    if keep_lists:
        out.flat = flat
    else:
        out.rows = packed_rows(flat)
    return out


def packed_rows(flat: FlatData) -> list[tuple[str, tuple]]:
    """One service's rows as (table, values in ``column_names(table)`` order), its service row first."""
    tables = flat.rows() if flat.extensions else {t: r.values() for t, r in flat.tables.items()}
    out = [("service", tuple(map(next(iter(tables["service"])).get, _COLUMNS["service"])))]
    for table, rows in tables.items():
        if rows and table != "service":
            cols = _COLUMNS[table]
            out += [(table, tuple(map(row.get, cols))) for row in rows]
    return out


_COLUMNS = {table: tuple(column_names(table)) for table in HSDS_TABLES}  # worked out once, not per row


def worker_count() -> int:
    """How many worker processes a large import uses here: one core is left to the writing."""
    return max(0, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


@dataclass(frozen=True)
class Reopen:
    """How a worker process reads the same services itself: a streamed JSON file, its format, the source's name."""

    path: str
    fmt: str
    source: str
    identity: tuple[int, ...] = ()  # ``input_files.file_identity`` of the file the importing process reads

    def services(self) -> Iterator[tuple[str, object]]:
        """The file's services, exactly as the importing process reads them (same order, same paths).

        ExchangeError when the file at the path is no longer the one the importing process
        is reading (replaced or changed since): a worker must never mix in another file.
        """
        from coventry_directory.exchange.flatten import FlatData
        from coventry_directory.exchange.json_stream import stream_items
        from coventry_directory.exchange.reading import ReadResult, converted_items

        doc = stream_items(Path(self.path), any_size=True)  # now open: what it reads stays this file
        if doc is None or file_identity(self.path) != tuple(self.identity):
            raise ExchangeError(f"{self.path} is not the file being imported any more")
        return iter(converted_items(doc, self.fmt, self.source, ReadResult(FlatData())).services)


def _batches(items: Iterable[tuple[str, object]]) -> Iterator[list[tuple[str, object]]]:
    batch: list[tuple[str, object]] = []
    for pair in items:
        batch.append(pair)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _owner(n: int, workers: int) -> int:
    """Who prepares batch ``n``: -1 for this process, else that worker.

    This process also reads each worker's rows back and writes everything, so it prepares
    one batch in ``2 * workers + 1`` and each worker two: with one worker, the two cores
    then finish together (measured on a national feed).
    """
    slot = n % (2 * workers + 1)
    return -1 if slot == 0 else (slot - 1) % workers


def _work(reopen: Reopen, me: int, workers: int, strict: bool, map_terms: bool, out) -> None:
    """A worker: read the file, prepare the batches that are this worker's, hand them over in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the importing process's to answer
    try:
        for n, batch in enumerate(_batches(reopen.services())):
            if _owner(n, workers) == me:
                done = [prepare(path, obj, reopen.source, strict, map_terms, False) for path, obj in batch]
                if not _hand_over(out, (n, _packed_batch(done))):
                    return
    except Exception:
        pass
    _hand_over(out, None)


def _hand_over(out, item) -> bool:
    """Put ``item`` on the queue, waiting while it is full; False when the importing process has gone.

    An import stopped from outside (killed, or its window closed) leaves no worker waiting
    for ever: each second of waiting, the worker looks whether its parent is still there.
    """
    parent = multiprocessing.parent_process()
    while True:
        try:
            out.put(item, timeout=1.0)
            return True
        except queue.Full:
            if parent is not None and not parent.is_alive():
                return False


def prepared(
    items: Iterable[tuple[str, object]],
    source: str,
    *,
    strict: bool,
    map_terms: bool,
    keep_lists: bool,
    workers: int = 0,
    reopen: Reopen | None = None,
) -> Iterator[Prepared]:
    """Each item prepared, in order: here, or shared with ``workers`` processes that read ``reopen`` themselves.

    Each worker reads the file on its own, so the services never cross between processes:
    only the finished rows come back (handing a national feed's parsed services to a
    worker cost more than preparing them). This process reads the file too, prepares its
    share (``_owner``) and takes the rest from the workers in order. A worker that fails
    or stops leaves its batches to this process, so the import goes on, only slower, and
    a fault in the file is reported here, where it is read. Never with ``keep_lists``.
    """
    if workers <= 0 or keep_lists or reopen is None:
        for path, obj in items:
            yield prepare(path, obj, source, strict, map_terms, keep_lists)
        return
    context = multiprocessing.get_context("spawn")
    queues = [context.Queue(maxsize=QUEUED) for _ in range(workers)]
    procs = [
        context.Process(target=_work, args=(reopen, k, workers, strict, map_terms, queues[k]), daemon=True)
        for k in range(workers)
    ]
    alive = set(range(workers))
    try:
        with _ctrl_c_not_for_workers():
            for proc in procs:
                proc.start()
        for n, batch in enumerate(_batches(items)):
            k = _owner(n, workers)
            done = _received(queues[k], procs[k], n) if k in alive else None
            if done is None:
                alive.discard(k)
                done = [prepare(path, obj, source, strict, map_terms, False) for path, obj in batch]
            yield from done
    finally:
        # finished, refused or interrupted: no worker goes on for nothing
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        for q in queues:
            q.close()
            q.cancel_join_thread()


@contextlib.contextmanager
def _ctrl_c_not_for_workers() -> Iterator[None]:
    """Start workers with Ctrl+C ignored: the terminal sends it to them too, and each would print a traceback.

    A process started with SIGINT ignored keeps ignoring it (Python installs its own handler
    only when it is not). The importing process stops them itself (``prepared``'s finally).
    Only the main thread can change a signal's handler; from another (the app's worker
    thread) the workers are started as they are.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        # None: a handler not set from Python; Python's own is the one to give back then
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


def _received(out, proc, n: int) -> list[Prepared] | None:
    """Batch ``n`` from a worker, or None when it has stopped (or is out of step) and this process must do it."""
    while True:
        try:
            got = out.get(timeout=1.0)
        except queue.Empty:
            if not proc.is_alive():
                return None
            continue
        if got is None or got[0] != n:
            return None
        return _unpacked_batch(got[1])


def _packed_batch(batch: list[Prepared]) -> bytes:
    """A worker's prepared batch as ``marshal`` bytes: read back several times faster than a pickle of it."""
    return marshal.dumps(
        [
            (
                p.path,
                p.service_id,
                dict(p.kinds),
                [(w.path, w.message) for w in p.warnings],
                [(w.path, w.message) for w in p.problems],
                p.unmapped,
                p.rows,
            )
            for p in batch
        ]
    )


def _unpacked_batch(data: bytes) -> list[Prepared]:
    out = []
    for path, sid, kinds, warnings, problems, unmapped, rows in marshal.loads(data):
        out.append(
            Prepared(
                path,
                sid,
                None,
                Counter(kinds),
                [Problem(*w) for w in warnings],
                [Problem(*w) for w in problems],
                unmapped,
                rows,
                True,
            )
        )
    return out
