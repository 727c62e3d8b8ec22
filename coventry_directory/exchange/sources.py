"""The directory's sources: the edition, imported files, feeds and meeting lists, kept apart.

A directory file (``directory.db``, or the ``--db`` file) is *composed*: beside it, a
folder ``directory.sources/`` holds one database per source, and the directory is made
from them in rank order (``store.compose``: the curated edition first, so its facts win
and the others fill what it lacks). Importing adds or updates one source and leaves the
others alone; removing a source takes away what it alone brought.

A directory with no sources folder is a plain edition (as shipped, or as a bundle
installed it). The first import turns it into one: the edition becomes the source
``edition`` and the import is added beside it.

Every change builds the new source and the new directory beside the old ones, and
swaps them in only when both are complete: a failure or a crash leaves what was there.
The one window - the new source in place, the directory not yet swapped - is closed on
the next change (or by ``sources rebuild``): each source carries a stamp, and a directory
made from other stamps is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.atomic_write import fsync_dir, fsync_file
from coventry_directory.core.text import clean_text
from coventry_directory.disk_errors import database_writes
from coventry_directory.exchange.errors import EmptySource, ExchangeError, InvalidData, Problem
from coventry_directory.exchange.install import commit, remove_staging, staging_path
from coventry_directory.exchange.reading import ReadResult
from coventry_directory.exchange.writer import write_rows
from coventry_directory.store import compose as composer
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.directory import DirectoryStore

EDITION = "edition"
# progress(stage, done, total): stages "reading", "checking", "writing", "composing" (and a
# feed's "pages" and "details"); total None when not known. Called from the working thread.
Progress = Callable[[str, int, "int | None"], None]
KINDS = ("edition", "file", "feed", "meetings")
SHRINK_LIMIT = 0.5  # an update keeping under half a source's services needs --allow-shrink
_NAME_OK = re.compile(r"^[\w][\w .()&'+-]{0,79}$")
_INFO = "source_"  # the directory_info keys a source database describes itself with


class SourceError(ExchangeError):
    """A source cannot be added, found or removed as asked; nothing was changed (exit code 2)."""


class ShrinkRefused(SourceError):
    """An import would leave a source far smaller than it was; nothing was changed (exit code 2)."""


@dataclass
class Source:
    """One source of a directory, as its database describes it."""

    name: str
    kind: str
    path: Path | None
    rank: int
    location: str = ""
    format: str = ""
    services: int = 0
    added_at: str = ""
    updated_at: str = ""
    pulled_at: str = ""
    stamp: str = ""
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[dict] = field(default_factory=list)
    repairs: dict[str, int] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)

    def as_json(self, *, details: bool = False) -> dict:
        """The source for ``sources --json`` (with its problems and warnings when ``details``)."""
        out = {
            "name": self.name,
            "kind": self.kind,
            "rank": self.rank,
            "location": self.location,
            "format": self.format,
            "services": self.services,
            "added_at": self.added_at or None,
            "updated_at": self.updated_at or None,
            "pulled_at": self.pulled_at or None,
            "problems": self.problem_count,
        }
        if details:
            out |= {"problem_list": self.problems, "warnings": self.warnings, "repairs": self.repairs}
        return out


@dataclass(frozen=True)
class Home:
    """A directory file and the sources it is made from."""

    target: Path
    shipped: Path | None = None  # the edition to start from when the target does not exist yet

    @property
    def sources_dir(self) -> Path:
        """The folder holding one database per source."""
        return self.target.with_name(self.target.stem + ".sources")

    def source_path(self, name: str) -> Path:
        """Where the source called ``name`` is kept."""
        return self.sources_dir / f"{file_stem(name)}.db"

    def composed(self) -> bool:
        """True once the directory is made from sources (a sources folder with at least one)."""
        return bool(_source_files(self))


def installed_home() -> Home:
    """The app's own directory and its sources, starting from the shipped edition."""
    from coventry_directory.core.editions import current_directory_path
    from coventry_directory.resources import bundled_database_path
    from coventry_directory.userdata import installed_directory_path

    current_directory_path()  # a source checkout compiles the shipped edition on first use
    return Home(installed_directory_path(), bundled_database_path())


def file_stem(name: str) -> str:
    """A file name for a source name: lower-case letters, digits and hyphens, plus a digest if changed."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60] or "source"
    if stem != name:
        stem += "-" + uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:8]
    return stem


def check_name(name: str) -> str:
    """``name`` cleaned, or SourceError saying what a source name may hold."""
    name = clean_text(name).strip()
    if not _NAME_OK.match(name) or "\ufffd" in name:
        raise SourceError(
            f"{name!r} is not a usable source name: use up to 80 letters, digits, spaces and . - ( ) & ' +"
        )
    return name


def derive_name(where: str) -> str:
    """The default source name for a file path or feed address (its host, or its file name)."""
    if where.lower().startswith(("http://", "https://")):
        host = urllib.parse.urlsplit(where).hostname or "feed"
        return host.removeprefix("www.")
    path = Path(where)
    stem = path.stem if path.suffix else path.name
    if stem.lower() in ("services", "datapackage", "index", "meetings", "data", "csv", "json", "") and path.parent.name:
        stem = f"{path.parent.name} {stem}".strip() if stem.lower() == "meetings" else path.parent.name
    cleaned = re.sub(r"[^\w .()&'+-]+", " ", clean_text(stem)).strip() or "import"
    return cleaned[:80]


def name_for(home: Home, derived: str, location: str) -> str:
    """``derived``, unless a source of that name comes from elsewhere: then a name of its own.

    Importing ``a/services.json`` and then ``b/services.json`` must not make the second
    silently replace the first; importing the same file again updates its source.
    """
    taken = {s.name.casefold(): s for s in list_sources(home)}
    candidate, n = derived, 1
    while candidate.casefold() in taken and taken[candidate.casefold()].location != location:
        n += 1
        candidate = f"{derived} ({n})"
    return candidate


def _source_files(home: Home) -> list[Path]:
    try:
        return sorted(
            p
            for p in home.sources_dir.glob("*.db")
            if p.is_file() and ".previous" not in p.name and ".incoming-" not in p.name
        )
    except OSError:
        return []


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def read_source(path: Path) -> Source:
    """The source kept in the database file ``path``."""
    info = database_files.read_info(path)
    name = info.get(_INFO + "name") or (EDITION if path.stem == EDITION else path.stem)
    stats = composer.source_stats(path)
    repairs = {}
    with contextlib.suppress(ValueError, TypeError):
        repairs = dict(json.loads(info.get(_INFO + "repairs") or "{}"))
    return Source(
        name=name,
        kind=info.get(_INFO + "kind") or (EDITION if name == EDITION else "file"),
        path=path,
        rank=int(info.get(_INFO + "rank") or (0 if name == EDITION else 1)),
        location=info.get(_INFO + "location") or info.get("source", ""),
        format=info.get(_INFO + "format") or "",
        services=stats["total"],
        added_at=info.get(_INFO + "added") or "",
        updated_at=info.get(_INFO + "updated") or info.get("imported_at") or info.get("built_at", ""),
        pulled_at=info.get(_INFO + "pulled") or "",
        stamp=info.get(_INFO + "stamp") or "",
        problems=_json_list(info.get(_INFO + "problems")),
        problem_count=int(info.get(_INFO + "problem_count") or 0),
        warnings=_json_list(info.get(_INFO + "warnings")),
        repairs=repairs,
        info=info,
    )


def list_sources(home: Home) -> list[Source]:
    """The directory's sources in rank order (a plain edition is its one source)."""
    files = _source_files(home)
    if not files:
        base = home.target if home.target.is_file() else home.shipped
        if base is None or not base.is_file():
            return []
        edition = read_source(base)
        return [Source(**{**edition.__dict__, "name": EDITION, "kind": EDITION, "rank": 0})]
    return sorted((read_source(p) for p in files), key=lambda s: (s.rank, s.name.casefold()))


def find_source(home: Home, name: str) -> Source:
    """The source called ``name`` (case-insensitive), or SourceError listing the names there are."""
    sources = list_sources(home)
    for source in sources:
        if source.name.casefold() == name.casefold():
            return source
    names = ", ".join(s.name for s in sources) or "none"
    raise SourceError(f"there is no source called {name!r} (sources: {names})")


class _FirstSources:
    """Turning a plain edition into the first source, staged until the change it is part of succeeds.

    Nothing is left behind when that change fails (no sources folder, no edition copy): a
    refused import leaves the data folder exactly as it was.
    """

    def __init__(self, home: Home):
        self.home = home
        self.made_folder = False
        self.staged: Path | None = None
        self.edition: Source | None = None

    def __enter__(self) -> _FirstSources:
        home = self.home
        if home.composed():
            return self
        self.made_folder = not home.sources_dir.exists()
        home.sources_dir.mkdir(parents=True, exist_ok=True)
        base = home.target if home.target.is_file() else home.shipped
        if base is None or not base.is_file():
            return self  # a new directory with no edition: its first import is its first source
        self.staged = staging_path(home.source_path(EDITION))
        database_files.copy_database(base, self.staged)
        store = hsds_rows.open_for_writing(self.staged)
        try:
            hsds_rows.set_info(store, _describe(EDITION, EDITION, str(base), "edition", rank=0))
        finally:
            store.close()
        self.edition = read_source(self.staged)
        return self

    def sources(self) -> list[Source]:
        """The directory's sources as they will be: the staged edition, or those already there."""
        return [self.edition] if self.edition is not None else list_sources(self.home)

    def install(self) -> None:
        """Put the staged edition in place (call once the change it belongs to is complete)."""
        if self.staged is not None and self.edition is not None:
            fsync_file(self.staged)
            os.replace(self.staged, self.home.source_path(EDITION))
            self.edition.path = self.home.source_path(EDITION)
            self.staged = None

    def __exit__(self, kind, value, tb) -> None:
        if self.staged is not None:
            remove_staging(self.staged)
        if kind is not None and self.made_folder:
            with contextlib.suppress(OSError):
                self.home.sources_dir.rmdir()  # only if empty: never anything a user put there


def _describe(name: str, kind: str, location: str, fmt: str, *, rank: int, added: str = "") -> dict[str, str]:
    from coventry_directory.exchange.importing import utc_now

    now = utc_now()
    return {
        _INFO + "name": name,
        _INFO + "kind": kind,
        _INFO + "location": location,
        _INFO + "format": fmt,
        _INFO + "rank": str(rank),
        _INFO + "added": added or now,
        _INFO + "updated": now,
        _INFO + "stamp": uuid.uuid4().hex,
    }


def _result_info(result: ReadResult) -> dict[str, str]:
    return {
        _INFO + "problems": json.dumps([{"path": p.path, "reason": p.message} for p in result.problems]),
        _INFO + "problem_count": str(result.skipped),
        _INFO + "warnings": json.dumps([{"path": p.path, "note": p.message} for p in result.warnings]),
        _INFO + "repairs": json.dumps(dict(result.repairs)),
    }


def _next_rank(sources: list[Source]) -> int:
    return max((s.rank for s in sources), default=0) + 1


def _as_composer_file(source: Source, path: Path | None = None) -> composer.SourceFile:
    return composer.SourceFile(
        path=path or source.path,  # type: ignore[arg-type]
        name=source.name,
        kind=source.kind,
        location=source.location,
        format=source.format,
        updated_at=source.updated_at,
        pulled_at=source.pulled_at,
        problems=source.problem_count,
        stamp=source.stamp,
    )


def _compose_into_target(home: Home, sources: list[composer.SourceFile]) -> dict[str, int]:
    """Compose ``sources`` into a staging copy and swap it in as the directory."""
    if not sources:
        raise SourceError("the directory would have no sources left; nothing was changed")
    staged = staging_path(home.target)
    try:
        contributed = composer.compose(sources, staged, {"composed_at": _now()})
    except BaseException:
        remove_staging(staged)
        raise
    commit(staged, home.target)
    return contributed


def _now() -> str:
    from coventry_directory.exchange.importing import utc_now

    return utc_now()


@dataclass
class Change:
    """What adding, updating or removing a source did."""

    source: Source | None
    mode: str  # added | updated | removed | replaced
    services: int = 0
    contributed: dict[str, int] = field(default_factory=dict)
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def put_source(
    home: Home,
    name: str,
    kind: str,
    location: str,
    fmt: str,
    read: ReadResult | Callable[[DirectoryStore], ReadResult],
    *,
    replace: bool = False,
    allow_shrink: bool = False,
    merge: bool = False,
    extra_info: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[Change, ReadResult]:
    """Add the source ``name`` (or update it) and recompose the directory; returns what changed and what was read.

    ``read`` is what was read (its rows in ``data``), or a function that reads the input
    into the new, empty source database it is given and returns what it read (a national
    feed is written as it is read, never held whole). ``merge`` applies the rows as a delta
    to the source's current ones (a feed's changes since its last pull). ``replace`` makes
    this source the directory's only one. An update that would empty a source, or leave it
    with under half its services, is refused unless ``allow_shrink``.
    """
    name = check_name(name)
    if name.casefold() == EDITION and kind != EDITION:
        raise SourceError(f"{EDITION!r} is the name of the shipped edition's source: choose another --source name")
    with database_writes(home.target), _FirstSources(home) as first:
        sources = first.sources()
        existing = next((s for s in sources if s.name.casefold() == name.casefold()), None)
        path = existing.path if existing and existing.path else home.source_path(name)
        rank = existing.rank if existing else (0 if name == EDITION else _next_rank(sources))
        staged = staging_path(path)
        try:
            if merge and existing and existing.path:
                database_files.copy_database(existing.path, staged)
                store = hsds_rows.open_for_writing(staged)
            else:
                store = hsds_rows.open_new(staged)
            try:
                result = read(store) if callable(read) else read
                _check_size(name, location, result, existing, merge=merge, replace=replace, allow_shrink=allow_shrink)
                info = {
                    **_describe(name, kind, location, fmt, rank=rank, added=existing.added_at if existing else ""),
                    **_result_info(result),
                    **(extra_info or {}),
                }
                if progress:
                    progress("writing", 0, None)
                if merge or any(result.data.tables.values()):
                    counts = write_rows(store, result.data, info, mode="merge" if merge else "replace", index=False)
                else:  # the rows were written as they were read
                    hsds_rows.set_info(store, info, replace_all=True)
                    counts = dict(result.counts)
                if not merge:
                    hsds_rows.set_info(store, {"edition": _edition_date(store)})
            finally:
                store.close()
            new_source = read_source(staged)
            new_source.path = staged
            others = [] if replace else [s for s in sources if s is not existing and s.path is not None]
            ordered = sorted([*others, new_source], key=lambda s: (s.rank, s.name.casefold()))
            if progress:
                progress("composing", 0, None)
            contributed = _compose_into_target(home, [_as_composer_file(s) for s in ordered])
            first.install()
            fsync_file(staged)  # written without SQLite's syncing (a staging file): on the disk before the swap
            os.replace(staged, path)
            fsync_dir(path.parent)
        except BaseException:
            remove_staging(staged)
            raise
        if replace:
            for other in others_to_drop(sources, existing):
                if other.path is not None:
                    other.path.unlink(missing_ok=True)
    new_source.path = path
    mode = "replaced" if replace else ("updated" if existing else "added")
    change = Change(new_source, mode, result.services, contributed, _services_in(home.target), counts)
    return change, result


def _edition_date(store: DirectoryStore) -> str:
    """The newest assured date of the source's services ('' if none): its edition."""
    return str(hsds_rows.column_max(store, "service", "assured_date") or "")[:10]


def others_to_drop(sources: list[Source], kept: Source | None) -> list[Source]:
    """Every source but ``kept`` (what ``--replace`` removes)."""
    return [s for s in sources if s is not kept]


def _check_size(
    name: str,
    location: str,
    result: ReadResult,
    existing: Source | None,
    *,
    merge: bool,
    replace: bool,
    allow_shrink: bool,
) -> None:
    skipped = f" ({result.skipped} record(s) could not be read)" if result.skipped else ""
    if merge:
        return  # a delta names only what changed: any size is right
    if result.services == 0 and result.problems:
        raise InvalidData(location, result.problems)  # every record was bad: list them all
    if result.services == 0:
        raise EmptySource(
            f"{location} holds no services that could be read{skipped}; importing it would "
            + (f"empty the source {name!r}" if existing else "add nothing")
            + ", so nothing was changed"
        )
    if existing and not (replace or allow_shrink) and result.services < existing.services * SHRINK_LIMIT:
        raise ShrinkRefused(
            f"{location} has {result.services} service(s){skipped}, but the source {name!r} has "
            f"{existing.services}: importing it would remove {existing.services - result.services}. Nothing "
            "was changed. If the source really has shrunk, import it again with --allow-shrink"
        )


def _services_in(path: Path) -> int:
    return composer.source_stats(path)["total"]


def remove_source(home: Home, name: str) -> Change:
    """Take the source ``name`` out of the directory (refused when it is the only one)."""
    source = find_source(home, name)
    if not home.composed():
        raise SourceError("the directory is a single edition; there is no other source to keep, so nothing was removed")
    rest = [s for s in list_sources(home) if s.path != source.path]
    if not rest:
        raise SourceError(
            f"{source.name!r} is the directory's only source; removing it would leave the directory empty. "
            "Nothing was changed"
        )
    with database_writes(home.target):
        contributed = _compose_into_target(home, [_as_composer_file(s) for s in rest])
        if source.path is not None:
            source.path.unlink(missing_ok=True)
            fsync_dir(source.path.parent)
    return Change(source, "removed", 0, contributed, _services_in(home.target))


def restore_edition(home: Home) -> Change:
    """Bring back the shipped edition as the source ``edition`` (first in rank), others kept."""
    if home.shipped is None or not home.shipped.is_file():
        raise SourceError("there is no shipped edition to restore here")
    if not home.composed():
        raise SourceError("the directory is a single edition, not made from sources: there is nothing to restore")
    if any(s.name == EDITION and s.kind == EDITION for s in list_sources(home)):
        raise SourceError("the edition is already one of the directory's sources: there is nothing to restore")
    with database_writes(home.target):
        staged = staging_path(home.source_path(EDITION))
        try:
            database_files.copy_database(home.shipped, staged)
            store = hsds_rows.open_for_writing(staged)
            try:
                hsds_rows.set_info(store, _describe(EDITION, EDITION, str(home.shipped), "edition", rank=0))
            finally:
                store.close()
            edition = read_source(staged)
            rest = [s for s in list_sources(home) if s.name != EDITION]
            ordered = [edition, *rest]
            contributed = _compose_into_target(home, [_as_composer_file(s) for s in ordered])
            fsync_file(staged)
            os.replace(staged, home.source_path(EDITION))
            fsync_dir(home.sources_dir)
        except BaseException:
            remove_staging(staged)
            raise
    edition.path = home.source_path(EDITION)
    return Change(edition, "restored", edition.services, contributed, _services_in(home.target))


def stale(home: Home) -> bool:
    """True when the directory was not made from the sources as they are now."""
    if not home.composed() or not home.target.is_file():
        return home.composed()
    made_from = composer.composed_stamps(home.target)
    return made_from != {s.name: s.stamp for s in list_sources(home)}


def rebuild(home: Home) -> Change:
    """Compose the directory again from its sources as they are."""
    sources = list_sources(home)
    if not home.composed():
        raise SourceError("the directory is a single edition: there is nothing to rebuild it from")
    with database_writes(home.target):
        contributed = _compose_into_target(home, [_as_composer_file(s) for s in sources])
    return Change(None, "rebuilt", 0, contributed, _services_in(home.target))


def problems_of(result: ReadResult) -> list[Problem]:
    """The problems an import skipped records for (for reports)."""
    return result.problems
