"""A layout that places widgets in a row and wraps them onto new rows, like words in a line of text.

Qt has no such layout (its documentation gives one as an example); the filter chips use it
so that any number of chips fits any width, at any zoom, without a scroll bar.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QStyle, QWidget


class FlowLayout(QLayout):
    """Items left to right (right to left in RTL languages), wrapping to as many rows as needed."""

    def __init__(self, parent: QWidget | None = None, spacing: int = -1):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    def addItem(self, item: QLayoutItem) -> None:  # Qt API
        """Take ``item`` last in the flow."""
        self._items.append(item)

    def count(self) -> int:  # Qt API
        """How many items the flow holds."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # Qt API
        """The item at ``index``, or None."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # Qt API
        """Remove and return the item at ``index`` (None when there is none)."""
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # Qt API
        """Neither: the flow is as wide as it is given and as tall as its rows."""
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # Qt API
        """Yes: a narrower width takes more rows."""
        return True

    def heightForWidth(self, width: int) -> int:  # Qt API
        """The height the items need at ``width``."""
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # Qt API
        """Place the items within ``rect``."""
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # Qt API
        """As small as the largest item (the flow wraps the rest)."""
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # Qt API
        """The largest item's minimum, plus the margins."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _gap(self, orientation: Qt.Orientation) -> int:
        if self._spacing >= 0:
            return self._spacing
        parent = self.parentWidget()
        if parent is None:
            return 6
        metric = (
            QStyle.PixelMetric.PM_LayoutHorizontalSpacing
            if orientation == Qt.Orientation.Horizontal
            else QStyle.PixelMetric.PM_LayoutVerticalSpacing
        )
        return max(parent.style().pixelMetric(metric, None, parent), 4)

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in rows within ``rect`` (placing them only when ``move``); returns the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        right_to_left = (
            self.parentWidget() is not None and self.parentWidget().layoutDirection() == Qt.LayoutDirection.RightToLeft
        )
        x, y, row_height = area.x(), area.y(), 0
        across, down = self._gap(Qt.Orientation.Horizontal), self._gap(Qt.Orientation.Vertical)
        for item in self._items:
            if item.isEmpty():
                continue  # a hidden widget takes no room
            hint = item.sizeHint()
            if hint.width() > area.width():  # wider than the row: narrowed to it, taller if its words wrap
                hint.setWidth(max(area.width(), 1))
                if item.hasHeightForWidth():
                    hint.setHeight(max(hint.height(), item.heightForWidth(hint.width())))
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row_height = area.x(), y + row_height + down, 0
            if move:
                left = area.right() + 1 - (x - area.x()) - hint.width() if right_to_left else x
                item.setGeometry(QRect(QPoint(left, y), hint))
            x += hint.width() + across
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()
