"""Preparing each service of an import - repair, our categories, checks, rows - in worker processes when it is large.

What is done to one service does not depend on any other, so a national feed's 100,000
services are prepared in a few worker processes (as many as the computer has cores, up to
four) while this process reads the file and writes the rows: the slow part of an import
then runs in parallel. Small inputs are prepared here: starting workers costs more than
it saves. Order is kept, so the result is the same either way (the tests compare).

Workers are started with ``spawn`` on every platform: forking a process that runs Qt
threads is not safe, and it is what Windows does anyway. (The frozen app calls
``multiprocessing.freeze_support()`` so that a worker started from it becomes a worker.)
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from coventry_directory.exchange.errors import ExchangeError, Problem
from coventry_directory.exchange.flatten import FlatData, Flattener
from coventry_directory.exchange.repair import repair_service

PARALLEL_FROM = 2000  # services: a feed with fewer is prepared in this process
BATCH = 250  # services sent to a worker at a time
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
    if not keep_lists:
        flat.assertions = []
    out.service_id, out.flat = svc["id"], flat
    return out


def _prepare_batch(batch: list[tuple[str, object]], source: str, strict: bool, map_terms: bool) -> list[Prepared]:
    return [prepare(path, obj, source, strict, map_terms, False) for path, obj in batch]


def worker_count() -> int:
    """How many worker processes a large import uses here: one core is left to the reading and writing."""
    return max(0, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


def prepared(
    items: Iterable[tuple[str, object]],
    source: str,
    *,
    strict: bool,
    map_terms: bool,
    keep_lists: bool,
    workers: int = 0,
) -> Iterator[Prepared]:
    """Each item prepared, in order: here (``workers`` 0), or in that many worker processes (never with ``keep_lists``)."""
    if workers <= 0 or keep_lists:
        for path, obj in items:
            yield prepare(path, obj, source, strict, map_terms, keep_lists)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        waiting: deque[Future] = deque()
        batch: list[tuple[str, object]] = []
        for pair in items:
            batch.append(pair)
            if len(batch) == BATCH:
                waiting.append(pool.submit(_prepare_batch, batch, source, strict, map_terms))
                batch = []
                # a few batches per worker in flight: enough to keep them busy, not the whole feed
                while len(waiting) > 2 * workers:
                    yield from _result(waiting.popleft())
        if batch:
            waiting.append(pool.submit(_prepare_batch, batch, source, strict, map_terms))
        while waiting:
            yield from _result(waiting.popleft())
    finally:
        # stopped early (a refused import, an interrupted one): no worker goes on for nothing
        pool.shutdown(wait=True, cancel_futures=True)


def _result(future: Future) -> list[Prepared]:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise ExchangeError(
            "a worker process reading the import stopped unexpectedly (out of memory?); nothing was changed"
        ) from exc
