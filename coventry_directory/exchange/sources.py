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
swaps them in only when both are complete (``exchange.source_changes``): a failure or a
crash leaves what was there.
The one window - the new source in place, the directory not yet swapped - is closed on
the next change (or by ``sources rebuild``): each source carries a stamp, and a directory
made from other stamps is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.exchange.left_out import recorded
from coventry_directory.i18n import N_
from coventry_directory.store import compose as composer
from coventry_directory.store import database_files
from coventry_directory.store.errors import StoreError

EDITION = "edition"
# progress(stage, done, total): stages "reading", "checking", "writing", "composing" (and a
# feed's "pages" and "details"); total None when not known. Called from the working thread.
Progress = Callable[[str, int, "int | None"], None]
KINDS = ("edition", "file", "feed", "meetings")  # and "damaged": a source file that cannot be read
SHRINK_LIMIT = 0.5  # an update keeping under half a source's services needs --allow-shrink
_NAME_OK = re.compile(r"^[\w][\w .()&'+-]{0,79}$")
INFO_PREFIX = "source_"  # the directory_info keys a source database describes itself with


# What each kind of repair (``exchange.repair``, ``exchange.reading``) did, in words, for
# ``sources show`` and the Sources dialog (which translates them); the kinds stay the keys
# of ``repairs`` in ``--json``.
REPAIR_WORDS = {
    "null left out": N_("empty values left out"),
    "empty text left out": N_("blank text left out"),
    "number sent as text": N_("numbers written as text, read as numbers"),
    "text sent as a number": N_("text written as a number, read as text"),
    "unusable value left out": N_("unusable values left out"),
    "text cut": N_("very long text shortened"),
    "control characters": N_("hidden control characters taken out"),
    "status": N_("statuses tidied, or shown as not known"),
    "required missing": N_("records kept without a detail the standard expects"),
    "id made a UUID": N_("record numbers put into the standard form"),
    "link that contradicts its nesting": N_("links between records put right"),
    "the same service listed twice": N_("services listed twice, kept once"),
    "records that disagree": N_("shared details that disagree (the first kept)"),
    "meeting list repair": N_("meeting list details put right"),
    "ORUK 1.0 repair": N_("Open Referral UK 1.0 details put right"),
}


class SourceError(ExchangeError):
    """A source cannot be added, found or removed as asked; nothing was changed (exit code 2)."""


class ShrinkRefused(SourceError):
    """An import would leave a source far smaller than it was; nothing was changed (exit code 2).

    ``name`` is the source, ``services`` what the input holds and ``before`` what the source has.
    """

    def __init__(self, message: str, *, name: str = "", services: int = 0, before: int = 0):
        super().__init__(message)
        self.name, self.services, self.before = name, services, before


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
    # its services the directory left out when it was made (a conflict with a higher source):
    # listed among ``problems`` too, and not counted in ``services``
    left_out: list[dict] = field(default_factory=list)

    @property
    def held(self) -> int:
        """How many services the source's own file holds (``services`` and those left out)."""
        return self.services + len(self.left_out)

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
            "edition": self.info.get("edition") or None,
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

    def free_path(self, name: str) -> Path:
        """A file for a new source called ``name`` that no other source's file already is."""
        path, n = self.source_path(name), 1
        while path.exists():
            n += 1
            path = self.sources_dir / f"{file_stem(name)}-{n}.db"
        return path

    @property
    def removed_edition_path(self) -> Path:
        """Where the edition is kept once removed (``sources remove edition``, ``import --replace``).

        Not a ``.db`` name, so it is no source; ``sources restore-edition`` brings it back
        when it is an installed (signed bundle's) edition.
        """
        return self.sources_dir / f"{EDITION}.db.removed"

    def composed(self) -> bool:
        """True once the directory is made from sources (a sources folder with at least one)."""
        return bool(_source_files(self))


def edition_to_restore(home: Home) -> tuple[Path, str] | None:
    """(the database, ``installed``, ``kept`` or ``shipped``) that ``sources restore-edition`` brings back; None if none.

    The edition that was installed from a signed bundle, kept aside when it was removed,
    wins over the one shipped with the app: it is the newer, and the one the keepers sent.
    A ``--db`` directory has no shipped edition to fall back on: there the edition it had,
    kept aside when it was removed, comes back whatever made it (``kept``).
    """
    kept = home.removed_edition_path  # a copy that cannot be read has no info: it is not used
    info = database_files.read_info(kept) if kept.is_file() else {}
    if info.get("bundle_created"):
        return kept, "installed"
    if home.shipped is not None and home.shipped.is_file():
        return home.shipped, "shipped"
    if home.shipped is None and info:
        return kept, "kept"
    return None


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


def choose_name(home: Home, derived: str, location: str) -> tuple[str, Source | None]:
    """The name an import from ``location`` gives its source, and the source whose name it could not have.

    ``derived``, unless a source of that name comes from elsewhere: then a name of its own
    (``cwpt (2)``), and that other source is returned too, so the import can say so.
    Importing ``a/services.json`` and then ``b/services.json`` must not make the second
    silently replace the first; importing the same file again updates its source.
    """
    taken = {s.name.casefold(): s for s in list_sources(home)}
    candidate, n = derived, 1
    while candidate.casefold() in taken and taken[candidate.casefold()].location != location:
        n += 1
        candidate = f"{derived} ({n})"
    return candidate, (taken[derived.casefold()] if candidate != derived else None)


def name_for(home: Home, derived: str, location: str) -> str:
    """The name :func:`choose_name` gives an import from ``location``."""
    return choose_name(home, derived, location)[0]


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
    name = info.get(INFO_PREFIX + "name") or (EDITION if path.stem == EDITION else path.stem)
    stats = composer.source_stats(path)
    repairs = {}
    with contextlib.suppress(ValueError, TypeError):
        repairs = dict(json.loads(info.get(INFO_PREFIX + "repairs") or "{}"))
    return Source(
        name=name,
        kind=info.get(INFO_PREFIX + "kind") or (EDITION if name == EDITION else "file"),
        path=path,
        rank=int(info.get(INFO_PREFIX + "rank") or (0 if name == EDITION else 1)),
        location=info.get(INFO_PREFIX + "location") or info.get("source", ""),
        format=info.get(INFO_PREFIX + "format") or "",
        services=stats["total"],
        added_at=info.get(INFO_PREFIX + "added") or "",
        updated_at=info.get(INFO_PREFIX + "updated") or info.get("imported_at") or info.get("built_at", ""),
        pulled_at=info.get(INFO_PREFIX + "pulled") or "",
        stamp=info.get(INFO_PREFIX + "stamp") or "",
        problems=_json_list(info.get(INFO_PREFIX + "problems")),
        problem_count=int(info.get(INFO_PREFIX + "problem_count") or 0),
        warnings=_json_list(info.get(INFO_PREFIX + "warnings")),
        repairs=repairs,
        info=info,
    )


def list_sources(home: Home) -> list[Source]:
    """The directory's sources in rank order (a plain edition is its one source).

    A source's ``services`` are those the directory took from it: services it had left out
    as conflicts when the directory was made are not counted, and are listed among its
    problems (``left_out``, see ``exchange.left_out``).
    """
    files = _source_files(home)
    if not files:
        base = home.target if home.target.is_file() else home.shipped
        if base is None or not base.is_file():
            return []
        edition = read_source(base)
        return [Source(**{**edition.__dict__, "name": EDITION, "kind": EDITION, "rank": 0})]
    found = sorted((_read_or_damaged(p) for p in files), key=lambda s: (s.rank, s.name.casefold()))
    left_out = recorded(home.target)
    for source in found:
        entries = left_out.get(source.name, []) if source.kind != DAMAGED else []
        if entries:
            source.left_out = entries
            source.services = max(0, source.services - len(entries))
            source.problems = [*source.problems, *entries]
            source.problem_count += len(entries)
    return found


DAMAGED = "damaged"
DAMAGED_RANK = 1_000_000  # listed last; never composed


def _read_or_damaged(path: Path) -> Source:
    """The source in ``path``, or a ``damaged`` entry naming the file (so it can be seen and removed)."""
    try:
        return read_source(path)
    except StoreError:
        # in words, not SQLite's: what is wrong, what it means, and what to do
        reason = (
            f"the file {path} is damaged and cannot be read, so this source is left out of the directory. "
            f"Remove it with: coventry-directory sources remove {path.stem}, then import its file again."
        )
        return Source(
            name=path.stem,
            kind=DAMAGED,
            path=path,
            rank=DAMAGED_RANK,
            problems=[{"path": str(path), "reason": reason}],
            problem_count=1,
        )


def usable(sources: list[Source]) -> list[Source]:
    """The sources a directory can be made from (damaged files left out)."""
    return [s for s in sources if s.kind != DAMAGED]


def find_source(home: Home, name: str) -> Source:
    """The source called ``name`` (case-insensitive), or SourceError listing the names there are."""
    sources = list_sources(home)
    for source in sources:
        if source.name.casefold() == name.casefold():
            return source
    names = ", ".join(s.name for s in sources) or "none"
    raise SourceError(f"there is no source called {name!r} (sources: {names})")


def stale(home: Home) -> bool:
    """True when the directory was not made from the sources as they are now."""
    if not home.composed() or not home.target.is_file():
        return home.composed()
    made_from = composer.composed_stamps(home.target)
    return made_from != {s.name: s.stamp for s in usable(list_sources(home))}
