"""Keeper mode's two small dialogs: assure a record (who checked it, how), and start a new service.

Each only gathers words; the window does the work (``core.assurance``,
``core.record_edit.new_service``) off the GUI thread and shows what the check says.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from coventry_directory.core.directory_records import ASSURED_HOW
from coventry_directory.core.record_edit import NewService
from coventry_directory.i18n import N_, _

HOW_WORDS = {
    "phone": N_("By phone"),
    "email": N_("By email"),
    "web": N_("On its web page"),
    "visit": N_("By a visit"),
    "provider-form": N_("On the provider's check form"),
}


class AssureDialog(QDialog):
    """Who checked the record and how; a note; and, if the provider may still have changed, why."""

    def __init__(self, key: str, keeper: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Mark {key} as checked").format(key=key))
        form = QFormLayout(self)
        self.by = QLineEdit(keeper)
        self.by.setPlaceholderText(_("Your name or role (it is published with the record)"))
        self.how = QComboBox()
        for code in ASSURED_HOW:
            self.how.addItem(_(HOW_WORDS.get(code, code)), code)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Published with the record: no names or numbers of people"))
        self.changed_reason = QLineEdit()
        self.changed_reason.setPlaceholderText(_("Leave empty if the provider is confirmed"))
        form.addRow(_("Checked by"), self.by)
        form.addRow(_("How"), self.how)
        form.addRow(_("Note"), self.note)
        form.addRow(_("Provider may still have changed, because"), self.changed_reason)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def words(self) -> dict[str, str | None]:
        """The answers as ``core.assurance.make_assurance`` takes them."""
        return {
            "by": self.by.text(),
            "how": self.how.currentData(),
            "note": self.note.text().strip() or None,
            "may_have_changed_reason": self.changed_reason.text().strip() or None,
        }


class NewServiceDialog(QDialog):
    """The few things every new record needs; the rest is edited after, each with its citation."""

    def __init__(
        self,
        organizations: Sequence[str],
        files: Sequence[str],
        categories: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("New service"))
        form = QFormLayout(self)
        self.key = QLineEdit()
        self.key.setPlaceholderText(_("lower-case-words-with-hyphens, e.g. cov-new-drop-in"))
        self.organization = QComboBox()
        self.organization.addItems(list(organizations))
        self.name = QLineEdit()
        self.description = QLineEdit()
        self.category = QComboBox()
        for code, label in categories:
            self.category.addItem(f"{label} ({code})", code)
        self.file = QComboBox()
        self.file.addItems(list(files))
        form.addRow(_("Key"), self.key)
        form.addRow(_("Organisation"), self.organization)
        form.addRow(_("Name"), self.name)
        form.addRow(_("What it does"), self.description)
        form.addRow(_("Main category"), self.category)
        form.addRow(_("File"), self.file)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def record(self) -> NewService:
        """The new record's fields."""
        return NewService(
            key=self.key.text().strip(),
            organization=self.organization.currentText(),
            name=self.name.text().strip(),
            description=self.description.text().strip(),
            categories=[self.category.currentData()],
        )
