"""Starts the desktop app: one QApplication, the directory opened, the main window shown."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from coventry_directory import APP_NAME, __version__
from coventry_directory.core.store import StoreError
from coventry_directory.i18n import _


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication (reused if one exists, as in tests)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Coventry Directory")
    return app


def run_app(lang: str | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code."""
    from coventry_directory.core.editions import open_directory
    from coventry_directory.ui.main_window import MainWindow

    app = make_application()
    try:
        store = open_directory()
    except StoreError as exc:
        QMessageBox.critical(None, APP_NAME, _("The service directory could not be opened.\n\n{problem}").format(problem=exc))
        return 1
    window = MainWindow(store)
    window.show()
    code = app.exec()
    store.close()
    return code
