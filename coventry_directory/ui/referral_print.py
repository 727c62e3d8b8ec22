"""The referral wizard's last step: print the referral, or save it as a PDF, as the worker filled it in.

:class:`PrintStep` is mixed into :class:`~coventry_directory.ui.referral_wizard.ReferralWizard`,
which provides ``desk``, ``prepared`` (from the review step) and ``handed_over``.

The referral holds special category (health) data, so no copy is left anywhere the worker
did not choose: the PDF is made in memory; the preview is drawn from those bytes; printing
draws the pages straight onto the printer; a PDF is written only where the save dialog
says, privately (0600), whole or not at all. When the print dialog's "print to file" is
chosen, that file is our own PDF written the same private way, not Qt's. Printing or saving
logs the referral as printed, once, however often it is printed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import format_number
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.prepare import PreparedReferral
from coventry_directory.ui.print_dialog import page_images, print_pdf

PREVIEW_DPI = 40


class PrintStep:
    """The print / save PDF step of the referral wizard (a mixin for ReferralWizard)."""

    desk: ReferralDesk
    prepared: list[PreparedReferral]
    handed_over: bool

    def _print_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            _(
                "Print the referral, or save it as a PDF to hand over or upload through the service's own secure "
                "route. It holds the person's health details: collect it from the printer at once, save it only "
                "somewhere secure, and delete the file once it has been handed over."
            )
        )
        intro.setWordWrap(True)
        self.print_choice = QComboBox()
        self.print_choice.setAccessibleName(_("Referral to print or save"))
        self.print_choice.currentIndexChanged.connect(self._show_preview)
        self.print_button = QPushButton(_("&Print…"))
        self.print_button.clicked.connect(self._ask_print)
        self.pdf_button = QPushButton(_("Save as P&DF…"))
        self.pdf_button.clicked.connect(self._ask_pdf_path)
        row = QHBoxLayout()
        row.addWidget(self.print_choice, 1)
        row.addWidget(self.print_button)
        row.addWidget(self.pdf_button)
        self.preview = QLabel()
        self.preview.setAccessibleName(_("Preview of the first page"))
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setMinimumSize(240, 340)
        self.print_note = QLabel()
        self.print_note.setWordWrap(True)
        self.print_note.setAccessibleName(_("What happened"))
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.print_note)
        return page

    def _fill_print_page(self) -> None:
        """List the referrals that can be printed (those with nothing left to fix)."""
        ready = [r for r in self.prepared if r.ok]
        self.print_choice.blockSignals(True)
        self.print_choice.clear()
        for ref in ready:
            self.print_choice.addItem(ref.service.name, ref.id)
        self.print_choice.blockSignals(False)
        for widget in (self.print_choice, self.print_button, self.pdf_button):
            widget.setEnabled(bool(ready))
        if not ready:
            self.print_note.setText(_("Nothing to print: no referral is ready. Go back to see what to fix."))
        self._show_preview()

    def _current(self) -> PreparedReferral | None:
        referral_id = self.print_choice.currentData()
        return next((r for r in self.prepared if r.id == referral_id and r.ok), None)

    def _show_preview(self) -> None:
        """The chosen referral's first page, drawn from the PDF in memory."""
        ref = self._current()
        if ref is None:
            self.preview.clear()
            return
        image = page_images(self.desk.pdf_bytes(ref), PREVIEW_DPI, first_only=True)[0]
        self.preview.setPixmap(QPixmap.fromImage(image))

    def save_pdf(self, referral_id: str, path: Path | str) -> Path:
        """Print one prepared referral to a PDF file (private, 0600) and log it as printed."""
        ref = next(r for r in self.prepared if r.id == referral_id)
        written = self.desk.save_pdf(ref, path)
        self.handed_over = True
        self.print_note.setText(
            _("Saved {path}. It holds personal data: print it or upload it securely, then delete the file.").format(
                path=written
            )
        )
        return written

    def print_referral(self, referral_id: str, printer: QPrinter) -> str:
        """Send one prepared referral to ``printer`` (set up by the print dialog); returns what happened.

        "Print to file" writes our own PDF where the dialog says, privately, as Save does.
        """
        ref = next(r for r in self.prepared if r.id == referral_id)
        target = printer.outputFileName()
        if printer.outputFormat() == QPrinter.PdfFormat and target:
            self.save_pdf(referral_id, target)
            return self.print_note.text()
        try:
            pages = print_pdf(self.desk.pdf_bytes(ref), printer)
        except OSError as exc:
            self.print_note.setText(_("Printing failed: {problem}").format(problem=exc))
            return self.print_note.text()
        self.desk.mark_printed(ref)
        self.handed_over = True
        sent = ngettext("Sent {n} page to the printer.", "Sent {n} pages to the printer.", pages)
        self.print_note.setText(
            sent.format(n=format_number(pages))
            + " "
            + _("Collect it now: it holds the person's details. Do not leave it on the printer.")
        )
        return self.print_note.text()

    def _ask_print(self) -> None:
        ref = self._current()
        if ref is None:
            return
        printer = QPrinter(QPrinter.HighResolution)
        printer.setDocName(f"referral-{ref.short_id}")  # print queues show it: never the person's name
        if QPrintDialog(printer, self).exec() == QDialog.Accepted:
            self.print_referral(ref.id, printer)

    def _ask_pdf_path(self) -> None:
        ref = self._current()
        if ref is None:
            return
        suggested = str(Path.home() / f"referral-{ref.short_id}.pdf")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save referral PDF"), suggested, _("PDF files (*.pdf)"))
        if not path:
            return
        if not Path(path).suffix:
            path += ".pdf"
        try:
            self.save_pdf(ref.id, path)
        except OSError as exc:
            self.print_note.setText(_("Could not save: {problem}").format(problem=exc))
