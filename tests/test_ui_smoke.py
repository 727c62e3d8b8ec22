"""The main window opens on the real directory and finds services as the user types."""

from __future__ import annotations

from PySide6.QtCore import Qt

from coventry_directory.core.store import DirectoryStore
from coventry_directory.ui.main_window import MainWindow


def test_main_window_lists_and_filters_services(qtbot, directory_db):
    store = DirectoryStore.open(directory_db)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    total = window.results.count()
    assert total == store.count_services() > 60
    qtbot.keyClicks(window.search_box, "rehab")
    assert 0 < window.results.count() < total
    names = [window.results.item(i).text() for i in range(window.results.count())]
    assert any("ESH" in n or "rehab" in n.lower() for n in names)
    html = window.details.toPlainText()
    assert "Where this information comes from" in html
    qtbot.keyClick(window.search_box, Qt.Key_Escape)
    assert window.results.count() == total
    store.close()


def test_crisis_numbers_are_always_shown(qtbot, directory_db):
    store = DirectoryStore.open(directory_db)
    window = MainWindow(store)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.search_box, "zzzz no such thing")
    assert window.results.count() == 0
    from coventry_directory.ui.main_window import CrisisStrip

    strip = window.findChild(CrisisStrip)
    assert strip.isVisibleTo(window)
    for number in ("999", "111", "116 123"):
        assert number in strip.text()
    store.close()
