"""Errors a user can meet: a broken directory at start, and unexpected exceptions."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QMessageBox

from coventry_directory.ui import app as app_module
from coventry_directory.userdata import log_dir


def test_corrupt_directory_shows_a_recovery_message(qtbot, installed_directory, monkeypatch):
    installed_directory.write_bytes(b"not a database" * 500)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    assert app_module.run_app() == 1
    assert shown and "could not be opened" in shown[0] and "bundle install" in shown[0]


def test_unexpected_errors_are_logged_without_what_the_user_typed(qtbot, monkeypatch):
    app_module.setup_logging()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    previous = sys.excepthook
    app_module.install_exception_hook()
    try:
        try:
            raise ValueError("client Jane Example, NHS 999 999 9999")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    for handler in app_module.log.handlers:
        handler.flush()
    logged = "".join(p.read_text() for p in log_dir().glob("*.log"))
    assert "ValueError" in logged
    assert "Jane" not in logged and "999 999 9999" not in logged
    assert shown and "Something went wrong" in shown[0] and "Jane" not in shown[0]


def test_stale_directory_is_flagged_in_the_status_bar(qtbot, directory_db):
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.store.user import UserStore
    from coventry_directory.ui.main_window import MainWindow
    from coventry_directory.userdata import user_database_path

    store = DirectoryStore.open(directory_db)
    store._db.execute("UPDATE directory_info SET value = '2020-01-01' WHERE key = 'edition'")
    store._db.conn.commit()
    user = UserStore(user_database_path())
    window = MainWindow(store, user, directory_db)
    qtbot.addWidget(window)
    assert window.stale_label.isVisibleTo(window) and "out of date" in window.stale_label.text()
    window.close()
    store.close()
    user.close()
