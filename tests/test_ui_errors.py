"""Errors a user can meet: a broken directory at start or mid-session, and unexpected exceptions.

Unexpected exceptions are raised for real, on the GUI thread and on other threads, and the
message is watched as it opens; the search thread is pointed at a damaged file.
"""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from coventry_directory.core.search import SearchEngine
from coventry_directory.i18n import _
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore
from coventry_directory.ui import app as app_module
from coventry_directory.ui import errors as errors_module
from coventry_directory.ui import search_worker
from coventry_directory.ui.main_window import MainWindow
from coventry_directory.userdata import log_dir, user_database_path

CLIENT_DETAILS = "Jane Example NHS 999 999 9999"


@pytest.fixture
def hooks_restored():
    """The hooks are process-wide: put back whatever was there (pytest's and pytest-qt's own)."""
    previous = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = previous


@pytest.fixture
def boxes(qtbot, monkeypatch):
    """Every "something went wrong" box as it really opens: (text, thread it opened on); closed at once."""
    seen: list[tuple[str, threading.Thread]] = []
    real_warning = QMessageBox.warning

    def warning(parent, title, text, *args):
        seen.append((text, threading.current_thread()))
        QTimer.singleShot(0, close_boxes)  # runs inside the box's own event loop
        return real_warning(parent, title, text, *args)

    def close_boxes():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                widget.done(QMessageBox.Ok)

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return seen


def logged() -> str:
    for handler in app_module.log.handlers:
        handler.flush()
    return "".join(p.read_text(encoding="utf-8") for p in log_dir().glob("*.log"))


def test_corrupt_directory_shows_a_recovery_message(qtbot, installed_directory, monkeypatch, hooks_restored):
    installed_directory.write_bytes(b"not a database" * 500)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    assert app_module.run_app() == 1
    assert shown and "could not be opened" in shown[0] and "bundle install" in shown[0]


def test_unexpected_errors_are_logged_without_what_the_user_typed(qtbot, boxes, hooks_restored):
    app_module.setup_logging()
    app_module.install_exception_hook()
    try:
        raise ValueError(f"client {CLIENT_DETAILS}")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert "ValueError" in logged()
    assert "Jane" not in logged() and "999 999 9999" not in logged()
    assert len(boxes) == 1
    text, thread = boxes[0]
    assert "Something went wrong" in text and "Jane" not in text
    assert thread is threading.main_thread()


def test_an_error_in_another_thread_is_shown_on_the_gui_thread(qtbot, boxes, hooks_restored):
    app_module.setup_logging()
    reporter = app_module.install_exception_hook()

    def fails():
        raise ValueError(f"client {CLIENT_DETAILS}")

    with qtbot.waitSignal(reporter.shown, timeout=10_000):
        worker = threading.Thread(target=fails, name="background")
        worker.start()
        worker.join()  # the thread is gone before the box opens: nothing waited for it
    assert len(boxes) == 1
    text, thread = boxes[0]
    assert "Something went wrong" in text
    assert thread is threading.main_thread()  # never a widget made off the GUI thread
    assert "ValueError" in logged() and "Jane" not in logged()
    assert QApplication.activeModalWidget() is None  # closed, the app carries on


def test_a_slot_failing_off_the_gui_thread_is_shown_on_the_gui_thread(qtbot, boxes, hooks_restored):
    # PySide reports an exception raised in a slot of a QThread through sys.excepthook, on that thread.
    app_module.install_exception_hook()

    def hook_from_thread():
        try:
            raise RuntimeError(CLIENT_DETAILS)
        except RuntimeError:
            sys.excepthook(*sys.exc_info())

    reporter = errors_module._reporter
    with qtbot.waitSignal(reporter.shown, timeout=10_000):
        worker = threading.Thread(target=hook_from_thread)
        worker.start()
        worker.join()
    assert [thread for _text, thread in boxes] == [threading.main_thread()]


def test_a_burst_of_errors_opens_one_box(qtbot, boxes, hooks_restored):
    app_module.setup_logging()
    reporter = app_module.install_exception_hook()
    with qtbot.waitSignal(reporter.shown, timeout=10_000):
        workers = [threading.Thread(target=lambda: 1 / 0) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    qtbot.wait(50)  # any report still queued runs now
    assert len(boxes) == 1
    assert logged().count("ZeroDivisionError") == 3  # each one is in the log
    assert QApplication.activeModalWidget() is None


def test_a_damaged_directory_file_fails_the_search_plainly(qtbot, open_window, tmp_path, caplog):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database" * 500)
    message = _(
        "Search failed: the service directory could not be read. Close the app and open it again; "
        "if that does not help, install the directory again."
    )
    with qtbot.captureExceptions() as escaped, caplog.at_level(logging.INFO, logger="coventry_directory"):
        window = open_window(damaged, ready=False)
        qtbot.waitUntil(lambda: window.count_label.text() == message, timeout=10_000)
        window.count_label.clear()
        window.search_box.setText(CLIENT_DETAILS)  # typed, as a worker might, into the search box
        qtbot.waitUntil(lambda: window.count_label.text() == message, timeout=10_000)
        assert window.statusBar().currentMessage() == message
        assert window.model.rowCount() == 0
        # the window still works: a service can be read and shortlisted
        samaritans = window.controller.store.resolve_service_id("nat-samaritans")
        window.show_service(samaritans)
        assert "116 123" in window.details.toPlainText()
        window.toggle_shortlist()
        assert window.shortlist.list.count() == 1
    assert escaped == []
    failures = [r.getMessage() for r in caplog.records if "search failed (open)" in r.getMessage()]
    assert failures and all("StoreError at " in line for line in failures)
    assert not [r for r in caplog.records if "Jane" in r.getMessage() or "damaged" in r.getMessage()]


def test_a_search_that_breaks_says_so_and_the_next_one_works(qtbot, open_window, caplog, monkeypatch):
    real_search = SearchEngine.search

    def breaks_on_jane(self, query, *args, **kwargs):
        if "Jane" in query:
            raise RuntimeError(f"no such column in {query!r}")  # messages can quote what was typed
        return real_search(self, query, *args, **kwargs)

    monkeypatch.setattr(SearchEngine, "search", breaks_on_jane)
    message = _("Search failed: something went wrong while searching. Try again or change the search.")
    with qtbot.captureExceptions() as escaped, caplog.at_level(logging.INFO, logger="coventry_directory"):
        window = open_window(ready=False)
        qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
        window.search_box.setText(CLIENT_DETAILS)
        qtbot.waitUntil(lambda: window.count_label.text() == message, timeout=10_000)
        assert window.model.rowCount() == 0  # no earlier results passed off as answers
        window.search_box.setText("samaritans")
        qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
        assert window.count_label.text() != message
    assert escaped == []
    failures = [r.getMessage() for r in caplog.records if "search failed (search)" in r.getMessage()]
    assert len(failures) == 1 and failures[0].startswith("search failed (search): RuntimeError at ")
    assert not [r for r in caplog.records if "Jane" in r.getMessage()]


def test_the_search_thread_opens_the_directory_read_only(qtbot, open_window, directory_db, monkeypatch):
    opened = []
    real_open = DirectoryStore.open.__func__

    def spy(cls, path, **kwargs):
        if threading.current_thread() is not threading.main_thread():  # the search thread's, not the window's
            opened.append((path, kwargs))
        return real_open(cls, path, **kwargs)

    monkeypatch.setattr(search_worker.DirectoryStore, "open", classmethod(spy))
    window = open_window(ready=False)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
    assert opened == [(directory_db, {"readonly": True})]


def test_stale_directory_is_flagged_in_the_status_bar(qtbot, directory_db):
    store = DirectoryStore.open(directory_db)
    store._db.execute("UPDATE directory_info SET value = '2020-01-01' WHERE key = 'edition'")
    store._db.conn.commit()
    user = UserStore(user_database_path())
    window = MainWindow(store, user, directory_db)
    qtbot.addWidget(window)
    assert window.stale_label.isVisibleTo(window) and "out of date" in window.stale_label.text()
    # a line of its own above the work area, never in the status bar over its text
    window.show()
    qtbot.waitExposed(window)
    bar = window.statusBar()
    assert not bar.isAncestorOf(window.stale_label)
    label_area = window.stale_label.geometry().translated(window.stale_label.parentWidget().mapTo(window, QPoint()))
    assert not label_area.intersects(bar.geometry())
    window.close()
    store.close()
    user.close()
