"""What the Sources dialog runs off the GUI thread, and how each outcome is said to the person.

A :class:`Job` (add a file or a feed, pull feeds, remove a source, restore the edition) is
run by :func:`run_job` in a ``background.BackgroundTask`` with the exchange functions the
command line's ``import`` and ``sources`` call, so the two cannot differ; each swaps the new
source and directory in only when complete. The wording functions put every outcome in
plain words, quoting the exchange layer's own (English) sentences; after a change,
:func:`follow_directory` has the main window search the new directory.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from coventry_directory.core.clock import as_uk_wall_clock
from coventry_directory.core.text import clean_text
from coventry_directory.crash_log import describe_exception
from coventry_directory.disk_errors import os_error_text
from coventry_directory.exchange.errors import ExchangeError, FeedError, InvalidData
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import format_long_date, format_number
from coventry_directory.store.errors import StoreError

# The exchange machinery (readers, writer, composer) is imported when a job runs, not when
# the main window opens: it is most of a second's imports, and most sessions never need it.
if TYPE_CHECKING:
    from coventry_directory.exchange.importing import ImportResult
    from coventry_directory.exchange.source_changes import Change
    from coventry_directory.exchange.sources import Home, Progress, Source
    from coventry_directory.ui.main_window import MainWindow

log = logging.getLogger("coventry_directory")

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
    options = {"shipped": home.shipped, "progress": progress}
    if job.action == ADD_FILE:
        return importing.import_file(
            Path(job.where), home.target, name=job.name, replace=job.replace, allow_shrink=job.allow_shrink, **options
        )
    if job.action == ADD_FEED:
        return oruk_sync.sync_feed(
            job.where, home.target, name=job.name, replace=job.replace, allow_shrink=job.allow_shrink, **options
        )
    if job.action == PULL:
        return _pull(job, home, progress)
    if job.action == REMOVE:
        return source_changes.remove_source(home, job.name or "")
    if job.action == RESTORE:
        return source_changes.restore_edition(home)
    raise ValueError(job.action)


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


# --- words -------------------------------------------------------------------------------
def default_name(home: Home, where: str | Path | None) -> str:
    """The name an import of ``where`` (a feed's address, or a file) gives its source when none is typed."""
    from coventry_directory.exchange.importing import check_feed_url
    from coventry_directory.exchange.oruk_sync import feed_base
    from coventry_directory.exchange.sources import derive_name, name_for

    try:
        if isinstance(where, str):
            return derive_name(feed_base(check_feed_url(where)))
        if where is not None:
            # As import_file names it: another file of the same name gets a name of its own.
            return name_for(home, derive_name(clean_text(str(where))), clean_text(str(where.resolve())))
    except (ExchangeError, OSError):
        pass  # not an address yet, or a file gone meanwhile: say where the name will come from
    return _("from the feed's address") if isinstance(where, str) else ""


def kind_text(kind: str) -> str:
    """A source's kind in words."""
    return {
        "edition": _("Shipped edition"),
        "file": _("File"),
        "feed": _("Open Referral feed"),
        "meetings": _("Meeting list"),
    }.get(kind, kind)


def format_text(fmt: str) -> str:
    """A source's format in words (the format's own name in brackets, as ``sources show`` prints it)."""
    words = {
        "hsds-json": _("HSDS 3.0 JSON"),
        "hsds-csv": _("HSDS 3.0 CSV package"),
        "oruk1": _("Open Referral UK 1.0 JSON"),
        "meeting-guide": _("Meeting Guide meeting list"),
        "oruk-api": _("Open Referral API feed"),
        "edition": _("the shipped edition"),
    }.get(fmt)
    return f"{words} ({fmt})" if words else fmt


def when_text(value: str) -> str:
    """An ISO time (UTC) as UK wall-clock time in words; a bare date as a date; other text as it is."""
    if not value:
        return _("unknown")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:  # a date alone
        return format_long_date(moment.date())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # the exchange layer writes UTC
    local = as_uk_wall_clock(moment)
    # TRANSLATORS: a date and a 24-hour time, e.g. "2 March 2026, 09:15"
    return _("{date}, {time}").format(date=format_long_date(local.date()), time=local.strftime("%H:%M"))


def row_cells(source: Source) -> tuple[str, ...]:
    """A source's row in the dialog's table: name, kind, services, last updated or pulled, records skipped."""
    when = when_text(
        source.pulled_at or source.updated_at or source.info.get("edition", "")
    )  # a plain edition: its date
    kind, services, skipped = kind_text(source.kind), format_number(source.services), source.problem_count
    return source.name, kind, services, when, format_number(skipped)


def services_text(n: int) -> str:
    """'1 service' / '32 services'."""
    return ngettext("{n} service", "{n} services", n).format(n=format_number(n))


def stage_text(stage: str, done: int, total: int | None) -> str:
    """What the work is doing now, for the label beside the progress bar (``total`` None: not known)."""
    counted = {  # (how far, when the total is not known; how far of the total)
        "checking": (_("Checking the services ({done} so far)…"), _("Checking the services: {done} of {total}")),
        "pages": (_("Reading the feed's list: page {done}"), _("Reading the feed's list: page {done} of {total}")),
        "details": (_("Fetching details ({done} so far)…"), _("Fetching the services' details: {done} of {total}")),
    }
    plain = {
        "reading": _("Reading the file…"),
        "writing": _("Writing the source…"),
        "composing": _("Making the directory from its sources…"),
    }
    text = counted[stage][total is not None] if stage in counted else plain.get(stage, _("Working…"))
    return text.format(done=format_number(done), total=format_number(total or 0))


def result_text(result: ImportResult) -> str:
    """What an import or pull did, in a sentence or two."""
    what = {
        "added": _("Added the source “{name}” ({kind}): {services} read."),
        "updated": _("Updated the source “{name}” ({kind}): {services} read."),
        "merged": _("Updated the source “{name}” ({kind}) with what changed: {services} read."),
        "replaced": _("The directory is now only the source “{name}” ({kind}): {services} read."),
    }.get(result.mode, _("Imported the source “{name}” ({kind}): {services} read."))
    text = what.format(name=result.name, kind=kind_text(result.kind), services=services_text(result.services))
    if result.skipped:
        text += " " + ngettext(
            "{n} record was skipped (see the details).", "{n} records were skipped (see the details).", result.skipped
        ).format(n=format_number(result.skipped))
    return text + " " + _("The directory now has {services}.").format(services=services_text(result.total))


def change_text(change: Change) -> str:
    """What removing a source or restoring the edition did."""
    total = services_text(change.total)
    name = change.source.name if change.source else ""
    if change.mode == "removed":
        return _("Removed the source “{name}”. The directory now has {services}.").format(name=name, services=total)
    return _("Restored the shipped edition as the first source. The directory now has {services}.").format(
        services=total
    )


def pull_text(outcome: PullOutcome) -> str:
    """What pulling every feed did, feed by feed."""
    lines = [result_text(result) for _name, result in outcome.results]
    lines += [
        _("The feed “{name}” was not pulled: {reason}").format(name=name, reason=error_text(exc))
        for name, _address, exc in outcome.failures
    ]
    return "\n".join(lines)


def replace_question(name: str) -> str:
    """The confirmation "Replace everything with this" asks for."""
    return _(
        "This removes every other source, the shipped edition too, and leaves “{name}” as the directory's only "
        "source. “Restore shipped edition” brings the edition back afterwards.\n\nReplace everything with this?"
    ).format(name=name)


def remove_question(name: str, services: int) -> str:
    """The confirmation Remove asks for, naming the source and how many services it brings."""
    return ngettext(
        "Remove the source “{name}”? It brings {n} service. What only it lists leaves the directory, and what "
        "it filled in on other sources' services goes too.",
        "Remove the source “{name}”? It brings {n} services. What only it lists leaves the directory, and what "
        "it filled in on other sources' services goes too.",
        services,
    ).format(name=name, n=format_number(services))


def only_source_text(name: str) -> str:
    """Why the directory's only source is not removed."""
    return _(
        "“{name}” is the directory's only source, so it cannot be removed: the directory would be empty. Add "
        "another source first."
    ).format(name=name)


def anyway_question() -> str:
    """The confirmation "Import anyway" asks for."""
    return _(
        "Import anyway? The source will keep only the services in what was just read: those missing from it "
        "leave the directory."
    )


def close_question() -> str:
    """What closing the dialog asks while a change runs."""
    return _(
        "A change to the directory is still being made. It cannot be stopped part-way, and it cannot be left "
        "half-done either: the directory is replaced in one step, only when the change is complete.\n\n"
        "Close this window and let it finish in the background?"
    )


_CLI_HINT = re.compile(r"\s*If the source really has shrunk, import it again with --allow-shrink\.?\s*$")


def error_text(exc: BaseException) -> str:
    """Why a change was not made, in words (never a traceback)."""
    from coventry_directory.exchange.sources import ShrinkRefused

    if isinstance(exc, ShrinkRefused):
        reason = _CLI_HINT.sub("", str(exc))  # the command line's advice; the dialog has its own button
        return reason + " " + _("If the source really has shrunk, choose “Import anyway”.")
    if isinstance(exc, InvalidData):
        return ngettext(
            "Nothing was changed: {source} could not be read ({n} problem, listed below).",
            "Nothing was changed: {source} could not be read ({n} problems, listed below).",
            len(exc.problems),
        ).format(source=exc.source, n=format_number(len(exc.problems)))
    if isinstance(exc, FeedError):
        return _("The feed could not be read completely, so nothing was changed: {reason}").format(reason=exc)
    if isinstance(exc, ExchangeError):  # EmptySource, SourceError, UnknownSource...: already in words
        return str(exc)
    if isinstance(exc, StoreError):
        return _("The directory could not be read or written, so nothing was changed: {reason}").format(reason=exc)
    if isinstance(exc, OSError):
        return _("Nothing was changed: {reason}").format(reason=os_error_text(exc))
    # Type and code locations only in the log: a message may quote a file's contents.
    log.error("sources: unexpected error: %s", describe_exception(type(exc), exc.__traceback__))
    return _("Something went wrong ({kind}), and nothing was changed. The log file says where.").format(
        kind=type(exc).__name__
    )


def details_text(source: Source) -> str:
    """One source in full, as ``sources show NAME`` prints it: where from, format, dates, repairs, skips, notes."""
    lines = [f"{source.name} · {kind_text(source.kind)}"]
    for label, value in (
        (_("From"), source.location),
        (_("Format"), format_text(source.format) if source.format else ""),
        (_("Services"), format_number(source.services)),
        (_("Added"), when_text(source.added_at) if source.added_at else ""),
        (_("Updated"), when_text(source.updated_at) if source.updated_at else ""),
        (_("Last pulled"), when_text(source.pulled_at) if source.pulled_at else ""),
    ):
        if value:
            # TRANSLATORS: one line of a source's details, e.g. "Format: HSDS 3.0 JSON (hsds-json)"
            lines.append(_("{label}: {value}").format(label=label, value=value))
    if source.repairs:
        repairs = ", ".join(f"{kind} {format_number(n)}" for kind, n in sorted(source.repairs.items()))
        lines.append(_("Repairs made while reading it: {repairs}").format(repairs=repairs))
    skipped = ngettext("{n} record skipped:", "{n} records skipped:", source.problem_count)
    lines += ["", skipped.format(n=format_number(source.problem_count)) if source.problems else _("None skipped.")]
    lines += [f"  {p.get('path')}: {p.get('reason')}" for p in source.problems]
    if source.warnings:
        lines += ["", _("Notes ({n}):").format(n=format_number(len(source.warnings)))]
        lines += [f"  {w.get('path')}: {w.get('note')}" for w in source.warnings]
    return "\n".join(lines)


def problems_text(exc: InvalidData) -> str:
    """Every problem of a file that could not be read at all, one a line."""
    header = _("Problems in {source}:").format(source=exc.source)
    return "\n".join([header, *(f"  {p.path}: {p.message}" for p in exc.problems)])


# --- after a change: the main window follows -------------------------------------------------
def follow_directory(window: MainWindow, services: int, sources: int) -> None:
    """Make the window search the changed directory, and say in its status bar what it now holds."""
    text = _("Directory updated: {services} from {sources}").format(
        services=services_text(services),
        sources=ngettext("{n} source", "{n} sources", sources).format(n=format_number(sources)),
    )
    window.statusBar().showMessage(text)
    # The search notices the new file, reopens it and says edition_changed; the window then
    # shows the edition in its status bar, and this note again after that (once).
    note = partial(_note, window, text)
    window.search_service.edition_changed.connect(note, Qt.SingleShotConnection)
    window.refresh()


def _note(window: MainWindow, text: str, _path: str) -> None:
    window.statusBar().showMessage(text)
