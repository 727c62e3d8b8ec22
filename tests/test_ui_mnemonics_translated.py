"""Alt+letter in every language the app speaks: no two controls a key press can reach share one.

A translator picks each ``&`` afresh, so a clash the English avoids can come back in Polish
or Romanian (Alt+B both "Substances" and "Clear all" in the client panel). Checked as the
window is at each moment a worker meets it: each tab of the main window with its menu bar,
each menu's own actions, every dialog, each step of the referral wizard, and keeper mode's
window on each tab of its form.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QMenu, QMessageBox
from test_referral_support import NAME, desk, headless_keyring, user_store  # noqa: F401 - fixtures
from test_referral_wizard import REFERRER, fill_summary, services, tick
from ui_shell_support import clashes, live_mnemonics, menu_mnemonics

from coventry_directory.i18n.languages import ui_languages
from coventry_directory.resources import directory_source_dir
from coventry_directory.ui.dialogs import CorrectionDialog
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.keeper_window import KeeperWindow
from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog
from coventry_directory.ui.outbox_access import desk_for
from coventry_directory.ui.print_dialog import PrintDialog
from coventry_directory.ui.referral_wizard import CONSENT, PRINT, QUESTIONS, REVIEW, ReferralWizard
from coventry_directory.ui.settings_dialog import SettingsDialog
from coventry_directory.ui.shortcuts_dialog import ShortcutsDialog
from coventry_directory.ui.source_titles import shipped_document
from coventry_directory.ui.source_viewer import SourceViewer

LANGUAGES = [lang.code for lang in ui_languages()]
pytestmark = [
    pytest.mark.usefixtures("english_afterwards", "headless_keyring"),
    pytest.mark.parametrize("lang", LANGUAGES),
]


@pytest.fixture(autouse=True)
def discard_when_closed(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.Yes)


def test_the_main_window_and_its_menus(qtbot, hosts, lang):
    window = hosts(lang).window
    assert LANGUAGES[0] == "en" and len(LANGUAGES) >= 6  # the walk covers every translation
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        assert clashes(live_mnemonics(window)) == {}, window.tabs.tabText(i)
    menus = [m for m in window.menuBar().findChildren(QMenu)]
    assert len(menus) >= 3
    for menu in menus:
        assert clashes(menu_mnemonics(menu)) == {}, menu.title()


def test_every_dialog(qtbot, hosts, lang):
    window = hosts(lang).window
    user = window.controller.user
    for dialog in (
        SettingsDialog(lang, window),
        CorrectionDialog("cov-emmaus", window),
        PrintDialog("Example", lambda *_args: b"", "example", window),
        MailSettingsDialog(user, window),
        FollowUpDialog(desk_for(user), window),
        ShortcutsDialog(window),
        SourceViewer(shipped_document("wdna-2022"), 812, parent=window),
    ):
        dialog.show()
        assert clashes(live_mnemonics(dialog)) == {}, type(dialog).__name__
        dialog.close()


def test_each_step_of_the_referral_wizard(qtbot, hosts, desk, lang):
    hosts(lang)  # the app in this language, as a worker opens Refer… from it
    wizard = ReferralWizard(services(), desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    wizard.show()
    assert clashes(live_mnemonics(wizard)) == {}, "summary"
    fill_summary(qtbot, wizard, name=NAME, date_of_birth="01/02/2004", phone="07700 900123", postcode="CV1 9ZZ")
    fill_summary(qtbot, wizard, wants="Help with cannabis")
    tick(qtbot, wizard.summary_fields["substances"], {"cannabis"})
    wizard.go_next()
    assert wizard.stack.currentIndex() == QUESTIONS, wizard.errors.text()
    assert clashes(live_mnemonics(wizard)) == {}, "questions"
    wizard.go_next()
    assert wizard.stack.currentIndex() == CONSENT, wizard.errors.text()
    assert clashes(live_mnemonics(wizard)) == {}, "consent"
    wizard.statement_shown.setChecked(True)
    for box in wizard.consent_boxes.values():
        box.setChecked(True)
    wizard.go_next()
    assert wizard.stack.currentIndex() == REVIEW, wizard.errors.text()
    assert clashes(live_mnemonics(wizard)) == {}, "review"
    wizard.go_next()
    assert wizard.stack.currentIndex() == PRINT
    assert clashes(live_mnemonics(wizard)) == {}, "print"


def test_keeper_mode(qtbot, hosts, lang, tmp_path):
    hosts(lang)
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    win = KeeperWindow(root)
    win.show()
    qtbot.waitUntil(lambda: not win._tasks, timeout=30_000)
    win.select("cov-emmaus")
    try:
        for i in range(win.form.count()):
            win.form.setCurrentIndex(i)
            assert clashes(live_mnemonics(win)) == {}, win.form.tabText(i)
        for menu in win.menuBar().findChildren(QMenu):
            assert clashes(menu_mnemonics(menu)) == {}, menu.title()
    finally:
        qtbot.waitUntil(lambda: not win._tasks, timeout=30_000)
        win.close()
        win.deleteLater()
