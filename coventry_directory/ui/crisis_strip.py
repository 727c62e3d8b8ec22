"""The crisis strip: the emergency numbers, always on screen above everything else in the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from coventry_directory.i18n import _
from coventry_directory.ui.zoom import bold


class CrisisStrip(QLabel):
    """Always-visible emergency numbers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setText(_("In an emergency call 999  ·  Urgent medical help: NHS 111  ·  Samaritans (24/7): 116 123"))
        # Colours through the palette, not a style sheet: any style sheet stops a widget's font
        # following the app's, and the numbers must grow with zoom like everything else. Dark
        # red and white whatever the theme (8.6:1), as emergency signs are.
        palette = self.palette()
        palette.setColor(QPalette.Window, QColor("#8b0000"))
        palette.setColor(QPalette.WindowText, QColor("white"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.setMargin(6)
        bold(self)
        self.setAccessibleName(_("Crisis numbers"))
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
