"""Small dialogs: report a correction (unexpected errors are shown by ui/errors.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget

from coventry_directory.i18n import _
from coventry_directory.ui.window_geometry import fit_to_screen


class CorrectionDialog(QDialog):
    """Asks what is wrong with a record; the note is queued for the directory maintainer."""

    def __init__(self, service_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Report a correction"))
        self.setAccessibleName(_("Report a correction"))
        intro = QLabel(
            _(
                "What is wrong or missing in “{name}”? For example a new phone number, different opening "
                "hours, or a service that has closed. Say where you found the right information.\n\n"
                "Do not write anything about a client."
            ).format(name=service_name)
        )
        intro.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(_("Correction note"))
        self.note.setPlaceholderText(_("e.g. The hub moved in 2026; the new number is on the provider's website."))
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(_("Queue for the maintainer"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        fit_to_screen(self, 520, 320)

    def text(self) -> str:
        """The note as typed."""
        return self.note.toPlainText().strip()

    def _accept(self) -> None:
        if not self.text():
            QMessageBox.information(self, _("Report a correction"), _("Please say what should change."))
            return
        self.accept()
