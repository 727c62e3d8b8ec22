"""Part of the store: the SQL behind the referral outbox and the referral log .

The rows here never hold a client's personal data. The outbox rows say which service a
queued referral is for, when it was queued, how sending went and when to try again; the
referral itself is an encrypted file the ``referrals`` package keeps beside the database.
The log keeps, per referral, the service, dates, status and an optional local reference.
The worker's own details, when they choose to have them remembered, are settings of the
user's database (``referrals.referrer_memory``); forgetting them deletes the rows.
Every change is one SQLite transaction, so a crash leaves either the old or the new state.
"""

from __future__ import annotations

from collections.abc import Mapping

from coventry_directory.store.user import UserStore

OUTBOX_COLUMNS = (
    "id",
    "service_id",
    "service_name",
    "to_address",
    "message_id",
    "queued_at",
    "attempts",
    "next_attempt_at",
    "last_error",
    "needs_attention",
    "sent_at",
    "purge_after",
)
LOG_COLUMNS = (
    "id",
    "service_id",
    "service_name",
    "created_at",
    "delivery",
    "status",
    "status_at",
    "follow_up_by",
    "local_reference",
    "message_id",
    "consent_at",
    "shared_fields",
)


def _insert(store: UserStore, table: str, columns: tuple[str, ...], row: Mapping) -> None:
    # Column names come from the constants above, never from the row, so input cannot reach the SQL text.
    cols = [c for c in columns if c in row]
    store._db.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )


def _rows(store: UserStore, sql: str, params: list) -> list[dict]:
    cur = store._db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


class ReferralStore:
    """Outbox metadata and the referral log, in the user's database."""

    def __init__(self, user_store: UserStore):
        self.user_store = user_store
        self._db = user_store._db

    # --- outbox -------------------------------------------------------------------
    def add_queued(self, outbox_row: Mapping, log_row: Mapping) -> None:
        """Record a newly queued referral: its outbox row and its log row, together."""
        with self._db.atomic():
            _insert(self.user_store, "referral_outbox", OUTBOX_COLUMNS, outbox_row)
            _insert(self.user_store, "referral_log", LOG_COLUMNS, log_row)

    def add_queued_for_logged(self, outbox_row: Mapping, message_id: str, status_at: str) -> None:
        """Queue a referral the log already holds (printed first, or a crash left the log row): one transaction."""
        with self._db.atomic():
            _insert(self.user_store, "referral_outbox", OUTBOX_COLUMNS, outbox_row)
            self._db.execute(
                "UPDATE referral_log SET delivery = 'email', status = 'queued', status_at = ?, message_id = ? "
                "WHERE id = ?",
                [status_at, message_id, outbox_row["id"]],
            )

    def outbox(self, *, include_sent: bool = False) -> list[dict]:
        """Outbox rows, oldest first (sent rows kept for retention only when asked)."""
        where = "" if include_sent else "WHERE sent_at IS NULL"
        return _rows(self.user_store, f"SELECT * FROM referral_outbox {where} ORDER BY queued_at, id", [])

    def outbox_row(self, item_id: str) -> dict | None:
        """One outbox row, or None."""
        found = _rows(self.user_store, "SELECT * FROM referral_outbox WHERE id = ?", [item_id])
        return found[0] if found else None

    def record_failure(self, item_id: str, error: str, next_attempt_at: str, needs_attention: bool) -> None:
        """Count a failed attempt and schedule the next one."""
        with self._db.atomic():
            self._db.execute(
                "UPDATE referral_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                "needs_attention = ? WHERE id = ?",
                [error, next_attempt_at, int(needs_attention), item_id],
            )

    def mark_sent(self, item_id: str, sent_at: str, purge_after: str, follow_up_by: str | None) -> None:
        """The server accepted it: outbox row and log row change together."""
        with self._db.atomic():
            self._db.execute(
                "UPDATE referral_outbox SET sent_at = ?, purge_after = ?, attempts = attempts + 1, "
                "last_error = NULL, needs_attention = 0 WHERE id = ?",
                [sent_at, purge_after, item_id],
            )
            self._db.execute(
                "UPDATE referral_log SET status = 'sent', status_at = ?, follow_up_by = ? WHERE id = ?",
                [sent_at, follow_up_by, item_id],
            )

    def delete_outbox_row(self, item_id: str) -> None:
        """Forget an outbox row (after its encrypted file has been purged)."""
        with self._db.atomic():
            self._db.execute("DELETE FROM referral_outbox WHERE id = ?", [item_id])

    def purge_due(self, now: str) -> list[str]:
        """Ids of sent referrals whose retention period has run out."""
        cur = self._db.execute(
            "SELECT id FROM referral_outbox WHERE sent_at IS NOT NULL AND purge_after <= ? ORDER BY id", [now]
        )
        return [r[0] for r in cur.fetchall()]

    # --- log ----------------------------------------------------------------------
    def add_log(self, log_row: Mapping) -> None:
        """Record a referral that did not go through the outbox (a printed PDF)."""
        with self._db.atomic():
            _insert(self.user_store, "referral_log", LOG_COLUMNS, log_row)

    def log(self) -> list[dict]:
        """Every logged referral, newest first."""
        return _rows(self.user_store, "SELECT * FROM referral_log ORDER BY created_at DESC, id", [])

    def log_row(self, ref: str) -> dict | None:
        """One log row by id (or a unique id prefix of at least 6 characters), or None."""
        found = _rows(self.user_store, "SELECT * FROM referral_log WHERE id = ?", [ref])
        if not found and len(ref) >= 6:
            found = _rows(
                self.user_store,
                "SELECT * FROM referral_log WHERE id LIKE ? ESCAPE '\\'",
                [ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"],
            )
        return found[0] if len(found) == 1 else None

    def set_status(self, item_id: str, status: str, status_at: str, follow_up_by: str | None) -> None:
        """Change a logged referral's status (accepted, declined, no response, follow up by ...)."""
        with self._db.atomic():
            self._db.execute(
                "UPDATE referral_log SET status = ?, status_at = ?, follow_up_by = ? WHERE id = ?",
                [status, status_at, follow_up_by, item_id],
            )

    # --- settings kept for referrals ----------------------------------------------
    def delete_settings(self, keys: tuple[str, ...]) -> None:
        """Forget these settings altogether (the worker's remembered details, say), in one transaction."""
        with self._db.atomic():
            self._db.conn.executemany("DELETE FROM setting WHERE key = ?", [(k,) for k in keys])

    def follow_ups(self, open_statuses: tuple[str, ...]) -> list[dict]:
        """Referrals still waiting for an answer, soonest follow-up date first."""
        marks = ", ".join("?" for _ in open_statuses)
        return _rows(
            self.user_store,
            f"SELECT * FROM referral_log WHERE status IN ({marks}) "
            "ORDER BY follow_up_by IS NULL, follow_up_by, created_at",
            list(open_statuses),
        )
