"""The app retries the outbox by itself: soon after it starts, then when the next referral is due.

The outbox already says when each waiting referral should be tried again
(``next_attempt_at``: back-off from a minute, doubling, at most 6 hours), so the timer
simply sleeps until the soonest of those, with a floor so a broken server is not hammered
and a ceiling so a referral queued meanwhile is noticed. Sending runs in the send worker
(``ui/send_worker.py``), never on the UI thread.

A timer never asks anybody anything: it uses the outbox only when its key is in the system
keyring or the person has already unlocked it, and the mail password only when the keyring
has it. Otherwise it waits for the person to choose "Send now" in the follow-up list.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.outbox import FlushResult, Outbox, utc_now
from coventry_directory.ui import send_worker
from coventry_directory.ui.outbox_access import unlock_quietly

log = logging.getLogger(__name__)  # counts and exception types only

FIRST_MS = 10_000  # after the app starts: let the window settle first
FLOOR_MS = 30_000  # never sooner than this after a pass
IDLE_MS = 5 * 60_000  # nothing due, or nothing we may open without asking: look again this often


class OutboxRetry(QObject):
    """Retries waiting referrals on a timer, with the outbox's own back-off.

    ``passed`` carries each pass's FlushResult; ``problem`` says why the last look could not
    send (the outbox is locked, its key is lost, a password is needed), or is empty.
    """

    passed = Signal(object)

    def __init__(
        self,
        desk: ReferralDesk,
        *,
        first_ms: int = FIRST_MS,
        floor_ms: int = FLOOR_MS,
        idle_ms: int = IDLE_MS,
        clock: Callable[[], dt.datetime] = utc_now,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.desk, self.clock = desk, clock
        self.first_ms, self.floor_ms, self.idle_ms = first_ms, floor_ms, idle_ms
        self.problem = ""
        self.runner: send_worker.SendRunner | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_once)
        send_worker.hub().send_ended.connect(self._other_send_ended)

    def start(self) -> None:
        """Look at the outbox soon (the app has just started)."""
        self.timer.start(self.first_ms)

    def stop(self) -> None:
        """No more passes (the app is closing); a pass already running finishes by itself."""
        self.timer.stop()

    def run_once(self) -> None:
        """One look at the outbox: start sending what is due, or schedule the next look."""
        if self.runner is not None:
            return  # a pass is running: the next look is scheduled when it ends
        if not Outbox(self.desk.user_store).items():
            self.problem = ""
            self._schedule(self.idle_ms)
            return
        reason = unlock_quietly(self.desk)
        if reason is not None:
            self.problem = str(reason)
            self._schedule(self.idle_ms)
            return
        try:
            job = self.desk.begin_flush(now=self.clock(), ask=False, exclude=send_worker.in_flight())
        except Exception as exc:  # a database or settings fault: try again later, quietly
            log.warning("outbox retry could not start (%s)", type(exc).__name__)
            self._schedule(self.idle_ms)
            return
        self.problem = "a mail password is needed: use Send now" if job.password_missing else ""
        if not job.attempts:
            self.passed.emit(self.desk.end_flush(job, self.clock()))
            self._schedule_next()
            return
        self.runner = send_worker.SendRunner(self.desk, job, self.clock)
        self.runner.finished.connect(self._finished)
        self.runner.start()

    def _finished(self, result: FlushResult) -> None:
        self.runner = None
        log.info("outbox retry: %d sent, %d still waiting", len(result.sent), len(result.failed))
        self.passed.emit(result)
        self._schedule_next()

    def _other_send_ended(self) -> None:
        if self.runner is None:  # e.g. the wizard queued one that could not go: wait for its back-off
            self._schedule_next()

    def _schedule_next(self) -> None:
        outbox = self.desk.outbox
        soonest = outbox.next_attempt_at() if outbox is not None and not outbox.locked else None
        if soonest is None:
            self._schedule(self.idle_ms)
            return
        # Sleep until it is due, but look again at least every idle_ms for referrals queued meanwhile.
        self._schedule(min(int((soonest - self.clock()).total_seconds() * 1000), self.idle_ms))

    def _schedule(self, ms: int) -> None:
        self.timer.start(max(ms, self.floor_ms))
