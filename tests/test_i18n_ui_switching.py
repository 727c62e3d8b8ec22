"""The app in real languages, driven as a user drives it: switching, right-to-left, restart.

Choosing a language in Settings rebuilds the window in it with the screen carried over;
Urdu and Arabic flip the layout; the choice survives a restart; Polish dates and numbers
follow the language. The language is reset to English after each test (it is app-wide
state); ``hosts`` and ``english_afterwards`` are in conftest.py.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from coventry_directory.i18n import _
from coventry_directory.i18n.choice import SETTING_KEY, current_language, resolve
from coventry_directory.ui.language import apply_language
from coventry_directory.ui.main_window import TYPING_PAUSE_MS
from coventry_directory.ui.results_model import HitRole
from coventry_directory.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.usefixtures("english_afterwards")


def choose_in_settings(qtbot, window, code: str) -> None:
    """Open Settings from the menu, pick ``code``, press OK (as a user would)."""

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        row = next(i for i in range(dialog.languages.count()) if dialog.languages.item(i).data(Qt.UserRole) == code)
        dialog.languages.setCurrentRow(row)
        dialog.accept()

    QTimer.singleShot(0, answer)
    action = next(
        a
        for menu in window.menuBar().findChildren(QMenu)
        for a in menu.actions()
        if a.text() == _("&Language and settings…")
    )
    action.trigger()


def test_switching_to_urdu_flips_to_right_to_left_and_keeps_the_screen(qtbot, hosts):
    host = hosts()
    window = host.window
    assert QApplication.layoutDirection() == Qt.LeftToRight
    window.search_box.setText("naloxone")
    window.filters.near.setEditText("Rugby")
    window.filters.free.setChecked(True)
    window.filters.set_open_at(datetime(2026, 12, 1, 10, 30))
    window.profile.age.setValue(30)
    substances = window.profile.substances
    opiates = next(
        substances.item(i) for i in range(substances.count()) if substances.item(i).data(Qt.UserRole) == "opiates"
    )
    opiates.setCheckState(Qt.Checked)
    window.tabs.setCurrentIndex(1)
    samaritans = host.store.resolve_service_id("nat-samaritans")
    window.show_service(samaritans)
    window.toggle_shortlist()
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)

    choose_in_settings(qtbot, window, "ur")
    qtbot.waitUntil(lambda: host.window is not window, timeout=10_000)
    urdu = host.window

    assert QApplication.layoutDirection() == Qt.RightToLeft and urdu.layoutDirection() == Qt.RightToLeft
    assert current_language().code == "ur"
    assert urdu.windowTitle() == _("Coventry Directory") and _("Search services") != "Search services"
    assert urdu.tabs.tabText(0) == _("&Filters") and "&" in urdu.tabs.tabText(0)
    # what was on screen came across
    assert urdu.search_box.text() == "naloxone"
    assert urdu.filters.state()["near"] == "Rugby" and urdu.filters.free.isChecked()
    assert urdu.filters.state()["open_at"] == datetime(2026, 12, 1, 10, 30)
    assert urdu.profile.age.value() == 30 and urdu.profile.profile().substances == ("opiates",)
    assert urdu.tabs.currentIndex() == 1
    assert urdu.shortlist.list.count() == 1
    qtbot.waitUntil(lambda: urdu._current_id == samaritans, timeout=10_000)
    # The rebuild searches once: no later search takes the reader back to the top hit.
    assert not urdu._timer.isActive()
    qtbot.wait(3 * TYPING_PAUSE_MS)
    assert urdu._current_id == samaritans
    assert "116 123" in urdu.details.toPlainText()
    assert _("(in English)") in urdu.details.toPlainText()

    choose_in_settings(qtbot, urdu, "en")
    qtbot.waitUntil(lambda: host.window is not urdu, timeout=10_000)

    assert QApplication.layoutDirection() == Qt.LeftToRight
    assert host.window.tabs.tabText(0) == "&Filters" and host.window.search_box.text() == "naloxone"
    assert "(in English)" not in host.window.details.toPlainText()


def test_the_language_choice_survives_a_restart_and_lang_overrides_one_run(qtbot, hosts):
    first = hosts()
    assert current_language().code == "en"  # nothing chosen yet: English, whatever the OS says
    first.switch("pl")
    assert first.window.tabs.tabText(0) == "&Filtry"
    first.window.close()

    again = hosts()  # a restart: a new host reads the stored choice
    assert current_language().code == "pl"
    assert again.window.tabs.tabText(0) == "&Filtry"
    again.window.close()

    once = hosts("ar")  # gui --lang ar: this run only
    assert current_language().code == "ar" and QApplication.layoutDirection() == Qt.RightToLeft
    assert once.user.get_setting(SETTING_KEY) == "pl"


def test_a_secondary_os_language_never_wins(monkeypatch):
    for name, value in (("LANG", "pl_PL.UTF-8"), ("LANGUAGE", "ur:pl:en"), ("LC_ALL", "ro_RO.UTF-8")):
        monkeypatch.setenv(name, value)
    assert resolve(None, None).code == "en"
    assert resolve(None, "ro").code == "ro"
    assert resolve("pa", "ro").code == "pa"
    assert resolve(None, "klingon").code == "en"  # a broken stored value does not stop the app


def test_qt_standard_buttons_speak_the_language(qtbot, hosts):
    host = hosts("pl")  # Qt ships a Polish translation: it is used
    box = QMessageBox(QMessageBox.Question, "x", "y", QMessageBox.Yes | QMessageBox.No, host.window)
    assert box.button(QMessageBox.Yes).text().replace("&", "") == "Tak"
    apply_language("ro")  # Qt has none for Romanian: our catalog fills in
    box = QMessageBox(QMessageBox.Question, "x", "y", QMessageBox.Yes | QMessageBox.Cancel, host.window)
    assert box.button(QMessageBox.Yes).text() == _("&Yes") != "&Yes"
    assert box.button(QMessageBox.Cancel).text() == _("Cancel") != "Cancel"


# Month names as a Polish date needs them ("27 lutego"); the nominative ("luty") would be wrong.
POLISH_GENITIVE_MONTHS = {
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
}


def test_details_in_polish_translate_labels_and_mark_english_text(qtbot, hosts):
    host = hosts("pl")
    window = host.window
    window.show_service(host.store.resolve_service_id("esh-community-residential-rehab"))
    text = window.details.toPlainText()
    assert _("Detox and rehab") != "Detox and rehab"
    assert _("Detox and rehab") in text
    assert "(po angielsku)" in text  # directory free text is marked as English
    assert "01926 811702" in text
    # the week ahead, its days written by babel in Polish ("piątek, 27 listopada")
    window.show_service(host.store.resolve_service_id("nat-samaritans"))
    days = re.findall(
        r"(poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela), (\d{1,2}) (\w+)", window.details.toPlainText()
    )
    assert len(days) == 7, days
    assert {month for _day, _n, month in days} <= POLISH_GENITIVE_MONTHS, days  # "27 listopada", not "listopad"
    # the edition date in the status bar, too
    assert re.search(r"Wydanie katalogu: \d{1,2} \w+ \d{4}", window.statusBar().currentMessage())


def test_results_in_polish_word_distances_and_translate_categories(qtbot, hosts):
    from coventry_directory.core.distance_words import distance_text
    from coventry_directory.core.places import resolve_place

    host = hosts("pl")
    window = host.window
    window.filters.near.setEditText("Rugby")
    qtbot.waitUntil(
        lambda: window.model.rowCount() > 0 and window.model.index(0).data(HitRole).distance_km is not None,
        timeout=10_000,
    )
    rows = [window.model.index(i).data(Qt.AccessibleTextRole) for i in range(window.model.rowCount())]
    assert "w obrębie: Rugby" in rows[0], rows[0]  # the CGL Rugby hub, at the town centre: "in Rugby"
    i = next(i for i in range(len(rows)) if "CGL Nuneaton hub" in rows[i])
    far = window.model.index(i).data(HitRole)
    assert distance_text(far.distance_km, resolve_place("Rugby")) == "ok. 20 km"  # 21.3 km, in 5 km steps
    assert "ok. 20 km" in rows[i]
    assert not any(re.search(r"\d[,.]\d km", row) for row in rows), rows
    row = rows[0]
    hit = window.model.index(0).data(HitRole)
    from coventry_directory.core.taxonomy import label

    assert _(label("category", hit.categories[0])) in row


def test_bad_gui_language_is_bad_input(capsys):
    from coventry_directory.cli import main

    assert main(["gui", "--lang", "klingon"]) == 2
    assert "klingon" in capsys.readouterr().err
    assert main(["gui", "--lang", "bn"]) == 2  # leaflets only: the app cannot speak it yet
    assert "leaflets only" in capsys.readouterr().err


def test_every_languages_name_is_drawn_in_its_own_letters_whatever_the_app_speaks(qapp):
    """A language list shows "ਪੰਜਾਬੀ", "ትግርኛ": with the app in English they are drawn by the bundled fonts, not boxes."""
    from PySide6.QtGui import QFont, QFontDatabase, QTextLayout

    from coventry_directory.i18n.languages import LANGUAGES
    from coventry_directory.resources import resource_path
    from coventry_directory.ui import language

    before, base = QFont(qapp.font()), language._base_font
    latin = QFontDatabase.applicationFontFamilies(
        QFontDatabase.addApplicationFont(str(resource_path("fonts", "NotoSans-Regular.ttf")))
    )[0]
    try:
        qapp.setFont(QFont(latin, 10))  # the usual font: a known one, with no Indic, Ethiopic or Arabic letters
        language._base_font = None
        for ui in ("en", "pa"):
            apply_language(ui)
            for lang in LANGUAGES.values():
                if lang.script == "Latin":
                    continue
                layout = QTextLayout(lang.native_name, qapp.font())
                layout.beginLayout()
                layout.createLine()
                layout.endLayout()
                drawn = {run.rawFont().familyName() for run in layout.glyphRuns()}
                wanted = language._bundled_family(lang.font)
                assert drawn == {wanted}, (ui, lang.code, drawn)
    finally:
        language._base_font = base
        qapp.setFont(before)


def test_digits_and_spaces_stay_in_the_usual_font_when_it_is_named_generically(qapp):
    """Linux names its usual font "Sans Serif": that is no family, and "999" fell to the Gurmukhi font."""
    from PySide6.QtGui import QFont, QFontInfo, QTextLayout

    from coventry_directory.ui import language

    before, base = QFont(qapp.font()), language._base_font
    try:
        qapp.setFont(QFont("Sans Serif", 10))  # a generic name, as a Linux desktop gives it
        language._base_font = None
        apply_language("en")
        usual = QFontInfo(QFont("Sans Serif", 10)).family()
        layout = QTextLayout("In an emergency call 999 · NHS 111", qapp.font())
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        assert {run.rawFont().familyName() for run in layout.glyphRuns()} == {usual}
    finally:
        language._base_font = base
        qapp.setFont(before)
        apply_language("en")


@pytest.mark.parametrize("code", ["pl", "ro", "pa", "ur", "ar"])
def test_every_tab_is_in_sight_and_the_open_at_time_reads_left_to_right(qtbot, hosts, code):
    """Long tab names are shortened, not pushed behind scroll arrows; "10:49" is never shown as "49:10"."""
    from PySide6.QtWidgets import QLineEdit, QToolButton

    host = hosts(code)
    window = host.window
    window.resize(1000, 700)
    window.tabs.resize(260, 600)  # a narrow column, where the names do not all fit
    qtbot.wait(50)
    bar = window.tabs.tabBar()
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    assert arrows == []
    assert all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count()))
    picker = window.filters.open_at_time
    picker.setDateTime(QDateTime(QDate(2026, 12, 3), QTime(10, 49)))
    shown = picker.findChild(QLineEdit).text()
    assert picker.layoutDirection() == Qt.LeftToRight
    assert shown.endswith(picker.locale().toString(QTime(10, 49), "HH:mm")), shown
