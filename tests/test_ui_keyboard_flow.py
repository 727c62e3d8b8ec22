"""The whole main flow by keyboard only: search, filter, open, shortlist, print, refer, follow up.

The real main window (pytest-qt, offscreen) on the real directory, driven only by key
events sent to whatever has the keyboard focus, as a worker who cannot use a mouse works.
No click, no setter, no window method is called to act; state is only read, to check.
Dialogs opened with ``exec()`` block the test, so each is driven from a timer once it is
the active modal window (:func:`when_modal`). The one thing not ours, the desktop's file
picker, answers with a file in the test's folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from test_referral_support import headless_keyring  # noqa: F401 - a fixture
from ui_shell_support import mnemonic

from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.referrals import log
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.print_dialog import PrintDialog
from coventry_directory.ui.referral_wizard import CONSENT, PRINT, QUESTIONS, REVIEW, ReferralWizard
from coventry_directory.ui.results_model import HitRole

pytestmark = pytest.mark.usefixtures("headless_keyring")

MODAL_WAIT_MS = 10_000


def focused() -> QWidget:
    """The widget the keyboard types into now (there must be one: a key sent nowhere is a defect)."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """One key, to whatever has the focus."""
    qtbot.keyClick(focused(), key, modifiers)


def alt(qtbot, letter: str) -> None:
    """Alt and an underlined letter (a mnemonic), to whatever has the focus."""
    press(qtbot, getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)


def ctrl(qtbot, letter: str) -> None:
    """Ctrl and a letter (a window shortcut), to whatever has the focus."""
    press(qtbot, getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.ControlModifier)


def type_text(qtbot, text: str) -> None:
    """Type ``text`` into whatever has the focus."""
    qtbot.keyClicks(focused(), text)


def tab_to(qtbot, widget: QWidget, limit: int = 40) -> None:
    """Press Tab until ``widget`` has the focus (it must be in the Tab order)."""
    for _press in range(limit):
        if focused() is widget:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {widget.accessibleName() or widget!r}")


def when_modal(qtbot, kind: type[QDialog], steps: Callable[[QDialog], None]) -> dict:
    """Run ``steps(dialog)`` once the next modal ``kind`` is open and active; returns what happened.

    ``exec()`` blocks the key press that opened the dialog, so this runs from a timer inside
    the dialog's own event loop. ``steps`` must close the dialog by keys. A dialog left open,
    or another dialog in its place, is closed here (a test that hangs tells nothing) and the
    problem is reported by :func:`finished`.
    """
    outcome: dict = {"ran": False, "done": False, "error": None}
    outer = QApplication.activeModalWidget()  # the dialog this one opens over, if any: never closed here
    tries = [MODAL_WAIT_MS // 20]

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not (isinstance(box, kind) and box.isActiveWindow()):
            tries[0] -= 1
            if tries[0] > 0:
                QTimer.singleShot(20, poll)
            else:
                outcome["error"] = AssertionError(f"no {kind.__name__} opened")
                outcome["done"] = True
                if box is not None and box is not outer:
                    box.done(QDialog.DialogCode.Rejected)
            return
        outcome["ran"] = True
        try:
            steps(box)
            qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)
        except BaseException as exc:  # reported by finished(), after exec() has returned
            outcome["error"] = exc
            if box.isVisible():
                box.done(QDialog.DialogCode.Rejected)
        outcome["done"] = True

    QTimer.singleShot(0, poll)
    return outcome


def finished(qtbot, outcome: dict, back_to: QWidget) -> None:
    """Wait for a dialog driven by :func:`when_modal` to be done; fail with what went wrong in it.

    A button pressed by its mnemonic clicks a moment later (Qt animates the press), so the
    dialog it opens may still be to come when the key press returns. Once it has closed,
    the window under it, ``back_to``, is the active one again: on a desktop the window
    manager does that, and the offscreen platform has none, so it is done here for it.
    """
    qtbot.waitUntil(lambda: outcome["done"], timeout=MODAL_WAIT_MS + 5_000)
    if outcome["error"] is not None:
        raise outcome["error"]
    assert outcome["ran"]
    if QApplication.activeWindow() is not back_to:
        back_to.activateWindow()  # the window manager's part, not the app's
        qtbot.waitUntil(lambda: QApplication.activeWindow() is back_to, timeout=5_000)


def shared_mnemonics(dialog: QWidget) -> dict[str, list[str]]:
    """Letters underlined on more than one visible button or field label in ``dialog``, as it is now.

    Alt and a shared letter only moves the focus between them, pressing nothing.
    """
    seen: dict[str, list[str]] = {}
    for widget in dialog.findChildren(QWidget):
        labelled = isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None)
        if not labelled or not widget.isVisibleTo(dialog):
            continue
        text = widget.text()
        letter = mnemonic(text)
        if letter:
            seen.setdefault(letter, []).append(text)
    return {letter: texts for letter, texts in seen.items() if len(texts) > 1}


class Searches:
    """Which searches the window has been given back, to wait for the newest one's results."""

    def __init__(self, window):
        self.window = window
        self.delivered: list[int] = []
        window.search_service.results.connect(lambda _result: self.delivered.append(window.search_service.generation))

    def settled(self) -> bool:
        """True when no search waits to start and the newest one's results are shown."""
        service = self.window.search_service
        return not self.window._timer.isActive() and bool(self.delivered) and self.delivered[-1] == service.generation


@pytest.fixture
def save_dialog(tmp_path, monkeypatch) -> list[tuple[str, str]]:
    """The desktop's file picker (not ours) answers with a file in the test's folder: (suggested, chosen)."""
    asked: list[tuple[str, str]] = []

    def answer(_parent, _title, suggested, filters):
        chosen = tmp_path / f"saved-{len(asked)}.pdf"
        asked.append((suggested, str(chosen)))
        return str(chosen), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return asked


def search_and_filter(qtbot, window, searches: Searches) -> None:
    """Steps 1 and 2: Ctrl+F, type; the Filters tab by Alt+F, an age by Alt+G, a category by Tab and Space."""
    ctrl(qtbot, "f")
    assert focused() is window.search_box
    type_text(qtbot, "naloxone")
    qtbot.waitUntil(searches.settled)
    assert window.model.rowCount() > 2

    alt(qtbot, "o")  # from whichever tab is open
    assert window.tabs.currentIndex() == 2
    alt(qtbot, "f")
    assert window.tabs.currentIndex() == 0
    alt(qtbot, "g")  # "A&ge:"
    assert focused() is window.filters.age
    type_text(qtbot, "30")
    categories = window.filters.categories
    tab_to(qtbot, categories)
    for _row in range(categories.count()):
        if (
            categories.currentItem() is not None
            and categories.currentItem().data(Qt.ItemDataRole.UserRole) == "naloxone"
        ):
            break
        press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(searches.settled)

    state = window.filters.state()
    assert state["age"] == 30 and state["categories"] == ("naloxone",)
    chips = [chip.text() for chip in window.chips.chips]
    assert chips == ["Age: 30 ✕", "Category: Naloxone supply ✕"]
    assert window.chips.isVisible()
    assert window.model.rowCount() >= 2


def open_second_result(qtbot, window) -> str:
    """Step 3: back to the search, Down into the results, Down once more, Enter to read it."""
    ctrl(qtbot, "f")
    assert focused() is window.search_box
    press(qtbot, Qt.Key.Key_Down)
    assert focused() is window.results and window.results.currentIndex().row() == 0
    press(qtbot, Qt.Key.Key_Down)
    assert window.results.currentIndex().row() == 1
    chosen = window.results.currentIndex().data(HitRole).id
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is window.details
    assert window._current_id == chosen
    return chosen


def print_leaflet(qtbot, dialog: PrintDialog, saved: list[tuple[str, str]]) -> None:
    """Step 5, in the print dialog: a language by Alt+G and Down, Save as PDF by Alt+S, Esc."""
    assert shared_mnemonics(dialog) == {}
    assert focused() is dialog.language  # the first field
    alt(qtbot, "g")
    assert focused() is dialog.language
    press(qtbot, Qt.Key.Key_Down)
    code = dialog.language.itemData(1)
    assert dialog.current_language().code == code != "en"
    # A translation no fluent speaker has checked is printed only once the worker says so.
    question = None if LANGUAGES[code].reviewed else when_modal(qtbot, QMessageBox, lambda _box: alt(qtbot, "y"))
    alt(qtbot, "s")
    qtbot.waitUntil(lambda: bool(saved))
    if question is not None:
        finished(qtbot, question, back_to=dialog)
    suggested, chosen = saved[-1]
    assert suggested.endswith(f"-{code}.pdf")
    qtbot.waitUntil(lambda: Path(chosen).exists())
    assert Path(chosen).read_bytes().startswith(b"%PDF")
    press(qtbot, Qt.Key.Key_Escape)


def make_referral(qtbot, wizard: ReferralWizard, saved: list[tuple[str, str]]) -> None:
    """Step 6, in the referral wizard: every required field by typing and Tab, Next by Alt+N or Enter, Save PDF."""
    summary = wizard.summary_fields
    assert focused() is summary["name"]
    for field, text in (
        ("name", "Test Person"),
        ("date_of_birth", "01/02/1990"),
        ("phone", "07700 900123"),
        ("postcode", "CV11 4AB"),
    ):
        tab_to(qtbot, summary[field])
        type_text(qtbot, text)
    tab_to(qtbot, summary["substances"])
    press(qtbot, Qt.Key.Key_Space)  # the first substance, current as the list takes the focus
    tab_to(qtbot, summary["wants"])
    type_text(qtbot, "Naloxone training and a kit")
    assert shared_mnemonics(wizard) == {}
    alt(qtbot, "n")
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == QUESTIONS, timeout=5_000)
    assert wizard.errors.isHidden()

    for widget in wizard.step_inputs(QUESTIONS):  # the service's own questions, if its form asks any
        tab_to(qtbot, widget)
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            type_text(qtbot, "Example Surgery")
    tab_to(qtbot, wizard.next_button)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == CONSENT, timeout=5_000)

    you = wizard.referrer_fields
    assert focused() is you["name"]  # nothing remembered yet: your details first
    for field, text in (
        ("name", "Alex Example"),
        ("role", "Outreach worker"),
        ("organisation", "Example Outreach Team"),
        ("phone", "024 7600 0000"),
        ("email", "outreach-team@example.net"),
    ):
        tab_to(qtbot, you[field])
        type_text(qtbot, text)
    tab_to(qtbot, wizard.reference)
    type_text(qtbot, "KB-0042")
    tab_to(qtbot, wizard.statement_shown)
    press(qtbot, Qt.Key.Key_Space)
    for box in wizard.consent_boxes.values():
        tab_to(qtbot, box)
        press(qtbot, Qt.Key.Key_Space)
    assert shared_mnemonics(wizard) == {}
    alt(qtbot, "n")
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == REVIEW, timeout=5_000)
    assert wizard.errors.isHidden()
    assert focused() in (wizard.send_button, wizard.next_button)
    assert shared_mnemonics(wizard) == {}

    alt(qtbot, "n")
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == PRINT, timeout=5_000)
    assert focused() is wizard.print_button
    assert shared_mnemonics(wizard) == {}
    before = len(saved)
    alt(qtbot, "d")  # "Save as P&DF…"
    qtbot.waitUntil(lambda: len(saved) > before)
    chosen = Path(saved[-1][1])
    qtbot.waitUntil(chosen.exists)
    assert chosen.read_bytes().startswith(b"%PDF")
    press(qtbot, Qt.Key.Key_Escape)  # saved: closing loses nothing, so nothing is asked


def test_the_main_flow_works_by_keyboard_only(open_window, qtbot, save_dialog):
    window = open_window()
    searches = Searches(window)
    search_and_filter(qtbot, window, searches)
    chosen = open_second_result(qtbot, window)
    name = window.controller.service(chosen).name

    # Step 4: Ctrl+D shortlists the service being read.
    ctrl(qtbot, "d")
    assert window.shortlist.ids() == [chosen]
    assert window.tabs.tabText(2) == "Sh&ortlist (1)"

    # Step 5: Ctrl+P, the print dialog.
    printing = when_modal(qtbot, PrintDialog, lambda dialog: print_leaflet(qtbot, dialog, save_dialog))
    ctrl(qtbot, "p")
    finished(qtbot, printing, back_to=window)
    assert len(save_dialog) == 1

    # Step 6: Ctrl+R, the referral wizard for the same service.
    referring = when_modal(qtbot, ReferralWizard, lambda wizard: make_referral(qtbot, wizard, save_dialog))
    ctrl(qtbot, "r")
    finished(qtbot, referring, back_to=window)
    [logged] = log.entries(window.controller.user)
    assert logged["status"] == "printed" and logged["local_reference"] == "KB-0042"

    # Step 7: the Shortlist tab by Alt+O, its follow-ups by Alt+U, the referral listed, Esc.
    alt(qtbot, "o")
    assert window.tabs.currentIndex() == 2
    rows: list[list[str]] = []

    def read_follow_ups(dialog: FollowUpDialog) -> None:
        assert focused() is dialog.table
        table = dialog.table
        rows.extend([table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount()))
        press(qtbot, Qt.Key.Key_Escape)

    following = when_modal(qtbot, FollowUpDialog, read_follow_ups)
    alt(qtbot, "u")  # "Referral follow-&ups…"
    finished(qtbot, following, back_to=window)
    assert len(rows) == 1
    assert rows[0][0] == name and rows[0][2] == log.STATUSES["printed"] and rows[0][4] == "KB-0042"
