"""The start page: the common tasks, how to search, the edition; each task sets the search's own filters."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from coventry_directory.ui.start_page import TASKS, StartPage


def test_each_task_is_a_button_that_says_which_task(qtbot):
    page = StartPage()
    qtbot.addWidget(page)
    chosen = []
    page.task_chosen.connect(chosen.append)
    for task in TASKS:
        page.buttons[task.key].click()
    assert chosen == list(TASKS)
    assert page.first_button() is page.buttons["naloxone"]


def test_the_tasks_are_the_ones_the_source_documents_name():
    by_key = {t.key: t for t in TASKS}
    assert by_key["naloxone"].categories == ("naloxone",) and by_key["naloxone"].needs_place
    assert by_key["needle-exchange"].categories == ("needle-syringe",)
    assert by_key["open-now"].open_now and not by_key["open-now"].categories
    assert by_key["meetings"].meetings
    from coventry_directory.core.taxonomy import vocabularies

    codes = {t.code for t in vocabularies()["category"].terms}
    assert all(set(t.categories) <= codes for t in TASKS)  # every category a task sets is a real one


def test_the_edition_is_dated_and_counted(qtbot):
    page = StartPage()
    qtbot.addWidget(page)
    page.set_edition("2026-12-02", 1234)
    assert page.edition.text().startswith("Directory edition 2 December 2026 · 1,234 services")
    browsed, news = [], []
    page.browse.connect(lambda: browsed.append(1))
    page.whats_new.connect(lambda: news.append(1))
    page.browse_button.click()
    page.whats_new_button.click()
    assert browsed == [1] and news == [1]


# --- in the main window -------------------------------------------------------------------------
def test_an_empty_search_shows_the_start_page_not_the_first_service_by_name(qtbot, open_window):
    window = open_window()
    assert window.details_stack.currentIndex() == 1 and window._current_id is None
    assert not window.refer_button.isEnabled()  # no service is being read
    assert "Directory edition" in window.start_page.edition.text()
    qtbot.keyClicks(window.search_box, "naloxone")
    qtbot.waitUntil(lambda: window._current_id is not None, timeout=10_000)
    assert window.details_stack.currentWidget() is window.details_page
    window.search_box.clear()  # back to nothing searched for
    qtbot.waitUntil(lambda: window.details_stack.currentIndex() == 1, timeout=10_000)


def test_a_task_sets_its_filters_and_asks_where_when_no_place_is_chosen(qtbot, open_window):
    window = open_window()
    window.start_page.buttons["naloxone"].click()
    assert list(window.filters.state()["categories"]) == ["naloxone"]
    assert window.filters.near.hasFocus() or window.filters.near.lineEdit().hasFocus()
    qtbot.waitUntil(lambda: window._current_id is not None, timeout=10_000)  # a search, not the start page
    shown = window.controller.service(window._current_id)
    assert "naloxone" in shown.categories or "check" in window.model.index(0).data(Qt.DisplayRole).lower()
    # a place chosen first stays; the next task starts afresh from it
    window.filters.near.setEditText("Rugby")
    window.start_page.buttons["open-now"].click()
    state = window.filters.state()
    assert state["near"] == "Rugby" and not state["categories"] and state["open_now"]


def test_browse_all_lists_every_service_from_the_first(qtbot, open_window):
    window = open_window()
    window.start_page.browse_button.click()
    assert window.results.currentIndex().row() == 0 and window._current_id is not None
    assert window.details_stack.currentWidget() is window.details_page


def test_a_narrow_pane_wraps_the_tasks_and_never_scrolls_sideways(qtbot):
    # as on a 150%-scaled laptop screen: the details pane about 380 px wide
    from PySide6.QtWidgets import QScrollArea

    page = StartPage()
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    qtbot.addWidget(area)
    widest = max(b.sizeHint().width() for b in page.buttons.values())
    area.resize(widest + 60, 600)
    area.show()
    qtbot.waitExposed(area)
    qtbot.waitUntil(lambda: page.width() <= area.viewport().width())
    assert not area.horizontalScrollBar().isVisible()
    for button in page.buttons.values():  # every task whole, inside the pane
        assert button.isVisible() and button.geometry().right() <= page.width()
    rows = {b.geometry().top() for b in page.buttons.values()}
    assert len(rows) > len(TASKS) // 2  # they wrapped onto more rows than a grid of two has


def test_a_task_longer_than_the_pane_wraps_its_words_instead_of_scrolling(qtbot):
    # Polish at 150%: "Leczenie uzależnienia od narkotyków lub alkoholu w pobliżu…" is wider than the pane
    from PySide6.QtWidgets import QScrollArea

    from coventry_directory.i18n.catalogs import in_language

    with in_language("pl"):
        page = StartPage()
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    qtbot.addWidget(area)
    longest = max(page.buttons.values(), key=lambda b: b.sizeHint().width())
    assert longest.text().startswith("Leczenie")
    area.resize(longest.sizeHint().width() // 2 + 40, 700)
    area.show()
    qtbot.waitExposed(area)
    qtbot.waitUntil(lambda: page.width() <= area.viewport().width())
    assert not area.horizontalScrollBar().isVisible()
    for button in [*page.buttons.values(), page.browse_button, page.whats_new_button]:
        assert button.geometry().right() <= page.width()
        words = button.findChild(QLabel)
        assert words.heightForWidth(words.width()) <= words.height(), button.text()  # every line shown
    assert longest.height() > page.browse_button.height()  # it took more lines, not more width
