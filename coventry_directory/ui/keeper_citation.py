"""Keeper mode's citation box: where the fact being entered comes from.

Either a line of one of the source documents (``sources.toml``), or a web page: its
address, the words on it that say the fact, and the day it was seen (today unless
changed). A document's line can be chosen by reading it (``ui.source_viewer``). ``citation()`` gives a ``core.record_edit.Citation``; what is missing is for
the check to say, in words, not for this box to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from coventry_directory.core.record_edit import Citation
from coventry_directory.core.source_documents import SourceDocument
from coventry_directory.i18n import _
from coventry_directory.ui.source_viewer import SourceViewer


class CitationBox(QGroupBox):
    """The source of the edit: a document line, or a web page quoted and dated."""

    edited = Signal()

    def __init__(self, documents: Mapping[str, SourceDocument], today: dt.date, parent: QWidget | None = None):
        super().__init__(_("Where this comes from (every fact needs a source)"), parent)
        form = QFormLayout(self)
        self.from_web = QRadioButton(_("A web page"))
        self.from_document = QRadioButton(_("A line of a source document"))
        group = QButtonGroup(self)
        for button in (self.from_web, self.from_document):
            group.addButton(button)
            button.toggled.connect(self._toggled)
        form.addRow(self.from_web)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://")
        self.quote = QLineEdit()
        self.quote.setPlaceholderText(_("The words on the page that say it, copied exactly"))
        self.seen = QDateEdit(QDate(today.year, today.month, today.day))
        self.seen.setCalendarPopup(True)
        self.seen.setDisplayFormat("yyyy-MM-dd")  # ISO, as the sources write dates: never the OS locale's order
        form.addRow(_("Web address"), self.url)
        form.addRow(_("Quote"), self.quote)
        form.addRow(_("Seen on"), self.seen)
        form.addRow(self.from_document)
        self.document = QComboBox()
        # a document's title can be a long sentence: the box must not widen the window past the screen
        self.document.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.document.setMinimumContentsLength(24)
        for doc in sorted(documents.values(), key=lambda d: d.id):
            self.document.addItem(f"{doc.id}: {doc.title}", doc.id)
        self.line = QSpinBox()
        self.line.setRange(0, 10**6)
        self.line.setSpecialValueText(_("choose a line"))  # 0: none chosen (line 1 is a title, not a fact)
        self.documents = dict(documents)
        self.find_line = QPushButton(_("Read the document and choose the &line…"))
        self.find_line.clicked.connect(self.choose_line)
        line_row = QHBoxLayout()
        line_row.addWidget(self.line, 1)
        line_row.addWidget(self.find_line)
        form.addRow(_("Document"), self.document)
        form.addRow(_("Line"), line_row)
        for widget in (self.url, self.quote):
            widget.textChanged.connect(self.edited)
        self.seen.dateChanged.connect(self.edited)
        self.document.currentIndexChanged.connect(self.edited)
        self.line.valueChanged.connect(self.edited)
        self.from_web.setChecked(True)

    def _toggled(self, _checked: bool) -> None:
        web = self.from_web.isChecked()
        for widget in (self.url, self.quote, self.seen):
            widget.setEnabled(web)
        for widget in (self.document, self.line, self.find_line):
            widget.setEnabled(not web)
        self.edited.emit()

    def choose_line(self) -> SourceViewer | None:
        """Open the chosen document at the line given (or its start); "Use line N" puts that line in the box."""
        document = self.documents.get(self.document.currentData())
        if document is None:
            return None
        viewer = SourceViewer(document, self.line.value() or None, parent=self, choose=True)
        viewer.accepted.connect(lambda: self.line.setValue(viewer.current_line()))
        viewer.open()  # window-modal: the keeper reads, chooses, and is back in the form
        return viewer

    def citation(self) -> Citation:
        """What the box says, as ``core.record_edit`` takes it."""
        if self.from_web.isChecked():
            seen = self.seen.date()
            return Citation(
                url=self.url.text().strip(),
                quote=self.quote.text().strip(),
                seen=dt.date(seen.year(), seen.month(), seen.day()),
            )
        return Citation(document=self.document.currentData(), line=self.line.value() or None)

    def clear(self) -> None:
        """Empty the box for another record: one record's source is never carried to the next by accident."""
        for widget in (self.url, self.quote):
            widget.clear()
        self.line.setValue(0)
