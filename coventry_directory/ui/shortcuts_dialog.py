"""Help ▸ Keyboard shortcuts: every key of the main window, read from the one table in ui/shortcuts.py."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.i18n import _
from coventry_directory.ui.shortcuts import SHORTCUTS, described, keys_text
from coventry_directory.ui.window_geometry import fit_to_screen


class ShortcutsDialog(QDialog):
    """A read-only table: what each key does, and the keys."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        intro = QLabel(_("The whole app can be used from the keyboard. In the main window:"))
        intro.setWordWrap(True)
        self.table = QTableWidget(len(SHORTCUTS), 2)
        self.table.setAccessibleName(_("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([_("What it does"), _("Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(True)
        for row, entry in enumerate(SHORTCUTS):
            what = QTableWidgetItem(described(entry.name))
            keys = QTableWidgetItem(keys_text(entry.name))
            # Key names read left to right in every language ("Ctrl+Shift+H").
            keys.setTextAlignment(Qt.AlignAbsolute | Qt.AlignLeft | Qt.AlignVCenter)
            for column, item in enumerate((what, keys)):
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.table.resizeRowsToContents()
        self.table.setCurrentCell(0, 0)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 640, 520)
        self.table.setFocus()  # the keyboard starts in the list, ready to scroll it

    def rows(self) -> list[tuple[str, str]]:
        """(what it does, keys) for every row, as shown."""
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
