"""The shortlist (view only): services chosen for the person in front of you.

It holds service ids only (never anything about the client), so it is safe to keep
between sessions until the worker clears it. "Clear all" asks first: nothing brings a
cleared shortlist back.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.models import Service
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import format_number

VANISHED_ROLE = Qt.UserRole + 1  # marks an entry whose service is no longer in the directory


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
        # Whole names, wrapped: a name cut to fit is cut at its start in a right-to-left
        # window (an English name in Arabic or Urdu loses "CGL Warwickshire"), and two
        # services of one organisation differ only in their last words.
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.Adjust)
        self.remove_button = QPushButton(_("&Remove"))
        self.clear_button = QPushButton(_("Clear a&ll"))
        # Mnemonics unique in the main window: its menus hold S, D, V, H and its tabs F, W, O.
        self.handout_button = QPushButton(_("&Print handout…"))
        self.refer_button = QPushButton(_("R&efer…"))
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
        self.clear_button.clicked.connect(self.confirm_clear)
        self.list.itemActivated.connect(self._open)

    def set_services(self, services: list[Service], vanished: Sequence[tuple[str, str]] = ()) -> None:
        """Show these services, and the shortlisted ones (id, name) no longer in the directory."""
        self.list.clear()
        for svc in services:
            item = QListWidgetItem(f"{svc.name} — {svc.organization.name}")
            item.setData(Qt.UserRole, svc.id)
            self.list.addItem(item)
        for service_id, name in vanished:
            gone = _("{name} — no longer in the directory (its source was removed or changed)").format(
                name=name or _("a service")
            )
            item = QListWidgetItem(gone)
            item.setData(Qt.UserRole, service_id)
            item.setData(VANISHED_ROLE, True)
            item.setToolTip(_("Nothing about it can be shown or printed now. Remove it, or search for it again."))
            self.list.addItem(item)
        has = bool(services)
        for button in (self.handout_button, self.refer_button):
            button.setEnabled(has)
        for button in (self.remove_button, self.clear_button):
            button.setEnabled(has or bool(vanished))

    def _open(self, item: QListWidgetItem) -> None:
        if not item.data(VANISHED_ROLE):  # a service that has left the directory has nothing to show
            self.opened.emit(item.data(Qt.UserRole))

    def ids(self) -> list[str]:
        """Ids of the services in the list that are still in the directory, in the list's order."""
        items = [self.list.item(i) for i in range(self.list.count())]
        return [item.data(Qt.UserRole) for item in items if not item.data(VANISHED_ROLE)]

    def confirm_clear(self) -> bool:
        """Ask before emptying the shortlist ("No" is the default); emits ``cleared`` on yes. True when cleared."""
        n = self.list.count()
        if not n:
            return False
        box = QMessageBox(
            QMessageBox.Question,
            _("Clear the shortlist?"),
            ngettext(
                "Take the {n} service off the shortlist? This cannot be undone.",
                "Take all {n} services off the shortlist? This cannot be undone.",
                n,
            ).format(n=format_number(n)),
            QMessageBox.Yes | QMessageBox.No,
            self,
        )
        box.setDefaultButton(QMessageBox.No)  # Enter pressed by habit keeps the list
        box.setEscapeButton(QMessageBox.No)
        if box.exec() != QMessageBox.Yes:
            return False
        self.cleared.emit()
        return True

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.removed.emit(item.data(Qt.UserRole))
