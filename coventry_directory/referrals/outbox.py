"""The outbox: referrals wait here, encrypted, until a mail server accepts them.

Every emailed referral goes through the outbox, even when the network is up: it is sealed
(AES-GCM, see ``crypto.py``) into ``<data>/outbox/<id>.ref`` and recorded in the user's
database *before* the first attempt, so a crash, a refused connection, a TLS error or a
4xx/5xx reply leaves it queued, never lost. The sealed file holds the exact message bytes,
so every retry carries the same Message-ID. After a send the personal data is purged per
the retention setting (default: at once); the referral log keeps no personal data.

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
        """Seal a referral and queue it; returns its id. ``payload`` holds the message bytes."""
        key, now_text = self._key_or_raise(), _iso(now or utc_now())
        item_id = payload["id"]
        sealed = crypto.seal(key, json.dumps(payload).encode("utf-8"), item_id.encode("ascii"))
        write_private(self._path(item_id), sealed)
        try:
            self.store.add_queued(
                self._outbox_row(payload, now_text), dict(log_row, status="queued", status_at=now_text)
            )
        except BaseException:
            self._path(item_id).unlink(missing_ok=True)  # nothing half-queued: no row, so no file either
            raise
        log.info("referral %s queued for service %s", item_id, payload["service_id"])
        return item_id

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
        self._key_or_raise()
        now = now or utc_now()
        result = FlushResult()
        for row in self.items():
            if only is not None and row["id"] not in only:
                continue
            if not force and row["next_attempt_at"] > _iso(now):
                result.not_due.append(row["id"])
                continue
            self._attempt(row, send, now, result)
        self.purge_expired(now)
        return result

    def _attempt(self, row: dict, send: Sender, now: dt.datetime, result: FlushResult) -> None:
        item_id = row["id"]
        try:
            payload = self.read(item_id)
        except (OSError, ValueError, crypto.DecryptError) as exc:
            self._failed(
                row,
                f"the sealed copy cannot be read ({type(exc).__name__}); restore the outbox folder from a backup",
                False,
                now,
                result,
            )
            return
        try:
            send(payload["from"], payload["to"], payload["message"])
        except SendError as exc:
            self._failed(row, str(exc), exc.temporary, now, result)
            return
        self._sent(item_id, now)
        result.sent.append(item_id)

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
            if item_id in known:
                continue
            try:
                payload = self.read(item_id)
            except (OSError, ValueError, crypto.DecryptError):
                continue  # not ours to judge: left in place for a person to look at
            now_text = _iso(utc_now())
            log_row = payload.get("log") or {}
            if self.store.log_row(item_id) is None:
                self.store.add_queued(
                    self._outbox_row(payload, now_text), dict(log_row, status="queued", status_at=now_text)
                )
            else:
                self.store.add_queued_outbox_only(self._outbox_row(payload, now_text))
            adopted.append(item_id)
        return adopted


def _int_setting(user_store: UserStore, key: str, default: int) -> int:
    try:
        return max(0, int(user_store.get_setting(key, str(default))))
    except (TypeError, ValueError):
        return default
