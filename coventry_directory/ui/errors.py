"""Unexpected errors: logged without personal data, and shown to the user on the GUI thread.

An uncaught exception can happen on any thread (the search thread, a ``threading.Thread``).
Qt widgets may only be made on the GUI thread, so the hooks installed here log the error
where it happened and hand the message box over to an :class:`ErrorReporter` that lives in
the GUI thread, through a queued signal. The log line names the exception's type and the
code locations only: exception messages can carry what the user typed about a client.
"""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from coventry_directory import APP_NAME
from coventry_directory.crash_log import describe_exception
from coventry_directory.i18n import _
from coventry_directory.userdata import log_dir

log = logging.getLogger("coventry_directory")


def on_gui_thread() -> bool:
    """True on the thread that owns the QApplication (the only one allowed to make widgets)."""
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


class ErrorReporter(QObject):
    """Shows "something went wrong" on the GUI thread, whichever thread the error came from."""

    shown = Signal()  # after the message box closes (tests wait for it)
    _queued = Signal()

    def __init__(self):
        super().__init__()
        app = QCoreApplication.instance()
        if app is not None and self.thread() != app.thread():
            self.moveToThread(app.thread())
        # Queued: from another thread the box must be made on the GUI thread; from the GUI
        # thread while the event loop runs, it opens once the failing handler has unwound.
        self._queued.connect(self._show, Qt.QueuedConnection)
        self._showing = False

    def report(self, exc_type, tb) -> None:
        """Log the error (no personal data) and ask the GUI thread to tell the user; any thread."""
        log.error("unexpected error: %s", describe_exception(exc_type, tb))
        if QApplication.instance() is None:
            return  # no GUI (the command line): the log line is all
        if on_gui_thread() and not _event_loop_running():
            self._show()  # at start-up, before the event loop: a queued box would never open
        else:
            self._queued.emit()

    @Slot()
    def _show(self) -> None:
        if self._showing:
            return  # one box at a time: a burst of errors is one message (each is in the log)
        self._showing = True
        try:
            QMessageBox.warning(
                None,
                APP_NAME,
                _(
                    "Something went wrong, and the last action may not have finished. Your shortlist and any saved "
                    "work are safe.\n\nIf it keeps happening, tell your IT support and give them the log file in:\n"
                    "{folder}"
                ).format(folder=log_dir()),
            )
        finally:
            self._showing = False
        self.shown.emit()


def _event_loop_running() -> bool:
    app = QCoreApplication.instance()
    # QThread.loopLevel() counts the event loops running on the current thread.
    return app is not None and app.thread().loopLevel() > 0


_reporter: ErrorReporter | None = None


def install_exception_hook() -> ErrorReporter:
    """Route uncaught exceptions from every thread to the log and a plain message."""
    global _reporter
    _reporter = ErrorReporter()  # kept at module level: a collected QObject would drop queued reports
    reporter = _reporter

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        reporter.report(exc_type, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return  # as threading's own hook: a thread that exits on purpose is not an error
        reporter.report(args.exc_type, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    return reporter
