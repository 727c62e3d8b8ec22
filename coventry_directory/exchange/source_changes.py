"""Changing a directory's sources: add or update one, remove one, restore the edition, rebuild.

Every change builds the new source and the new directory beside the old ones and swaps
them in only when both are complete (``exchange.sources`` says where they live): a failure
or a crash leaves what was there. A plain edition becomes the first source only as part of
a change that succeeds (:class:`_FirstSources`): a refused import leaves no trace.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.atomic_write import fsync_dir, fsync_file
from coventry_directory.disk_errors import database_writes
from coventry_directory.exchange import left_out
from coventry_directory.exchange.errors import EmptySource, ExchangeError, InvalidData
from coventry_directory.exchange.install import commit, remove_staging, staging_path
from coventry_directory.exchange.reading import ReadResult
from coventry_directory.exchange.source_lock import exclusive
from coventry_directory.exchange.sources import (
    EDITION,
    INFO_PREFIX,
    SHRINK_LIMIT,
    Home,
    Progress,
    ShrinkRefused,
    Source,
    SourceError,
    check_name,
    edition_to_restore,
    find_source,
    list_sources,
    read_source,
    usable,
)
from coventry_directory.exchange.writer import write_rows
from coventry_directory.store import compose as composer
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.directory import DirectoryStore


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
        INFO_PREFIX + "name": name,
        INFO_PREFIX + "kind": kind,
        INFO_PREFIX + "location": location,
        INFO_PREFIX + "format": fmt,
        INFO_PREFIX + "rank": str(rank),
        INFO_PREFIX + "added": added or now,
        INFO_PREFIX + "updated": now,
        INFO_PREFIX + "stamp": uuid.uuid4().hex,
    }


def _result_info(result: ReadResult) -> dict[str, str]:
    return {
        INFO_PREFIX + "problems": json.dumps([{"path": p.path, "reason": p.message} for p in result.problems]),
        INFO_PREFIX + "problem_count": str(result.skipped),
        INFO_PREFIX + "warnings": json.dumps([{"path": p.path, "note": p.message} for p in result.warnings]),
        INFO_PREFIX + "repairs": json.dumps(dict(result.repairs)),
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


def _compose_into_target(
    home: Home, sources: list[composer.SourceFile], conflicts: dict[str, list[tuple[str, str]]] | None = None
) -> dict[str, int]:
    """Compose ``sources`` into a staging copy and swap it in as the directory (what it left out recorded in it)."""
    if not sources:
        raise SourceError("the directory would have no sources left; nothing was changed")
    staged = staging_path(home.target)
    found = {} if conflicts is None else conflicts  # filled by compose: each source's (service id, why)
    try:
        contributed = composer.compose(sources, staged, {"composed_at": _now()}, conflicts=found)
        left_out.record(staged, found)
    except BaseException:
        remove_staging(staged)
        raise
    # made here, just now: the quick check is enough; and the edition kept for rollback stays
    commit(staged, home.target, thorough=False, keep_previous=False)
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
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (service id, why it was left out)
    restored: str = ""  # restore_edition: "installed" (a signed bundle's edition) or "shipped"


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
        raise SourceError(f"{EDITION!r} is the name of the curated edition's own source: choose another --source name")
    with exclusive(home.target), database_writes(home.target), _FirstSources(home) as first:
        sources = first.sources()
        existing = next((s for s in sources if s.name.casefold() == name.casefold()), None)
        # a new source never takes another's file, even when their names make the same file name
        path = existing.path if existing and existing.path and existing.path.parent == home.sources_dir else None
        path = path or home.free_path(name)
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
            others = [] if replace else [s for s in usable(sources) if s is not existing and s.path is not None]
            ordered = sorted([*others, new_source], key=lambda s: (s.rank, s.name.casefold()))
            if progress:
                progress("composing", 0, None)
            conflicts: dict[str, list[tuple[str, str]]] = {}
            contributed = _compose_into_target(home, [_as_composer_file(s) for s in ordered], conflicts)
            first.install()
            fsync_file(staged)  # written without SQLite's syncing (a staging file): on the disk before the swap
            os.replace(staged, path)
            fsync_dir(path.parent)
        except BaseException:
            remove_staging(staged)
            raise
        if replace:
            for other in (s for s in sources if s is not existing):  # what --replace removes
                _drop_source_file(home, other)
    new_source.path = path
    mode = "replaced" if replace else ("updated" if existing else "added")
    change = Change(new_source, mode, result.services, contributed, _services_in(home.target), counts)
    change.conflicts = conflicts.get(new_source.name, [])
    return change, result


def _edition_date(store: DirectoryStore) -> str:
    """The newest assured date of the source's services ('' if none): its edition."""
    return str(hsds_rows.column_max(store, "service", "assured_date") or "")[:10]


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
        raise _about(
            EmptySource(
                f"{location} holds no services that could be read{skipped}; importing it would "
                + (f"empty the source {name!r}" if existing else "add nothing")
                + ", so nothing was changed"
            ),
            location,
            result,
        )
    before = existing.held if existing else 0  # like for like: what was read, what its file holds
    if existing and not (replace or allow_shrink) and result.services < before * SHRINK_LIMIT:
        raise _about(
            ShrinkRefused(
                f"{location} has {result.services} service(s){skipped}, but the source {name!r} has "
                f"{before}: importing it would remove {before - result.services}. Nothing "
                "was changed. If the source really has shrunk, import it again with --allow-shrink.",
                name=name,
                services=result.services,
                before=before,
            ),
            location,
            result,
        )


def _about(exc: ExchangeError, location: str, result: ReadResult) -> ExchangeError:
    """``exc`` with the input it refuses and the records that could not be read (``import --json`` lists them)."""
    exc.source = location
    exc.problems = list(result.problems)
    return exc


def _services_in(path: Path) -> int:
    return composer.source_stats(path)["total"]


def _drop_source_file(home: Home, source: Source) -> None:
    """Delete a source's file; an edition's is kept aside instead, for ``restore_edition`` to bring back."""
    if source.path is None:
        return
    if source.kind == EDITION and source.path.is_file():
        os.replace(source.path, home.removed_edition_path)  # the installed edition, if it was one
    else:
        source.path.unlink(missing_ok=True)
    fsync_dir(source.path.parent)


def remove_source(home: Home, name: str) -> Change:
    """Take the source ``name`` out of the directory (refused when it is the only one)."""
    source = find_source(home, name)
    rest = [s for s in usable(list_sources(home)) if s.path != source.path] if home.composed() else []
    if not rest:
        raise SourceError(
            f"{source.name!r} is the directory's only source; removing it would leave the directory empty. "
            "Nothing was changed."
        )
    with exclusive(home.target), database_writes(home.target):
        contributed = _compose_into_target(home, [_as_composer_file(s) for s in rest])
        _drop_source_file(home, source)
    return Change(source, "removed", 0, contributed, _services_in(home.target))


def restore_edition(home: Home) -> Change:
    """Bring the edition back as the source ``edition`` (first in rank), the others kept.

    The edition that was installed (a signed bundle, kept aside when it was removed) comes
    back if there is one, else the one shipped with the app, else (``--db``) the one it had;
    ``Change.restored`` says which (``installed``, ``shipped`` or ``kept``).
    """
    if not home.composed():
        raise SourceError("the directory is the edition alone, with no other sources: there is nothing to restore")
    if any(s.name == EDITION and s.kind == EDITION for s in list_sources(home)):
        raise SourceError("the edition is already one of the directory's sources: there is nothing to restore")
    chosen = edition_to_restore(home)
    if chosen is None:
        raise SourceError("there is no edition to restore here: none was installed, and none came with the app")
    base, which = chosen
    with exclusive(home.target), database_writes(home.target):
        staged = staging_path(home.source_path(EDITION))
        try:
            database_files.copy_database(base, staged)
            store = hsds_rows.open_for_writing(staged)
            try:
                location = store.info().get(INFO_PREFIX + "location") or str(base)
                hsds_rows.set_info(store, _describe(EDITION, EDITION, location, "edition", rank=0))
            finally:
                store.close()
            edition = read_source(staged)
            rest = [s for s in usable(list_sources(home)) if s.name != EDITION]
            ordered = [edition, *rest]
            contributed = _compose_into_target(home, [_as_composer_file(s) for s in ordered])
            fsync_file(staged)
            os.replace(staged, home.source_path(EDITION))
            if which in ("installed", "kept"):
                home.removed_edition_path.unlink(missing_ok=True)  # it is the edition again
            fsync_dir(home.sources_dir)
        except BaseException:
            remove_staging(staged)
            raise
    edition.path = home.source_path(EDITION)
    change = Change(edition, "restored", edition.services, contributed, _services_in(home.target))
    change.restored = which
    return change


def rebuild(home: Home) -> Change:
    """Make the directory again from its sources as they are."""
    sources = list_sources(home)
    if not home.composed():
        raise SourceError("the directory is the edition alone, with no other sources: there is nothing to rebuild")
    with exclusive(home.target), database_writes(home.target):
        contributed = _compose_into_target(home, [_as_composer_file(s) for s in usable(sources)])
    return Change(None, "rebuilt", 0, contributed, _services_in(home.target))
