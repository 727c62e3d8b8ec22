"""The one SMTP client: everything the app emails (referrals, correction notes) goes through here.

TLS always, certificates always checked. Two ways in, both encrypted from before the first
word of the message: STARTTLS (usually port 587) or implicit TLS (usually 465). A server
that does not offer STARTTLS is refused - never spoken to in plain text - because a
downgrade is exactly what an attacker between the user and the relay would arrange. The
server's certificate and host name are verified against the system's trusted CAs, plus an
optional CA file for a relay with a private CA; TLS 1.2 is the oldest version accepted.

Every failure becomes a :class:`SendError` with a plain message and a ``temporary`` flag
(trying again later may help: offline, busy, a 4xx reply), so a caller can keep the message
queued or tell the user what to fix. Nothing here knows about referrals, corrections or
where settings are saved; no Qt.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass

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
    timeout: float = 30.0

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


def _connect(cfg: SmtpConfig, context: ssl.SSLContext, what: str) -> smtplib.SMTP:
    if cfg.security == "tls":
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
    if cfg.security != "starttls":  # a hand-made config: refuse rather than guess plain text
        raise SendError(f"unknown mail security {cfg.security!r}; use one of {SECURITY_MODES}", temporary=False)
    client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
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


def _send(cfg, envelope_from, recipient, message, password, context, what) -> None:
    client = _connect(cfg, context, what)
    try:
        if cfg.username:
            if password is None:
                raise SendError(f"no password was given for {cfg.username}; not sent", temporary=True)
            client.login(cfg.username, password)
        client.sendmail(envelope_from, [recipient], message)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


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

    ``context`` replaces the default verifying one (tests pass one trusting a test CA);
    ``what`` names the message in the plain-text refusal ("a referral is never sent in
    plain text"). A server without STARTTLS raises :class:`TlsNotOffered`.
    """
    if not cfg.host:
        raise SendError("no mail server is set up", temporary=True)
    context = context or tls_context(cfg)
    where = cfg.describe()
    try:
        _send(cfg, envelope_from, recipient, message, password, context, what)
    except SendError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise SendError(
            f"the certificate of {where} could not be verified ({exc.verify_message}); not sent", temporary=False
        ) from None
    except ssl.SSLError as exc:
        raise SendError(
            f"a secure (TLS) connection to {where} failed ({exc.reason or exc}); not sent", temporary=False
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            f"{where} did not accept the user name or password ({exc.smtp_code})", temporary=False
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{where} does not support what sending needs ({exc})", temporary=False) from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise _code_error(code, "refused the recipient", text) from None
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, 4xx/5xx greetings ...
        raise _code_error(exc.smtp_code, "refused the message", exc.smtp_error) from None
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib reports a read that timed out as "disconnected"; the cause says which it was.
        if isinstance(exc.__context__, TimeoutError):
            raise SendError(f"{where} did not answer in time", temporary=True) from None
        raise SendError(f"{where} closed the connection", temporary=True) from None
    except TimeoutError:  # socket.timeout is TimeoutError
        raise SendError(f"{where} did not answer in time", temporary=True) from None
    except smtplib.SMTPException as exc:  # (before OSError: SMTPException is one)
        raise SendError(f"sending via {where} failed ({exc})", temporary=True) from None
    except OSError as exc:  # refused, unreachable, no network, unknown host
        raise SendError(f"could not reach {where} ({exc.strerror or exc})", temporary=True) from None
