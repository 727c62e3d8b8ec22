"""The filter panel and the chips above the results, driven as a worker drives them (pytest-qt, offscreen)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.ui.main_window_search import RESULT_LIMIT
from coventry_directory.ui.results_model import HitRole

# St Basils' Coventry youth hub gives weekly hours, Monday to Friday 09:00-17:00.
HOURS_KEY = "cov-st-basils-youth-hub"
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 30)
SUNDAY_NIGHT = datetime(2026, 12, 6, 3, 0)


def shown_keys(window) -> list[str]:
    return [window.model.index(i).data(HitRole).key for i in range(window.model.rowCount())]


def tick(widget, code: str, on: bool = True) -> None:
    item = next(widget.item(i) for i in range(widget.count()) if widget.item(i).data(Qt.UserRole) == code)
    item.setCheckState(Qt.Checked if on else Qt.Unchecked)


def chip_texts(window) -> list[str]:
    return [chip.text() for chip in window.chips.chips]


def search_count(window) -> int:
    """How many services the engine gives for the panel's values now (the path the window's search takes)."""
    engine = SearchEngine(window.controller.store)
    return len(engine.search("", window.controller.filters(window.filters.state()), limit=RESULT_LIMIT).hits)


def settle(qtbot, window) -> int:
    """Wait until the window shows as many results as the panel's filters give; returns that number."""
    expected = search_count(window)
    qtbot.waitUntil(lambda: not window._timer.isActive() and window.model.rowCount() == expected, timeout=10_000)
    return expected


def test_a_chip_for_each_filter_stays_in_sight_on_the_shortlist_tab(qtbot, open_window):
    window = open_window()
    assert not window.chips.isVisible()  # no filter on: no row
    window.filters.near.setEditText("Rugby")
    tick(window.filters.substances, "alcohol")
    window.filters.free.setChecked(True)
    qtbot.waitUntil(lambda: len(window.chips.chips) == 3, timeout=10_000)
    assert chip_texts(window) == ["Near: Rugby ✕", "Free ✕", "Substance: Alcohol ✕"]
    assert [c.accessibleName() for c in window.chips.chips][2] == "Remove filter: Substance: Alcohol"
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.shortlist))
    assert not window.filters.isVisible()  # the Filters tab is out of sight ...
    assert all(chip.isVisible() for chip in window.chips.chips)  # ... and its filters are not
    assert window.chips.clear_button.isVisible()
    # what each filter did is in its chip's tooltip
    qtbot.waitUntil(lambda: "known to fit" in window.chips.chips[2].toolTip(), timeout=10_000)
    assert window.chips.chips[2].toolTip().splitlines()[1].startswith("Substance: ")


def test_a_chip_removes_exactly_its_filter_and_the_results_follow(qtbot, open_window):
    window = open_window()
    tick(window.filters.substances, "alcohol")
    window.filters.near.setEditText("Rugby")
    alcohol_near_rugby = settle(qtbot, window)
    tick(window.filters.categories, "naloxone")
    assert settle(qtbot, window) != alcohol_near_rugby  # the test would prove nothing otherwise
    chip = next(c for c in window.chips.chips if c.text() == "Category: Naloxone supply ✕")
    qtbot.mouseClick(chip, Qt.LeftButton)
    state = window.filters.state()
    assert state["categories"] == () and state["substances"] == ("alcohol",) and state["near"] == "Rugby"
    assert settle(qtbot, window) == alcohol_near_rugby
    assert chip_texts(window) == ["Near: Rugby ✕", "Substance: Alcohol ✕"]
    # by keyboard too: Space on a chip removes its filter, and the keyboard stays in the row
    window.chips.chips[0].setFocus()
    qtbot.keyClick(window.chips.chips[0], Qt.Key_Space)
    assert window.filters.state()["near"] == "" and window.filters.state()["substances"] == ("alcohol",)
    assert chip_texts(window) == ["Substance: Alcohol ✕"]
    qtbot.waitUntil(lambda: window.chips.chips[0].hasFocus(), timeout=5_000)


def test_clear_filters_resets_every_filter(qtbot, open_window):
    window = open_window()
    everything = window.model.rowCount()
    window.filters.near.setEditText("Rugby")
    window.filters.age.setValue(30)
    window.filters.open_now.setChecked(True)
    tick(window.filters.substances, "alcohol")
    tick(window.filters.modes, "online")
    settle(qtbot, window)
    assert len(window.chips.chips) == 5
    qtbot.mouseClick(window.chips.clear_button, Qt.LeftButton)
    state = window.filters.state()
    assert not any(state.values())
    assert window.filters.near.currentText() == "Anywhere"
    assert window.chips.chips == [] and not window.chips.isVisible()
    assert settle(qtbot, window) == everything


def test_open_at_chooses_the_moment_searched(qtbot, open_window):
    window = open_window()
    panel = window.filters
    assert not panel.open_at_time.isEnabled()  # a time alone filters nothing
    panel.open_at_time.setDateTime(QDateTime(TUESDAY_MORNING))
    panel.open_at.setChecked(True)
    assert panel.state()["open_at"] == TUESDAY_MORNING
    assert window.controller.filters(panel.state()).open_at == TUESDAY_MORNING
    qtbot.waitUntil(lambda: window.chips.chips and window.chips.chips[0].text().startswith("Open at: "), timeout=5_000)
    assert "10:30" in window.chips.chips[0].text() and "1 December" in window.chips.chips[0].text()
    qtbot.waitUntil(lambda: HOURS_KEY in shown_keys(window), timeout=10_000)
    open_tuesday = settle(qtbot, window)
    panel.open_at_time.setDateTime(QDateTime(SUNDAY_NIGHT))  # closed then: left out
    qtbot.waitUntil(lambda: HOURS_KEY not in shown_keys(window) and window.model.rowCount() > 0, timeout=10_000)
    assert settle(qtbot, window) < open_tuesday
    # "Open now" and "Open at" exclude each other
    panel.open_now.setChecked(True)
    assert not panel.open_at.isChecked() and panel.state()["open_at"] is None
    panel.open_at.setChecked(True)
    assert not panel.open_now.isChecked()
    assert [c.text() for c in window.chips.chips if c.text().startswith("Open")] == [
        window.chips.chips[0].text()
    ] and window.chips.chips[0].text().startswith("Open at: ")


def test_lists_show_every_option_whole_without_a_horizontal_scroll_bar(qtbot, open_window):
    window = open_window()
    font = QFont(QApplication.font())
    font.setPointSize(20)  # about twice the usual size: what a worker at 200% zoom sees
    window.setFont(font)
    window.resize(1800, 1000)
    window.splitter.setSizes([400, 400, 1000])  # at this size, as narrow as 200 pixels at 100%
    qtbot.waitUntil(lambda: window.filters.categories.font().pointSize() == 20, timeout=5_000)
    lists = [*window.filters.lists().values(), window.profile.substances, window.profile.groups]
    for tab in (0, 1):
        window.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        if tab == 0:
            scroll = window.tabs.currentWidget()
            assert not scroll.horizontalScrollBar().isVisible()  # the panel scrolls one way only
        for widget in lists:
            if not widget.isVisible():
                continue
            assert not widget.horizontalScrollBar().isVisible()
            assert not widget.verticalScrollBar().isVisible()  # every option shown: the panel scrolls instead
            for i in range(widget.count()):
                rect = widget.visualItemRect(widget.item(i))
                assert rect.right() <= widget.viewport().width()  # no label runs past the edge
                assert rect.bottom() < widget.viewport().height()  # and none is cut off at the foot
                assert rect.height() >= widget.sizeHintForRow(i)  # its wrapped lines all have room
    substances = window.filters.substances
    longest = max((substances.item(i).text() for i in range(substances.count())), key=len)
    assert substances.width() < substances.fontMetrics().horizontalAdvance(longest)
    # so that long label did wrap, rather than widen the panel


def test_the_count_says_when_closed_services_are_left_out(qtbot, open_window):
    window = open_window()
    shown = window.model.rowCount()
    closed = window.controller.store.count_services() - shown  # the status bar counts them; the list does not
    assert closed == 1
    assert window.count_label.text() == f"{shown} services · 1 closed service not shown"
    window.filters.free.setChecked(True)  # a narrower list: the note would not be sure it applies
    qtbot.waitUntil(lambda: window.model.rowCount() < shown, timeout=10_000)
    assert "closed" not in window.count_label.text()


def _item(widget, code: str):
    return next(widget.item(i) for i in range(widget.count()) if widget.item(i).data(Qt.UserRole) == code)


def test_each_option_says_what_ticking_it_would_keep_and_saying_so_searches_nothing(qtbot, open_window):
    window = open_window()
    window.filters.near.setEditText("Rugby")
    settle(qtbot, window)
    engine = SearchEngine(window.controller.store)
    filters = window.controller.filters(window.filters.state())
    counts = engine.search("", filters, limit=RESULT_LIMIT, option_counts=True).option_counts
    known, unknown = counts["categories"]["naloxone"]
    assert unknown == 0 and known > 0
    everywhere = engine.search("", Filters(), option_counts=True).option_counts["categories"]["naloxone"]
    assert everywhere[0] > known  # near Rugby is not the whole list: the test would prove nothing otherwise
    naloxone = _item(window.filters.categories, "naloxone")
    qtbot.waitUntil(lambda: naloxone.text() == f"Naloxone supply ({known})", timeout=10_000)
    known, unknown = counts["client_groups"]["young-people"]
    assert unknown > 0  # the record often does not say: kept, "to check"
    item = _item(window.filters.groups, "young-people")
    assert item.text() == f"Young people ({known} + {unknown} to check)"
    assert item.toolTip().endswith(
        "Of the services that match the words and serve the place (with no place: Coventry and "
        f"Warwickshire), and that the other filters keep: {known} known to fit, {unknown} whose record "
        "does not say (kept, marked “check”)."
    )
    # the gender and language choices are counted too; the chip names the choice alone
    woman = counts["gender"]["female"]
    assert window.filters.gender.itemText(1) == f"Woman ({woman[0]} + {woman[1]} to check)"
    polish = counts["languages"]["pl"]
    assert window.filters.language.itemText(1) == f"Polski (Polish) ({polish[0]} + {polish[1]} to check)"
    window.filters.gender.setCurrentIndex(1)
    qtbot.waitUntil(lambda: "Gender: Woman ✕" in chip_texts(window), timeout=10_000)
    window.filters.gender.setCurrentIndex(0)
    qtbot.waitUntil(lambda: "Gender: Woman ✕" not in chip_texts(window), timeout=10_000)
    settle(qtbot, window)
    # new words on the items are not ticks: no search follows them
    searched = window.search_service.generation
    qtbot.wait(400)
    assert window.search_service.generation == searched and not window._timer.isActive()
    # ticking one: its chip names the option without its counts, and the others recount
    tick(window.filters.categories, "naloxone")
    qtbot.waitUntil(lambda: chip_texts(window) == ["Near: Rugby ✕", "Category: Naloxone supply ✕"], timeout=10_000)
    filters = window.controller.filters(window.filters.state())
    narrowed = engine.search("", filters, limit=RESULT_LIMIT, option_counts=True).option_counts
    assert narrowed["categories"]["naloxone"] == counts["categories"]["naloxone"]  # its own list is not narrowed
    expected = narrowed["client_groups"]["young-people"]
    assert expected != (known, unknown)
    qtbot.waitUntil(lambda: item.text() == f"Young people ({expected[0]} + {expected[1]} to check)", timeout=10_000)


def test_the_client_is_a_chip_in_sight_from_every_tab_and_clears_with_one_click(qtbot, open_window):
    window = open_window()
    window.tabs.setCurrentIndex(1)
    window.profile.age.setValue(16)
    window.profile.lives.setEditText("Rugby")
    tick(window.profile.substances, "cannabis")
    tick(window.filters.substances, "alcohol")
    qtbot.waitUntil(lambda: len(window.chips.chips) == 2, timeout=10_000)
    assert chip_texts(window) == ["Client: age 16, Rugby, 1 more detail ✕", "Substance: Alcohol ✕"]
    client = window.chips.chips[0]
    assert client.accessibleName() == "Clear client: age 16, Rugby, 1 more detail"
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.shortlist))
    assert client.isVisible()  # client mode greys and reorders every list: in sight from every tab
    qtbot.waitUntil(lambda: "known to fit" in window.chips.chips[1].toolTip(), timeout=10_000)
    assert window.chips.chips[0].toolTip().startswith("Forget everything entered about this client")
    # "Clear filters" leaves the client; the client's chip forgets the client, not the filters
    qtbot.mouseClick(window.chips.clear_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: chip_texts(window) == ["Client: age 16, Rugby, 1 more detail ✕"], timeout=10_000)
    tick(window.filters.substances, "alcohol")
    qtbot.waitUntil(lambda: len(window.chips.chips) == 2, timeout=10_000)
    qtbot.mouseClick(window.chips.chips[0], Qt.LeftButton)
    qtbot.waitUntil(lambda: chip_texts(window) == ["Substance: Alcohol ✕"], timeout=10_000)
    assert window.profile.summary() == "" and not window.client_mode()
