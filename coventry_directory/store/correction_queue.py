"""Part of the store: the SQL behind the keeper's queue of correction notes (user schemas u004, u005).

The queue lives in the keeper's own database (``user.db``, private: 0600 in a 0700 folder,
see ``store.user``), never in the public directory sources. Rows are added and given an
outcome; none is ever deleted. Each import of a file is one transaction, so a file's notes
go in together or not at all. A provider's proposal from a returned check form is a row
like a note, with its origin, record kind, field, what was listed and what is proposed (u005).
"""

from __future__ import annotations

from collections.abc import Sequence

from coventry_directory.core.correction_queue import CHECK_FORM, OPEN, ImportCount, QueuedNote, ReportedNote
from coventry_directory.store.user import UserStore

_COLUMNS = (
    "id",
    "service_id",
    "service_key",
    "service_name",
    "note",
    "created_at",
    "reported_by",
    "edition",
    "source_file",
    "imported_at",
    "status",
    "resolved_at",
    "resolved_by",
    "resolution_note",
    "origin",
    "record_kind",
    "field",
    "listed",
    "proposed",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM correction_queue"


def _note(row: Sequence) -> QueuedNote:
    values = dict(zip(_COLUMNS, row, strict=True))
    # until linked to the directory again (core.correction_queue.linked): as it was when imported
    return QueuedNote(**values, in_directory=values["service_key"] is not None)


class CorrectionQueueStore:
    """The keeper's correction notes, in the user's database."""

    def __init__(self, user_store: UserStore):
        self._db = user_store._db

    def add(
        self, notes: Sequence[ReportedNote], keys: Sequence[str | None], source_file: str, imported_at: str
    ) -> ImportCount:
        """Queue ``notes`` (``keys``: each one's service key, None when the directory has no such service).

        One transaction: all of them or none. A note already queued (the same id) is left as
        it is, except that a sender it lacked is filled in (the same note by file, then by email).
        """
        new = 0
        with self._db.atomic():
            for item, key in zip(notes, keys, strict=True):
                proposal = item.proposal
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO correction_queue (id, service_id, service_key, service_name, note, "
                    "created_at, reported_by, edition, source_file, imported_at, status, "
                    "origin, record_kind, field, listed, proposed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        item.id,
                        item.service_id,
                        key,
                        item.service_name,
                        item.note,
                        item.created_at,
                        item.reported_by,
                        item.edition,
                        source_file,
                        imported_at,
                        OPEN,
                        CHECK_FORM if proposal is not None else None,
                        proposal.record_kind if proposal is not None else None,
                        proposal.field if proposal is not None else None,
                        proposal.listed if proposal is not None else None,
                        proposal.proposed if proposal is not None else None,
                    ],
                )
                if cur.rowcount:
                    new += 1
                elif item.reported_by:
                    self._db.execute(
                        "UPDATE correction_queue SET reported_by = ? WHERE id = ? AND reported_by IS NULL",
                        [item.reported_by, item.id],
                    )
        return ImportCount(source_file, len(notes), new)

    def notes(self, *, include_resolved: bool = False) -> list[QueuedNote]:
        """The open notes (every note with ``include_resolved``), oldest first."""
        where = "" if include_resolved else " WHERE status = 'open'"
        return [_note(r) for r in self._db.execute(f"{_SELECT}{where} ORDER BY created_at, id").fetchall()]

    def ids_starting(self, prefix: str) -> list[str]:
        """The ids that start with ``prefix`` (hex digits only: the caller checks)."""
        # a range, not LIKE: no wildcard in the prefix can widen it
        rows = self._db.execute(
            "SELECT id FROM correction_queue WHERE id >= ? AND id < ? ORDER BY id", [prefix, prefix + "\uffff"]
        )
        return [r[0] for r in rows.fetchall()]

    def get(self, note: str) -> QueuedNote | None:
        """One note by its full id, or None."""
        row = self._db.execute(f"{_SELECT} WHERE id = ?", [note]).fetchone()
        return _note(row) if row else None

    def set_outcome(self, note: str, status: str, at: str, by: str, resolution_note: str | None) -> bool:
        """Record the outcome of an open note; False (nothing changed) if it is not open."""
        with self._db.atomic():
            cur = self._db.execute(
                "UPDATE correction_queue SET status = ?, resolved_at = ?, resolved_by = ?, resolution_note = ? "
                "WHERE id = ? AND status = 'open'",
                [status, at, by, resolution_note, note],
            )
            return cur.rowcount == 1
