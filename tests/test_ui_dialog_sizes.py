"""Every dialog fits the screen it opens on (a laptop at 150% is about 933×600 points).

The test screen (Qt's offscreen platform: 800×800) is narrower than the Meetings and Sources
dialogs ask for: each dialog must come up no bigger than the screen's available area, with
its buttons inside it. The laptop's own shape (shorter than the referral wizard) is checked
on the size rule itself. Sizes are Qt's own measures; no font is assumed.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QWidget
from test_referral_support import desk, headless_keyring, user_store  # noqa: F401 - fixtures
from test_referral_wizard import REFERRER, services

from coventry_directory.ui.dialogs import CorrectionDialog
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.meetings_view import open_meetings
from coventry_directory.ui.outbox_access import desk_for
from coventry_directory.ui.referral_wizard import ReferralWizard
from coventry_directory.ui.settings_dialog import SettingsDialog
from coventry_directory.ui.shortcuts_dialog import ShortcutsDialog
from coventry_directory.ui.source_titles import shipped_document
from coventry_directory.ui.source_viewer import SourceViewer
from coventry_directory.ui.sources_dialog import open_sources
from coventry_directory.ui.window_geometry import fit_to_screen, fitted

pytestmark = pytest.mark.usefixtures("headless_keyring")


def _available() -> QRect:
    return QGuiApplication.primaryScreen().availableGeometry()


def _fits(dialog: QWidget) -> None:
    area = _available()
    assert dialog.width() <= area.width() and dialog.height() <= area.height(), (type(dialog).__name__, dialog.size())
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisible() and button.window() is dialog:
            where = QRect(button.mapTo(dialog, button.rect().topLeft()), button.size())
            assert dialog.rect().contains(where), (type(dialog).__name__, button.text())


def test_the_screen_is_smaller_than_the_biggest_dialogs(qapp):
    assert _available().width() < 900  # what Sources asks for (Meetings: 1240): the test means something


def test_the_wizard_fits_a_laptop_at_150_percent():
    laptop = QRect(0, 0, 933, 560)  # 1400×900 at 150%, less a task bar
    wizard = fitted(laptop, QSize(760, 680))
    assert laptop.contains(wizard) and wizard.width() == 760 and wizard.height() < 560


def test_every_dialog_opened_from_the_window_fits_the_screen(qtbot, open_window, desk):
    window = open_window()
    dialogs = [
        ReferralWizard(services(), desk, referrer=REFERRER, parent=window),
        open_meetings(window),
        open_sources(window),
        SourceViewer(shipped_document("wdna-2022"), 812, parent=window),
        SettingsDialog("en", window),
        CorrectionDialog("cov-emmaus", window),
        ShortcutsDialog(window),
        FollowUpDialog(desk_for(window.controller.user), window),
    ]
    for dialog in dialogs:
        dialog.show()
        qtbot.waitExposed(dialog)
        _fits(dialog)
        dialog.close()


def test_a_dialog_that_fits_keeps_the_size_it_asked_for(qapp):
    widget = QWidget()
    fit_to_screen(widget, 300, 200)
    assert (widget.width(), widget.height()) == (300, 200)
    fit_to_screen(widget, 5000, 5000)
    assert widget.width() < _available().width() and widget.height() < _available().height()
