"""Emailing the queued correction notes to the directory's maintainer (Settings ▸ Send correction notes…).

"Report a correction…" queues a note; this sends every waiting note in one email, through
the Mail settings (the same relay, TLS and deadline as referrals), to the maintainer
address that came with the installed directory.

It is an action the worker chooses, not a send after every note, because:

- the correction dialog promises "Queue for the maintainer", and nothing leaves the
  computer unless the worker chose to send it;
- notes are often written away from the office or offline, where a send after each one
  would fail, or stop the worker with a password question in the middle of a search;
- one action sends every note waiting (the ones from last week too), says how many went or
  why none did, and can simply be used again later.

The conversation with the server runs in a worker thread (:class:`MailTask`); the notes are
read before it starts and marked sent after the server has accepted them, both on the UI
thread, which owns the user's database. A failure leaves every note waiting.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from coventry_directory.i18n import _, ngettext
from coventry_directory.referrals import credentials
from coventry_directory.referrals.smtp import load_config
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore
from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog, MailTask

# The exchange and referral-desk modules are imported when the action is used, not when
# the window opens: they bring the HSDS machinery and reportlab with them.


class CorrectionMail(QObject):
    """The "Send correction notes" action of one window: ``send()``; ``finished`` says how it went."""

    finished = Signal(bool, str)  # sent?, what the worker was told

    def __init__(self, parent: QWidget, user: UserStore, directory: Callable[[], DirectoryStore]):
        super().__init__(parent)
        # a getter, not the store: the window reopens its store when a new edition is installed
        self.window, self.user, self._directory = parent, user, directory
        self.task: MailTask | None = None
        self._sending: tuple[list[int], str] = ([], "")

    def waiting(self) -> int:
        """How many correction notes are waiting to be sent."""
        return len(self.user.corrections(unsent_only=True))

    def send(self) -> None:
        """Check there is something to send and somewhere to send it, ask once, then send off the UI thread."""
        from coventry_directory.exchange.corrections import corrections_document, deliver_corrections
        from coventry_directory.ui.outbox_access import mail_password_asker

        title = _("Send correction notes")
        if self.task is not None:
            return  # one send at a time; the running one reports when it ends
        count = self.waiting()
        if not count:
            self._tell(True, _("No correction notes are waiting to be sent."))
            return
        info = self._directory().info()
        to = info.get("maintainer_email")
        if not to:
            self._tell(
                False,
                _(
                    "This directory edition names no maintainer email address, so the notes cannot be emailed "
                    "from here. They stay queued; export them to a file to hand them over."
                ),
            )
            return
        cfg = load_config(self.user)
        if not cfg.configured:
            ask = QMessageBox.question(
                self.window,
                title,
                _("The mail settings are not set up yet. Set them up now?"),
                QMessageBox.Yes | QMessageBox.No,
            )
            if ask != QMessageBox.Yes or not MailSettingsDialog(self.user, self.window).exec():
                return
            cfg = load_config(self.user)
            if not cfg.configured:
                return
        question = ngettext(
            "Send {n} correction note to {to} through {server}?",
            "Send {n} correction notes to {to} through {server}?",
            count,
        ).format(n=count, to=to, server=cfg.describe())
        question += "\n\n" + _("They say which service and what is wrong; they never hold anything about a client.")
        if QMessageBox.question(self.window, title, question, QMessageBox.Yes | QMessageBox.No) != QMessageBox.Yes:
            return
        password = None
        if cfg.username:
            password = credentials.smtp_password(cfg.username, mail_password_asker(self.window), host=cfg.host)
            if password is None:
                return  # cancelled: the notes wait
        notes = self.user.corrections(unsent_only=True)
        names = {s.id: s.name for s in self._directory().services([n["service_id"] for n in notes])}
        document = corrections_document(self.user, info, names)
        ids = [c["id"] for c in document["corrections"]]
        self._sending = (ids, to)
        self.task = MailTask(lambda: deliver_corrections(document, to, cfg, password=password))
        self.task.finished.connect(self._done)  # a bound slot: dropped if the window goes first
        self._status(_("Sending the correction notes…"))
        self.task.start()

    @Slot(object)
    def _done(self, outcome: object) -> None:
        from coventry_directory.exchange.errors import ExchangeError
        from coventry_directory.exchange.importing import utc_now

        (ids, to), self.task = self._sending, None
        if outcome is None:
            self.user.mark_corrections_sent(ids, utc_now())
            text = ngettext(
                "{n} correction note was sent to {to}. Thank you.",
                "{n} correction notes were sent to {to}. Thank you.",
                len(ids),
            ).format(n=len(ids), to=to)
            self._tell(True, text)
        else:
            reason = str(outcome) if isinstance(outcome, ExchangeError) else type(outcome).__name__
            self._tell(
                False,
                _("The correction notes were not sent: {reason}\n\nThey are still queued; try again later.").format(
                    reason=reason
                ),
            )

    def _status(self, text: str) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, 8000)

    def _tell(self, ok: bool, text: str) -> None:
        self._status(text.split("\n", 1)[0])
        title = _("Send correction notes")
        if ok:
            QMessageBox.information(self.window, title, text)
        else:
            QMessageBox.warning(self.window, title, text)
        self.finished.emit(ok, text)
