"""Mail settings (Settings ▸ Mail settings…): the relay that referrals and correction notes go through.

The same settings as ``referral settings`` on the command line, checked by the same
function (``referrals.smtp.validated_config``) and saved the same way - all of them in one
transaction, or none. The password is never saved with them: it goes to the system
keyring when there is one, and otherwise the app asks for it each time it sends, which the
dialog says. "Test connection" connects, secures the connection, logs in and says QUIT,
sending nothing, in a worker thread (:class:`MailTask`), and reports the result in words.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.i18n import _
from coventry_directory.referrals import credentials
from coventry_directory.referrals.smtp import (
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    SettingsError,
    SmtpConfig,
    load_config,
    save_config,
    validated_config,
)
from coventry_directory.smtp_client import SendError, check_connection
from coventry_directory.store.user import UserStore
from coventry_directory.ui.background import BackgroundTask

_DEFAULT_PORTS = {"starttls": 587, "tls": 465}


class MailTask(BackgroundTask):
    """One mail conversation run in a worker thread; ``finished`` brings None or the exception, on the UI thread.

    The work must not touch the user's database or any widget (both belong to the UI
    thread): it only talks to the mail server, within its own deadline.
    """

    def __init__(self, work: Callable[[], object]):
        super().__init__(work, name="mail")


class MailSettingsDialog(QDialog):
    """Host, port, security, From address, login, CA file and timeout; Test connection; Save."""

    tested = Signal(bool, str)  # the connection test's outcome and what was said about it

    def __init__(self, user_store: UserStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.user_store = user_store
        self.setWindowTitle(_("Mail settings"))
        self.setAccessibleName(_("Mail settings"))
        cfg = load_config(user_store)
        self.keyring = credentials.keyring_usable()

        intro = QLabel(
            _(
                "The mail server (relay) that referrals and correction notes are sent through, for example your "
                "organisation's secure NHS mail relay. Mail always goes encrypted (TLS), never in plain text."
            )
        )
        intro.setWordWrap(True)
        self.host = QLineEdit(cfg.host)
        self.host.setPlaceholderText(_("e.g. relay.example.nhs.uk"))
        self.security = QComboBox()
        self.security.addItem(_("STARTTLS (usually port 587)"), "starttls")
        self.security.addItem(_("TLS (usually port 465)"), "tls")
        self.security.setCurrentIndex(max(0, self.security.findData(cfg.security)))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(cfg.port)
        self.security.currentIndexChanged.connect(self._security_changed)
        self.sender = QLineEdit(cfg.sender)
        self.sender.setPlaceholderText(_("the address the relay lets you send as"))
        self.username = QLineEdit(cfg.username)
        self.username.setPlaceholderText(_("empty if the relay needs no login"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password_note = QLabel(self._password_note())
        self.password_note.setWordWrap(True)
        self.ca_file = QLineEdit(cfg.ca_file)
        self.ca_file.setPlaceholderText(_("none: only the computer's trusted certificates"))
        self.choose_ca = QPushButton(_("C&hoose…"))
        self.choose_ca.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        self.timeout = QSpinBox()
        self.timeout.setRange(int(MIN_TIMEOUT), int(MAX_TIMEOUT))
        self.timeout.setSuffix(_(" seconds"))
        self.timeout.setValue(round(cfg.timeout))

        form = QFormLayout()
        rows = (
            (_("&Mail server:"), self.host, _("Mail server")),
            (_("Se&curity:"), self.security, _("Security")),
            (_("&Port:"), self.port, _("Port")),
            (_("&From address:"), self.sender, _("From address")),
            (_("&User name:"), self.username, _("User name")),
            (_("Pass&word:"), self.password, _("Password")),
        )
        for label, widget, name in rows:
            widget.setAccessibleName(name)
            form.addRow(label, widget)
        form.addRow("", self.password_note)
        self.ca_file.setAccessibleName(_("Extra CA certificate file"))
        ca_label = QLabel(_("&Extra CA certificate:"))
        ca_label.setBuddy(self.ca_file)  # the row holds a layout, so Qt cannot pick the buddy itself
        form.addRow(ca_label, ca_row)
        self.timeout.setAccessibleName(_("Time limit"))
        self.timeout.setToolTip(_("The most one send may take, from connecting to the last reply"))
        form.addRow(_("Time &limit:"), self.timeout)

        self.test_button = QPushButton(_("&Test connection"))
        self.test_button.setToolTip(_("Connect, log in and disconnect again; nothing is sent"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName(_("Connection test result"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(_("Problems with the settings"))
        font = self.problem.font()
        font.setBold(True)  # weight, not a colour: it reads in every theme
        self.problem.setFont(font)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._task: MailTask | None = None
        self._testing = SmtpConfig()
        self.setMinimumWidth(620)  # the wrapped notes then take the height they need

    # --- what the fields say ---------------------------------------------------------------
    def _password_note(self) -> str:
        if self.keyring:
            return _(
                "The password is kept in the system keyring, never in the app's files. Leave it empty to keep "
                "the one already kept."
            )
        return _(
            "This computer has no system keyring, so the password is not kept: the app asks for it each time it "
            "sends mail. Type it here only to test the connection."
        )

    def _security_changed(self) -> None:
        # Follow the usual port for the mode, unless the port was set to something else.
        if self.port.value() in _DEFAULT_PORTS.values():
            self.port.setValue(_DEFAULT_PORTS[self.security.currentData()])

    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the CA certificate"),
            self.ca_file.text(),
            _("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_file.setText(path)

    def values(self) -> dict[str, object]:
        """What the fields hold, as SmtpConfig field names (text where the person types it)."""
        return {
            "host": self.host.text(),
            "port": self.port.value(),
            "security": self.security.currentData(),
            "sender": self.sender.text(),
            "username": self.username.text(),
            "ca_file": self.ca_file.text(),
            "timeout": self.timeout.value(),
        }

    def config(self) -> SmtpConfig | None:
        """The checked settings, or None after showing what is wrong (the same check as the command line)."""
        try:
            cfg = validated_config(self.values())
        except SettingsError as exc:
            self.problem.setText("\n".join(exc.problems.values()))
            self.problem.show()
            return None
        self.problem.hide()
        return cfg

    # --- test connection -------------------------------------------------------------------
    def test_connection(self) -> None:
        """Connect, TLS, log in, QUIT - in a worker thread; the result arrives in ``test_result`` and ``tested``."""
        cfg = self.config()
        if cfg is None:
            return
        if not cfg.host:
            self._tested(False, _("Type the mail server's name first."))
            return
        password = self.password.text() or None
        if cfg.username and password is None:
            password = credentials.smtp_password(cfg.username, None, host=cfg.host)
            if password is None:
                self._tested(False, _("Type the password to test the login."))
                return
        self.test_button.setEnabled(False)
        self.test_result.setText(_("Testing the connection to {server}…").format(server=cfg.describe()))
        self._testing = cfg
        self._task = MailTask(lambda: check_connection(cfg, password=password))
        self._task.finished.connect(self._test_done)  # a bound slot: dropped if the dialog goes first
        self._task.start()

    @Slot(object)
    def _test_done(self, outcome: object) -> None:
        cfg, self._task = self._testing, None
        self.test_button.setEnabled(True)
        if outcome is None:
            if cfg.username:
                text = _(
                    "The connection works: {server} answered, the connection was encrypted (TLS) and the login "
                    "was accepted. Nothing was sent."
                )
            else:
                text = _(
                    "The connection works: {server} answered and the connection was encrypted (TLS). No login is "
                    "set. Nothing was sent."
                )
            self._tested(True, text.format(server=cfg.describe()))
        elif isinstance(outcome, SendError):
            self._tested(False, _("The test failed: {reason}").format(reason=outcome))
        else:
            self._tested(False, _("The test failed ({kind}).").format(kind=type(outcome).__name__))

    def _tested(self, ok: bool, text: str) -> None:
        self.test_result.setText(text)
        self.tested.emit(ok, text)

    # --- save ------------------------------------------------------------------------------
    def save(self) -> None:
        """Check every field, save them all at once (nothing if any is wrong), keep the password in the keyring."""
        cfg = self.config()
        if cfg is None:
            return
        try:
            save_config(self.user_store, cfg)
        except SettingsError as exc:  # the CA file went away between the check and the save
            self.problem.setText("\n".join(exc.problems.values()))
            self.problem.show()
            return
        password = self.password.text()
        if password and cfg.username and self.keyring:
            credentials.remember_smtp_password(cfg.username, password, host=cfg.host)
        self.password.clear()
        self.accept()
