"""Print a leaflet or a shortlist handout: choose language and size, see it, print or save.

Printing uses the system print dialog: the leaflet PDF's pages are drawn onto the printer
(rasterised with PDFium at the printer's resolution, up to 300 dpi). Where no printer is
set up, "Open in PDF viewer" hands the file to the system's PDF viewer instead. Leaflets
never hold personal data, so the temporary file for the viewer is safe to write.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.places import UnknownPlace
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.languages import LANGUAGES, Language
from coventry_directory.leaflets.base import LeafletError, write_pdf

# (language, size, large print) -> PDF bytes
Renderer = Callable[[Language, str, bool], bytes]
MAX_DPI = 300


def page_images(pdf: bytes, dpi: int, first_only: bool = False) -> list[QImage]:
    """The PDF's pages as images at ``dpi``."""
    doc = pdfium.PdfDocument(pdf)
    try:
        images = []
        for index in range(1 if first_only else len(doc)):
            bitmap = doc[index].render(scale=dpi / 72)
            pil = bitmap.to_pil().convert("RGB")
            data = pil.tobytes("raw", "RGB")
            images.append(QImage(data, pil.width, pil.height, 3 * pil.width, QImage.Format_RGB888).copy())
        return images
    finally:
        doc.close()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Draw every page of ``pdf`` on ``printer``; returns the number of pages printed."""
    dpi = min(printer.resolution(), MAX_DPI)
    pages = page_images(pdf, dpi)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("The printer could not be started."))
    try:
        for n, image in enumerate(pages):
            if n:
                printer.newPage()
            target = painter.viewport()
            size = image.size().scaled(target.size(), Qt.KeepAspectRatio)
            painter.setViewport(target.x(), target.y(), size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(target)
    finally:
        painter.end()
    return len(pages)


class PrintDialog(QDialog):
    """Choose language, size and print size; preview; print, save as PDF or open in a viewer."""

    def __init__(self, title: str, render: Renderer, default_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.render_pdf = render
        self.default_name = default_name
        self.language = QComboBox()
        self.language.setAccessibleName(_("Leaflet language"))
        for lang in LANGUAGES.values():
            flag = "" if lang.reviewed else "  " + _("(translation not yet checked)")
            self.language.addItem(f"{lang.native_name} — {_(lang.english_name)}{flag}", lang.code)
        self.size = QComboBox()
        self.size.setAccessibleName(_("Paper size"))
        self.size.addItems(["A4", "A5"])
        self.large = QCheckBox(_("&Large print"))
        self.preview = QLabel()
        self.preview.setAccessibleName(_("Preview of the first page"))
        self.preview.setMinimumSize(300, 420)
        self.preview.setAlignment(Qt.AlignCenter)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Lan&guage:"), self.language)
        # Z, not P: "&Print…" has P, and a letter shared in one dialog only moves the focus between the two.
        form.addRow(_("Paper si&ze:"), self.size)
        form.addRow(self.large)
        self.print_button = QPushButton(_("&Print…"))
        self.save_button = QPushButton(_("&Save as PDF…"))
        self.open_button = QPushButton(_("&Open in PDF viewer"))
        close = QPushButton(_("Close"))
        buttons = QHBoxLayout()
        for button in (self.print_button, self.save_button, self.open_button, close):
            buttons.addWidget(button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.note)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addLayout(buttons)
        self._pdf: bytes | None = None
        self.language.currentIndexChanged.connect(self.update_preview)
        self.size.currentIndexChanged.connect(self.update_preview)
        self.large.toggled.connect(self.update_preview)
        self.print_button.clicked.connect(self.print_)
        self.save_button.clicked.connect(self.save)
        self.open_button.clicked.connect(self.open_viewer)
        close.clicked.connect(self.reject)
        self.update_preview()

    def current_language(self) -> Language:
        """The language chosen."""
        return LANGUAGES[self.language.currentData()]

    def pdf(self) -> bytes | None:
        """The leaflet for the current choices (None, with a message, if it cannot be made)."""
        if self._pdf is None:
            try:
                self._pdf = self.render_pdf(self.current_language(), self.size.currentText(), self.large.isChecked())
            except (LeafletError, UnknownPlace) as exc:  # e.g. nothing to print, or a place we do not know
                QMessageBox.warning(self, self.windowTitle(), str(exc))
                return None
        return self._pdf

    def update_preview(self) -> None:
        """Render again for the new choices and show page one."""
        self._pdf = None
        lang = self.current_language()
        self.note.setText(
            ""
            if lang.reviewed
            else _(
                "This translation has not been checked by a fluent speaker yet. The leaflet says so in English at "
                "the bottom. Directory details stay in English."
            )
        )
        pdf = self.pdf()
        if pdf:
            image = page_images(pdf, 40, first_only=True)[0]
            self.preview.setPixmap(
                QPixmap.fromImage(image).scaled(self.preview.size(), Qt.KeepAspectRatio, Qt.SmoothTransformation)
            )

    def _confirm_unreviewed(self) -> bool:
        lang = self.current_language()
        if lang.reviewed:
            return True
        answer = QMessageBox.question(
            self,
            self.windowTitle(),
            _(
                "The {language} translation has not been checked by a fluent speaker. Print it anyway? "
                "The leaflet says so in English."
            ).format(language=_(lang.english_name)),
        )
        return answer == QMessageBox.Yes

    def print_(self) -> None:
        """System print dialog, then print every page."""
        pdf = self.pdf()
        if not pdf or not self._confirm_unreviewed():
            return
        printer = QPrinter(QPrinter.HighResolution)
        printer.setDocName(self.default_name)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.Accepted:
            return
        try:
            pages = print_pdf(pdf, printer)
        except OSError as exc:
            QMessageBox.warning(
                self,
                self.windowTitle(),
                _("Printing failed: {problem}\nTry “Open in PDF viewer” and print from there.").format(problem=exc),
            )
            return
        sent = ngettext("Sent {n} page to the printer.", "Sent {n} pages to the printer.", pages)
        QMessageBox.information(self, self.windowTitle(), sent.format(n=pages))

    def save(self) -> Path | None:
        """Save the PDF where the user chooses (written whole or not at all)."""
        pdf = self.pdf()
        if not pdf or not self._confirm_unreviewed():
            return None
        name = f"{self.default_name}-{self.current_language().code}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save leaflet as PDF"), str(Path.home() / name), _("PDF files (*.pdf)")
        )
        if not path:
            return None
        try:
            return write_pdf(path, pdf)
        except OSError as exc:
            QMessageBox.warning(self, self.windowTitle(), _("Could not save: {problem}").format(problem=exc))
            return None

    def open_viewer(self) -> None:
        """Open the PDF in the system viewer (for printing where no print dialog works)."""
        pdf = self.pdf()
        if not pdf or not self._confirm_unreviewed():
            return
        folder = Path(tempfile.mkdtemp(prefix="coventry-directory-leaflet-"))
        path = write_pdf(folder / f"{self.default_name}-{self.current_language().code}.pdf", pdf)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.information(
                self,
                self.windowTitle(),
                _("No PDF viewer is set up. The leaflet is saved at:\n{path}").format(path=path),
            )


def service_leaflet_dialog(svc, parent: QWidget | None = None, store=None) -> PrintDialog:
    """The print dialog for one service's leaflet (``store``: where next steps come from, core.fallbacks)."""
    from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer

    def render(lang, size, large):
        return ServiceLeafletRenderer([svc], lang, size=size, large_print=large, routes=store).render()

    return PrintDialog(_("Print a leaflet: {name}").format(name=svc.name), render, svc.key, parent)


def handout_dialog(store, service_ids: list[str], parent: QWidget | None = None) -> PrintDialog:
    """The print dialog for a shortlist handout (service ids only: nothing about the client)."""
    from coventry_directory.leaflets.handout import render_handout

    def render(lang, size, large):
        return render_handout(store, service_ids, lang=lang, size=size, large_print=large)

    return PrintDialog(_("Print the shortlist handout"), render, "shortlist-handout", parent)


def topic_dialog(store, category: str, near: str | None, parent: QWidget | None = None) -> PrintDialog:
    """The print dialog for a topic leaflet, e.g. "Where to get naloxone in Rugby"."""
    from coventry_directory.core.taxonomy import label
    from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer

    def render(lang, size, large):
        return TopicLeafletRenderer(store, category, near, lang, size=size, large_print=large).render()

    where = near or _("Coventry and Warwickshire")
    title = _("Print a topic leaflet: {topic}, {place}").format(topic=label("category", category), place=where)
    return PrintDialog(title, render, f"{category}-{where}".replace(" ", "-").lower(), parent)
