"""The one SMTP client: everything the app emails (referrals, correction notes) goes through here.

TLS always, certificates always checked. Two ways in, both encrypted from before the first
word of the message: STARTTLS (usually port 587) or implicit TLS (usually 465). A server
that does not offer STARTTLS is refused - never spoken to in plain text - because a
downgrade is exactly what an attacker between the user and the relay would arrange. The
server's certificate and host name are verified against the system's trusted CAs, plus an
optional CA file for a relay with a private CA; TLS 1.2 is the oldest version accepted.

Each conversation has one total deadline, ``SmtpConfig.timeout`` seconds for connect + TLS +
login + send together (:mod:`coventry_directory.deadline`), so a relay that trickles its
answers one byte at a time cannot hold a send longer than that.

Every failure becomes a :class:`SendError` with a plain message and a ``temporary`` flag
(trying again later may help: offline, busy, a 4xx reply), so a caller can keep the message
queued or tell the user what to fix. Nothing here knows about referrals, corrections or
where settings are saved; no Qt.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from coventry_directory.deadline import Deadline

SECURITY_MODES = ("starttls", "tls")  # never a plain-text mode


@dataclass
class SmtpConfig:
    """How to reach the mail relay. No password here: it is never stored with the settings."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # "starttls" (usually port 587) or "tls" (implicit TLS, usually 465)
    sender: str = ""  # the From address the relay lets this user send as
    username: str = ""  # empty: the relay needs no login
    ca_file: str = ""  # extra trusted CA certificate (PEM), for a relay with a private CA
    timeout: float = 30.0  # seconds for the whole conversation, not each read

    @property
    def configured(self) -> bool:
        """True when there is enough to try sending."""
        return bool(self.host and self.sender)

    def describe(self) -> str:
        """One line for messages, e.g. 'relay.example.org:587 (STARTTLS)'."""
        return f"{self.host}:{self.port} ({'STARTTLS' if self.security == 'starttls' else 'TLS'})"


class SendError(Exception):
    """Sending failed. ``temporary``: trying again later may work (offline, busy, 4xx)."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


class TlsNotOffered(SendError):
    """The server offers no STARTTLS, so nothing was sent (a setting to fix, not a retry)."""

    def __init__(self, message: str):
        super().__init__(message, temporary=False)


def tls_context(cfg: SmtpConfig) -> ssl.SSLContext:
    """A client context that verifies the server's certificate and host name (TLS 1.2+)."""
    context = ssl.create_default_context(cafile=cfg.ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _code_error(code: int, what: str, text) -> SendError:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return SendError(f"the mail server {what} ({code} {detail[:200]})", temporary=400 <= code < 500)


_local_names: list[str] = []


def _local_hostname(deadline: Deadline) -> str:
    """The name this computer gives in EHLO (as smtplib would), looked up once, within the deadline."""
    if not _local_names:
        fqdn = deadline.wait_for(socket.getfqdn, "looking up this computer's name")
        # smtplib's fallback, without its second lookup: an address literal
        _local_names.append(fqdn if "." in fqdn else "[127.0.0.1]")
    return _local_names[0]


class _DeadlineSmtp(smtplib.SMTP):
    """smtplib.SMTP whose connection opens through a :class:`Deadline`, checked before each command and after each reply.

    A reply that was still arriving when the deadline passed is no reply: the watchdog may
    have cut it short, and smtplib would take a cut-short "220 ..." for a whole greeting.
    ``implicit_tls``: wrap the connection in TLS before the greeting (what SMTP_SSL does).
    """

    def __init__(
        self, deadline: Deadline, host: str, port: int, *, timeout: float, implicit_tls: ssl.SSLContext | None = None
    ):
        self.deadline = deadline
        self.server_name = host  # the name the certificate must carry
        self.implicit_tls = implicit_tls
        try:
            super().__init__(host, port, local_hostname=_local_hostname(deadline), timeout=timeout)
        except BaseException:
            self.close()  # connected, then the greeting failed: smtplib would leave the socket open
            raise

    def _get_socket(self, host, port, timeout):  # smtplib's hook for making the connection
        sock = self.deadline.connect((host, port), timeout, self.source_address)
        if self.implicit_tls is None:
            return sock
        try:
            return self.implicit_tls.wrap_socket(sock, server_hostname=self.server_name)
        except BaseException:
            sock.close()
            raise

    def send(self, s):  # every command and the message itself go through here
        """Send to the server, unless the operation's time is already up."""
        self.deadline.check()
        super().send(s)

    def getreply(self):  # every reply is read through here
        """The server's reply, unless the deadline passed while it was being read."""
        reply = super().getreply()
        self.deadline.check()
        return reply


def _connect(cfg: SmtpConfig, context: ssl.SSLContext, what: str, deadline: Deadline) -> smtplib.SMTP:
    if cfg.security == "tls":
        return _DeadlineSmtp(deadline, cfg.host, cfg.port, timeout=cfg.timeout, implicit_tls=context)
    if cfg.security != "starttls":  # a hand-made config: refuse rather than guess plain text
        raise SendError(f"unknown mail security {cfg.security!r}; use one of {SECURITY_MODES}", temporary=False)
    client = _DeadlineSmtp(deadline, cfg.host, cfg.port, timeout=cfg.timeout)
    try:
        client.ehlo()
        if not client.has_extn("starttls"):
            raise TlsNotOffered(
                f"{cfg.describe()} does not offer STARTTLS; {what} is never sent in plain "
                "text. Check the server settings."
            )
        client.starttls(context=context)
        client.ehlo()  # the capabilities (AUTH among them) may differ once encrypted
    except BaseException:
        client.close()
        raise
    return client


def _session(
    cfg: SmtpConfig,
    password: str | None,
    context: ssl.SSLContext,
    what: str,
    deadline: Deadline,
    work: Callable[[smtplib.SMTP], object] | None,
) -> None:
    """Connect, secure, log in, run ``work`` (nothing: a connection test), then QUIT."""
    client = _connect(cfg, context, what, deadline)
    try:
        if cfg.username:
            if password is None:
                raise SendError(f"no password was given for {cfg.username}; not sent", temporary=True)
            client.login(cfg.username, password)
        if work is not None:
            work(client)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):  # the message (if any) is already accepted
            client.close()


def _run(
    cfg: SmtpConfig,
    password: str | None,
    context: ssl.SSLContext | None,
    what: str,
    work: Callable[[smtplib.SMTP], object] | None,
    outcome: str,
) -> None:
    """One whole SMTP conversation within ``cfg.timeout`` seconds; every failure a SendError."""
    if not cfg.host:
        raise SendError("no mail server is set up", temporary=True)
    context = context or tls_context(cfg)
    where = cfg.describe()
    timed_out = SendError(
        f"{where} did not answer in time (timed out after {cfg.timeout:g} s); {outcome}", temporary=True
    )
    deadline = Deadline(cfg.timeout)
    try:
        with deadline:
            _session(cfg, password, context, what, deadline, work)
    except SendError:
        raise
    except Exception as exc:
        # Whatever broke once the time was up (a read cut short by the watchdog, a TLS
        # handshake it ended, a lookup it stopped waiting for) is the deadline's doing.
        # smtplib reports a read that timed out as "disconnected"; the cause says which it was.
        if deadline.expired or isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            raise timed_out from None
        raise _failure(exc, where, outcome) from None


def _failure(exc: Exception, where: str, outcome: str) -> SendError:
    """The plain-words SendError for what went wrong talking to ``where``."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendError(
            f"the certificate of {where} could not be verified ({exc.verify_message}); {outcome}", temporary=False
        )
    if isinstance(exc, ssl.SSLError):
        return SendError(
            f"a secure (TLS) connection to {where} failed ({exc.reason or exc}); {outcome}", temporary=False
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"{where} did not accept the user name or password ({exc.smtp_code})", temporary=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendError(f"{where} does not support what sending needs ({exc})", temporary=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _code_error(code, "refused the recipient", text)
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, data refused, 4xx/5xx greetings ...
        return _code_error(exc.smtp_code, "refused the message", exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SendError(f"{where} closed the connection", temporary=True)
    if isinstance(exc, smtplib.SMTPException):  # (before OSError: SMTPException is one)
        return SendError(f"talking to {where} failed ({exc})", temporary=True)
    if isinstance(exc, OSError):  # refused, unreachable, no network, unknown host
        return SendError(f"could not reach {where} ({exc.strerror or exc})", temporary=True)
    return SendError(f"talking to {where} failed ({type(exc).__name__})", temporary=True)


def deliver(
    cfg: SmtpConfig,
    envelope_from: str,
    recipient: str,
    message: bytes,
    *,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
    what: str = "mail",
) -> None:
    """Send ``message`` (exact bytes, so a retry is the same message) to one recipient, or raise SendError.

    The whole conversation (connect, TLS, login, send) has ``cfg.timeout`` seconds, however
    slowly the server answers. ``context`` replaces the default verifying one (tests pass
    one trusting a test CA); ``what`` names the message in the plain-text refusal ("a
    referral is never sent in plain text"). A server without STARTTLS raises
    :class:`TlsNotOffered`.
    """

    def send(client: smtplib.SMTP) -> None:
        client.sendmail(envelope_from, [recipient], message)

    _run(cfg, password, context, what, send, "not sent")


def check_connection(
    cfg: SmtpConfig, *, password: str | None = None, context: ssl.SSLContext | None = None, what: str = "mail"
) -> None:
    """Connect, secure the connection, log in and QUIT, sending nothing; or raise SendError.

    The settings dialog's "Test connection": the same conversation as :func:`deliver`, the
    same checks and the same deadline, up to where a message would be sent.
    """
    _run(cfg, password, context, what, None, "nothing was sent")
