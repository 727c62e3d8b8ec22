"""The app in other languages, driven as a user drives it: pseudo-locale walk, switching, RTL, restart.

Everything here is the real window on this test's copy of the directory; the language is
reset to English after each test (it is app-wide state).
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextBrowser,
    QWidget,
)

from coventry_directory.core.places import known_places
from coventry_directory.i18n import _
from coventry_directory.i18n.choice import SETTING_KEY, current_language, resolve
from coventry_directory.i18n.languages import LANGUAGES, PSEUDO_CODE
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore
from coventry_directory.ui.dialogs import CorrectionDialog
from coventry_directory.ui.language import WindowHost, apply_language
from coventry_directory.ui.main_window import TYPING_PAUSE_MS
from coventry_directory.ui.print_dialog import PrintDialog
from coventry_directory.ui.results_model import HitRole
from coventry_directory.ui.search_worker import OPEN_FAILED, SEARCH_FAILED
from coventry_directory.ui.settings_dialog import SettingsDialog
from coventry_directory.userdata import user_database_path


@pytest.fixture(autouse=True)
def english_afterwards(qapp):
    """The language, direction, font and Qt translators are app-wide: put English back."""
    yield
    apply_language("en")


@pytest.fixture
def hosts(qtbot, directory_db):
    """Start the app as run_app does (stores, WindowHost, a language); closes everything after."""
    opened = []

    def start(lang: str | None = None) -> WindowHost:
        store = DirectoryStore.open(directory_db)
        user = UserStore(user_database_path())
        host = WindowHost(store, user, directory_db)
        window = host.open(resolve(lang, user.get_setting(SETTING_KEY)).code)

        qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
        opened.append(host)
        return host

    yield start
    for host in opened:
        if host.window is not None:
            host.window.close()
        host.store.close()
        host.user.close()


# --- the pseudo-locale walk ------------------------------------------------------------
def directory_content(store: DirectoryStore) -> set[str]:
    """What the directory says in its own words (allowed to stay as written), plus place names."""
    allowed: set[str] = set(known_places())
    for svc in store.all_services():
        org = svc.organization
        allowed |= {svc.name, svc.description, org.name, svc.key}
        for value in (
            svc.alert,
            svc.application_process,
            svc.eligibility_description,
            svc.fees_description,
            svc.email,
            svc.url,
            svc.alternate_name,
            org.alternate_name,
            org.website,
            org.email,
        ):
            if value:
                allowed.add(value)
        allowed |= set(svc.sources)
        for phone in svc.phones:
            allowed |= {phone.number, phone.description or ""}
        for loc in [*svc.locations, *org.locations]:
            allowed |= {loc.name, loc.town or "", loc.address.one_line() if loc.address else ""}
        allowed |= {s.description or "" for s in svc.schedules}
    # Language names in their own script and spelling; paper sizes are names, not words.
    allowed |= {lang.native_name for lang in LANGUAGES.values()} | {"A4", "A5"}
    allowed.discard("")
    return allowed


def untranslated(text: str, allowed: list[str]) -> list[str]:
    """ASCII words in ``text`` that are neither pseudo-translated ([...]) nor directory content."""
    for content in allowed:  # longest first, so a name is not half-removed by a shorter one
        if content in text:
            text = text.replace(content, " ")
    previous = None
    while previous != text:  # innermost brackets first: "[Ñéåŕ [Ŕûĝƀý] ~]"
        previous, text = text, re.sub(r"\[[^\[\]]*\]", " ", text)
    return re.findall(r"[A-Za-z]+", text)


def _internal(widget: QWidget) -> bool:
    """Parts Qt builds inside another widget (their words come from Qt, checked through the owner)."""
    parent = widget.parent()
    while parent is not None:
        if (
            isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar))
            or type(parent).__name__ == "QComboBoxPrivateContainer"
        ):
            return True
        parent = parent.parent()
    return False


def visible_words(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[tuple[str, str]]:
    """(where, text) for every piece of text a user sees or a screen reader speaks under ``root``."""
    found: list[tuple[str, str]] = []

    def add(widget, kind, text):
        if text:
            found.append((f"{type(widget).__name__} {kind}", text))

    for widget in [root, *root.findChildren(QWidget)]:
        if widget in skip:
            continue
        internal = _internal(widget)
        if widget.isWindow():
            add(widget, "window title", widget.windowTitle())
        if not internal:
            add(widget, "tooltip", widget.toolTip())
            add(widget, "accessible name", widget.accessibleName())
            add(widget, "accessible description", widget.accessibleDescription())
            add(widget, "status tip", widget.statusTip())
        # A menu's items are its own actions, so they are read here; never through
        # QAction.menu(): on a temporary QAction wrapper Shiboken ties the returned QMenu
        # wrapper to it, and the live menu's wrapper dies with the temporary.
        for action in widget.actions():
            add(widget, "action", action.text())
            add(widget, "action tooltip", action.toolTip())
        if isinstance(widget, QMenu):
            add(widget, "menu", widget.title())
        elif isinstance(widget, QLabel):
            add(widget, "text", re.sub(r"<[^>]+>", " ", widget.text()))
        elif isinstance(widget, QAbstractButton):
            add(widget, "text", widget.text())
        elif isinstance(widget, QGroupBox):
            add(widget, "title", widget.title())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add(widget, "tab", widget.tabText(i))
                add(widget, "tab tooltip", widget.tabToolTip(i))
        elif isinstance(widget, QLineEdit):
            add(widget, "placeholder", widget.placeholderText())
            add(widget, "text", widget.text())
        elif isinstance(widget, QPlainTextEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QAbstractSpinBox):
            add(widget, "special value", widget.specialValueText())
            add(widget, "shown", widget.text())
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(widget, "item", widget.itemText(i))
                add(widget, "item tooltip", widget.itemData(i, Qt.ToolTipRole))
        elif isinstance(widget, QListWidget):
            for i in range(widget.count()):
                add(widget, "item", widget.item(i).text())
                add(widget, "item tooltip", widget.item(i).toolTip())
        elif isinstance(widget, QListView) and widget.model() is not None:
            model = widget.model()
            for i in range(model.rowCount()):
                for role in (Qt.DisplayRole, Qt.ToolTipRole, Qt.AccessibleTextRole):
                    add(widget, "row", model.index(i, 0).data(role))
        elif isinstance(widget, QTextBrowser):
            add(widget, "document", widget.toPlainText())
    if hasattr(root, "statusBar"):
        add(root, "status bar", root.statusBar().currentMessage())
    return found


def assert_all_marked(root: QWidget, allowed: list[str], skip: tuple[QWidget, ...] = ()) -> int:
    words = visible_words(root, skip)
    problems = [(where, text) for where, text in words if untranslated(text, allowed)]
    assert not problems, "text shown without going through the catalog:\n" + "\n".join(
        f"  {where}: {text!r} -> {untranslated(text, allowed)}" for where, text in problems[:25]
    )
    return len(words)


def test_no_ui_text_escapes_the_catalog_in_the_pseudo_locale(qtbot, hosts):
    host = hosts(PSEUDO_CODE)
    window = host.window
    assert current_language().code == PSEUDO_CODE
    allowed = sorted(directory_content(host.store), key=len, reverse=True)
    # Put as much on screen as a worker would: client mode (verdicts and reasons), a place
    # (distances), a record with many facts, a shortlisted service, a ticked filter.
    window.tabs.setCurrentIndex(1)
    window.profile.age.setValue(16)
    window.profile.lives.setEditText("Rugby")
    qtbot.waitUntil(
        lambda: window.model.rowCount() > 0 and window.model.index(0).data(HitRole).verdict is not None, timeout=10_000
    )
    rehab = host.store.resolve_service_id("esh-community-residential-rehab")
    window.show_service(rehab)
    window.toggle_shortlist()
    window.filters.categories.item(0).setCheckState(Qt.Checked)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
    window.show_service(host.store.resolve_service_id("nat-samaritans"))  # the week ahead, in dates
    assert_all_marked(window.details, allowed)
    window.show_service(rehab)
    assert "[" in window.details.toPlainText()
    checked = assert_all_marked(window, allowed, skip=(window.search_box,))
    assert checked > 200  # the walk really saw the window

    # The dialogs opened from the window, built as the window builds them.
    svc = window.controller.service(rehab)
    from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer

    dialogs = [
        SettingsDialog(current_language().code, window),
        CorrectionDialog(svc.name, window),
        PrintDialog(
            _("Print a leaflet: {name}").format(name=svc.name),
            lambda lang, size, large: ServiceLeafletRenderer([svc], lang, size=size, large_print=large).render(),
            svc.key,
            window,
        ),
        # Qt's own standard buttons come through our catalog too (Qt has no pseudo-locale).
        QMessageBox(
            QMessageBox.Question,
            window.windowTitle(),
            _("Please say what should change."),
            QMessageBox.Yes | QMessageBox.No | QMessageBox.Ok | QMessageBox.Cancel,
            window,
        ),
    ]
    for dialog in dialogs:
        dialog.show()
        assert_all_marked(dialog, allowed)
        dialog.close()

    # What the window says when a search cannot run.
    for kind in (OPEN_FAILED, SEARCH_FAILED):
        window._show_failure(kind)
        assert "[" in window.count_label.text()
        assert_all_marked(window, allowed, skip=(window.search_box,))


def test_a_string_missing_from_the_catalog_would_be_caught(qtbot, hosts):
    # The walk's own check: plain English is reported, pseudo text and directory text are not.
    host = hosts(PSEUDO_CODE)
    label = QLabel("Plain words", host.window)
    allowed = sorted(directory_content(host.store), key=len, reverse=True)
    assert untranslated(label.text(), allowed) == ["Plain", "words"]
    assert untranslated(_("Search services") + " Rugby", allowed) == []
    with pytest.raises(AssertionError, match="Plain words"):
        assert_all_marked(host.window, allowed, skip=(host.window.search_box,))


# --- switching, direction, remembering ---------------------------------------------------
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


def test_results_in_polish_use_a_decimal_comma_and_translated_categories(qtbot, hosts):
    host = hosts("pl")
    window = host.window
    window.filters.near.setEditText("Rugby")
    qtbot.waitUntil(
        lambda: window.model.rowCount() > 0 and window.model.index(0).data(HitRole).distance_km is not None,
        timeout=10_000,
    )
    row = window.model.index(0).data(Qt.AccessibleTextRole)
    assert re.search(r"\d+,\d km", row), row
    hit = window.model.index(0).data(HitRole)
    from coventry_directory.core.taxonomy import label

    assert _(label("category", hit.categories[0])) in row


def test_bad_gui_language_is_bad_input(capsys):
    from coventry_directory.cli import main

    assert main(["gui", "--lang", "klingon"]) == 2
    assert "klingon" in capsys.readouterr().err
    assert main(["gui", "--lang", "bn"]) == 2  # leaflets only: the app cannot speak it yet
    assert "leaflets only" in capsys.readouterr().err
