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
import re
import shlex
import stat
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import InvalidData, Problem, UnknownSource
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.hsds_csv import DATAPACKAGE, read_csv
from coventry_directory.exchange.hsds_json import JSON_FILE_NAME
from coventry_directory.exchange.json_stream import Streamed
from coventry_directory.exchange.left_out import left_out_entry
from coventry_directory.exchange.prepare import worker_count
from coventry_directory.exchange.reading import ReadResult, StoreSink, read_document
from coventry_directory.exchange.source_changes import Change, put_source
from coventry_directory.exchange.sources import Home, check_name, choose_name, derive_name
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
    prepared_in_workers: int = 0  # of the services read, how many worker processes prepared
    notes: list[str] = field(default_factory=list)
    # a new source that got a name of its own because its file's name was another file's source:
    # {"name": that source, "from": where it comes from, "added_as": this source's name}
    name_in_use: dict[str, str] | None = None

    def name_in_use_text(self) -> str:
        """The sentence saying this file became a new source beside the one of its name ('' if it did not)."""
        if not self.name_in_use:
            return ""
        taken, added = self.name_in_use["name"], self.name_in_use["added_as"]
        return (
            f"A source named {taken!r} already comes from {self.name_in_use['from']}; this file was added as "
            f"{added!r}. To update {taken!r} instead, import with --source {shlex.quote(taken)}."
        )

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
            "name_in_use": self.name_in_use,
            "prepared_in_workers": self.prepared_in_workers,
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
    except ValueError:
        raise UnknownSource(
            f"{clean_text(url)!r} is not a usable feed address: its host or port number is written wrongly"
        ) from None
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

    A folder is a CSV package when it has ``datapackage.json`` (or CSV files and no
    ``services.json``); else its JSON files are read, all of them, as one source.

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
        if json_files(path):
            return "hsds-json"  # one JSON file or several (one per page, say): read as one source
        raise UnknownSource(
            f"the folder {path} holds nothing to import: it needs JSON files (*.json) or an HSDS CSV "
            f"package (CSV files with {DATAPACKAGE})"
        )
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
    entries = (left_out_entry(sid, why) for sid, why in change.conflicts)
    left_out = [Problem(e["path"], e["reason"]) for e in entries]
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
        prepared_in_workers=read.prepared_in_workers,
    )


# A file this large (~2,000 fully nested services) is prepared in worker processes.
PARALLEL_BYTES = 3 << 20


def json_files(folder: Path) -> list[Path]:
    """The JSON files of a folder to import together, in name order (``page2.json`` before ``page10.json``)."""

    def natural(path: Path) -> list:
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name.casefold())]

    found = [
        p
        for p in folder.iterdir()
        if p.suffix.lower() == ".json" and p.name != DATAPACKAGE and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(found, key=natural)


@dataclass
class JsonFolder:
    """A folder of JSON files read as one source (one file per page of a feed, say), in name order."""

    folder: Path
    files: list[Path]
    first: object  # the first file, opened (parsed, or ``json_stream.Streamed``)


_FORMAT_WORDS = {"hsds": "HSDS 3.0 data", "oruk1": "Open Referral UK 1.0 data", "meeting-guide": "a meeting list"}


def _open_json(file: Path, progress=None, before: int = 0, total: int | None = None):
    """A JSON file opened for import: streamed when large (with its progress), else parsed whole.

    A small file nested too deeply to parse whole is streamed after all, so that a record
    nested 10,000 deep is that record's fault (skipped, "nested too deeply"), as it is in a
    large file, and not a reason to refuse the rest.
    """
    from coventry_directory.exchange.json_stream import (
        STREAM_DEPTH,
        NestedTooDeeply,
        load_whole,
        nesting_depth,
        stream_items,
    )

    total = total or (file.stat().st_size if file.is_file() else None)
    on_read = (lambda done: progress("reading", before + done, total)) if progress and total else None
    streamed = stream_items(file, on_read)
    if streamed is not None:
        return streamed
    try:
        return load_whole(file)
    except NestedTooDeeply:
        if nesting_depth(file.read_bytes()) > STREAM_DEPTH:
            raise  # too deep even to read record by record in good time: refused whole, at once
        streamed = stream_items(file, on_read, any_size=True)  # a list or a page: one record at a time
        if streamed is None:
            raise  # one object nested too deeply: there is no record to skip
        return streamed


def _detected(doc) -> str:
    from coventry_directory.exchange.documents import detect_format as detect_content

    return detect_content(doc.peeked if isinstance(doc, Streamed) else doc)


def open_file(path: Path, progress=None):
    """(what the file holds - parsed, streamed, a CSV package's rows, a ``JsonFolder`` -, its format) for import."""
    kind = detect_format(path)
    if progress:
        progress("reading", 0, None)
    if kind == "hsds-csv":
        data = read_csv(path.parent if path.is_file() else path)
        return ReadResult(data, services=len(data.tables["service"])), "hsds-csv"
    files = json_files(path) if path.is_dir() else [path]
    if len(files) > 1:
        total = sum(f.stat().st_size for f in files)
        first = _open_json(files[0], progress, 0, total)
        return JsonFolder(path, files, first), _detected(first)
    doc = _open_json(files[0], progress)
    return doc, _detected(doc)


def _read_folder(folder: JsonFolder, fmt: str, name: str, store, *, strict: bool, progress=None) -> ReadResult:
    """Every file of ``folder`` read into one source, each problem's path naming its file."""
    sink, merged, first_kind = StoreSink(store), ReadResult(FlatData()), ""
    sizes = [f.stat().st_size for f in folder.files]
    for n, file in enumerate(folder.files):
        before = sum(sizes[:n])
        if progress:
            progress("reading", before, sum(sizes))
        try:
            doc = folder.first if n == 0 else _open_json(file, progress, before, sum(sizes))
            kind = _detected(doc) if fmt == "detect" else fmt
            if n == 0:
                first_kind = kind
            elif kind != first_kind:
                raise UnknownSource(
                    f"the files in {folder.folder} are not all of one kind: {folder.files[0].name} holds "
                    f"{_FORMAT_WORDS.get(first_kind, first_kind)} and {file.name} holds "
                    f"{_FORMAT_WORDS.get(kind, kind)}; import them one at a time. Nothing was changed."
                )
            workers = worker_count() if isinstance(doc, Streamed) and doc.size >= PARALLEL_BYTES else 0
            part = read_document(doc, kind, name, strict=strict, progress=progress, sink=sink, workers=workers)[0]
        except InvalidData as exc:
            raise InvalidData(str(folder.folder), _in_file(file, exc.problems)) from None
        _add_part(merged, part, file, len(folder.files))
    return merged


def _in_file(file: Path, problems: list[Problem]) -> list[Problem]:
    return [Problem(f"{clean_text(file.name)} {p.path}", p.message) for p in problems]


# "this is page 1 of 3 of a feed's list" (``documents``): not worth saying when the folder holds that many files
_PAGE_OF = re.compile(r"this is (?:page \d+|one page) of (\d+) of a feed's list")


def _add_part(merged: ReadResult, part: ReadResult, file: Path, files: int) -> None:
    """Add what one file of a folder gave to what the folder gave so far."""
    from coventry_directory.exchange.validate import MAX_PROBLEMS

    merged.services += part.services
    merged.prepared_in_workers += part.prepared_in_workers
    merged.skipped += part.skipped
    merged.problems = [*merged.problems, *_in_file(file, part.problems)][:MAX_PROBLEMS]
    merged.warnings = [*merged.warnings, *_in_file(file, part.warnings)][:MAX_PROBLEMS]
    merged.repairs.update(part.repairs)
    merged.unmapped_terms.update(part.unmapped_terms)
    for note in part.notes:
        pages = _PAGE_OF.search(note)
        if not (pages and int(pages.group(1)) <= files):
            merged.notes.append(f"{clean_text(file.name)}: {note}")
    merged.data, merged.counts = part.data, part.counts  # one sink for all: its counts are the folder's


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
    service and written as it is read (``json_stream``, ``reading.StoreSink``). A folder of
    JSON files is read file by file, in name order, into the one source.
    """
    source = Path(source)
    # as text: a file name that is not UTF-8 (surrogateescape) is shown, not stored, byte for byte
    where = clean_text(str(source.resolve()))
    home = Home(Path(target), shipped)
    taken = None
    if name:
        name = check_name(name)
    else:
        name, taken = choose_name(home, derive_name(clean_text(str(source))), where)
    doc, detected = open_file(source, progress)
    used = {"hsds": "hsds-json"}.get(fmt or detected, fmt or detected)
    if isinstance(doc, ReadResult):  # a CSV package, read whole (its tables cross-refer)
        used = "hsds-csv"

        def read(store):
            return doc
    elif isinstance(doc, JsonFolder):

        def read(store):
            return _read_folder(doc, fmt or "detect", name, store, strict=strict, progress=progress)
    else:
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
    if taken is not None and result.mode == "added":
        result.name_in_use = {"name": taken.name, "from": taken.location, "added_as": result.name}
    return result
