"""The referral wizard and the follow-up list in the pseudo-locale: every word through the catalog.

The walk of ``test_i18n_ui.py`` (every label, button, item, tooltip, accessible name and
document), over every step of a real wizard with problems shown, the review, the print step
and the follow-up list. The pseudo catalog is made here from a fresh extraction of the
sources (``build-translations``' own extraction), so the test checks that every word shown is
both routed through ``_()`` and seen by the extraction, the forms file's words included. The
referral PDF stays in English for the service, whatever language the app speaks.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import tomllib

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_i18n_ui import assert_all_marked, untranslated
from test_referral_support import NAME, desk, headless_keyring, user_store  # noqa: F401 - fixtures
from test_referral_wizard import REFERRER, fill_summary, services, tick

from coventry_directory.i18n import _, use_translation
from coventry_directory.i18n.languages import PSEUDO_CODE
from coventry_directory.i18n.maintain import extract_template
from coventry_directory.i18n.pseudo import pseudo_catalog
from coventry_directory.referrals.consent import sharing_statement
from coventry_directory.referrals.form_words import FORM_WORDS, form_texts
from coventry_directory.referrals.forms import form_for, load_forms, parse_forms
from coventry_directory.resources import resource_path
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.referral_wizard import CONSENT, PRINT, QUESTIONS, REVIEW, SUMMARY, ReferralWizard

pytestmark = pytest.mark.usefixtures("headless_keyring", "discard_when_closed")


@pytest.fixture
def discard_when_closed(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.Yes)


@pytest.fixture(scope="module")
def pseudo(tmp_path_factory) -> gettext.GNUTranslations:
    """The pseudo-locale made from what the extraction finds in the sources now."""
    pot = tmp_path_factory.mktemp("catalog") / "fresh.pot"
    with open(pot, "wb") as fh:
        write_po(fh, extract_template())
    compiled = io.BytesIO()
    write_mo(compiled, pseudo_catalog(pot))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


TYPED = {
    "name": NAME,
    "date_of_birth": "01/02/2004",
    "phone": "07700 900123",
    "postcode": "CV1 9ZZ",
    "wants": "Zqwants",
}


def content(typed: dict[str, str]) -> list[str]:
    """What may stay as it is: the services' own names and addresses, what was typed, the recorded statement."""
    allowed = {REFERRER.name, REFERRER.role, REFERRER.organisation, REFERRER.email, *typed.values()}
    for svc in services():
        allowed |= {svc.name, svc.organization.name, svc.email or ""}
        # The statement is recorded in English (the services read it); its translation is shown beside it.
        # (with the referrer's organisation, or "we" while it is empty).
        allowed |= {sharing_statement(svc, form_for(svc), org) for org in (REFERRER.organisation, "")}
    allowed.discard("")
    return sorted(allowed, key=len, reverse=True)


def test_every_step_of_the_wizard_speaks_through_the_catalog(qtbot, desk, pseudo, tmp_path):
    allowed = content({**TYPED, "gp": "Zqsurgery", "ref": "OUT-117", "bad_ref": "Test"})
    with use_translation(pseudo, PSEUDO_CODE):
        wizard = ReferralWizard(services(), desk, referrer=REFERRER)
        qtbot.addWidget(wizard)
        wizard.show()
        assert "[" in wizard.step_label.text()
        fill_summary(qtbot, wizard, name=NAME)
        wizard.go_next()  # the forms' requirements, reported on the summary
        assert wizard.stack.currentIndex() == SUMMARY and "[" in wizard.errors.text()
        checked = assert_all_marked(wizard, allowed)
        assert checked > 100  # the walk really saw the wizard

        fill_summary(qtbot, wizard, **{k: v for k, v in TYPED.items() if k != "name"})
        tick(qtbot, wizard.summary_fields["substances"], {"cannabis"})
        tick(qtbot, wizard.summary_fields["risks"], {"overdose"})
        wizard.go_next()
        assert wizard.stack.currentIndex() == QUESTIONS, wizard.errors.text()
        wizard.go_next()  # the youth form's questions are optional; the hub's too
        assert wizard.stack.currentIndex() == CONSENT
        wizard.answer_fields[services()[0].id]["gp_practice"].setText("Zqsurgery")
        wizard.reference.setText("Test")  # part of the person's name: refused
        wizard.go_next()
        assert wizard.stack.currentIndex() == CONSENT and "[" in wizard.errors.text()
        # The statement in the app's language beside the recorded English one.
        assert "[" in wizard.statements.toPlainText()
        assert_all_marked(wizard, allowed)
        qtbot.mouseClick(wizard.forget_button, Qt.LeftButton)
        assert_all_marked(wizard, allowed)

        for key, widget in wizard.referrer_fields.items():
            widget.setText(getattr(REFERRER, key))
        wizard.reference.setText("OUT-117")
        wizard.statement_shown.setChecked(True)
        for box in wizard.consent_boxes.values():
            box.setChecked(True)
        wizard.go_next()
        assert wizard.stack.currentIndex() == REVIEW, wizard.errors.text()
        assert "[" in wizard.review.toPlainText()
        assert_all_marked(wizard, allowed)
        wizard.go_next()
        assert wizard.stack.currentIndex() == PRINT
        wizard.save_pdf(wizard.prepared[1].id, tmp_path / "youth.pdf")
        assert_all_marked(wizard, allowed)

        dialog = FollowUpDialog(desk)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.table.rowCount() == 1
        assert_all_marked(dialog, allowed)
        table_text = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
        table_text += [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
        assert [t for t in table_text if untranslated(t, allowed + ["2", "0", "-"])] == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_referral_pdf_stays_in_english_whatever_the_app_speaks(qtbot, desk, pseudo, tmp_path):
    with use_translation(pseudo, PSEUDO_CODE):
        wizard = ReferralWizard(services()[:1], desk, referrer=REFERRER)
        qtbot.addWidget(wizard)
        fill_summary(qtbot, wizard, **TYPED)
        tick(qtbot, wizard.summary_fields["substances"], {"cannabis"})
        tick(qtbot, wizard.summary_fields["risks"], {"overdose"})
        wizard.summary_fields["may_leave_message"].setCurrentIndex(2)
        wizard.go_next()
        wizard.go_next()
        wizard.statement_shown.setChecked(True)
        next(iter(wizard.consent_boxes.values())).setChecked(True)
        wizard.go_next()
        wizard.go_next()
        assert _("Full name") != "Full name"  # the app really speaks the pseudo-locale here
        written = wizard.save_pdf(wizard.prepared[0].id, tmp_path / "r.pdf")
    out = subprocess.run(["pdftotext", "-layout", str(written), "-"], capture_output=True, text=True, check=True)
    text = " ".join(out.stdout.split())
    for english in ("Full name", "Cannabis", "Overdose risk", "No — do not leave a message", "Verbal"):
        assert english in text, english
    assert "Referral for drug and alcohol treatment (adult)" in text
    assert "[" not in text and "~~" not in text


def test_every_word_of_the_forms_file_is_marked_for_the_catalogs():
    bundled = form_texts(load_forms())
    assert len(bundled) > 20
    assert [t for t in bundled if t not in FORM_WORDS] == []
    assert [t for t in FORM_WORDS if t not in bundled] == []  # nothing listed that the file no longer says


def test_a_form_text_missing_from_the_list_would_be_caught():
    with open(resource_path("referral_forms.toml"), "rb") as fh:
        data = tomllib.load(fh)
    data["category"]["housing"]["questions"].append({"name": "pets", "label": "Any pets?", "kind": "text"})
    assert [t for t in form_texts(parse_forms(data)) if t not in FORM_WORDS] == ["Any pets?"]
