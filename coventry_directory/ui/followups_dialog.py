"""The referral follow-up list: referrals still waiting for an answer, and what happened.

Shows the referral log only (service, dates, status, the worker's own reference): never
anything about the client. "Send now" tries every referral waiting in the outbox at once,
in the send worker (the window stays usable; Stop waiting leaves them safely queued). It is
the one place the retry asks for the outbox passphrase or mail password: the app's retry
timer never does.
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

from coventry_directory.i18n import N_, _, ngettext
from coventry_directory.i18n.formatting import format_number
from coventry_directory.referrals import crypto, log
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.outbox import FlushResult, Outbox
from coventry_directory.ui import send_worker
from coventry_directory.ui.outbox_access import key_lost_message, mail_password_asker, unlock_outbox
from coventry_directory.ui.window_geometry import fit_to_screen


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
            self.status.addItem(_(log.STATUSES[code]), code)
        self.follow_up_by = QLineEdit()
        # TRANSLATORS: the date format typed here; the date itself is always written year-month-day.
        self.follow_up_by.setPlaceholderText(_("YYYY-MM-DD"))
        self.follow_up_by.setAccessibleName(_("Follow up by (YYYY-MM-DD)"))
        self.update_button = QPushButton(_("&Update"))
        self.update_button.clicked.connect(self.update_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.outbox_label = QLabel()
        self.outbox_label.setWordWrap(True)
        self.send_now_button = QPushButton(_("Send &now"))
        self.send_now_button.setToolTip(_("Try every referral waiting in the outbox now"))
        self.send_now_button.clicked.connect(self.send_now)
        self.progress = send_worker.SendProgress()
        self.runner: send_worker.SendRunner | None = None
        row = QHBoxLayout()
        for widget in (self.status, self.follow_up_by, self.update_button):
            row.addWidget(widget)
        outbox_row = QHBoxLayout()
        outbox_row.addWidget(self.outbox_label, 1)
        outbox_row.addWidget(self.send_now_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addLayout(outbox_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        fit_to_screen(self, 720, 360)
        self.refresh()
        self.table.setFocus()  # the list first: arrow keys choose a referral at once

    def refresh(self) -> None:
        """Reload the list from the referral log."""
        self.rows = log.follow_ups(self.desk.user_store)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            due = (" — " + _("due")) if row["due"] else ""
            values = (
                row["service_name"],
                row["created_at"][:10],
                _(log.STATUSES[row["status"]]) if row["status"] in log.STATUSES else row["status"],
                (row["follow_up_by"] or "") + due,
                row["local_reference"] or "",
            )
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        outbox = Outbox(self.desk.user_store)
        waiting = outbox.items()
        try:
            crypto.check_not_lost(outbox.folder)
        except crypto.OutboxKeyLost as exc:  # said plainly; nothing is replaced or sent
            self.outbox_label.setText(key_lost_message(exc))
            self.send_now_button.setEnabled(False)
            return
        self.outbox_label.setText(
            ngettext(
                "{n} referral is waiting in the outbox.", "{n} referrals are waiting in the outbox.", len(waiting)
            ).format(n=format_number(len(waiting)))
            if waiting
            else _("Nothing is waiting in the outbox.")
        )
        self.send_now_button.setEnabled(bool(waiting) and self.runner is None)

    def send_now(self) -> send_worker.SendRunner | None:
        """Try every waiting referral now, in the send worker (asks for a passphrase or password only if needed)."""
        if self.runner is not None or not Outbox(self.desk.user_store).items():
            return None
        self.send_now_button.setEnabled(False)
        if not unlock_outbox(self, self.desk):
            self.message.setText(_("The outbox stayed locked; nothing was sent and nothing was lost."))
            self.refresh()
            return None
        job = self.desk.begin_flush(force=True, ask=mail_password_asker(self), exclude=send_worker.in_flight())
        self.runner = send_worker.SendRunner(self.desk, job)
        self.runner.finished.connect(self._sent)
        self.progress.follow(self.runner)
        self.runner.start()
        return self.runner

    def _sent(self, result: FlushResult) -> None:
        cancelled = self.runner is not None and self.runner.cancelled
        self.runner = None
        problems = "; ".join(dict.fromkeys(reason for _id, reason in result.failed))
        if cancelled:
            text = _("Stopped waiting. Whatever was not sent stays safe in the outbox and will be tried again.")
        elif result.failed:
            text = _("Sent {sent}; {waiting} still waiting ({problems}).").format(
                sent=format_number(len(result.sent)), waiting=format_number(len(result.failed)), problems=problems
            )
        else:
            text = _("Sent {sent}.").format(sent=format_number(len(result.sent)))
        self.message.setText(text)
        self.refresh()

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
