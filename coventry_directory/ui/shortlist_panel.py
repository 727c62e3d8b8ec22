"""The shortlist (view only): services chosen for the person in front of you.

It holds service ids only (never anything about the client), so it is safe to keep
between sessions until the worker clears it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from coventry_directory.core.models import Service
from coventry_directory.i18n import _


class ShortlistPanel(QWidget):
    """A list of services with remove, clear, handout and refer actions."""

    opened = Signal(str)  # service id
    removed = Signal(str)  # service id
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Shortlist"))
        self.info = QLabel(
            _(
                "Add services with “Add to shortlist” (Ctrl+D). The shortlist keeps service names "
                "only, never anything about the client."
            )
        )
        self.info.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName(_("Shortlisted services"))
        self.remove_button = QPushButton(_("&Remove"))
        self.clear_button = QPushButton(_("Clear a&ll"))
        self.handout_button = QPushButton(_("Print &handout…"))
        self.refer_button = QPushButton(_("Re&fer…"))
        self.refer_button.setToolTip(_("Refer the client to every shortlisted service from one summary"))
        self.followups_button = QPushButton(_("Referral follow-&ups…"))
        self.followups_button.setToolTip(_("Referrals waiting for an answer, and what happened"))
        for button, tip in (
            (self.remove_button, _("Take the selected service off the shortlist")),
            (self.clear_button, _("Empty the shortlist for the next client")),
        ):
            button.setAccessibleDescription(tip)
        buttons = QHBoxLayout()
        for button in (self.remove_button, self.clear_button):
            buttons.addWidget(button)
        actions = QHBoxLayout()
        for button in (self.handout_button, self.refer_button):
            actions.addWidget(button)
        follow = QHBoxLayout()
        follow.addWidget(self.followups_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addLayout(actions)
        layout.addLayout(follow)
        self.remove_button.clicked.connect(self._remove)
        self.clear_button.clicked.connect(self.cleared)
        self.list.itemActivated.connect(lambda item: self.opened.emit(item.data(Qt.UserRole)))

    def set_services(self, services: list[Service]) -> None:
        """Show these services."""
        self.list.clear()
        for svc in services:
            item = QListWidgetItem(f"{svc.name} — {svc.organization.name}")
            item.setData(Qt.UserRole, svc.id)
            self.list.addItem(item)
        has = bool(services)
        for button in (self.remove_button, self.clear_button, self.handout_button, self.refer_button):
            button.setEnabled(has)

    def ids(self) -> list[str]:
        """Service ids in the list's order."""
        return [self.list.item(i).data(Qt.UserRole) for i in range(self.list.count())]

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.removed.emit(item.data(Qt.UserRole))
