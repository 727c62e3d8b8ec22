"""The filters / client / shortlist tabs: never narrower than their names.

A tab bar squeezed below its names elides them ("Fi…", "Who can I r…") and a worker can no
longer tell the tabs apart; scroll arrows would hide the Shortlist tab instead. So the
column asks for the room its names take, worked out again whenever the font or the
language changes them (zoom, a translation), up to :data:`MAX_NAME_CHARS` average
characters, past which a very long translation elides rather than push the window off a
small screen. The whole name is also each tab's tooltip.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QStyle, QTabWidget, QWidget

MAX_NAME_CHARS = 60  # the widest the names may make the column, in average characters


class ColumnTabs(QTabWidget):
    """A QTabWidget whose minimum width holds its tabs' whole names (to a cap)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        bar = self.tabBar()
        bar.setUsesScrollButtons(False)  # every tab stays in sight
        bar.setElideMode(Qt.TextElideMode.ElideRight)  # only past the cap
        bar.setExpanding(False)

    def add_tab(self, page: QWidget, name: str) -> None:
        """Add a page under ``name`` ("&" marks its Alt key), with the whole name as its tooltip."""
        index = self.addTab(page, name)
        self.setTabToolTip(index, re.sub("&(.)", r"\1", name))  # "&&" is one "&"

    def names_width(self) -> int:
        """The width the tab bar needs to show every name whole."""
        bar = self.tabBar()
        return sum(bar.tabSizeHint(i).width() for i in range(bar.count()))

    def minimumSizeHint(self) -> QSize:  # Qt API
        """Qt's own minimum, widened to the names' width (at most :data:`MAX_NAME_CHARS` characters)."""
        hint = super().minimumSizeHint()
        frame = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        names = min(self.names_width() + frame, self.fontMetrics().averageCharWidth() * MAX_NAME_CHARS)
        return QSize(max(hint.width(), names), hint.height())
