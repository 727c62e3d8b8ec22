"""Shared test set-up: headless Qt, one QApplication, a fresh home and database per test.

Also the UI tests' ways in: the real main window (``open_window``) and the app as
``run_app`` starts it, language and all (``hosts``, with ``english_afterwards``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# COVENTRY_TEST_FONT="Family:points" (e.g. "DejaVu Sans Mono:14") runs the UI tests in
# another application font, to catch a test that passes only because text happens to fit.
# Wider screens and fonts: QT_ENABLE_HIGHDPI_SCALING=0 QT_FONT_DPI=144, or FONTCONFIG_FILE.
TEST_FONT = os.environ.get("COVENTRY_TEST_FONT", "")

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_SOURCES = FIXTURES / "sample_directory"


@pytest.fixture(scope="session", autouse=True)
def test_font(request):
    """Apply COVENTRY_TEST_FONT to the one session QApplication before any window is built."""
    if not TEST_FONT:
        return  # no QApplication made for tests that never need one
    from PySide6.QtGui import QFont

    app = request.getfixturevalue("qapp")
    family, _, points = TEST_FONT.partition(":")
    font = QFont(family)
    if points:
        font.setPointSizeF(float(points))
    app.setFont(font)


@pytest.fixture(autouse=True)
def user_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own user-data folder, so nothing leaks between tests or onto the machine."""
    home = tmp_path / "home"
    monkeypatch.setenv("COVENTRY_DIRECTORY_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def built_directory(tmp_path_factory) -> Path:
    """The real directory compiled once per session (copied per test by ``directory_db``)."""
    from coventry_directory.core.build import build_database

    path = tmp_path_factory.mktemp("built") / "directory.db"
    build_database(path)
    return path


@pytest.fixture
def directory_db(built_directory, tmp_path) -> Path:
    """A fresh copy of the real directory database for one test."""
    path = tmp_path / "directory.db"
    shutil.copyfile(built_directory, path)
    return path


@pytest.fixture
def directory_store(directory_db):
    """The real directory, opened from this test's own copy."""
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(directory_db)
    yield store
    store.close()


@pytest.fixture
def installed_directory(directory_db, user_home) -> Path:
    """Make this test's copy the directory the app and CLI open (as an installed edition)."""
    from coventry_directory.userdata import installed_directory_path

    target = installed_directory_path()
    shutil.copyfile(directory_db, target)
    return target


@pytest.fixture
def sample_store(tmp_path):
    """A tiny directory built from tests/fixtures/sample_directory."""
    from coventry_directory.core.build import build_database
    from coventry_directory.store.directory import DirectoryStore

    path = tmp_path / "sample.db"
    build_database(path, SAMPLE_SOURCES)
    store = DirectoryStore.open(path)
    yield store
    store.close()


# --- the desktop window -------------------------------------------------------------------
def _show_active(qtbot, window) -> None:
    """Show ``window`` as the active window, as on a desktop: shortcuts and focus need one."""
    from PySide6.QtWidgets import QApplication

    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


@pytest.fixture
def open_window(qtbot, directory_db):
    """Open the real window on this test's directory copy and user folder; closes everything after.

    ``open_window(search_path)`` points the search thread at another file (the details still
    read the good copy); ``ready=False`` only shows the window, without waiting for it to be
    active or for its first results (which a broken directory never brings).
    """
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.store.user import UserStore
    from coventry_directory.ui.main_window import MainWindow
    from coventry_directory.userdata import user_database_path

    opened = []

    def make(search_path: Path | None = None, *, ready: bool = True):
        store = DirectoryStore.open(directory_db)
        user = UserStore(user_database_path())
        window = MainWindow(store, user, search_path or directory_db)
        qtbot.addWidget(window)
        opened.append((window, store, user))
        if ready:
            _show_active(qtbot, window)
            qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
        else:
            window.show()
        return window

    yield make
    for window, store, user in opened:
        window.close()
        store.close()
        user.close()


# --- the app in other languages -------------------------------------------------------------
@pytest.fixture
def english_afterwards(qapp):
    """The language, direction, font and Qt translators are app-wide: put English back."""
    from coventry_directory.ui.language import apply_language

    yield
    apply_language("en")


@pytest.fixture
def hosts(qtbot, directory_db):
    """Start the app as run_app does (stores, WindowHost, a language); closes everything after."""
    from coventry_directory.i18n.choice import SETTING_KEY, resolve
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.store.user import UserStore
    from coventry_directory.ui.language import WindowHost
    from coventry_directory.userdata import user_database_path

    opened = []

    def start(lang: str | None = None):
        store = DirectoryStore.open(directory_db)
        user = UserStore(user_database_path())
        host = WindowHost(store, user, directory_db)
        opened.append(host)
        window = host.open(resolve(lang, user.get_setting(SETTING_KEY)).code)
        qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
        return host

    yield start
    for host in opened:
        if host.window is not None:
            host.window.close()
        host.store.close()
        host.user.close()
