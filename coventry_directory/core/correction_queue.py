"""The keeper's queue of correction notes from workers: what a note is, its id, and its outcome.

Workers send "report a correction" notes (``export --format corrections``, as a file or by
email); the keeper imports them (``exchange.correction_reports``), lists the open ones and
resolves each, accepted or rejected, with who, when and why. Nothing is ever deleted.

Qt-free and SQL-free: the rows live in the keeper's own database
(``store.correction_queue``); this module holds the values the command line and the keeper
window both use, and the two operations on the queue that need the directory:
:func:`queue_entries` (each note linked to the service it is about) and :func:`resolve`.

Besides workers' notes, the queue holds a provider's proposed corrections from a returned
check form (``core.check_forms``, ``exchange.check_form_returns``): the same kind of entry
with ``origin`` "check-form", the record and field it is about, what the directory lists
and the value proposed. Its id comes from the returned row itself, so importing the same
file again adds nothing.

A note's text is the worker's own words. It holds no client details by design, but it is
still treated as possibly sensitive: it is never put into an error message or a log, only
shown to the keeper who asks for the list.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from coventry_directory.core.clock import as_uk_wall_clock
from coventry_directory.core.models import Service
from coventry_directory.core.text import one_line as text_one_line

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
OUTCOMES = (ACCEPTED, REJECTED)
ID_LENGTH = 16  # hex digits of SHA-256: 64 bits, far from any collision in one keeper's queue
SHORT_ID = 8  # as `corrections list` shows it, like `referral log`
MIN_PREFIX = 4  # the shortest id prefix `corrections resolve` takes
NOTE_MAX = 2000  # a resolution note: one line, as for `assure --note`
BY_MAX = 200
CHECK_FORM = "check-form"  # the origin of a provider's proposal from a returned check form
SERVICE, ORGANIZATION = "service", "organization"  # what a proposal's record is


class CorrectionQueueError(ValueError):
    """The keeper asked for something the queue cannot do (no such note, already resolved ...): bad input."""


class DirectoryLookup(Protocol):
    """What linking a note to its service needs from the directory (a ``DirectoryStore`` has it)."""

    def get_service(self, ref: str) -> Service | None:
        """One whole service by id or key, or None."""
        ...


def note_id(service_id: str, created_at: str, note: str) -> str:
    """The stable id of a note: from what it is about, when it was written and what it says.

    Not from the worker's own number for it (every worker's first note is number 1), nor
    from the file or the sender: the same note arriving in a file and again by email is
    one note.
    """
    payload = json.dumps([service_id, created_at, note], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:ID_LENGTH]


def proposal_id(row: Sequence[str]) -> str:
    """The stable id of a check-form proposal: from the returned row's own cells (record, field, answers).

    Not from when it was imported nor who returned it: the same file imported twice, or
    sent back by two people, is one proposal.
    """
    payload = json.dumps([CHECK_FORM, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:ID_LENGTH]


@dataclass(frozen=True)
class Proposal:
    """What a provider's returned check form says about one field of one record."""

    record_kind: str  # SERVICE or ORGANIZATION
    field: str  # the check form's field id (``core.check_forms``)
    listed: str | None  # what the directory lists, None when it lists nothing
    proposed: str | None  # the correction, None when the row only says it is wrong or comments
    fingerprint: str  # proposal_id of the returned row


@dataclass(frozen=True)
class ReportedNote:
    """One note as a worker's export gives it (or one proposal from a check form), before it is queued."""

    service_id: str
    note: str
    created_at: str
    service_name: str | None = None  # the name the worker saw
    reported_by: str | None = None  # the sender, when the note came by email
    edition: str | None = None  # the edition the worker was looking at
    proposal: Proposal | None = None  # set for a check form's proposal

    @property
    def id(self) -> str:
        """The note's stable id (:func:`note_id`; a proposal's from its row, :func:`proposal_id`)."""
        if self.proposal is not None:
            return self.proposal.fingerprint
        return note_id(self.service_id, self.created_at, self.note)


@dataclass(frozen=True)
class QueuedNote:
    """One note in the keeper's queue, with its outcome and the service it is about.

    ``service_key`` and ``service_name`` are the directory's own when the service is in
    it (``in_directory``); otherwise what was known when it was imported, or what the
    worker's export said.
    """

    id: str
    service_id: str
    service_key: str | None
    service_name: str | None
    note: str
    created_at: str
    reported_by: str | None
    edition: str | None
    source_file: str
    imported_at: str
    status: str = OPEN
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None
    origin: str | None = None  # CHECK_FORM for a provider's proposal, None for a worker's note
    record_kind: str | None = None  # a proposal's: SERVICE or ORGANIZATION
    field: str | None = None  # a proposal's field id
    listed: str | None = None  # what the directory listed for that field when it was imported
    proposed: str | None = None  # the value the provider proposes (None: only "wrong", or a comment)
    in_directory: bool = True

    @property
    def is_proposal(self) -> bool:
        """True for a provider's proposal from a returned check form."""
        return self.origin == CHECK_FORM

    @property
    def short_id(self) -> str:
        """The first digits of the id, as the list shows them (any unique prefix resolves)."""
        return self.id[:SHORT_ID]

    def to_dict(self) -> dict:
        """The ``corrections list --json`` item."""
        return {
            "id": self.id,
            "service_id": self.service_id,
            "service_key": self.service_key,
            "service_name": self.service_name,
            "in_directory": self.in_directory,
            "note": self.note,
            "created_at": self.created_at,
            "reported_by": self.reported_by,
            "edition": self.edition,
            "source_file": self.source_file,
            "imported_at": self.imported_at,
            "status": self.status,
            "resolved_at": self.resolved_at,
            "resolved_by": self.resolved_by,
            "resolution_note": self.resolution_note,
            "origin": self.origin,
            "record_kind": self.record_kind,
            "field": self.field,
            "listed": self.listed,
            "proposed": self.proposed,
        }


@dataclass(frozen=True)
class ImportCount:
    """What one file added to the queue: how many notes it held, how many were new."""

    file: str
    notes: int
    new: int
    not_in_directory: int = 0  # notes about a service the directory does not have (queued all the same)

    @property
    def already(self) -> int:
        """Notes already in the queue (or given twice in the file)."""
        return self.notes - self.new


class QueueRows(Protocol):
    """The queue's storage (``store.correction_queue.CorrectionQueueStore``)."""

    def notes(self, *, include_resolved: bool = False) -> list[QueuedNote]:
        """The notes, oldest first."""
        ...

    def ids_starting(self, prefix: str) -> list[str]:
        """The ids that start with ``prefix``."""
        ...

    def get(self, note: str) -> QueuedNote | None:
        """One note by its full id."""
        ...

    def set_outcome(self, note: str, status: str, at: str, by: str, resolution_note: str | None) -> bool:
        """Record the outcome of an open note; False if it was not open."""
        ...


def linked(note: QueuedNote, directory: DirectoryLookup | None) -> QueuedNote:
    """``note`` with the service's current key and name, or flagged as no longer in the directory."""
    if directory is None or note.record_kind == ORGANIZATION:
        return note  # the directory is looked up by service: an organisation stays as imported
    service = directory.get_service(note.service_id)
    if service is None:
        return replace(note, in_directory=False)
    return replace(note, service_key=service.key or note.service_key, service_name=service.name, in_directory=True)


def queue_entries(
    rows: QueueRows, directory: DirectoryLookup | None, *, include_resolved: bool = False
) -> list[QueuedNote]:
    """The open notes (every note with ``include_resolved``), oldest first, each linked to its service."""
    return [linked(n, directory) for n in rows.notes(include_resolved=include_resolved)]


def find(rows: QueueRows, ref: str) -> QueuedNote:
    """The note whose id is ``ref`` or starts with it; CorrectionQueueError when none or several do."""
    ref = (ref or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]+", ref):
        raise CorrectionQueueError(
            f"{ref!r} is not a correction note id (they are hex digits, as 'corrections list' shows them)"
        )
    if len(ref) < MIN_PREFIX:
        raise CorrectionQueueError(f"give at least {MIN_PREFIX} digits of the id, as 'corrections list' shows it")
    ids = rows.ids_starting(ref) if len(ref) <= ID_LENGTH else []  # a longer one is no id of ours
    if not ids:
        raise CorrectionQueueError(f"no correction note with id {ref} (see 'corrections list --all')")
    if len(ids) > 1:
        raise CorrectionQueueError(f"{len(ids)} correction notes have ids starting {ref}; give more digits")
    found = rows.get(ids[0])
    assert found is not None  # listed a moment ago; notes are never deleted
    return found


def one_line(value: str | None, option: str, longest: int) -> str | None:
    """``value`` as one line of real text (``core.text.one_line``; None stays None); CorrectionQueueError otherwise."""
    return None if value is None else text_one_line(value, option, longest, CorrectionQueueError)


def default_keeper() -> str | None:
    """Who is resolving when nobody says: the computer's login name, or None if it has none."""
    try:
        return getpass.getuser() or None
    except Exception:  # no login name in the environment (a service account, a container)
        return None


def utc_stamp(moment: dt.datetime | None = None) -> str:
    """A moment as the queue stores it: UTC, to the second (the same wherever the computer is)."""
    return (moment or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")


FIRST_YEAR, LAST_YEAR = 1900, 2200  # a note's date outside these is no date a worker's app wrote


def showable_moment(text: str) -> dt.datetime | None:
    """``text`` as a date and time the queue can store and show (in UTC and as a UK date), or None.

    None for text that is no ISO date and time, and for one so near the ends of the
    calendar (0001-01-01T00:00:00+14:00) that converting it to UTC or UK time would
    overflow: refused when a file is imported, so listing the queue never meets it.
    """
    try:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment.astimezone(dt.UTC)
            as_uk_wall_clock(moment)
    except (ValueError, OverflowError):
        return None
    return moment if FIRST_YEAR <= moment.year <= LAST_YEAR else None


def resolve(
    rows: QueueRows,
    ref: str,
    outcome: str,
    *,
    by: str | None = None,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> QueuedNote:
    """Accept or reject the open note ``ref`` (its id or a unique prefix); returns it resolved.

    ``by`` is who decided (default: the login name); ``note`` why, one line. A note already
    resolved keeps its outcome: resolving it again is refused (CorrectionQueueError), so a
    decision is never silently overwritten.
    """
    if outcome not in OUTCOMES:
        raise CorrectionQueueError(f"the outcome must be {' or '.join(OUTCOMES)}, not {outcome!r}")
    who = one_line(by, "--by", BY_MAX) if by is not None else default_keeper()
    if not who:
        raise CorrectionQueueError("say who is deciding with --by NAME (this computer gives no login name)")
    why = one_line(note, "--note", NOTE_MAX)
    found = find(rows, ref)
    if found.status != OPEN:
        raise CorrectionQueueError(_already(found))
    if not rows.set_outcome(found.id, outcome, utc_stamp(at), who, why):
        now = rows.get(found.id)  # resolved by someone else between the two steps
        raise CorrectionQueueError(_already(now or found))
    done = rows.get(found.id)
    assert done is not None
    return done


def _already(note: QueuedNote) -> str:
    return (
        f"correction note {note.short_id} was already {note.status} on {(note.resolved_at or '')[:10]} "
        f"by {note.resolved_by}; nothing was changed"
    )


def count_by_status(notes: Sequence[QueuedNote]) -> dict[str, int]:
    """How many notes are open, accepted and rejected."""
    counts = {OPEN: 0, ACCEPTED: 0, REJECTED: 0}
    for n in notes:
        counts[n.status] = counts.get(n.status, 0) + 1
    return counts
