"""A tick-box list that shows every row whole: labels wrap, the list grows to hold them all.

A list of five rows in a box with two scroll bars hides most choices and clips the long
labels ("Needle and syringe programmes …"), worse at 200% zoom. This list never scrolls:
each label wraps to the width the list is given and the list is exactly as tall as its
rows, so the panel around it scrolls as a whole, in one direction.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QListWidget,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

# Labels shorter than this many average characters would wrap into a column too narrow to read.
MIN_TEXT_CHARS = 12


class WrappingDelegate(QStyledItemDelegate):
    """Sizes each row for its label wrapped to the list's width (Qt's own hint assumes one line)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # Qt API
        """The row's size when its text wraps within the list's viewport."""
        view = self.parent()
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        width = view.viewport().width() if isinstance(view, QListView) else opt.rect.width()
        opt.rect = QRect(0, 0, max(width, 1), 1_000_000)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        style = opt.widget.style() if opt.widget is not None else view.style()
        # the style's own text rectangle: what is left beside the tick box, less its margins
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, opt, opt.widget) + 1
        text_width = max(text_rect.width() - 2 * margin, opt.fontMetrics.averageCharWidth() * MIN_TEXT_CHARS)
        bounds = opt.fontMetrics.boundingRect(QRect(0, 0, text_width, 1_000_000), Qt.TextFlag.TextWordWrap, opt.text)
        # Qt's own hint for the label on one line (no width given: it does not wrap) gives the row's padding
        unwrapped = QStyleOptionViewItem(option)
        unwrapped.rect = QRect()
        one_line = super().sizeHint(unwrapped, index).height()
        return QSize(width, max(one_line, bounds.height() + one_line - opt.fontMetrics.height()))


class FittedList(QListWidget):
    """A QListWidget of tick boxes that is always as tall as all its wrapped rows, with no scroll bars."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # a new width lays the rows out again
        self.setUniformItemSizes(False)
        self.setFrameShape(QFrame.Shape.NoFrame)  # the group box around it is the frame
        self.setItemDelegate(WrappingDelegate(self))
        # the width comes from the panel; the height from the rows (see fit_height)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.model().rowsInserted.connect(self.fit_height)
        self.model().rowsRemoved.connect(self.fit_height)
        self.model().modelReset.connect(self.fit_height)
        self.fit_height()

    def rows_height(self) -> int:
        """The height all rows take at the list's present width."""
        return sum(self.sizeHintForRow(i) for i in range(self.count())) + 2 * self.frameWidth()

    def fit_height(self) -> None:
        """Be exactly as tall as the rows (called when rows come or go, and at every new width)."""
        height = max(self.rows_height(), self.fontMetrics().height())
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def minimumSizeHint(self) -> QSize:  # Qt API
        """Narrow enough for any panel: labels wrap rather than widen it."""
        return QSize(self.fontMetrics().averageCharWidth() * MIN_TEXT_CHARS, self.height())

    def sizeHint(self) -> QSize:  # Qt API
        """The present width, and the rows' height."""
        return QSize(self.minimumSizeHint().width(), self.rows_height())

    def resizeEvent(self, event) -> None:  # Qt API
        """A new width wraps the labels anew: lay the rows out again and take their new height."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.doItemsLayout()
            self.fit_height()
