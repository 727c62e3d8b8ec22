"""What the Sources dialog says: each outcome, question and detail as whole translatable sentences.

Every sentence with a count is one ``ngettext`` message, so each language chooses its own
plural form (Polish has three, Arabic six); sentences are never made by gluing translated
fragments around numbers. What the exchange layer says in its own (English) words - an
empty file, a bad source name - is quoted as a whole sentence. ``sources_worker`` runs the
jobs and picks which of these to say.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from babel.lists import format_list

from coventry_directory.core.clock import as_uk_wall_clock
from coventry_directory.core.text import clean_text
from coventry_directory.crash_log import describe_exception
from coventry_directory.disk_errors import os_error_text
from coventry_directory.exchange.errors import ExchangeError, FeedError, InvalidData
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import babel_locale, format_long_date, format_number
from coventry_directory.store.errors import StoreError

if TYPE_CHECKING:
    from coventry_directory.exchange.importing import ImportResult
    from coventry_directory.exchange.source_changes import Change
    from coventry_directory.exchange.sources import Home, Source
    from coventry_directory.ui.sources_worker import PullOutcome

log = logging.getLogger("coventry_directory")


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
    when = when_text(source.pulled_at or source.updated_at or source.info.get("edition", ""))  # an edition: its date
    kind, services, skipped = kind_text(source.kind), format_number(source.services), source.problem_count
    return source.name, kind, services, when, format_number(skipped)


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


# --- what a change did ---------------------------------------------------------------------
def _read_sentence(mode: str, n: int) -> str:
    """The first sentence of an import's outcome: what became of the source, and how many services were read."""
    if mode == "added":
        return ngettext(
            "Added the source “{name}” ({kind}): {n} service read.",
            "Added the source “{name}” ({kind}): {n} services read.",
            n,
        )
    if mode == "updated":
        return ngettext(
            "Updated the source “{name}” ({kind}): {n} service read.",
            "Updated the source “{name}” ({kind}): {n} services read.",
            n,
        )
    if mode == "merged":
        return ngettext(
            "Updated the source “{name}” ({kind}) with what changed: {n} service read.",
            "Updated the source “{name}” ({kind}) with what changed: {n} services read.",
            n,
        )
    if mode == "replaced":
        return ngettext(
            "The directory is now only the source “{name}” ({kind}): {n} service read.",
            "The directory is now only the source “{name}” ({kind}): {n} services read.",
            n,
        )
    return ngettext(
        "Imported the source “{name}” ({kind}): {n} service read.",
        "Imported the source “{name}” ({kind}): {n} services read.",
        n,
    )


def total_text(total: int) -> str:
    """The sentence saying how many services the directory now has."""
    return ngettext("The directory now has {n} service.", "The directory now has {n} services.", total).format(
        n=format_number(total)
    )


def result_text(result: ImportResult) -> str:
    """What an import or pull did, in whole sentences."""
    first = _read_sentence(result.mode, result.services)
    sentences = [first.format(name=result.name, kind=kind_text(result.kind), n=format_number(result.services))]
    if result.skipped:
        skipped = ngettext(
            "{n} record was skipped (see the details).", "{n} records were skipped (see the details).", result.skipped
        )
        sentences.append(skipped.format(n=format_number(result.skipped)))
    if result.name_in_use:
        taken = result.name_in_use
        renamed = _(
            "A source named “{name}” already comes from {place}, so this file was added as “{added}”. To update "
            "“{name}” instead, type {name} as the source name and import the file again."
        )
        sentences.append(renamed.format(name=taken["name"], place=taken["from"], added=taken["added_as"]))
    sentences.append(total_text(result.total))
    return " ".join(sentences)


def change_text(change: Change) -> str:
    """What removing a source or restoring the edition did."""
    n, total = change.total, format_number(change.total)
    if change.mode == "removed":
        removed = ngettext(
            "Removed the source “{name}”. The directory now has {n} service.",
            "Removed the source “{name}”. The directory now has {n} services.",
            n,
        )
        return removed.format(name=change.source.name if change.source else "", n=total)
    date = when_text(change.source.info.get("edition", "") if change.source else "")
    if change.restored == "installed":
        restored = ngettext(
            "Restored the installed edition of {date} (from a signed bundle) as the first source. The directory "
            "now has {n} service.",
            "Restored the installed edition of {date} (from a signed bundle) as the first source. The directory "
            "now has {n} services.",
            n,
        )
    else:
        restored = ngettext(
            "Restored the shipped edition as the first source (the edition of {date} that came with the app). "
            "The directory now has {n} service.",
            "Restored the shipped edition as the first source (the edition of {date} that came with the app). "
            "The directory now has {n} services.",
            n,
        )
    return restored.format(date=date, n=total)


def pull_text(outcome: PullOutcome) -> str:
    """What pulling every feed did, feed by feed (one line each)."""
    lines = [result_text(result) for _name, result in outcome.results]
    lines += [
        _("The feed “{name}” was not pulled: {reason}").format(name=name, reason=error_text(exc))
        for name, _address, exc in outcome.failures
    ]
    return "\n".join(lines)


# --- questions -----------------------------------------------------------------------------
def replace_question(name: str) -> str:
    """The confirmation "Replace everything with this" asks for."""
    return _(
        "This removes every other source, the edition too, and leaves “{name}” as the directory's only source. "
        "“Restore the edition” brings the edition back afterwards.\n\nReplace everything with this?"
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


# --- why not -------------------------------------------------------------------------------
def error_text(exc: BaseException) -> str:
    """Why a change was not made, in words (never a traceback)."""
    from coventry_directory.exchange.sources import ShrinkRefused

    if isinstance(exc, ShrinkRefused):
        shrunk = ngettext(
            "Nothing was changed: what was read has {n} service, but the source “{name}” has {before}, so "
            "importing it would remove {gone}. If the source really has shrunk, choose “Import anyway”.",
            "Nothing was changed: what was read has {n} services, but the source “{name}” has {before}, so "
            "importing it would remove {gone}. If the source really has shrunk, choose “Import anyway”.",
            exc.services,
        )
        return shrunk.format(
            n=format_number(exc.services),
            name=exc.name,
            before=format_number(exc.before),
            gone=format_number(exc.before - exc.services),
        )
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


# --- one source in full --------------------------------------------------------------------
def details_text(source: Source) -> str:
    """One source in full, as ``sources show NAME`` prints it: where from, format, dates, repairs, skips, notes."""
    from coventry_directory.exchange.sources import REPAIR_WORDS

    # TRANSLATORS: the first line of a source's details: its name and its kind, e.g. "Rugby council · File"
    lines = [_("{name} · {kind}").format(name=source.name, kind=kind_text(source.kind))]
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
        repairs = [
            # TRANSLATORS: one kind of repair and how many times it was made, e.g. "blank text left out: 3"
            _("{repair}: {n}").format(
                repair=_(REPAIR_WORDS[kind]) if kind in REPAIR_WORDS else kind, n=format_number(n)
            )
            for kind, n in sorted(source.repairs.items())
        ]
        lines.append(
            _("Repairs made while reading it: {repairs}").format(repairs=format_list(repairs, locale=babel_locale()))
        )
    skipped = ngettext("{n} record skipped:", "{n} records skipped:", source.problem_count)
    lines += ["", skipped.format(n=format_number(source.problem_count)) if source.problems else _("None skipped.")]
    lines += [f"  {p.get('path')}: {p.get('reason')}" for p in source.problems]
    if source.warnings:
        notes = ngettext("{n} note:", "{n} notes:", len(source.warnings))
        lines += ["", notes.format(n=format_number(len(source.warnings)))]
        lines += [f"  {w.get('path')}: {w.get('note')}" for w in source.warnings]
    return "\n".join(lines)


def problems_text(exc: InvalidData) -> str:
    """Every problem of a file that could not be read at all, one a line."""
    header = _("Problems in {source}:").format(source=exc.source)
    return "\n".join([header, *(f"  {p.path}: {p.message}" for p in exc.problems)])
