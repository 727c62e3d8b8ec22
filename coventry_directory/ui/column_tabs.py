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

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QStyle, QTabWidget, QWidget

MAX_NAME_CHARS = 60  # the widest the names may make the column, in average characters


class ColumnTabs(QTabWidget):
    """A QTabWidget whose minimum width holds its tabs' whole names (to a cap).

    The minimum is set, not only hinted: a splitter restoring the sizes saved in another
    language (or at another zoom) would otherwise lay the column out narrower than its names.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        bar = self.tabBar()
        bar.setUsesScrollButtons(False)  # every tab stays in sight
        bar.setExpanding(False)

    def add_tab(self, page: QWidget, name: str) -> None:
        """Add a page under ``name`` ("&" marks its Alt key), with the whole name as its tooltip."""
        self.setTabText(self.addTab(page, name), name)

    def setTabText(self, index: int, text: str) -> None:  # Qt API
        """A new name (the shortlist's count), also as the tooltip: the column widens to it if it must."""
        super().setTabText(index, text)
        self.setTabToolTip(index, re.sub("&(.)", r"\1", text))  # "&&" is one "&"
        self._fit()

    def names_width(self) -> int:
        """The width the tab bar needs to show every name whole."""
        bar = self.tabBar()
        return sum(bar.tabSizeHint(i).width() for i in range(bar.count()))

    def changeEvent(self, event: QEvent) -> None:  # Qt API
        """A new font (zoom) or style changes the names' width: fit again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def _fit(self) -> None:
        frame = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        names = self.names_width() + frame
        cap = self.fontMetrics().averageCharWidth() * MAX_NAME_CHARS
        # Within the cap the names have their room, so nothing is elided: Qt elides a right-to-left
        # name a few pixels short of the width it asked for ("عوامل التصفية (…"). Past it, elide.
        fits = names <= cap
        self.tabBar().setElideMode(Qt.TextElideMode.ElideNone if fits else Qt.TextElideMode.ElideRight)
        width = names if fits else cap
        if width != self.minimumWidth():
            self.setMinimumWidth(width)
