"""``import PATH_OR_URL``: HSDS JSON, an HSDS CSV package, or an Open Referral API feed.

An import from a file replaces the directory's contents with the file's; a feed is
pulled whole the first time and as deltas after that (``oruk_sync``). Either way the new
edition is built in a staging file beside the target and swapped in atomically
(``install.commit``), so invalid data, a time-out or a crash leaves the directory that
was there before, untouched and still in use.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.core.text import clean_text
from coventry_directory.disk_errors import database_writes
from coventry_directory.exchange.errors import EmptySource, UnknownSource
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.hsds_csv import DATAPACKAGE, read_csv
from coventry_directory.exchange.hsds_json import JSON_FILE_NAME, read_json
from coventry_directory.exchange.install import commit, remove_staging, staging_path
from coventry_directory.exchange.writer import edition_of, write_rows
from coventry_directory.input_files import kind_of, unreachable_reason
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


def write_edition(target: Path, data: FlatData, info: dict[str, str], *, mode: str) -> dict[str, int]:
    """Build the new edition beside ``target`` (a copy of it when merging) and swap it in.

    A replacement with no services is refused (EmptySource): an empty file, a header-only
    CSV or an empty first feed page must not silently empty the directory. Any failure -
    a full disk included, reported as "no space left on the disk holding ``target``" -
    leaves ``target`` as it was and no staging file behind.
    """
    target = Path(target)
    if mode == "replace" and not data.tables["service"]:
        raise EmptySource(
            f"{info.get('source') or 'the import'} holds no services; importing it would leave the "
            "directory empty, so nothing was changed"
        )
    # database_writes: a full disk, or an error naming a scratch file, is worded about target
    with database_writes(target):
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
            remove_staging(staged)
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
        # as text: a file name that is not UTF-8 (surrogateescape) is shown, not stored, byte for byte
        "source": clean_text(str(source.resolve())),
        "imported_at": utc_now(),
        "publisher": clean_text(f"Imported from {source.name}"),
    }
    counts = write_edition(target, data, info, mode="replace")
    return ImportResult(str(source), fmt, "replace", counts, info)
