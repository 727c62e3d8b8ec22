"""Work run off the GUI thread, its progress and its outcome brought back to the GUI thread by signals.

:class:`BackgroundTask` runs one function in a plain Python thread (a daemon: a task still
running when the app quits never holds it open). What the function returns, or the
exception it raised, arrives on the GUI thread in ``finished``; its ``progress(stage,
done, total)`` may be called from any thread (a feed pull reports from its pool too) and
arrives as ``progressed``. The work must not touch widgets or the UI thread's databases.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

_RUNNING: set[BackgroundTask] = set()  # each task, kept alive until its thread has reported


def running() -> int:
    """How many background tasks have not reported yet."""
    return len(_RUNNING)


class BackgroundTask(QObject):
    """One piece of work in a worker thread; ``finished`` brings None or the exception, on the UI thread.

    ``result`` holds what the work returned once ``finished`` has said None. A task runs
    once: ``start`` a second time does nothing.
    """

    finished = Signal(object)  # None (it worked) or the Exception it raised
    progressed = Signal(str, int, object)  # stage, done, total (None when not known)
    _reported = Signal(object)
    _progress = Signal(str, int, object)

    def __init__(self, work: Callable[[], object], *, name: str = "background"):
        super().__init__()
        self._work = work
        self._name = name
        self._started = False
        self.result: object = None
        # Emitted by the worker thread, received by this object, which lives on the UI
        # thread: Qt queues both signals to the UI thread.
        self._reported.connect(self._report)
        self._progress.connect(self.progressed)

    def start(self) -> None:
        """Run the work in its thread."""
        if self._started:
            return
        self._started = True
        _RUNNING.add(self)
        threading.Thread(target=self._run, name=self._name, daemon=True).start()

    def progress(self, stage: str, done: int, total: int | None) -> None:
        """Report progress from any thread (the exchange functions' ``progress`` argument)."""
        with contextlib.suppress(RuntimeError):  # the app has closed meanwhile
            self._progress.emit(stage, done, total)

    def _run(self) -> None:
        try:
            self.result = self._work()
            outcome: Exception | None = None
        except Exception as exc:  # every failure is reported to the person, in words
            outcome = exc
        with contextlib.suppress(RuntimeError):  # the app has closed meanwhile
            self._reported.emit(outcome)

    @Slot(object)
    def _report(self, outcome: object) -> None:
        _RUNNING.discard(self)
        self.finished.emit(outcome)
