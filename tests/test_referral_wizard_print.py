"""The wizard's Print / Save PDF step: the referral as filled in, written only where the worker chose, 0600.

Real wizard, real PDFs (read back with pdftotext), a real QPrinter printing to a file. The
system file and print dialogs are answered as a person would answer them; the temporary
folder is watched so that no copy of the referral is left behind there.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import shutil
import stat
import subprocess
import tempfile

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from test_referral_support import NAME, desk, headless_keyring, user_store  # noqa: F401 - fixtures
from test_referral_wizard import REFERRER, fill_summary, services, tick
from test_referral_wizard_steps import double_click

from coventry_directory.referrals import log
from coventry_directory.ui.referral_wizard import PRINT, ReferralWizard

pytestmark = [
    pytest.mark.usefixtures("headless_keyring", "discard_when_closed"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext"),
]


@pytest.fixture
def discard_when_closed(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.Yes)


@pytest.fixture
def watched_temp(tmp_path, monkeypatch):
    """An empty temporary folder that Python and Qt use for this test (to see what is left in it)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return temp


def text_of(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def wizard_at_print(qtbot, desk) -> ReferralWizard:
    """Both test services, filled in and consented, at the print step."""
    wizard = ReferralWizard(services(), desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_summary(qtbot, wizard, name=NAME, date_of_birth="01/02/2004", phone="07700 900123", postcode="CV1 9ZZ")
    fill_summary(qtbot, wizard, wants="Help to stop using")
    tick(qtbot, wizard.summary_fields["substances"], {"cannabis"})
    wizard.go_next()
    wizard.answer_fields[services()[0].id]["gp_practice"].setText("Example Surgery")
    wizard.go_next()
    wizard.reference.setText("OUT-117")
    wizard.statement_shown.setChecked(True)
    for box in wizard.consent_boxes.values():
        box.setChecked(True)
    wizard.go_next()
    wizard.go_next()
    assert wizard.stack.currentIndex() == PRINT, wizard.errors.text()
    return wizard


def test_save_pdf_writes_the_referral_only_where_chosen_privately(qtbot, desk, tmp_path, watched_temp, monkeypatch):
    wizard = wizard_at_print(qtbot, desk)
    names = [wizard.print_choice.itemText(i) for i in range(wizard.print_choice.count())]
    assert names == ["Example Recovery Hub", "Example Youth Service"]
    assert not wizard.preview.pixmap().isNull()  # page one, drawn from the PDF in memory
    wizard.print_choice.setCurrentIndex(1)

    chosen = tmp_path / "chosen" / "youth-referral"
    chosen.parent.mkdir()
    asked = []

    def answer(parent, title, suggested, filters):
        asked.append(suggested)
        return str(chosen), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    double_click(qtbot, wizard.pdf_button)
    assert len(asked) == 1  # a double click asks once
    assert NAME.split()[0] not in asked[0] and asked[0].endswith(f"referral-{wizard.prepared[1].short_id}.pdf")

    written = chosen.with_suffix(".pdf")
    assert [p.name for p in chosen.parent.iterdir()] == [written.name]
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    text = text_of(written)
    for expected in (NAME, "01/02/2004", "Help to stop using", "Cannabis", "OUT-117", "Alex Example"):
        assert expected in text, expected
    assert "Example Youth Service" in text and "Example Surgery" not in text  # that service's form only
    assert list(watched_temp.iterdir()) == []  # no copy left behind
    assert "Saved" in wizard.print_note.text() and "delete the file" in wizard.print_note.text()
    assert [r["status"] for r in log.entries(desk.user_store)] == ["printed"]


def test_print_to_file_is_our_private_pdf_and_printing_twice_is_one_referral(
    qtbot, desk, tmp_path, watched_temp, monkeypatch
):
    wizard = wizard_at_print(qtbot, desk)
    ref = wizard.prepared[0]
    target = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(target))
    wizard.print_referral(ref.id, printer)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "Referral for drug and alcohol treatment (adult): Example Recovery Hub" in text_of(target)

    # Through the print dialog, as a person prints: the dialog opens once, whatever the double click.
    opened = []

    def accept(dialog):
        opened.append(dialog.printer().docName())
        dialog.printer().setOutputFormat(QPrinter.PdfFormat)
        dialog.printer().setOutputFileName(str(tmp_path / "again.pdf"))
        return QDialog.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    double_click(qtbot, wizard.print_button)
    assert opened == [f"referral-{ref.short_id}"]  # what print queues show: never the person's name
    assert stat.S_IMODE((tmp_path / "again.pdf").stat().st_mode) == 0o600
    assert list(watched_temp.iterdir()) == []
    [row] = log.entries(desk.user_store)
    assert row["id"] == ref.id and row["status"] == "printed"  # printed twice, one referral


def test_closing_after_printing_asks_nothing(qtbot, desk, tmp_path, monkeypatch):
    wizard = wizard_at_print(qtbot, desk)
    assert wizard.has_unsaved_input()
    wizard.save_pdf(wizard.prepared[0].id, tmp_path / "r.pdf")
    assert not wizard.has_unsaved_input()

    def refuse(*_args, **_kwargs):
        raise AssertionError("asked to discard a referral already printed")

    monkeypatch.setattr(QMessageBox, "question", refuse)
    qtbot.mouseClick(wizard.close_button, Qt.LeftButton)
    assert not wizard.isVisible()
