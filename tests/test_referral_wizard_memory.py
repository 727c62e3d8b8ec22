"""What the wizard keeps on this computer: the worker's own details (when asked), the case reference in the log.

Real wizard (pytest-qt, offscreen), real user database file; the settings are read back
with sqlite3 and the file's bytes are searched for every client value typed.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QMessageBox, QPlainTextEdit
from test_referral_support import (  # noqa: F401 - fixtures
    NAME,
    NHS,
    desk,
    headless_keyring,
    user_store,
)
from test_referral_wizard import REFERRER, fill_summary, services, tick

from coventry_directory.referrals import log
from coventry_directory.referrals.referrer_memory import KEYS, remembered_referrer
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.referral_wizard import CONSENT, REVIEW, ReferralWizard
from coventry_directory.userdata import user_database_path

pytestmark = pytest.mark.usefixtures("headless_keyring", "discard_when_closed")


@pytest.fixture
def discard_when_closed(monkeypatch):
    """Closing a wizard at the end of a test answers "discard" (its question would wait for a person)."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.Yes)


def settings_rows() -> dict[str, str]:
    """Every setting in the user's database file, read as another program would read it."""
    with sqlite3.connect(user_database_path()) as db:
        return dict(db.execute("SELECT key, value FROM setting"))


def wizard_for(qtbot, desk, **kwargs) -> ReferralWizard:
    wizard = ReferralWizard(services()[:1], desk, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def through_summary(qtbot, wizard: ReferralWizard) -> None:
    fill_summary(qtbot, wizard, name=NAME, date_of_birth="01/02/1990", phone="07700 900123", postcode="CV1 9ZZ")
    fill_summary(qtbot, wizard, wants="Support")
    tick(qtbot, wizard.summary_fields["substances"], {"alcohol"})
    wizard.go_next()
    wizard.answer_fields[services()[0].id]["gp_practice"].setText("Example Surgery")
    wizard.go_next()
    assert wizard.stack.currentIndex() == CONSENT, wizard.errors.text()


def consent_and_review(wizard: ReferralWizard) -> None:
    wizard.statement_shown.setChecked(True)
    for box in wizard.consent_boxes.values():
        box.setChecked(True)
    wizard.go_next()
    assert wizard.stack.currentIndex() == REVIEW, wizard.errors.text()


def test_the_workers_details_are_remembered_and_filled_in_next_time(qtbot, desk):
    first = wizard_for(qtbot, desk)  # nothing remembered yet: empty
    assert all(not w.text() for w in first.referrer_fields.values())
    assert "remembered, on this computer" in first.memory_note.text()  # the step says so
    assert first.remember.isChecked()
    through_summary(qtbot, first)
    for key, widget in first.referrer_fields.items():
        widget.setFocus()
        qtbot.keyClicks(widget, getattr(REFERRER, key))
    consent_and_review(first)
    assert remembered_referrer(desk.user_store) == REFERRER

    second = wizard_for(qtbot, desk)
    assert second.referrer() == REFERRER  # filled in, nothing retyped
    assert all(not w.text() for w in second.summary_fields.values() if isinstance(w, QLineEdit))
    assert not second.reference.text()  # the case reference is per referral, never remembered


def test_forget_deletes_the_details_and_unticking_keeps_none(qtbot, desk):
    wizard = wizard_for(qtbot, desk, referrer=REFERRER)
    through_summary(qtbot, wizard)
    consent_and_review(wizard)
    assert set(KEYS) <= set(settings_rows())

    again = wizard_for(qtbot, desk)
    assert again.referrer() == REFERRER
    qtbot.mouseClick(again.forget_button, Qt.LeftButton)
    assert not set(KEYS) & set(settings_rows())  # deleted from the file, not just emptied
    assert all(not w.text() for w in again.referrer_fields.values()) and not again.remember.isChecked()
    assert "no longer remembered" in again.memory_note.text()
    assert wizard_for(qtbot, desk).referrer().name == ""

    # Details typed with the box unticked are used for this referral and kept nowhere.
    unticked = wizard_for(qtbot, desk, referrer=REFERRER)
    unticked.remember.setChecked(False)
    through_summary(qtbot, unticked)
    consent_and_review(unticked)
    assert unticked.prepared[0].form.referrer == REFERRER
    assert not set(KEYS) & set(settings_rows())


def test_no_client_field_reaches_the_settings(qtbot, desk, tmp_path):
    wizard = wizard_for(qtbot, desk, referrer=REFERRER)
    # Every client field filled with a value that cannot occur by chance anywhere else.
    values = {}
    for name, widget in wizard.summary_fields.items():
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            values[name] = f"Client{name.replace('_', '')}Zq"
    values.update(
        name=NAME, date_of_birth="01/02/1990", nhs_number=NHS, phone="07700 900123", email="client-zq@example.com"
    )
    values["postcode"] = "CV1 9ZZ"
    fill_summary(qtbot, wizard, **values)
    for widget in wizard.summary_fields.values():
        if isinstance(widget, QListWidget):
            widget.item(0).setCheckState(Qt.Checked)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData("no"))
    wizard.go_next()
    for name, widget in wizard.answer_fields[services()[0].id].items():
        widget.setFocus()
        qtbot.keyClicks(widget, f"Answer{name.replace('_', '')}Zq")
    wizard.go_next()
    wizard.reference.setText("CASE-0001")
    consent_and_review(wizard)
    assert wizard.prepared[0].ok, wizard.prepared[0].errors
    wizard.go_next()
    wizard.save_pdf(wizard.prepared[0].id, tmp_path / "finished.pdf")  # finished: printed

    settings = settings_rows()
    assert {k: settings[k] for k in KEYS} == {f"referrals.referrer.{k}": v for k, v in REFERRER.to_dict().items()}
    typed = [v for v in values.values() if v] + ["AnswergppracticeZq", "AnswercurrenttreatmentZq"]
    assert [(k, v) for k, v in settings.items() for t in typed if t in v] == []
    # Nor anywhere else in the user's database file (the log holds the service and the case reference).
    data = b"".join(p.read_bytes() for p in user_database_path().parent.glob(user_database_path().name + "*"))
    assert [t for t in typed if t.encode() in data] == []
    assert b"CASE-0001" in data


def test_the_case_reference_is_kept_with_the_referral_and_shown_in_the_follow_up_list(qtbot, desk, tmp_path):
    wizard = wizard_for(qtbot, desk, referrer=REFERRER)
    through_summary(qtbot, wizard)
    wizard.reference.setFocus()
    qtbot.keyClicks(wizard.reference, "Test-Person")  # the person's name: refused, said why, kept as typed
    wizard.statement_shown.setChecked(True)
    next(iter(wizard.consent_boxes.values())).setChecked(True)
    wizard.go_next()
    assert wizard.stack.currentIndex() == CONSENT
    assert "must not hold the person's name" in wizard.errors.text()
    assert wizard.focusWidget() is wizard.reference and wizard.reference.text() == "Test-Person"

    wizard.reference.setText("OUT-2024-117")
    wizard.go_next()
    assert "OUT-2024-117" in wizard.review.toPlainText()
    wizard.go_next()
    wizard.save_pdf(wizard.prepared[0].id, tmp_path / "r.pdf")
    [row] = log.entries(desk.user_store)
    assert row["local_reference"] == "OUT-2024-117"

    dialog = FollowUpDialog(desk)
    qtbot.addWidget(dialog)
    column = [dialog.table.horizontalHeaderItem(i).text() for i in range(dialog.table.columnCount())].index(
        "Your reference"
    )
    assert dialog.table.item(0, column).text() == "OUT-2024-117"
