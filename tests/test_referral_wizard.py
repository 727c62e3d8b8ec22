"""The referral wizard (pytest-qt, offscreen): keyboard-driven, checks each step, sends for real."""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget, QPlainTextEdit
from test_referral_support import (  # noqa: F401 - fixtures
    DOB,
    NAME,
    NHS,
    PASSPHRASE,
    MemoryKeyring,
    configure_relay,
    desk,
    headless_keyring,
    make_service,
    message_ids,
    smtp_servers,
    tls_ca,
    user_store,
)

from coventry_directory.referrals import log
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.models import Referrer
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.referral_wizard import ReferralWizard

REFERRER = Referrer(
    name="Alex Example",
    role="Outreach worker",
    organisation="Example Outreach Team",
    phone="024 7600 0000",
    email="outreach-team@example.net",
)


def services():
    hub = make_service()
    youth = make_service(
        key="example-youth",
        name="Example Youth Service",
        email=None,
        categories=("young-people",),
        minimum_age=11,
        maximum_age=25,
    )
    youth.id = "00000000-0000-4000-8000-0000000000a2"
    return [hub, youth]


def type_into(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def tick(qtbot, checklist: QListWidget, codes):
    for i in range(checklist.count()):
        if checklist.item(i).data(Qt.UserRole) in codes:
            checklist.setCurrentRow(i)
            qtbot.keyClick(checklist, Qt.Key_Space)  # keyboard, not the mouse


def fill_summary(qtbot, wizard, **values):
    f = wizard.summary_fields
    for name, text in values.items():
        type_into(qtbot, f[name], text)


def test_every_control_has_an_accessible_name(qtbot, desk):
    wizard = ReferralWizard(services(), desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    controls = [w for cls in (QLineEdit, QPlainTextEdit, QComboBox, QListWidget) for w in wizard.findChildren(cls)]
    assert len(controls) > 20
    assert [w for w in controls if not w.accessibleName()] == []
    assert all(b.text() for b in wizard.findChildren(QAbstractButton) if b.isVisibleTo(wizard))


def test_bad_input_shows_errors_and_keeps_what_was_typed(qtbot, desk):
    wizard = ReferralWizard(services(), desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_summary(qtbot, wizard, name=NAME, date_of_birth="2999-01-01", nhs_number="123 456 7890", postcode="nope")
    qtbot.keyClick(wizard.next_button, Qt.Key_Return)
    assert wizard.stack.currentIndex() == 0
    text = wizard.errors.text()
    assert "future" in text and "Modulus 11" in text and "UK postcode" in text
    assert wizard.summary_fields["postcode"].text() == "nope"  # nothing typed is lost
    assert wizard.summary_fields["nhs_number"].accessibleDescription()  # screen readers hear the problem
    assert wizard.focusWidget() in wizard.summary_fields.values()


def test_whole_flow_by_keyboard_sends_and_offers_print(qtbot, desk, smtp_servers, tls_ca, tmp_path):
    server = smtp_servers()
    configure_relay(desk.user_store, server.port, tls_ca[1])
    wizard = ReferralWizard(services(), desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    wizard.show()

    fill_summary(
        qtbot,
        wizard,
        name=NAME,
        date_of_birth="01/02/2004",
        nhs_number=NHS,
        phone="07700 900123",
        postcode="CV1 9ZZ",
        wants="Help to stop using",
    )
    tick(qtbot, wizard.summary_fields["substances"], {"cannabis", "alcohol"})
    tick(qtbot, wizard.summary_fields["risks"], {"mental-health"})
    qtbot.keyClick(wizard.next_button, Qt.Key_Return)
    assert wizard.stack.currentIndex() == 1, wizard.errors.text()

    type_into(qtbot, wizard.answer_fields[services()[0].id]["gp_practice"], "Example Surgery")
    qtbot.keyClick(wizard.next_button, Qt.Key_Return)
    assert wizard.stack.currentIndex() == 2, wizard.errors.text()
    assert "Coventry Directory's default wording" in wizard.statements.toPlainText()

    qtbot.keyClick(wizard.next_button, Qt.Key_Return)  # no consent yet: stays, says why
    assert wizard.stack.currentIndex() == 2 and "statement" in wizard.errors.text()
    for box in [wizard.statement_shown, *wizard.consent_boxes.values()]:
        box.setFocus()
        qtbot.keyClick(box, Qt.Key_Space)
    qtbot.keyClick(wizard.next_button, Qt.Key_Return)
    assert wizard.stack.currentIndex() == 3, wizard.errors.text()

    review = wizard.review.toPlainText()
    assert "Will be emailed" in review and "Cannot be emailed" in review
    assert [r.ok for r in wizard.prepared] == [True, True]
    youth = wizard.prepared[1]
    assert "nhs_number" not in youth.form.consent.shared_fields  # the youth form does not take it

    with qtbot.waitSignal(wizard.sent, timeout=20_000) as sending:
        assert wizard.send_all() is not None  # sends in a worker thread
        assert not wizard.send_button.isEnabled()  # off while it sends
    outcomes = sending.args[0]
    assert [o.status for o in outcomes] == ["sent"]
    assert len(server.messages) == 1
    assert "no referral email address" in wizard.results.text()
    assert not wizard.send_button.isEnabled()  # a second click cannot send it again

    pdf = wizard.save_pdf(youth.id, tmp_path / "youth.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    statuses = {r["service_name"]: r["status"] for r in log.entries(desk.user_store)}
    assert statuses == {"Example Recovery Hub": "sent", "Example Youth Service": "printed"}


def test_going_back_keeps_everything(qtbot, desk):
    wizard = ReferralWizard(services()[:1], desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    fill_summary(qtbot, wizard, name=NAME, date_of_birth=DOB, phone="07700 900123", postcode="CV1 9ZZ", wants="Support")
    tick(qtbot, wizard.summary_fields["substances"], {"alcohol"})
    wizard.go_next()
    assert wizard.stack.currentIndex() == 1
    wizard.go_back()
    assert wizard.summary().name == NAME and wizard.summary().substances == ("alcohol",)


def test_follow_up_list_records_an_answer(qtbot, desk, tmp_path):
    wizard = ReferralWizard(services()[1:], desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    fill_summary(qtbot, wizard, name=NAME, date_of_birth="01/02/2004", phone="07700 900123", wants="Support")
    wizard.go_next()
    wizard.go_next()
    wizard.statement_shown.setChecked(True)
    next(iter(wizard.consent_boxes.values())).setChecked(True)
    wizard.go_next()
    wizard.save_pdf(wizard.prepared[0].id, tmp_path / "r.pdf")

    dialog = FollowUpDialog(desk)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "Example Youth Service"
    dialog.table.selectRow(0)
    dialog.status.setCurrentIndex(dialog.status.findData("accepted"))
    qtbot.mouseClick(dialog.update_button, Qt.LeftButton)
    assert dialog.table.rowCount() == 0  # answered: no longer waiting
    assert log.entries(desk.user_store)[0]["status"] == "accepted"


def test_with_a_keyring_the_outbox_opens_without_a_question(qtbot, user_store, smtp_servers, tls_ca):
    keyring.set_keyring(MemoryKeyring())  # a desktop session with a keyring (restored by the autouse fixture)
    server = smtp_servers()
    configure_relay(user_store, server.port, tls_ca[1])
    desk = ReferralDesk(user_store)  # outbox not opened yet: the wizard opens it when sending
    wizard = ReferralWizard(services()[:1], desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    fill_summary(qtbot, wizard, name=NAME, date_of_birth=DOB, phone="07700 900123", postcode="CV1 9ZZ", wants="Support")
    tick(qtbot, wizard.summary_fields["substances"], {"alcohol"})
    wizard.go_next()
    wizard.go_next()
    wizard.statement_shown.setChecked(True)
    next(iter(wizard.consent_boxes.values())).setChecked(True)
    wizard.go_next()
    with qtbot.waitSignal(wizard.sent, timeout=20_000) as sending:
        wizard.send_all()
    assert [o.status for o in sending.args[0]] == ["sent"]
    assert desk.outbox is not None and not desk.outbox.locked
    assert message_ids(server) == [log.entries(user_store)[0]["message_id"]]


# every test here runs as on a headless Linux box: no keyring backend
pytestmark = pytest.mark.usefixtures("headless_keyring")
