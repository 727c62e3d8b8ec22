"""The main window's shell: the privacy screen, zoom, where the window opens, the keyboard map, mnemonics."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_shell_support import answer_modal, live_mnemonics, mnemonic

from coventry_directory.ui import zoom
from coventry_directory.ui.main_window import CrisisStrip
from coventry_directory.ui.shortcuts import BY_NAME, SHORTCUTS, described
from coventry_directory.ui.shortcuts_dialog import ShortcutsDialog
from coventry_directory.ui.window_geometry import DEFAULT_SIZE, brought_back, fitted, on_a_screen


@pytest.fixture
def usual_font(qapp):
    """A known application font, given back afterwards (zoom changes the app's font for every window)."""
    before = QFont(qapp.font())
    font = QFont(before)
    font.setPointSizeF(10.0)
    qapp.setFont(font)
    zoom._Sizes.usual = zoom._Sizes.applied = None
    yield 10.0
    qapp.setFont(before)
    zoom._Sizes.usual = zoom._Sizes.applied = None


def _point_size() -> float:
    return QApplication.instance().font().pointSizeF()


# --- privacy screen ---------------------------------------------------------------------------
def test_the_privacy_screen_hides_the_work_and_gives_it_back_where_it_was(qtbot, open_window):
    window = open_window()
    window.search_box.setFocus()
    qtbot.keyClicks(window.search_box, "naloxone")
    qtbot.waitUntil(lambda: window.search_box.hasFocus())
    refer_was = window.refer_action.isEnabled()

    qtbot.keyClick(window.search_box, Qt.Key_H, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.privacy.is_on() and window.privacy_action.isChecked()
    # nothing of the search or the service shown can be seen or reached by a key
    assert not window.search_box.isVisible() and not window.details.isVisible() and not window.results.isVisible()
    assert window.privacy.cover.isVisible() and window.privacy.cover.button.hasFocus()
    assert not window.find_action.isEnabled() and not window.refer_action.isEnabled()
    assert not window.print_action.isEnabled() and not window.shortlist_action.isEnabled()
    # the crisis numbers stay in view: the cover is over the work area only
    assert window.findChild(CrisisStrip).isVisible()

    window.privacy.cover.button.click()
    assert not window.privacy.is_on() and not window.privacy_action.isChecked()
    assert window.search_box.isVisible() and window.search_box.text() == "naloxone"
    qtbot.waitUntil(lambda: window.search_box.hasFocus())
    assert window.find_action.isEnabled() and window.refer_action.isEnabled() == refer_was


def test_the_privacy_screen_is_also_in_the_view_menu_and_the_status_bar(qtbot, open_window):
    window = open_window()
    assert window.privacy_action in window.view_menu.actions()
    assert window.privacy_button.defaultAction() is window.privacy_action
    window.privacy_button.click()
    assert window.privacy.is_on()
    window.privacy_button.click()
    assert not window.privacy.is_on()


# --- zoom -------------------------------------------------------------------------------------
def test_zoom_steps_through_the_levels_and_is_remembered_after_a_restart(qtbot, open_window, usual_font):
    window = open_window()
    assert window.zoom.level == zoom.NORMAL and _point_size() == pytest.approx(usual_font)
    window.zoom_in_action.trigger()
    window.zoom_in_action.trigger()
    assert window.zoom.level == 125 and _point_size() == pytest.approx(usual_font * 1.25)
    assert "125" in window.statusBar().currentMessage()
    window.close()

    QApplication.instance().setFont(QFont(QApplication.instance().font().family(), 10))  # a restart's usual font
    again = open_window()
    assert again.zoom.level == 125 and _point_size() == pytest.approx(usual_font * 1.25)
    again.zoom_out_action.trigger()
    assert again.zoom.level == 110 and _point_size() == pytest.approx(usual_font * 1.1)
    again.zoom_reset_action.trigger()
    assert again.zoom.level == zoom.NORMAL and _point_size() == pytest.approx(usual_font)


def test_the_zoom_keys_reach_every_label_the_crisis_numbers_and_the_old_edition_warning_too(
    qtbot, open_window, usual_font
):
    window = open_window()
    window.stale_label.setText("This directory edition is old")  # as an old edition shows it
    strip = window.findChild(CrisisStrip)
    bold_ones = (strip, window.stale_label)
    window.search_box.setFocus()
    qtbot.waitUntil(window.search_box.hasFocus)
    for key, level in ((Qt.Key_Equal, 110), (Qt.Key_Equal, 125), (Qt.Key_Minus, 110), (Qt.Key_0, zoom.NORMAL)):
        qtbot.keyClick(window.search_box, key, Qt.ControlModifier)  # the keys as pressed, not the actions
        assert window.zoom.level == level
        size = usual_font * level / 100
        # they take the new size (a style sheet fixed theirs) and keep their weight
        qtbot.waitUntil(lambda size=size: all(label.font().pointSizeF() == pytest.approx(size) for label in bold_ones))
        assert all(label.font().bold() for label in bold_ones)
    assert window.search_box.text() == ""  # the keys zoomed; they typed nothing


def test_zoom_stops_at_its_ends_and_ignores_a_stored_level_it_does_not_know(usual_font):
    stored: list[str] = []
    level = zoom.Zoom(lambda: "9999", stored.append)
    assert level.level == zoom.NORMAL  # a hand-edited or old setting is not applied blindly
    for _ in range(len(zoom.LEVELS) + 2):
        level.zoom_in()
    assert level.level == zoom.LEVELS[-1] and stored[-1] == str(zoom.LEVELS[-1])
    for _ in range(len(zoom.LEVELS) + 2):
        level.zoom_out()
    assert level.level == zoom.LEVELS[0]
    assert _point_size() == pytest.approx(usual_font * zoom.LEVELS[0] / 100)


def test_a_font_set_by_someone_else_becomes_the_usual_size(usual_font):
    zoom.apply_zoom(150)
    assert _point_size() == pytest.approx(15.0)
    app = QApplication.instance()
    app.setFont(QFont(app.font().family(), 12))  # a language change sets the font afresh
    zoom.apply_zoom(150)
    assert _point_size() == pytest.approx(18.0)  # 150 % of the new usual size, not of 15


# --- where the window opens -------------------------------------------------------------------
def test_the_first_window_fits_a_small_laptop_screen_at_150_percent():
    available = QRect(0, 0, 911, 512)  # 1366x768 at 150 %, without the task bar
    rect = fitted(available)
    assert available.contains(rect) and rect.width() < DEFAULT_SIZE.width() and rect.height() < DEFAULT_SIZE.height()
    assert rect.center() == available.center()
    big = QRect(0, 0, 2560, 1400)
    assert fitted(big).size() == DEFAULT_SIZE


def test_a_window_left_on_an_unplugged_monitor_is_brought_back():
    laptop = QRect(0, 0, 1366, 728)
    gone = QRect(1900, 100, 1000, 700)  # where the second monitor was
    assert not on_a_screen(gone, [laptop])
    back = brought_back(gone, laptop)
    assert laptop.contains(back) and back.size() == QSize(1000, 700)
    # its title bar above the top of every screen cannot be grabbed: not on a screen
    assert not on_a_screen(QRect(100, -300, 800, 600), [laptop])
    assert on_a_screen(QRect(100, 100, 800, 600), [laptop])
    assert brought_back(QRect(0, 0, 3000, 2000), laptop) == laptop


def test_the_window_opens_where_it_was_closed_but_never_off_the_screen(qtbot, open_window):
    screen = QGuiApplication.primaryScreen().availableGeometry()
    window = open_window()
    size = QSize(window.minimumWidth() + 10, window.minimumHeight() + 20)  # the offscreen screen is small
    window.setGeometry(screen.left() + 20, screen.top() + 20, size.width(), size.height())
    qtbot.waitUntil(lambda: window.geometry().size() == size)
    window.close()
    again = open_window()
    assert again.geometry().size() == size
    again.move(screen.right() + 3000, screen.bottom() + 3000)  # off every screen
    qtbot.waitUntil(lambda: again.geometry().left() > screen.right())
    again.close()
    third = open_window()
    frame = third.frameGeometry()
    assert screen.intersects(frame) and screen.contains(frame.topLeft())


# --- keys -------------------------------------------------------------------------------------
def test_every_key_in_the_help_is_the_key_the_window_answers_to(qtbot, open_window):
    window = open_window()
    bound = {a.objectName().removeprefix("shortcut-"): a for a in window.findChildren(QAction)}
    for entry in SHORTCUTS:
        if entry.action:
            action = bound[entry.name]
            assert [s.toString() for s in action.shortcuts()] == [QKeySequence(k).toString() for k in entry.keys]
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert [what for what, _keys in rows] == [described(s.name) for s in SHORTCUTS]
    assert dict(rows)[described("privacy")] == QKeySequence("Ctrl+Shift+H").toString(QKeySequence.NativeText)
    assert dict(rows)[described("results")] == "↓"
    assert BY_NAME["zoom_in"].keys == ("Ctrl+=", "Ctrl++")  # = is + without Shift on most keyboards


def test_f1_opens_the_keyboard_shortcuts(qtbot, open_window):
    window = open_window()
    seen = answer_modal(None, ShortcutsDialog)
    qtbot.keyClick(window.search_box, Qt.Key_F1)
    qtbot.waitUntil(lambda: seen == ["Keyboard shortcuts"], timeout=5_000)


def test_ctrl_comma_opens_the_settings_on_windows_and_linux_too(qtbot, open_window):
    from coventry_directory.ui.settings_dialog import SettingsDialog

    window = open_window()
    seen = answer_modal(None, SettingsDialog)
    qtbot.keyClick(window.search_box, Qt.Key_Comma, Qt.ControlModifier)  # the key, not the action
    qtbot.waitUntil(lambda: seen == ["Settings"], timeout=5_000)


def test_no_two_controls_share_a_mnemonic_on_any_tab(qtbot, open_window):
    window = open_window()
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        clashes = {letter: places for letter, places in live_mnemonics(window).items() if len(places) > 1}
        assert clashes == {}, window.tabs.tabText(i)
    assert [mnemonic(m.title()) for m in (window.settings_menu, window.directory_menu, window.view_menu)] == [
        "s",
        "d",
        "v",
    ]


def test_clear_all_asks_first_and_no_keeps_the_shortlist(qtbot, open_window):
    window = open_window()
    window.results.setCurrentIndex(window.model.index(0, 0))
    window.shortlist_action.trigger()
    assert window.shortlist.list.count() == 1
    seen = answer_modal(QMessageBox.No)
    window.shortlist.clear_button.click()
    assert seen and window.shortlist.list.count() == 1
    answer_modal(QMessageBox.Yes)
    window.shortlist.clear_button.click()
    assert window.shortlist.list.count() == 0


# --- right to left --------------------------------------------------------------------------
def test_a_long_name_in_a_right_to_left_shortlist_is_wrapped_whole_not_cut_at_its_start(qtbot, directory_store):
    from coventry_directory.ui.shortlist_panel import ShortlistPanel

    panel = ShortlistPanel()
    qtbot.addWidget(panel)
    panel.setLayoutDirection(Qt.RightToLeft)  # as in Arabic or Urdu
    long_one = directory_store.get_service("cgl-warwickshire-dual-diagnosis-counselling")
    panel.set_services([long_one])
    panel.resize(220, 400)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.list
    row = view.visualItemRect(view.item(0))
    # the whole name fits the width (no sideways scrolling, where the start was lost) over more lines
    assert not view.horizontalScrollBar().isVisible()
    assert row.width() <= view.viewport().width()
    assert row.height() >= 2 * view.fontMetrics().lineSpacing()
