"""HSDS 3.0 JSON: the directory as one file holding a list of fully nested service objects.

Export writes ``services.json`` (valid against the spec's ``service.json``, checked by the
tests) a batch of services at a time, in worker processes for a national directory, so
that neither the objects nor the text are ever in memory whole; the bytes are exactly
:func:`dumps` of the whole list. Import reads such a list - from us or any other
publisher - validates every service, flattens it and writes it in one transaction, or
changes nothing and reports every problem.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from coventry_directory.atomic_write import SHARED, atomic_write, new_folder
from coventry_directory.exchange import export_worker, nest
from coventry_directory.exchange.errors import ExchangeError, InvalidData, Problem
from coventry_directory.exchange.flatten import FlatData, flatten_services
from coventry_directory.exchange.validate import validate_services
from coventry_directory.input_files import JsonTooDeep, file_identity, parse_json, read_input
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.hsds_batches import Survey, rowid_ranges

if TYPE_CHECKING:
    from multiprocessing.shared_memory import SharedMemory

JSON_FILE_NAME = "services.json"
MAX_JSON_BYTES = 1 << 30  # 1 GB: tens of thousands of fully nested services; json.loads needs several times this
PARALLEL_FROM = 20_000  # services: below this, starting workers costs about what they save
MAX_WORKERS = 4


def dumps(services: list[dict]) -> str:
    """The canonical text of an export: same data, same bytes."""
    return json.dumps(services, ensure_ascii=False, indent=2) + "\n"


def export_json(store: DirectoryStore, out_dir: Path, *, workers: int | None = None) -> Path:
    """Write ``out_dir/services.json`` atomically (0644: an export is for sharing); returns its path.

    The file holds exactly :func:`dumps` of every service, written a batch of services at a
    time, so a national directory never sits in memory whole, as objects or as text. A
    directory of :data:`PARALLEL_FROM` services or more is made into text by ``workers``
    processes (:func:`export_workers` unless given), each batch on its own, written in order.
    """
    out_dir = Path(out_dir)
    path = out_dir / JSON_FILE_NAME
    workers = export_workers() if workers is None else workers
    parallel = workers > 1 and store.path is not None and store.count_services() >= PARALLEL_FROM
    texts = _parallel_texts(store, workers) if parallel else nest.service_texts(store)
    with (
        new_folder(out_dir),  # each block undoes itself on failure: no temp file, no folder this export made
        atomic_write(path, mode=SHARED) as fh,
        contextlib.closing(texts),  # scratch tables and workers go while the store is open
    ):
        write_services(fh, texts)
    return path


def export_workers() -> int:
    """How many processes a large export uses: every core (this process only writes what they make)."""
    return min(MAX_WORKERS, os.cpu_count() or 1)


def _parallel_texts(store: DirectoryStore, workers: int) -> Iterator[str | memoryview]:
    """The services' texts, a batch per worker task, in storage order (each batch's services already joined).

    Workers are started with ``spawn``, as for an import (``exchange.prepare``). Each reads
    the directory file through its own read-only connection, a batch of rowids at a time,
    so the file must be the same one throughout: an import that swapped in a new directory
    meanwhile stops the export rather than let it mix the two. While the workers start,
    this process writes the first batch, and what it finds out about the tables on the way
    (which takes the time of many batches) goes to the workers with their first batches.
    A batch a worker made comes as UTF-8 in shared memory (``export_worker``), or as text.
    """
    assert store.path is not None
    before = file_identity(store.path)
    ranges = list(rowid_ranges(store, "service", nest.BATCH))  # all first: the connection then reads the first batch
    ahead = 2 * workers  # batches in hand: enough to keep every worker busy
    size = export_worker.SLOT_BYTES
    free = list(range(ahead + 1))  # slots no batch in hand is written into
    with contextlib.ExitStack() as cleanup:  # undone last first: the workers stop, then the shared memory goes
        slots = _shared_slots(len(free), size)
        if slots is not None:
            cleanup.callback(slots.unlink)
            cleanup.callback(slots.close)
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=export_worker.start,
            initargs=(str(store.path), slots and slots.name, size),
        )
        # stopped early (a full disk): no worker goes on for nothing
        cleanup.callback(pool.shutdown, wait=True, cancel_futures=True)

        def submit(first: int, last: int, survey: Survey | None = None) -> tuple[int, Future]:
            slot = free.pop()
            return slot, pool.submit(export_worker.batch_text, first, last, slot, survey)

        starting = [pool.submit(export_worker.ready) for _ in range(workers)]  # each submit starts a worker
        nester = nest.Nester(store)
        try:
            first = [",\n  ".join(nester.texts(nester.reader.rows_between("service", *ranges[0])))] if ranges else []
            survey = nester.reader.survey()
        finally:
            nester.close()
        later = iter(ranges[1:])
        waiting = deque(submit(*r, survey) for r in itertools.islice(later, ahead))  # these carry the survey
        yield from first
        for r in later:
            waiting.append(submit(*r))
            yield from _batch(waiting.popleft(), slots, size, free)
        while waiting:
            yield from _batch(waiting.popleft(), slots, size, free)
        for future in starting:  # a worker that could not start stops the export even if it got no batch
            _result(future)
        if file_identity(store.path) != before:
            raise ExchangeError(f"{store.path} changed while it was being exported; the export was not written")


def _shared_slots(count: int, size: int) -> SharedMemory | None:
    """Shared memory for ``count`` batches' texts (None where there is none to be had: texts then come by pipe)."""
    try:
        from multiprocessing.shared_memory import SharedMemory

        return SharedMemory(create=True, size=count * size)
    except (ImportError, OSError):  # a Python built without it; no /dev/shm in a container
        return None


def _batch(
    task: tuple[int, Future], slots: SharedMemory | None, size: int, free: list[int]
) -> Iterator[str | memoryview]:
    """The text of one batch a worker made, once it is done; its slot is free again once the text is written."""
    slot, future = task
    result = _result(future)
    if isinstance(result, str):
        yield result
    else:
        assert slots is not None
        view = slots.buf[slot * size : slot * size + result]
        try:
            yield view
        finally:
            view.release()  # else the shared memory could not be closed
    free.append(slot)


def _result(future: Future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise ExchangeError(
            "a worker process writing the export stopped unexpectedly (out of memory?); the export was not written"
        ) from exc


def write_services(fh: BinaryIO, texts: Iterable[str | bytes | memoryview]) -> None:
    """Write what :func:`dumps` gives for a list of services, from each service's text one level deep (or its UTF-8)."""
    start = b"[\n  "
    for text in texts:
        fh.write(start)
        fh.write(text.encode() if isinstance(text, str) else text)
        start = b",\n  "
    fh.write(b"[]\n" if start == b"[\n  " else b"\n]\n")


def load_services_file(path: Path) -> list:
    """The service list in a JSON file (a list, or an API page object with ``contents``)."""
    data = load_json_document(path)
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"]
    return data


def load_json_document(path: Path):
    """The parsed JSON of a file (InvalidData saying where it is not JSON).

    Only a regular file of at most :data:`MAX_JSON_BYTES` is read (InputFileError otherwise:
    a pipe, a device, a folder, a path under a file ...).
    """
    path = Path(path)
    try:
        data = parse_json(read_input(path, "the HSDS JSON file", MAX_JSON_BYTES).decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidData(str(path), [Problem("$", f"not UTF-8 text ({exc.reason})")]) from exc
    except json.JSONDecodeError as exc:
        raise InvalidData(
            str(path), [Problem(f"line {exc.lineno} column {exc.colno}", f"not JSON: {exc.msg}")]
        ) from exc
    except JsonTooDeep as exc:
        raise InvalidData(str(path), [Problem("$", str(exc))]) from exc
    except MemoryError as exc:
        raise ExchangeError(f"{path} is too large to read into this computer's memory; nothing was changed") from exc
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return data


def check_services(services, source: str, prefix: str = "$") -> FlatData:
    """Validate and flatten services; raises InvalidData listing every problem."""
    problems = validate_services(services, prefix)
    try:
        data = flatten_services(services if isinstance(services, list) else [], prefix)
    except RecursionError:
        raise InvalidData(source, [*problems, Problem(prefix, "is nested too deeply to read")]) from None
    problems += data.problems
    if problems:
        raise InvalidData(source, problems)
    return data


def read_json(path: Path) -> FlatData:
    """Validated, flattened rows of an HSDS JSON file (InvalidData if anything is wrong)."""
    path = Path(path)
    if path.is_dir():
        path = path / JSON_FILE_NAME
    return check_services(load_services_file(path), str(path))
