"""A push button whose words wrap onto more lines when the pane is narrower than they are.

A QPushButton is as wide as its words: "Leczenie uzależnienia od narkotyków lub alkoholu
w pobliżu…" on the start page at 150% scaling was wider than the pane, and the page scrolled
sideways. This button draws its words in a word-wrapped label and tells layouts its height
for a width (``FlowLayout`` narrows it to the row), so it grows taller instead of wider.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QStyle, QVBoxLayout, QWidget

MIN_CHARS = 14  # the narrowest it becomes, in average characters


class WrappingButton(QPushButton):
    """A QPushButton with wrapping words (no "&" mnemonic: its words are a label's)."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._label = QLabel(text, self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # clicks and hovering are the button's: the label only draws the words
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        pad = self.style().pixelMetric(QStyle.PixelMetric.PM_ButtonMargin)
        layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        layout.addWidget(self._label)
        self.setAccessibleName(text)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:  # Qt API
        """The button's words."""
        return self._label.text()

    def setText(self, text: str) -> None:  # Qt API
        """New words (and the same accessible name)."""
        self._label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # Qt API
        """The words on one line, with the button's padding."""
        margins = self.layout().contentsMargins()
        one_line = self._label.fontMetrics().size(0, self._label.text())
        return QSize(
            one_line.width() + margins.left() + margins.right() + 2,
            max(super().sizeHint().height(), one_line.height() + margins.top() + margins.bottom()),
        )

    def minimumSizeHint(self) -> QSize:  # Qt API
        """Narrow enough for any pane: the words wrap rather than widen it."""
        return QSize(self.fontMetrics().averageCharWidth() * MIN_CHARS, super().sizeHint().height())

    def hasHeightForWidth(self) -> bool:  # Qt API
        """Yes: narrower means more lines."""
        return True

    def heightForWidth(self, width: int) -> int:  # Qt API
        """The height the wrapped words need at ``width``, with the padding."""
        margins = self.layout().contentsMargins()
        inner = max(1, width - margins.left() - margins.right())
        return max(super().sizeHint().height(), self._label.heightForWidth(inner) + margins.top() + margins.bottom())
