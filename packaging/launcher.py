"""Entry script of the frozen app (PyInstaller analyses this file).

The same entry serves the console executable (command line) and, on Windows, the
windowed one (no arguments: the desktop app). It only hands over to the normal CLI.

``COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN=1`` (for the frozen smoke test and the start-up
benchmark, never set by users): once the event loop has shown the main window, print
``window shown: TITLE`` on stderr and close it, so a script can time the start-up and see
that the window came up without anyone closing it.
"""

import os
import sys

QUIT_WHEN_SHOWN = "COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN"


def _quit_when_shown() -> None:
    """Make QApplication.exec() quit as soon as its first event-loop pass has run."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    original_exec = QApplication.exec

    def report_and_quit() -> None:
        app = QApplication.instance()
        shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
        titles = ", ".join(w.windowTitle() for w in shown) or "(none)"
        print(f"window shown: {titles}", file=sys.stderr, flush=True)
        if not shown:
            app.exit(3)
        for window in shown:
            window.close()  # as a user would: the window stops its own background work
        app.quit()

    def exec_then_quit(*_args):  # QApplication.exec is static; called as app.exec() or not
        QTimer.singleShot(0, report_and_quit)  # runs after show() and the first paint events
        return original_exec()

    QApplication.exec = exec_then_quit


if __name__ == "__main__":
    # A large import reads its services in worker processes (exchange.prepare): in the frozen
    # app each worker is this executable started again, which freeze_support hands over to it.
    import multiprocessing

    multiprocessing.freeze_support()
    if os.environ.get(QUIT_WHEN_SHOWN) == "1":
        _quit_when_shown()
    from coventry_directory.cli import main

    sys.exit(main())
