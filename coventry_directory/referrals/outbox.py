"""The outbox: referrals wait here, encrypted, until a mail server accepts them.

Every emailed referral goes through the outbox, even when the network is up: it is sealed
(AES-GCM, see ``crypto.py``) into ``<data>/outbox/<id>.ref`` and recorded in the user's
database *before* the first attempt, so a crash, a refused connection, a TLS error or a
4xx/5xx reply leaves it queued, never lost. The sealed file holds the exact message bytes,
so every retry carries the same Message-ID. After a send the personal data is purged per
the retention setting (default: at once); the referral log keeps no personal data.

Queueing is idempotent, keyed by the referral id: queueing an id that is already sealed
and recorded (or already sent) changes nothing, so a second click, a retry after an error
or a replayed command can never replace the only sealed copy. Nothing here deletes a
sealed file except the purge after a confirmed delivery.

Sending can be split for a worker thread: :meth:`Outbox.due` (database and decryption, on
the caller's thread) hands out :class:`Attempt` values, a worker sends them (network only),
and :meth:`Outbox.record` writes each result back on the caller's thread.

Order of writes, and what a crash between them leaves:
  queue:  sealed file (atomic)  -> outbox + log rows (one transaction)   [orphan file: adopted by recover()]
  sent:   rows marked sent (one transaction) -> file deleted -> row deleted [leftovers: purged on next open]
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coventry_directory.referrals import crypto
from coventry_directory.referrals.files import private_folder, write_private
from coventry_directory.smtp_client import SendError
from coventry_directory.store.referrals import ReferralStore
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import data_dir

log = logging.getLogger(__name__)  # ids and service names only: never client details

RETENTION_SETTING = "referrals.retention_days"  # days to keep a sent referral's sealed copy; 0 = purge at once
FOLLOW_UP_SETTING = "referrals.follow_up_days"  # when to chase a sent referral (default 7 days)
SUFFIX = ".ref"
RETRY_FIRST, RETRY_FIRST_PERMANENT, RETRY_MAX = 60, 3600, 6 * 3600  # seconds
# Log statuses of a referral that has not gone by email yet, so it may still be queued.
_REQUEUABLE = ("printed", "queued")

# Sends exact message bytes from an envelope sender to one recipient; raises SendError on failure.
Sender = Callable[[str, str, bytes], None]


def utc_now() -> dt.datetime:
    """Now, in UTC, to the second (the outbox compares times as ISO text)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def retry_delay(attempts: int, temporary: bool) -> int:
    """Seconds to wait after ``attempts`` failures, at most 6 hours.

    The wait doubles from 1 minute (from 1 hour for errors that need a person to fix something).
    """
    first = RETRY_FIRST if temporary else RETRY_FIRST_PERMANENT
    return min(first * 2 ** max(attempts - 1, 0), RETRY_MAX)


class OutboxError(Exception):
    """Something in the outbox needs a person (the message says what); nothing was deleted."""


@dataclass(frozen=True)
class Attempt:
    """One queued referral ready to send: exact message bytes, safe to hand to another thread."""

    item_id: str
    envelope_from: str
    to: str
    message: bytes = field(repr=False)  # personal data, in memory only


@dataclass
class FlushResult:
    """What one pass over the outbox did: ids sent, (id, reason) still waiting."""

    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    not_due: list[str] = field(default_factory=list)


class Outbox:
    """Queued referrals: metadata in the user's database, the referrals themselves sealed on disk."""

    def __init__(self, user_store: UserStore, key: bytes | None = None, folder: Path | None = None):
        self.user_store = user_store
        self.store = ReferralStore(user_store)
        self.folder = folder or data_dir() / "outbox"
        self._key = key

    @classmethod
    def open(cls, user_store: UserStore, passphrase: str | None = None, folder: Path | None = None) -> Outbox:
        """Open (unlock) the outbox: the key from the keyring or the passphrase; tidy leftovers."""
        folder = private_folder(folder or data_dir() / "outbox")
        outbox = cls(user_store, crypto.open_key(folder, passphrase), folder)
        outbox.recover()
        outbox.purge_expired()
        return outbox

    @property
    def locked(self) -> bool:
        """True when opened without a key: items can be listed but not read, queued or sent."""
        return self._key is None

    def _key_or_raise(self) -> bytes:
        if self._key is None:
            raise crypto.PassphraseNeeded("the outbox is locked; open it with its passphrase first")
        return self._key

    def _path(self, item_id: str) -> Path:
        return self.folder / f"{item_id}{SUFFIX}"

    # --- queueing -----------------------------------------------------------------
    def enqueue(self, payload: dict, log_row: dict, now: dt.datetime | None = None) -> str:
        """Seal a referral and queue it; returns its id. ``payload`` holds the message bytes.

        Idempotent by id: an id already sealed and recorded, or already sent, is left as it is
        (its sealed file, its row and its Message-ID). A row whose sealed copy has gone is
        sealed again from ``payload``, which must then carry the row's Message-ID; a sealed
        copy that cannot be read is never overwritten (:class:`OutboxError`).
        """
        key, now_text = self._key_or_raise(), _iso(now or utc_now())
        item_id = payload["id"]
        row = self.store.outbox_row(item_id)
        if row is not None:
            if row["sent_at"] is not None or self._readable(item_id):
                return item_id  # already queued (or sent): keep the sealed copy and the row
            if self._path(item_id).exists() or payload["message_id"] != row["message_id"]:
                raise OutboxError(
                    f"referral {item_id[:8]} is queued but its sealed copy cannot be read; it was left in place "
                    "for a person to look at"
                )
            self._seal(key, payload)
            log.info("referral %s sealed again (its sealed copy was missing)", item_id)
            return item_id
        if self._done(item_id):
            return item_id  # sent (and purged) or answered: queueing it again would send it twice
        if self._path(item_id).exists():
            if not self._readable(item_id):
                raise OutboxError(
                    f"a sealed file for referral {item_id[:8]} is in the outbox and cannot be read; "
                    "it was left in place for a person to look at"
                )
            self._adopt(self.read(item_id))  # sealed before a crash: that copy, and its Message-ID, stay
            return item_id
        self._seal(key, payload)
        # If the rows cannot be written the sealed file stays: recover() adopts it on the next open.
        self._record_queued(payload, log_row, now_text)
        log.info("referral %s queued for service %s", item_id, payload["service_id"])
        return item_id

    def _seal(self, key: bytes, payload: dict) -> None:
        item_id = payload["id"]
        write_private(self._path(item_id), crypto.seal(key, json.dumps(payload).encode("utf-8"), item_id.encode()))

    def _record_queued(self, payload: dict, log_row: dict, now_text: str) -> None:
        outbox_row = self._outbox_row(payload, now_text)
        logged = self.store.log_row(payload["id"])
        if logged is None or logged["id"] != payload["id"]:
            self.store.add_queued(outbox_row, dict(log_row, status="queued", status_at=now_text))
        else:  # printed first and emailed now, or a log row left by a crash: the same referral
            self.store.add_queued_for_logged(outbox_row, payload["message_id"], now_text)

    def _done(self, item_id: str) -> bool:
        """True when the log says this referral was sent or answered: it is never queued again."""
        logged = self.store.log_row(item_id)
        return logged is not None and logged["id"] == item_id and logged["status"] not in _REQUEUABLE

    def _adopt(self, payload: dict) -> None:
        self._record_queued(payload, payload.get("log") or {}, _iso(utc_now()))

    def _readable(self, item_id: str) -> bool:
        try:
            self.read(item_id)
            return True
        except (OSError, ValueError, KeyError, crypto.DecryptError):
            return False

    def sealed(self, item_id: str) -> bool:
        """True when ``item_id`` is queued with a sealed copy that can be read, or was already sent."""
        row = self.store.outbox_row(item_id)
        if row is not None:
            return row["sent_at"] is not None or self._readable(item_id)
        return self._done(item_id)

    def message_id(self, item_id: str) -> str | None:
        """The Message-ID ``item_id`` was queued with, or None when it was never queued."""
        row = self.store.outbox_row(item_id)
        return row["message_id"] if row else None

    @staticmethod
    def _outbox_row(payload: dict, now_text: str) -> dict:
        return {
            "id": payload["id"],
            "service_id": payload["service_id"],
            "service_name": payload["service_name"],
            "to_address": payload["to"],
            "message_id": payload["message_id"],
            "queued_at": payload.get("queued_at") or now_text,
            "next_attempt_at": now_text,
        }

    def read(self, item_id: str) -> dict:
        """Decrypt one queued referral's payload (message bytes under ``message``)."""
        blob = self._path(item_id).read_bytes()
        payload = json.loads(crypto.unseal(self._key_or_raise(), blob, item_id.encode("ascii")))
        payload["message"] = base64.b64decode(payload["message"])
        return payload

    def items(self) -> list[dict]:
        """Referrals waiting to be sent (metadata only; works while locked)."""
        return self.store.outbox()

    # --- sending ------------------------------------------------------------------
    def flush(
        self, send: Sender, *, now: dt.datetime | None = None, force: bool = False, only: list[str] | None = None
    ) -> FlushResult:
        """Try every queued referral that is due (all of them with ``force``); keep what fails."""
        now = now or utc_now()
        attempts, result = self.due(now=now, force=force, only=only)
        for attempt in attempts:
            self.record(attempt, try_send(send, attempt), now, result)
        self.purge_expired(now)
        return result

    def due(
        self,
        *,
        now: dt.datetime | None = None,
        force: bool = False,
        only: list[str] | None = None,
        exclude: set[str] | frozenset[str] = frozenset(),
    ) -> tuple[list[Attempt], FlushResult]:
        """The referrals to try now, decrypted, and a result holding the ones not due or unreadable.

        ``exclude`` holds ids already being sent elsewhere (another thread), so none goes twice at once.
        """
        self._key_or_raise()
        now = now or utc_now()
        result, attempts = FlushResult(), []
        for row in self.items():
            if (only is not None and row["id"] not in only) or row["id"] in exclude:
                continue
            if not force and row["next_attempt_at"] > _iso(now):
                result.not_due.append(row["id"])
                continue
            try:
                payload = self.read(row["id"])
                attempts.append(Attempt(row["id"], payload["from"], payload["to"], payload["message"]))
            except (OSError, ValueError, KeyError, crypto.DecryptError) as exc:
                reason = (
                    f"the sealed copy cannot be read ({type(exc).__name__}); restore the outbox folder from a backup"
                )
                self._failed(row, reason, False, now, result)
        return attempts, result

    def record(
        self,
        attempt: Attempt,
        error: Exception | None,
        now: dt.datetime | None = None,
        result: FlushResult | None = None,
    ) -> None:
        """Write back how one attempt went: ``error`` None means the server accepted it."""
        now, result = now or utc_now(), result if result is not None else FlushResult()
        row = self.store.outbox_row(attempt.item_id)
        if row is None or row["sent_at"] is not None:
            return  # sent meanwhile by another pass: nothing to add
        if error is None:
            self._sent(attempt.item_id, now)
            result.sent.append(attempt.item_id)
        elif isinstance(error, SendError):
            self._failed(row, str(error), error.temporary, now, result)
        else:  # a fault in the settings (a CA file that is no certificate, a bad timeout): a person must look
            self._failed(row, _fault_reason(error), False, now, result)

    def _failed(self, row: dict, reason: str, temporary: bool, now: dt.datetime, result: FlushResult) -> None:
        wait = retry_delay(row["attempts"] + 1, temporary)
        self.store.record_failure(row["id"], reason[:300], _iso(now + dt.timedelta(seconds=wait)), not temporary)
        log.warning("referral %s not sent (attempt %d): %s", row["id"], row["attempts"] + 1, reason[:300])
        result.failed.append((row["id"], reason))

    def _sent(self, item_id: str, now: dt.datetime) -> None:
        keep = _int_setting(self.user_store, RETENTION_SETTING, 0)
        follow = _int_setting(self.user_store, FOLLOW_UP_SETTING, 7)
        follow_up_by = (now.astimezone().date() + dt.timedelta(days=follow)).isoformat()
        self.store.mark_sent(item_id, _iso(now), _iso(now + dt.timedelta(days=keep)), follow_up_by)
        log.info("referral %s sent", item_id)

    def next_attempt_at(self) -> dt.datetime | None:
        """When the soonest waiting referral is due (None when nothing waits): what a scheduler waits for."""
        times = [row["next_attempt_at"] for row in self.items() if row["next_attempt_at"]]
        return dt.datetime.fromisoformat(min(times)) if times else None

    # --- tidying ------------------------------------------------------------------
    def purge_expired(self, now: dt.datetime | None = None) -> list[str]:
        """Delete sent referrals' sealed copies (and rows) whose retention has run out."""
        purged = self.store.purge_due(_iso(now or utc_now()))
        for item_id in purged:
            self._path(item_id).unlink(missing_ok=True)
            self.store.delete_outbox_row(item_id)
        return purged

    def recover(self) -> list[str]:
        """Adopt sealed files whose rows were never written (a crash while queueing)."""
        if self._key is None or not self.folder.is_dir():
            return []
        adopted = []
        known = {r["id"] for r in self.store.outbox(include_sent=True)}
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            item_id = path.name[: -len(SUFFIX)]
            if item_id in known or self._done(item_id):
                continue  # recorded, or already sent (a restored backup): never sent twice
            try:
                payload = self.read(item_id)
            except (OSError, ValueError, crypto.DecryptError):
                continue  # not ours to judge: left in place for a person to look at
            self._adopt(payload)
            adopted.append(item_id)
        return adopted


def try_send(send: Sender, attempt: Attempt) -> Exception | None:
    """Send one attempt (any thread: no database, no files); the error, or None when it was accepted."""
    try:
        send(attempt.envelope_from, attempt.to, attempt.message)
    except Exception as exc:  # every fault, not only SendError: the referral stays queued with the reason
        return exc
    return None


def _fault_reason(exc: Exception) -> str:
    # Sending code's own faults name settings and files, never a referral's contents.
    detail = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"sending could not start ({type(exc).__name__}{': ' + detail if detail else ''}); check the mail settings"


def _int_setting(user_store: UserStore, key: str, default: int) -> int:
    try:
        return max(0, int(user_store.get_setting(key, str(default))))
    except (TypeError, ValueError):
        return default
