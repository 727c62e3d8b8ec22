"""Sending referrals off the UI thread: a worker thread talks to the mail server, results come back by signal.

The user's database and the outbox key stay on the UI thread. ``ReferralDesk.begin_flush``
decrypts the due referrals there; the worker thread only sends (``SendPass.send``: network,
no database, no files); each result is recorded back on the UI thread as it arrives, so a
crash part-way keeps what was already sent.

Cancel stops *waiting*: no further attempt starts, and whoever started the send hears at
once. An attempt already on the wire cannot be called back, so its result is still
recorded when it comes (the runner keeps itself alive until then). Either way the referral
stays sealed in the outbox until a server has accepted it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from coventry_directory.i18n import _
from coventry_directory.referrals.desk import ReferralDesk, SendPass
from coventry_directory.referrals.outbox import FlushResult

log = logging.getLogger(__name__)  # ids and exception types only

_IN_FLIGHT: set[str] = set()  # referral ids some runner is sending now: never two attempts at once
_RUNNING: set[SendRunner] = set()  # each runner, kept alive until its thread has ended


def in_flight() -> frozenset[str]:
    """Ids of the referrals being sent right now (pass as ``exclude`` to ``begin_flush``)."""
    return frozenset(_IN_FLIGHT)


def busy() -> bool:
    """True while any send is still running (waited for or not)."""
    return bool(_RUNNING)


class _Hub(QObject):
    """Says when any send has ended, so the retry timer can look again at what waits."""

    send_ended = Signal()


_HUB: _Hub | None = None


def hub() -> _Hub:
    """The one hub (made on first use, on the UI thread)."""
    global _HUB
    if _HUB is None:
        _HUB = _Hub()
    return _HUB


class _Worker(QObject):
    """Lives in the worker thread: sends each attempt in turn until done or cancelled."""

    attempted = Signal(int, object)  # index into the pass's attempts, the error or None
    done = Signal()

    def __init__(self, job: SendPass):
        super().__init__()
        self._job = job
        self.cancelled = threading.Event()

    @Slot()
    def run(self) -> None:
        for index, attempt in enumerate(self._job.attempts):
            if self.cancelled.is_set():
                break
            self.attempted.emit(index, self._job.send(attempt))
        self.done.emit()


class SendRunner(QObject):
    """Runs one pass of sends in a worker thread; ``finished`` carries the FlushResult.

    ``finished`` comes once: when the pass ends, or at once on :meth:`cancel` (with what
    was known then). Made without a parent, it keeps itself alive until its thread ends.
    """

    progress = Signal(int, int)  # attempts finished, attempts in all
    finished = Signal(object)  # FlushResult

    def __init__(self, desk: ReferralDesk, job: SendPass, clock: Callable[[], dt.datetime] | None = None):
        super().__init__()
        self.desk, self.job, self._clock = desk, job, clock
        self.cancelled = False
        self._reported = False
        self._done_count = 0
        self._pending = {a.item_id for a in job.attempts}
        self._thread = QThread()
        self._worker = _Worker(job)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.attempted.connect(self._attempted)  # queued: recorded on the UI thread
        self._worker.done.connect(self._done)
        self._thread.finished.connect(self._ended)

    @property
    def total(self) -> int:
        """How many referrals this pass tries."""
        return len(self.job.attempts)

    def start(self) -> None:
        """Start sending (the ids are marked in flight first, so nothing else sends them meanwhile)."""
        _IN_FLIGHT.update(self._pending)
        _RUNNING.add(self)
        self._thread.start()

    def cancel(self) -> None:
        """Stop waiting: no further attempt starts, and ``finished`` comes now."""
        self.cancelled = True
        self._worker.cancelled.set()
        self._report()

    def _now(self) -> dt.datetime | None:
        return self._clock() if self._clock else None

    @Slot(int, object)
    def _attempted(self, index: int, error: object) -> None:
        attempt = self.job.attempts[index]
        try:
            self.desk.finish_attempt(self.job, attempt, error if isinstance(error, Exception) else None, self._now())
        except Exception as exc:  # the database went away (the app is closing): the referral stays queued
            log.warning("a send result could not be recorded (%s); it stays in the outbox", type(exc).__name__)
        finally:
            _IN_FLIGHT.discard(attempt.item_id)
            self._pending.discard(attempt.item_id)
        self._done_count += 1
        if not self._reported:
            self.progress.emit(self._done_count, self.total)

    @Slot()
    def _done(self) -> None:
        try:
            self.desk.end_flush(self.job, self._now())
        except Exception as exc:
            log.warning("the outbox could not be tidied after sending (%s)", type(exc).__name__)
        self._thread.quit()
        self._report()

    def _report(self) -> None:
        if self._reported:
            return
        self._reported = True
        self.finished.emit(self.job.result)
        hub().send_ended.emit()

    @Slot()
    def _ended(self) -> None:
        self._thread.wait()  # finished is emitted just before the thread really stops
        _IN_FLIGHT.difference_update(self._pending)  # cancelled before they were tried
        # Let go of this runner (and its thread) from the event loop, not from inside its own slot.
        QTimer.singleShot(0, lambda: _RUNNING.discard(self))


def wait_for_sends(timeout_ms: int | None = None) -> bool:
    """Process events until every running send has ended (at exit, so results are recorded); True if all did."""
    deadline = None if timeout_ms is None else dt.datetime.now() + dt.timedelta(milliseconds=timeout_ms)
    while _RUNNING:
        if deadline is not None and dt.datetime.now() >= deadline:
            return False
        QCoreApplication.processEvents()
        for runner in list(_RUNNING):
            runner._thread.wait(20)
    return True


def cancel_all() -> None:
    """Stop every running send after its current attempt (the app is closing)."""
    for runner in list(_RUNNING):
        runner.cancel()


class SendProgress(QWidget):
    """A busy bar, what is happening, and Cancel (stop waiting) for one running send."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(_("Sending progress"))
        self.bar.setTextVisible(False)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton(_("Stop &waiting"))
        self.cancel_button.setToolTip(_("Stop waiting for the mail server; the referral stays safe in the outbox"))
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label, 2)
        layout.addWidget(self.cancel_button)
        self.runner: SendRunner | None = None
        self.hide()

    def follow(self, runner: SendRunner) -> None:
        """Show ``runner``'s progress until it finishes or is cancelled."""
        self.runner = runner
        self.bar.setRange(0, 0)  # busy: an SMTP exchange gives no useful percentage
        self.label.setText(_("Sending… the window stays usable."))
        runner.progress.connect(self._progress)
        runner.finished.connect(self._finished)
        self.cancel_button.setEnabled(True)
        self.show()

    def cancel(self) -> None:
        """Stop waiting for the running send."""
        if self.runner is not None:
            self.runner.cancel()

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _finished(self, _result: FlushResult) -> None:
        self.runner = None
        self.hide()
