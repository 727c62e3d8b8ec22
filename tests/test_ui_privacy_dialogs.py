"""The privacy screen over the dialogs: the key works while the referral wizard is open, and covers it.

The wizard is opened the way a worker opens it (Ctrl+R on the service shown: ``exec()``,
application-modal), so the test acts from a timer once it is the active modal window, by
key events only. Hiding a running dialog would end it and lose the referral being typed:
it is covered, its controls disabled, and given back as it was.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox
from test_referral_support import headless_keyring  # noqa: F401 - a fixture
from test_ui_keyboard_flow import finished, focused, press, type_text, when_modal

from coventry_directory.ui.privacy_screen import PrivacyCover
from coventry_directory.ui.referral_wizard import ReferralWizard

PRIVACY = (Qt.Key_H, Qt.ControlModifier | Qt.ShiftModifier)
pytestmark = pytest.mark.usefixtures("headless_keyring")


def _open_a_service(qtbot, window) -> None:
    window.search_box.setFocus()
    qtbot.waitUntil(lambda: window.search_box.hasFocus())
    type_text(qtbot, "naloxone")
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and window.search_box.text() == "naloxone", timeout=10_000)
    press(qtbot, Qt.Key_Down)
    press(qtbot, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.refer_action.isEnabled(), timeout=5_000)


def test_the_privacy_key_covers_the_open_referral_wizard_and_gives_it_back(qtbot, open_window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.Yes)  # discard on close
    window = open_window()
    _open_a_service(qtbot, window)
    seen: dict[str, object] = {}

    def steps(wizard) -> None:
        name = wizard.summary_fields["name"]
        assert isinstance(name, QLineEdit) and focused() is name  # the first field has the keyboard
        type_text(qtbot, "Jo Bloggs")
        press(qtbot, *PRIVACY)
        covers = [c for c in wizard.findChildren(PrivacyCover) if c.isVisible()]
        seen["on"] = window.privacy.is_on() and window.privacy.covered_dialogs() == [wizard]
        seen["covered"] = len(covers) == 1 and covers[0].geometry() == wizard.rect() and wizard.isVisible()
        seen["name usable"] = name.isEnabled()
        seen["cover has keys"] = bool(covers) and covers[0].button.hasFocus()
        type_text(qtbot, "xyz")  # typing while covered lands nowhere
        press(qtbot, *PRIVACY)
        seen["off"] = not window.privacy.is_on() and not [c for c in wizard.findChildren(PrivacyCover) if c.isVisible()]
        seen["kept"] = name.text()
        seen["focus back"] = name.hasFocus() and name.isEnabled()
        press(qtbot, Qt.Key_Escape)  # closes (the discard question answered yes)

    outcome = when_modal(qtbot, ReferralWizard, steps)
    press(qtbot, Qt.Key_R, Qt.ControlModifier)  # Refer…: blocks until the wizard closes
    finished(qtbot, outcome, window)
    assert seen == {
        "on": True,
        "covered": True,
        "name usable": False,
        "cover has keys": True,
        "off": True,
        "kept": "Jo Bloggs",
        "focus back": True,
    }


def test_the_cover_says_in_full_how_to_show_things_again(qtbot, open_window):
    window = open_window()
    window.resize(900, 600)
    window.privacy.set_on(True)
    message = window.privacy.cover.message
    qtbot.waitUntil(lambda: message.isVisible())
    # every line of the message has room (it was cut after its first line, the key never shown)
    assert message.height() >= message.heightForWidth(message.width())
    assert message.width() > window.privacy.cover.width() // 2
    window.privacy.set_on(False)
