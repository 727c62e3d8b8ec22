"""A source document read in the app, open at the line a fact is cited from.

A GP told "Warwickshire Drugs Needs Assessment, September 2022, line 812" should not have
to find that document on the web (often there is no web): the documents the directory is
built from ship with the app (``ui.source_titles``). This dialog shows one, the cited line
on a tint of the theme's highlight colour and scrolled into the middle, with a find box to
read round it; for a web page it opens the facts sheet at the line that records what the
page said, the address already in the find box so Enter steps to the next line citing it.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.source_documents import SourceDocument
from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import format_number
from coventry_directory.ui.palette_colours import MIN_CONTRAST, blend, contrast
from coventry_directory.ui.window_geometry import fit_to_screen
from coventry_directory.ui.zoom import bold

CITED_TINT = 0.3  # how far the cited line's background moves towards the highlight colour
CONTEXT_LINES = 2  # lines of the document shown above the cited one


class SourceViewer(QDialog):
    """One source document, read only, at ``line`` (counted from 1; None: the start).

    With ``choose``, a keeper picks the line a fact is cited from: "Use line N" accepts the
    dialog with the line the cursor is on (:meth:`current_line`).
    """

    def __init__(
        self,
        document: SourceDocument,
        line: int | None = None,
        find: str = "",
        parent: QWidget | None = None,
        *,
        choose: bool = False,
    ):
        super().__init__(parent)
        self.document = document
        self.setWindowTitle(_("Source: {title}").format(title=document.title))
        title = QLabel(document.title)
        title.setWordWrap(True)
        bold(title)
        about = QLabel(
            _(
                "Published {published}. A copy of this document is shipped with the app, so it can be read offline."
            ).format(published=document.published)
        )
        about.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(_("Source document"))
        # the documents were written in English; the text is shown as it is, left to right
        self.text.setPlainText("\n".join(document.lines))
        self.find_box = QLineEdit(find)
        self.find_box.setAccessibleName(_("Find in this document"))
        self.find_box.setPlaceholderText(_("Find in this document"))
        self.find_button = QPushButton(_("&Find next"))
        self.where = QLabel()
        self.where.setAccessibleName(_("Where in the document"))
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_box, 1)
        find_row.addWidget(self.find_button)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel if choose else QDialogButtonBox.StandardButton.Close
        )
        buttons.rejected.connect(self.reject)
        self.use_button: QPushButton | None = None
        if choose:
            self.use_button = buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
            buttons.accepted.connect(self.accept)
        # Enter in the find box finds (its returnPressed): no button may take Enter as well
        for button in (self.find_button, *buttons.buttons()):
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(about)
        layout.addWidget(self.text, 1)
        layout.addLayout(find_row)
        layout.addWidget(self.where)
        layout.addWidget(buttons)
        self.find_box.returnPressed.connect(self.find_next)
        self.find_button.clicked.connect(self.find_next)
        self.text.cursorPositionChanged.connect(self._say_where)
        fit_to_screen(self, 760, 560)
        self.cited = line if line is not None and 0 < line <= len(document.lines) else None
        self.go_to_line(self.cited or 1)
        self._mark_cited()
        # the keyboard starts in the text, so arrows and Page Down read round the cited line
        self.text.setFocus()

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of ``line`` (from 1), and that line near the top of the view, all of it in sight.

        A cited line is often a paragraph of many wrapped lines: centred on its first, the
        rest ran off the foot of the view. It is put :data:`CONTEXT_LINES` lines from the top.
        """
        block = self.text.document().findBlockByNumber(max(0, line - 1))
        self.text.setTextCursor(QTextCursor(block))
        # the plain text view scrolls by lines of the document: its first line shown is the bar's value
        self.text.verticalScrollBar().setValue(max(0, block.blockNumber() - CONTEXT_LINES))
        self.text.ensureCursorVisible()
        self._say_where()

    def current_line(self) -> int:
        """The line the cursor is on, counted from 1."""
        return self.text.textCursor().blockNumber() + 1

    def _mark_cited(self) -> None:
        """The cited line on a tint of the theme's highlight colour, so a found word's selection still shows on it."""
        if self.cited is None:
            return
        mark = QTextEdit.ExtraSelection()
        mark.cursor = QTextCursor(self.text.document().findBlockByNumber(self.cited - 1))
        mark.cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        palette = self.text.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        tint = blend(base, palette.color(QPalette.ColorRole.Highlight), CITED_TINT)
        if contrast(tint, text) < MIN_CONTRAST:  # a theme whose highlight is close to its text
            tint = base
            mark.format.setFontUnderline(True)
        mark.format.setBackground(tint)
        mark.format.setForeground(text)
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        self.text.setExtraSelections([mark])

    def find_next(self) -> bool:
        """Move to the next place the find box's words occur (from the top again after the last); False if nowhere."""
        words = self.find_box.text().strip()
        if not words:
            return False
        found = self.text.find(words)
        if not found:  # on from the top
            start = self.text.textCursor()
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            found = self.text.find(words)
            if not found:
                self.text.setTextCursor(start)
        if found:
            self.text.centerCursor()
            self._say_where()
        else:
            self.where.setText(_("“{words}” is not in this document.").format(words=words))
        return found

    def _say_where(self) -> None:
        line, total = self.current_line(), len(self.document.lines)
        if self.use_button is not None:
            self.use_button.setText(_("&Use line {line}").format(line=format_number(line)))
        text = _("Line {line} of {total}").format(line=format_number(line), total=format_number(total))
        if self.cited is not None:
            text += " · " + _("the cited line, {line}, is highlighted").format(line=format_number(self.cited))
        self.where.setText(text)
