"""The referral follow-up list: referrals still waiting for an answer, and what happened.

Shows the referral log only (service, dates, status, the worker's own reference): never
anything about the client.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.i18n import N_, _
from coventry_directory.referrals import log
from coventry_directory.referrals.desk import ReferralDesk


class FollowUpDialog(QDialog):
    """Referrals still waiting for an answer, soonest first; record what happened."""

    COLUMNS = (N_("Service"), N_("Made"), N_("Status"), N_("Follow up by"), N_("Your reference"))

    def __init__(self, desk: ReferralDesk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle(_("Referral follow-ups"))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setAccessibleName(_("Referrals waiting for an answer"))
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.status = QComboBox()
        self.status.setAccessibleName(_("New status"))
        for code in log.SETTABLE:
            self.status.addItem(log.STATUSES[code], code)
        self.follow_up_by = QLineEdit()
        self.follow_up_by.setPlaceholderText("YYYY-MM-DD")
        self.follow_up_by.setAccessibleName(_("Follow up by (YYYY-MM-DD)"))
        self.update_button = QPushButton(_("&Update"))
        self.update_button.clicked.connect(self.update_selected)
        self.message = QLabel()
        row = QHBoxLayout()
        for widget in (self.status, self.follow_up_by, self.update_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.resize(720, 360)
        self.refresh()

    def refresh(self) -> None:
        """Reload the list from the referral log."""
        self.rows = log.follow_ups(self.desk.user_store)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            due = (" — " + _("due")) if row["due"] else ""
            values = (
                row["service_name"],
                row["created_at"][:10],
                log.STATUSES.get(row["status"], row["status"]),
                (row["follow_up_by"] or "") + due,
                row["local_reference"] or "",
            )
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))

    def update_selected(self) -> None:
        """Set the chosen status on the selected referral."""
        index = self.table.currentRow()
        if not 0 <= index < len(self.rows):
            self.message.setText(_("Choose a referral in the list first."))
            return
        try:
            log.set_status(
                self.desk.user_store,
                self.rows[index]["id"],
                self.status.currentData(),
                self.follow_up_by.text() or None,
            )
        except log.LogError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(_("Updated."))
        self.refresh()
