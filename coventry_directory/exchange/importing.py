"""``import PATH_OR_URL``: HSDS JSON, an HSDS CSV package, or an Open Referral API feed.

An import from a file replaces the directory's contents with the file's; a feed is
pulled whole the first time and as deltas after that (``oruk_sync``). Either way the new
edition is built in a staging file beside the target and swapped in atomically
(``install.commit``), so invalid data, a time-out or a crash leaves the directory that
was there before, untouched and still in use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.exchange.errors import UnknownSource
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.hsds_csv import DATAPACKAGE, read_csv
from coventry_directory.exchange.hsds_json import JSON_FILE_NAME, read_json
from coventry_directory.exchange.install import commit, staging_path
from coventry_directory.exchange.writer import edition_of, write_rows
from coventry_directory.store import database_files, hsds_rows


@dataclass
class ImportResult:
    """What an import did."""

    source: str
    format: str
    mode: str  # replace | merge
    counts: dict[str, int] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)


def utc_now(offset_seconds: int = 0) -> str:
    """Now (plus ``offset_seconds``), UTC, to the second, as HSDS-friendly ISO 8601 (``...Z``)."""
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset_seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def is_url(source: str) -> bool:
    """True for an http(s) address (an API feed) rather than a file path."""
    return source.lower().startswith(("http://", "https://"))


def detect_format(path: Path) -> str:
    """``hsds-json`` or ``hsds-csv`` for a file or folder; UnknownSource when it is neither."""
    if path.is_dir():
        if (path / DATAPACKAGE).is_file() or (any(path.glob("*.csv")) and not (path / JSON_FILE_NAME).is_file()):
            return "hsds-csv"
        if (path / JSON_FILE_NAME).is_file():
            return "hsds-json"
    elif path.is_file():
        if path.name == DATAPACKAGE:
            return "hsds-csv"
        if path.suffix.lower() == ".json":
            return "hsds-json"
    elif not path.exists():
        raise UnknownSource(f"{path} does not exist")
    raise UnknownSource(
        f"{path} is neither an HSDS JSON file nor an HSDS CSV package "
        f"(a folder of CSV files with {DATAPACKAGE}) nor an http(s) feed address"
    )


def write_edition(target: Path, data: FlatData, info: dict[str, str], *, mode: str) -> dict[str, int]:
    """Build the new edition beside ``target`` (a copy of it when merging) and swap it in."""
    target = Path(target)
    staged = staging_path(target)
    try:
        if mode == "merge":
            database_files.copy_database(target, staged)
            store = hsds_rows.open_for_writing(staged)
        else:
            store = hsds_rows.open_new(staged)
        try:
            counts = write_rows(store, data, info, mode=mode)
            if mode == "merge":
                hsds_rows.set_info(
                    store, {"edition": str(hsds_rows.column_max(store, "service", "assured_date") or "")[:10]}
                )
        finally:
            store.close()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    commit(staged, target)
    return counts


def import_file(source: Path, target: Path) -> ImportResult:
    """Replace the directory at ``target`` with an HSDS JSON file or CSV package."""
    source = Path(source)
    fmt = detect_format(source)
    data = read_csv(source.parent if source.is_file() else source) if fmt == "hsds-csv" else read_json(source)
    info = {
        "edition": edition_of(data.rows()),
        "source": str(source.resolve()),
        "imported_at": utc_now(),
        "publisher": f"Imported from {source.name}",
    }
    counts = write_edition(target, data, info, mode="replace")
    return ImportResult(str(source), fmt, "replace", counts, info)
