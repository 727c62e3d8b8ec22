"""``import PATH_OR_URL``: a file or folder (HSDS 3.0 JSON or CSV, ORUK 1.0, Meeting Guide) as a source.

Each import adds or updates one named source of the directory and leaves the others
alone (``sources``); a feed is pulled whole the first time and as deltas after that
(``oruk_sync``). The file is read record by record (``reading``): what can be read is
imported, what cannot is listed with its path. A file with no readable services, or far
fewer than its source had, changes nothing unless the user says so. The new source and
the new directory are built beside the old ones and swapped in only when complete.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import Problem, UnknownSource
from coventry_directory.exchange.hsds_csv import DATAPACKAGE, read_csv
from coventry_directory.exchange.hsds_json import JSON_FILE_NAME, load_json_document
from coventry_directory.exchange.json_stream import Streamed
from coventry_directory.exchange.prepare import worker_count
from coventry_directory.exchange.reading import ReadResult, StoreSink, read_document
from coventry_directory.exchange.source_changes import Change, put_source
from coventry_directory.exchange.sources import Home, check_name, derive_name, name_for
from coventry_directory.input_files import kind_of, unreachable_reason


@dataclass
class ImportResult:
    """What an import did: the source it added or updated and what was read, skipped and repaired."""

    source: str
    format: str
    mode: str  # added | updated | replaced | merged
    counts: dict[str, int] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)
    name: str = ""
    kind: str = ""
    services: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    repairs: dict[str, int] = field(default_factory=dict)
    unmapped_terms: dict[str, int] = field(default_factory=dict)
    contributed: int = 0
    total: int = 0
    notes: list[str] = field(default_factory=list)

    def as_json(self, database: Path) -> dict:
        """The result for ``import --json``."""
        return {
            "ok": True,
            "source": self.name,
            "kind": self.kind,
            "from": self.source,
            "format": self.format,
            "mode": self.mode,
            "services": self.services,
            "skipped": self.skipped,
            "problems": [{"path": p.path, "reason": p.message} for p in self.problems],
            "repairs": self.repairs,
            "unmapped_terms": self.unmapped_terms,
            "new_services": self.contributed,
            "directory_services": self.total,
            "counts": self.counts,
            "edition": self.info.get("edition"),
            "notes": self.notes,
            "database": str(database),
        }


def utc_now(offset_seconds: int = 0) -> str:
    """Now (plus ``offset_seconds``), UTC, to the second, as HSDS-friendly ISO 8601 (``...Z``)."""
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset_seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def is_url(source: str) -> bool:
    """True for an http(s) address (an API feed) rather than a file path."""
    return source.lower().startswith(("http://", "https://"))


def check_feed_url(url: str) -> str:
    """``url`` if it is a usable http(s) feed address; UnknownSource saying what is wrong otherwise.

    Refused before any connection: text that is not an address at all (``http://[::1``),
    no host, a port that is not a number, spaces, control characters or undecodable bytes.
    """
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number 0-65535
    except ValueError as exc:
        raise UnknownSource(f"{clean_text(url)!r} is not a usable feed address ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UnknownSource(f"{clean_text(url)!r} is not a feed address: it needs http:// or https:// and a host")
    if port == 0:
        raise UnknownSource(f"{clean_text(url)!r} is not a usable feed address (port 0)")
    if not url.isascii() or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise UnknownSource(
            f"{clean_text(url)!r} is not a usable feed address: it holds spaces, control characters or "
            "letters outside ASCII (percent-encode them, and give an international host name in its xn-- form)"
        )
    return url


def detect_format(path: Path) -> str:
    """``hsds-json`` or ``hsds-csv`` for a file or folder; UnknownSource when it is neither.

    A path that cannot be used says why (missing, under a file, no permission, a pipe or
    a device), not just "does not exist".
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise UnknownSource(f"{path} {unreachable_reason(path, exc)}") from None
    if stat.S_ISDIR(mode):
        if (path / DATAPACKAGE).is_file() or (any(path.glob("*.csv")) and not (path / JSON_FILE_NAME).is_file()):
            return "hsds-csv"
        if (path / JSON_FILE_NAME).is_file():
            return "hsds-json"
    elif stat.S_ISREG(mode):
        if path.name == DATAPACKAGE:
            return "hsds-csv"
        if path.suffix.lower() == ".json":
            return "hsds-json"
    else:
        raise UnknownSource(f"{path} is {kind_of(mode)}, not an HSDS file or folder")
    raise UnknownSource(
        f"{path} is neither an HSDS JSON file nor an HSDS CSV package "
        f"(a folder of CSV files with {DATAPACKAGE}) nor an http(s) feed address"
    )


def result_of(change: Change, read: ReadResult, where: str, fmt: str) -> ImportResult:
    """The ImportResult of a source change made from ``read`` (services left out when merging count as skipped)."""
    source = change.source
    left_out = [Problem(f"service {sid}", f"{why}; left out") for sid, why in change.conflicts]
    return ImportResult(
        source=where,
        format=fmt,
        mode=change.mode,
        counts=change.counts,
        info=source.info if source else {},
        name=source.name if source else "",
        kind=source.kind if source else "",
        services=read.services - len(left_out),
        skipped=read.skipped + len(left_out),
        problems=[*read.problems, *left_out],
        warnings=read.warnings,
        repairs=dict(read.repairs),
        unmapped_terms=dict(read.unmapped_terms.most_common(50)),
        contributed=change.contributed.get(source.name, 0) if source else 0,
        total=change.total,
    )


# A file this large (~2,000 fully nested services) is prepared in worker processes.
PARALLEL_BYTES = 3 << 20


def open_file(path: Path, progress=None):
    """(what the file holds - parsed, streamed, or a CSV package's rows -, its format) for import."""
    from coventry_directory.exchange.documents import detect_format as detect_content
    from coventry_directory.exchange.json_stream import stream_items

    kind = detect_format(path)
    if progress:
        progress("reading", 0, None)
    if kind == "hsds-csv":
        data = read_csv(path.parent if path.is_file() else path)
        return ReadResult(data, services=len(data.tables["service"])), "hsds-csv"
    file = path / JSON_FILE_NAME if path.is_dir() else path
    size = file.stat().st_size if file.is_file() else None
    on_read = (lambda done: progress("reading", done, size)) if progress and size else None
    doc = stream_items(file, on_read) or load_json_document(file)
    return doc, detect_content(doc.peeked if isinstance(doc, Streamed) else doc)


def import_file(
    source: Path,
    target: Path,
    *,
    name: str | None = None,
    fmt: str | None = None,
    replace: bool = False,
    strict: bool = False,
    allow_shrink: bool = False,
    shipped: Path | None = None,
    progress=None,
) -> ImportResult:
    """Add (or update) the source ``name`` of the directory at ``target`` from a file or folder.

    ``shipped`` is the edition the directory starts from when ``target`` does not exist yet;
    ``progress`` is called as in ``sources.Progress``. A large file is read service by
    service and written as it is read (``json_stream``, ``reading.StoreSink``).
    """
    source = Path(source)
    # as text: a file name that is not UTF-8 (surrogateescape) is shown, not stored, byte for byte
    where = clean_text(str(source.resolve()))
    home = Home(Path(target), shipped)
    name = check_name(name) if name else name_for(home, derive_name(clean_text(str(source))), where)
    doc, detected = open_file(source, progress)
    if isinstance(doc, ReadResult):  # a CSV package, read whole (its tables cross-refer)
        used = "hsds-csv"

        def read(store):
            return doc
    else:
        used = {"hsds": "hsds-json"}.get(fmt or detected, fmt or detected)

        # a large file (read as a stream) is prepared in worker processes
        workers = worker_count() if isinstance(doc, Streamed) and doc.size >= PARALLEL_BYTES else 0

        def read(store):
            sink = StoreSink(store)
            return read_document(
                doc, fmt or detected, name, strict=strict, progress=progress, sink=sink, workers=workers
            )[0]

    kind = "meetings" if used == "meeting-guide" else "file"
    change, read_result = put_source(
        home, name, kind, where, used, read, replace=replace, allow_shrink=allow_shrink, progress=progress
    )
    result = result_of(change, read_result, where, used)
    result.notes += read_result.notes
    return result
