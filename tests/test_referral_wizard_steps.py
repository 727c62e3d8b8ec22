"""The referral wizard's steps by keyboard and mouse: where the focus lands, where problems are reported, double clicks.

Real wizard (pytest-qt, offscreen), real desk and outbox in the test's own user database.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea
from test_referral_support import (  # noqa: F401 - fixtures
    NAME,
    configure_relay,
    desk,
    headless_keyring,
    smtp_servers,
    tls_ca,
    user_store,
)
from test_referral_wizard import REFERRER, fill_summary, services, tick

from coventry_directory.referrals import log
from coventry_directory.ui import send_worker
from coventry_directory.ui.referral_wizard import CONSENT, PRINT, QUESTIONS, REVIEW, SUMMARY, ReferralWizard

pytestmark = pytest.mark.usefixtures("headless_keyring", "discard_when_closed")


@pytest.fixture
def discard_when_closed(monkeypatch):
    """Closing a wizard at the end of a test answers "discard" (its question would wait for a person)."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.Yes)


def opened(qtbot, wizard: ReferralWizard) -> ReferralWizard:
    """Show the wizard as the active window, as it is when the main window opens it."""
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard, timeout=5_000)
    return wizard


def type_here(qtbot, text: str) -> None:
    """Type into whatever has the keyboard focus now, as a person at the keyboard does."""
    qtbot.keyClicks(QApplication.focusWidget(), text)


def double_click(qtbot, button) -> None:
    """A real double click: press, release, then the second press Qt reports as a double click, release."""
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.mouseDClick(button, Qt.LeftButton)
    qtbot.mouseRelease(button, Qt.LeftButton)


def to_consent(qtbot, wizard: ReferralWizard) -> None:
    fill_summary(
        qtbot,
        wizard,
        name=NAME,
        date_of_birth="01/02/2004",
        phone="07700 900123",
        postcode="CV1 9ZZ",
        wants="Support",
    )
    tick(qtbot, wizard.summary_fields["substances"], {"alcohol"})
    wizard.go_next()
    wizard.answer_fields[services()[0].id]["gp_practice"].setText("Example Surgery")
    wizard.go_next()
    assert wizard.stack.currentIndex() == CONSENT, wizard.errors.text()


def test_typing_at_once_goes_into_the_first_field_not_the_scroll_area(qtbot, desk):
    wizard = opened(qtbot, ReferralWizard(services(), desk, referrer=REFERRER))
    assert wizard.focusWidget() is wizard.summary_fields["name"]
    assert not isinstance(QApplication.focusWidget(), QScrollArea)
    type_here(qtbot, NAME)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    type_here(qtbot, "01/02/2004")
    assert wizard.summary().name == NAME and wizard.summary().date_of_birth == "01/02/2004"
    # The pages never take the focus themselves, so Tab never stops on one either.
    assert all(scroll.focusPolicy() == Qt.NoFocus for scroll in wizard.findChildren(QScrollArea))


def test_each_step_opens_with_the_focus_on_its_first_field(qtbot, desk):
    wizard = opened(qtbot, ReferralWizard(services(), desk))  # nothing remembered: the details are empty
    to_consent(qtbot, wizard)
    assert wizard.focusWidget() is wizard.referrer_fields["name"]
    wizard.go_back()
    assert wizard.stack.currentIndex() == QUESTIONS
    assert wizard.focusWidget() is wizard.answer_fields[services()[0].id]["gp_practice"]

    remembered = opened(qtbot, ReferralWizard(services(), desk, referrer=REFERRER))
    to_consent(qtbot, remembered)
    # The worker's details are filled in already: the focus goes to what is still to fill.
    assert remembered.focusWidget() is remembered.reference
    remembered.statement_shown.setChecked(True)
    next(iter(remembered.consent_boxes.values())).setChecked(True)
    remembered.go_next()
    # Send, when there is something to send by email (the hub takes email referrals).
    assert remembered.stack.currentIndex() == REVIEW and remembered.focusWidget() is remembered.send_button
    remembered.go_next()
    assert remembered.stack.currentIndex() == PRINT and remembered.focusWidget() is remembered.print_button


def test_what_the_forms_require_of_the_summary_is_reported_on_the_summary(qtbot, desk):
    wizard = opened(qtbot, ReferralWizard(services(), desk, referrer=REFERRER))
    type_here(qtbot, NAME)
    qtbot.keyClick(wizard.next_button, Qt.Key_Return)
    assert wizard.stack.currentIndex() == SUMMARY  # not a step later
    text = wizard.errors.text()
    # Needed by both forms: said once, naming both services.
    assert "Date of birth: the forms for Example Recovery Hub and Example Youth Service need this." in text
    assert text.count("Date of birth") == 1
    assert "Postcode: the form for Example Recovery Hub needs this." in text
    assert "What the person wants: the forms for" in text and "Give a way to make contact" in text
    # The focus goes to the first field to fix, nearest the top, whatever order the checks ran in.
    assert wizard.focusWidget() is wizard.summary_fields["date_of_birth"]
    assert wizard.summary_fields["wants"].accessibleDescription()

    # An age outside a service's range is said on the summary too, where the date of birth is typed.
    fill_summary(qtbot, wizard, date_of_birth="01/02/1980", phone="07700 900123", postcode="CV1 9ZZ", wants="Help")
    tick(qtbot, wizard.summary_fields["substances"], {"alcohol"})
    wizard.go_next()
    assert wizard.stack.currentIndex() == SUMMARY
    assert "Example Youth Service is for ages 11–25" in wizard.errors.text()
    wizard.summary_fields["date_of_birth"].setText("01/02/2004")
    wizard.go_next()
    assert wizard.stack.currentIndex() == QUESTIONS and wizard.errors.isHidden()


def test_a_double_click_on_next_moves_one_step(qtbot, desk):
    wizard = opened(qtbot, ReferralWizard(services(), desk, referrer=REFERRER))
    to_consent(qtbot, wizard)
    wizard.statement_shown.setChecked(True)
    for box in wizard.consent_boxes.values():
        box.setChecked(True)
    double_click(qtbot, wizard.next_button)
    # To the review, and no further: a second Next would have skipped it unseen.
    assert wizard.stack.currentIndex() == REVIEW
    qtbot.mouseClick(wizard.next_button, Qt.LeftButton)
    assert wizard.stack.currentIndex() == PRINT  # a single click still works


def test_a_double_click_on_send_queues_and_sends_one_referral(qtbot, desk, smtp_servers, tls_ca):
    server = smtp_servers()
    configure_relay(desk.user_store, server.port, tls_ca[1])
    wizard = opened(qtbot, ReferralWizard(services()[:1], desk, referrer=REFERRER))
    to_consent(qtbot, wizard)
    wizard.statement_shown.setChecked(True)
    next(iter(wizard.consent_boxes.values())).setChecked(True)
    wizard.go_next()
    with qtbot.waitSignal(wizard.sent, timeout=20_000) as sending:
        double_click(qtbot, wizard.send_button)
    assert [o.status for o in sending.args[0]] == ["sent"]
    qtbot.waitUntil(lambda: not send_worker.busy(), timeout=20_000)
    assert len(server.messages) == 1
    assert [r["status"] for r in log.entries(desk.user_store)] == ["sent"]


def test_the_summary_lists_show_every_option_whole_at_a_big_font(qtbot, desk):
    # as at 200% zoom in a narrow wizard: labels wrap, the page scrolls, no list scrolls sideways
    from PySide6.QtGui import QFont

    wizard = ReferralWizard(services(), desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    font = QFont(QApplication.font())
    font.setPointSize(20)
    wizard.setFont(font)
    wizard.resize(520, 600)
    wizard.show()
    qtbot.waitExposed(wizard)
    for name in ("substances", "risks"):
        widget = wizard.summary_fields[name]
        qtbot.waitUntil(lambda w=widget: w.font().pointSize() == 20, timeout=5_000)
        QApplication.processEvents()
        assert not widget.horizontalScrollBar().isVisible() and not widget.verticalScrollBar().isVisible(), name
        for i in range(widget.count()):
            rect = widget.visualItemRect(widget.item(i))
            assert rect.right() <= widget.viewport().width() and rect.bottom() < widget.viewport().height(), name
