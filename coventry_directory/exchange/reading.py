"""Reads the services of one source record by record: the good ones in, the bad ones listed.

Every service is converted to HSDS 3.0 (from ORUK 1.0 or Meeting Guide when that is what
arrived), repaired where the meaning is clear (``repair``), linked to our categories
where its publisher's taxonomy terms say so (``taxonomy_map``), checked against the
schema and flattened on its own. A service that fails any of that is skipped and listed
as a problem with its path and reason; the rest are imported. Two services that carry
the same nested record (an organisation, a location) with different details keep the
first and note the difference.

``strict`` is the all-or-nothing of earlier releases: any problem, and no repairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from coventry_directory.exchange.documents import Items, expand_items, service_items
from coventry_directory.exchange.errors import ExchangeError, InvalidData, Problem
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.prepare import Prepared, Reopen, prepared
from coventry_directory.exchange.validate import MAX_PROBLEMS
from coventry_directory.input_files import file_identity
from coventry_directory.store.schema import column_names

PROGRESS_EVERY = 250  # services between progress reports
_ASSURED = column_names("service").index("assured_date")


@dataclass
class ReadResult:
    """Flattened rows of the services kept, with what was skipped and what was repaired."""

    data: FlatData
    services: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    warnings: list[Problem] = field(default_factory=list)
    repairs: Counter = field(default_factory=Counter)
    unmapped_terms: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # about the whole input (page 1 of 10 ...), shown to the user
    counts: Counter = field(default_factory=Counter)  # rows written per table, when written as read
    prepared_in_workers: int = 0  # of ``services``, how many worker processes prepared (``prepare.prepared``)

    def note(self, problem: Problem) -> None:
        """Keep a warning (the first :data:`MAX_PROBLEMS`; the kinds are all counted)."""
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(problem)

    def skip(self, problems: list[Problem]) -> None:
        """Count a skipped service and keep its problems (the first :data:`MAX_PROBLEMS`)."""
        self.skipped += 1
        room = MAX_PROBLEMS - len(self.problems)
        self.problems += problems[: max(room, 0)]


def converted_items(doc: object, fmt: str, feed_name: str, result: ReadResult) -> Items:
    """The HSDS 3.0 service objects of a document in format ``fmt`` (parsed, or ``json_stream.Streamed``).

    Converting ORUK 1.0, and reading a streamed file, happen one item at a time as the
    services are read: nothing holds the whole feed.
    """
    from coventry_directory.exchange.json_stream import Streamed

    if fmt == "meeting-guide":
        from coventry_directory.exchange.meeting_guide import meetings_to_hsds3

        meetings = [item for _, item in doc] if isinstance(doc, Streamed) else doc
        services, problems, warnings = meetings_to_hsds3(meetings, feed_name=feed_name)
        for problem in problems:
            result.skip([problem])
        for warning in warnings:
            result.note(warning)
            result.repairs["meeting list repair"] += 1
        return Items(services=[(f"$[{n}]", svc) for n, svc in enumerate(services)])
    if fmt == "oruk1":
        from coventry_directory.exchange.oruk1 import oruk1_items

        pairs = iter(doc) if isinstance(doc, Streamed) else ((f"$[{n}]", x) for n, x in enumerate(oruk1_items(doc)))
        return Items(services=oruk1_services(pairs, result))
    if isinstance(doc, Streamed):
        return Items(services=expand_items(doc))
    return service_items(doc)


def oruk1_services(pairs: Iterable[tuple[str, object]], result: ReadResult) -> Iterator[tuple[str, object]]:
    """ORUK 1.0 service objects as HSDS 3.0 ones; those that cannot be are counted in ``result``."""
    from coventry_directory.exchange.oruk1 import service_to_hsds3

    for path, item in pairs:
        svc, problems, warnings = service_to_hsds3(item, path) if isinstance(item, dict) else (None, [], [])
        if svc is None:
            result.skip(problems or [Problem(path, "is not an ORUK 1.0 service object")])
            continue
        for warning in warnings:
            result.note(warning)
            result.repairs["ORUK 1.0 repair"] += 1
        yield path, svc


class MemorySink:
    """Keeps the rows of the services read in one FlatData (a feed's delta, applied with its list assertions)."""

    def __init__(self) -> None:
        self.data = FlatData()

    def offer(self, step: Prepared, path: str) -> tuple[str, list[Problem]]:
        """Take one service's rows: ("new" | "same" | "differs", notes about records that disagree)."""
        flat = step.flat or FlatData()
        sid, row = next(iter(flat.tables["service"].items()))
        known = self.data.tables["service"].get(sid)
        if known is not None:
            return ("same" if known == row else "differs"), []
        notes = []
        for table, rows in flat.tables.items():
            mine = self.data.tables[table]
            for rid, r in rows.items():
                if rid not in mine:
                    mine[rid] = r
                elif mine[rid] != r:
                    notes.append(Problem(path, f"{table} {rid} is also in an earlier service, differently"))
        for key, fields in flat.extensions.items():
            self.data.extensions.setdefault(key, fields)
        self.data.assertions += flat.assertions
        return "new", notes

    def finish(self) -> None:
        """Nothing to flush: the rows are written by the caller."""

    def abort(self) -> None:
        """Nothing to throw away: the caller writes the rows or not."""


class StoreSink:
    """Writes the rows of the services read straight into a (new, staged) source database, in batches.

    Only a 64-bit hash of each record's (table, id) and of its content is kept, so a feed of
    100,000 services needs tens of megabytes here, not gigabytes. (Two different records
    sharing a hash would make the second look like a copy of the first; at a million records
    the odds are about one in twenty million.)
    """

    BATCH = 5000  # rows per INSERT batch

    def __init__(self, store) -> None:
        from coventry_directory.store.hsds_rows import BulkLoad

        self.store = store
        self.load = BulkLoad(store)
        self.seen: dict[int, int] = {}
        self.pending: dict[str, list[dict]] = {}
        self.waiting = 0
        self.counts: Counter = Counter()
        self.newest_assured = ""
        self.data = FlatData()  # stays empty: the rows are already in the store

    def offer(self, step: Prepared, path: str) -> tuple[str, list[Problem]]:
        """Take one service's rows: ("new" | "same" | "differs", notes about records that disagree)."""
        rows = step.rows or []
        service = rows[0][1]
        key = hash(("service", step.service_id))
        if key in self.seen:
            return ("same" if self.seen[key] == hash(service) else "differs"), []
        notes = []
        seen = self.seen
        pending = self.pending
        for table, values in rows:
            key = hash((table, values[0]))  # the id is every table's first column
            body = hash(values)
            known = seen.get(key)
            if known is None:
                seen[key] = body
                pending.setdefault(table, []).append(values)
            elif known != body and table != "taxonomy":
                notes.append(Problem(path, f"{table} {values[0]} is also in an earlier service, differently"))
        self.waiting += len(rows)
        assured = str(service[_ASSURED] or "")[:10]
        self.newest_assured = max(self.newest_assured, assured)
        if self.waiting >= self.BATCH:
            self.flush()
        return "new", notes

    def flush(self) -> None:
        """Write what is waiting, inside the one transaction of the load (``hsds_rows.BulkLoad``)."""
        for table, rows in self.pending.items():
            self.load.insert(table, rows)
            self.counts[table] += len(rows)
        self.pending = {}
        self.waiting = 0

    def finish(self) -> None:
        """Write what is waiting and commit (the staging file is written without syncing: see ``hsds_rows.staging_mode``)."""
        self.flush()
        self.load.commit()

    def abort(self) -> None:
        """Reading stopped: what was written of this read is thrown away (the staging file goes too)."""
        self.pending = {}
        self.waiting = 0
        self.load.abort()


def read_services(
    items: Items,
    source: str,
    *,
    strict: bool = False,
    map_terms: bool = True,
    progress=None,
    sink: MemorySink | StoreSink | None = None,
    workers: int = 0,
    reopen: Reopen | None = None,
) -> ReadResult:
    """Repair, check and flatten each service of ``items`` (see the module docstring).

    The rows go to ``sink``: kept in memory (the default, ``result.data``) or written to a
    database as they come. ``workers`` > 0 shares the preparing with that many processes,
    each reading the file ``reopen`` names itself (``prepare.prepared``; a store sink only). ``progress("checking", done, None)`` is called every
    few hundred services.
    """
    sink = sink or MemorySink()
    result = ReadResult(FlatData())
    for warning in items.warnings:
        result.note(warning)
        result.notes.append(warning.message)
    for problem in items.problems:
        result.skip([problem])
    first_path: dict[str, str] = {}
    keep_lists = isinstance(sink, MemorySink)  # a delta needs its lists to know what was dropped
    try:
        steps = prepared(
            items.services,
            source,
            strict=strict,
            map_terms=map_terms,
            keep_lists=keep_lists,
            workers=workers,
            reopen=reopen,
        )
        for n, step in enumerate(steps):
            if progress and n % PROGRESS_EVERY == 0:
                progress("checking", n, None)
            result.repairs.update(step.kinds)
            for warning in step.warnings:
                result.note(warning)
            if step.service_id is None:
                result.skip(step.problems)
                continue
            result.unmapped_terms.update(step.unmapped)
            path, sid = step.path, step.service_id
            verdict, conflicts = sink.offer(step, path)
            first = first_path.get(sid, "an earlier item")
            if verdict == "same":  # the same record listed twice: one copy is enough
                result.repairs["the same service listed twice"] += 1
                result.note(Problem(path, f"is the same service as {first}; listed once"))
                continue
            if verdict == "differs":
                result.skip([Problem(f"{path}.id", f"service {sid} is also at {first}, differently; skipped")])
                continue
            for conflict in conflicts:
                if strict:
                    result.problems.append(conflict)
                    continue
                result.note(Problem(conflict.path, f"{conflict.message}; the first was kept"))
                result.repairs["records that disagree"] += 1
            if len(first_path) < MAX_PROBLEMS * 10:
                first_path[sid] = path  # only for messages: not kept for every service of a national feed
            result.services += 1
            result.prepared_in_workers += step.by_worker  # only what goes in: not skipped or duplicate records
        sink.finish()
    except BaseException:
        sink.abort()
        raise
    result.data = sink.data
    if isinstance(sink, StoreSink):
        result.counts = sink.counts
    if strict and (result.problems or result.skipped):
        raise InvalidData(source, result.problems)
    return result


def read_document(
    doc: object, fmt: str | None, source: str, *, strict: bool = False, progress=None, sink=None, workers: int = 0
) -> tuple[ReadResult, str]:
    """Read a document (parsed, or streamed) in ``fmt`` (told from its content when None).

    Returns the result and the format's name as ``import --json`` reports it.
    """
    from coventry_directory.exchange.documents import FORMATS, detect_format
    from coventry_directory.exchange.json_stream import Streamed

    if fmt is None:
        fmt = detect_format(doc.peeked if isinstance(doc, Streamed) else doc)
    if fmt not in FORMATS:
        raise ValueError(fmt)
    pre = ReadResult(FlatData())
    items = converted_items(doc, fmt, source, pre)
    # a streamed file can be read again by each worker process itself (a meeting list is read whole)
    streamed = isinstance(doc, Streamed) and doc.path is not None and fmt != "meeting-guide"
    identity = file_identity(doc.path) if streamed else ()
    reopen = Reopen(str(doc.path), fmt, source, identity) if streamed else None
    result = read_services(items, source, strict=strict, progress=progress, sink=sink, workers=workers, reopen=reopen)
    if streamed and file_identity(doc.path) != identity:
        # read a piece at a time, so a file changed meanwhile may have given a mix of two
        raise ExchangeError(
            f"{doc.path} changed while it was being read, so what was read may be part old, part new. "
            "Nothing was changed: import it again once it is complete."
        )
    result.skipped += pre.skipped
    result.problems = [*pre.problems, *result.problems][:MAX_PROBLEMS]
    result.warnings = [*pre.warnings, *result.warnings][:MAX_PROBLEMS]
    result.repairs.update(pre.repairs)
    if strict and pre.problems:
        raise InvalidData(source, result.problems)
    return result, {"hsds": "hsds-json"}.get(fmt, fmt)
