"""What the Sources dialog runs off the GUI thread, and which words say how each outcome went.

A :class:`Job` (add a file or a feed, pull feeds, remove a source, restore the edition) is
run by :func:`run_job` in a ``background.BackgroundTask`` with the exchange functions the
command line's ``import`` and ``sources`` call, so the two cannot differ; each swaps the new
source and directory in only when complete. :func:`report_of` picks the words
(``sources_words``: whole translatable sentences); after a change, :func:`follow_directory`
has the main window search the new directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from coventry_directory.exchange.errors import InvalidData
from coventry_directory.i18n import ngettext
from coventry_directory.i18n.formatting import format_number
from coventry_directory.ui.sources_words import change_text, error_text, pull_text, result_text
from coventry_directory.ui.sources_words import when_text as when_text  # the meetings list reads it from here

# The exchange machinery (readers, writer, composer) is imported when a job runs, not when
# the main window opens: it is most of a second's imports, and most sessions never need it.
if TYPE_CHECKING:
    from coventry_directory.exchange.importing import ImportResult
    from coventry_directory.exchange.source_changes import Change
    from coventry_directory.exchange.sources import Home, Progress, Source
    from coventry_directory.ui.main_window import MainWindow

ADD_FILE, ADD_FEED, PULL, REMOVE, RESTORE = "file", "feed", "pull", "remove", "restore"


@dataclass(frozen=True)
class Job:
    """One change to the sources: ``action`` and what it needs."""

    action: str
    where: str = ""  # ADD_FILE: the path; ADD_FEED: the address
    name: str | None = None  # the source (None: the default name)
    replace: bool = False
    allow_shrink: bool = False
    feeds: tuple[tuple[str, str], ...] = ()  # PULL: (name, address) of each feed

    def anyway(self) -> Job:
        """The same job, accepting a source that shrinks (after the person has confirmed it)."""
        return replace(self, allow_shrink=True)


@dataclass
class PullOutcome:
    """What pulling several feeds did: each feed's result, or what stopped it."""

    results: list[tuple[str, ImportResult]] = field(default_factory=list)
    failures: list[tuple[str, str, Exception]] = field(default_factory=list)  # name, address, why

    def refused(self) -> tuple[tuple[str, str], ...]:
        """The feeds whose pull was refused for shrinking them, as (name, address)."""
        from coventry_directory.exchange.sources import ShrinkRefused

        return tuple((name, address) for name, address, exc in self.failures if isinstance(exc, ShrinkRefused))


def run_job(job: Job, home: Home, progress: Progress) -> ImportResult | Change | PullOutcome:
    """Do ``job`` to the sources of ``home`` (in a worker thread); raises what the exchange layer raises."""
    from coventry_directory.exchange import importing, oruk_sync, source_changes
    from coventry_directory.userdata import installed_directory_path, require_writable_data_dir

    if home.target == installed_directory_path():
        require_writable_data_dir()  # a read-only data folder is one sentence before any work
    if job.action == ADD_FILE:
        return importing.import_file(
            Path(job.where),
            home.target,
            name=job.name,
            replace=job.replace,
            allow_shrink=job.allow_shrink,
            shipped=home.shipped,
            progress=progress,
        )
    if job.action == ADD_FEED:
        return oruk_sync.sync_feed(
            job.where,
            home.target,
            name=job.name,
            replace=job.replace,
            allow_shrink=job.allow_shrink,
            shipped=home.shipped,
            progress=progress,
        )
    if job.action == PULL:
        return _pull(job, home, progress)
    if job.action == REMOVE:
        return source_changes.remove_source(home, job.name or "")
    if job.action == RESTORE:
        return source_changes.restore_edition(home)
    raise ValueError(job.action)


def can_restore(home: Home, sources: list[Source]) -> bool:
    """True when "Restore the edition" has something to do: no edition among ``sources``, and one to bring back."""
    from coventry_directory.exchange.sources import edition_to_restore

    return not any(s.kind == "edition" for s in sources) and edition_to_restore(home) is not None


def _pull(job: Job, home: Home, progress: Progress) -> PullOutcome:
    """Each feed in turn; one that fails does not stop the others (each is swapped in on its own)."""
    from coventry_directory.exchange.oruk_sync import sync_feed

    outcome = PullOutcome()
    for name, address in job.feeds:
        try:
            result = sync_feed(
                address, home.target, name=name, allow_shrink=job.allow_shrink, shipped=home.shipped, progress=progress
            )
        except Exception as exc:  # said in words (pull_text), feed by feed
            outcome.failures.append((name, address, exc))
        else:
            outcome.results.append((name, result))
    if len(job.feeds) == 1 and outcome.failures:
        raise outcome.failures[0][2]  # one feed: its failure is the outcome, "Import anyway" and all
    return outcome


@dataclass
class Report:
    """How a job went, for the dialog: in words, and what to do next."""

    ok: bool
    changed: bool
    text: str
    select: str | None = None  # the source to show
    anyway: Job | None = None  # what "Import anyway" runs (after a refused shrink)
    invalid: InvalidData | None = None  # a file that could not be read at all: list its problems
    total: int = 0  # services in the directory after a change


def report_of(job: Job, outcome: object, result: Any) -> Report:
    """The Report of ``job``, from its task's outcome (None or the exception) and what it returned."""
    from coventry_directory.exchange.sources import ShrinkRefused

    if isinstance(outcome, Exception):
        anyway = job.anyway() if isinstance(outcome, ShrinkRefused) else None
        invalid = outcome if isinstance(outcome, InvalidData) else None
        return Report(False, False, error_text(outcome), anyway=anyway, invalid=invalid)
    if isinstance(result, PullOutcome):
        refused = result.refused()
        anyway = Job(PULL, feeds=refused, allow_shrink=True) if refused else None
        total = result.results[-1][1].total if result.results else 0
        return Report(not result.failures, bool(result.results), pull_text(result), anyway=anyway, total=total)
    if job.action in (ADD_FILE, ADD_FEED):
        return Report(True, True, result_text(result), select=result.name, total=result.total)
    return Report(True, True, change_text(result), total=result.total)


# --- after a change: the main window follows -------------------------------------------------
def follow_directory(window: MainWindow, services: int, sources: int) -> None:
    """Make the window search the changed directory, and say in its status bar what it now holds."""
    updated = ngettext(
        "Directory updated: it now has {n} service.", "Directory updated: it now has {n} services.", services
    )
    made = ngettext("It is made from {n} source.", "It is made from {n} sources.", sources)
    text = " ".join((updated.format(n=format_number(services)), made.format(n=format_number(sources))))
    window.statusBar().showMessage(text)
    # The search notices the new file, reopens it and says edition_changed; the window then
    # shows the edition in its status bar, and this note again after that (once).
    note = partial(_note, window, text)
    window.search_service.edition_changed.connect(note, Qt.SingleShotConnection)
    window.refresh()


def _note(window: MainWindow, text: str, _path: str) -> None:
    window.statusBar().showMessage(text)
