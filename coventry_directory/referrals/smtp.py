"""Sending a referral email over SMTP: TLS always, certificates always checked.

The server is configurable (e.g. a secure NHS mail relay) and its settings live in the
user's database settings; the password never does (see ``credentials.py``). STARTTLS or
implicit TLS only: a server that does not offer STARTTLS is refused rather than spoken to
in plain text. Every failure becomes a :class:`SendError` that says whether trying again
later may help, so the outbox knows to keep the referral and when to retry.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, fields

from coventry_directory.core.user_store import UserStore

SETTING_PREFIX = "referrals.smtp."
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


def load_config(user_store: UserStore) -> SmtpConfig:
    """The saved mail settings (defaults where none are saved; bad saved values fall back too)."""
    cfg = SmtpConfig()
    for f in fields(SmtpConfig):
        raw = user_store.get_setting(SETTING_PREFIX + f.name)
        if raw is None:
            continue
        try:
            setattr(cfg, f.name, type(getattr(cfg, f.name))(raw))
        except ValueError:
            continue  # a hand-edited setting that makes no sense keeps the default
    if cfg.security not in SECURITY_MODES:
        cfg.security = "starttls"
    return cfg


def save_config(user_store: UserStore, cfg: SmtpConfig) -> None:
    """Save the mail settings (never a password: the dataclass has no field for one)."""
    if cfg.security not in SECURITY_MODES:
        raise ValueError(f"security must be one of {SECURITY_MODES}")
    for f in fields(SmtpConfig):
        user_store.set_setting(SETTING_PREFIX + f.name, str(getattr(cfg, f.name)))


class SendError(Exception):
    """Sending failed. ``temporary``: trying again later may work (offline, busy, 4xx)."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


def tls_context(cfg: SmtpConfig) -> ssl.SSLContext:
    """A client context that verifies the server's certificate and host name (TLS 1.2+)."""
    context = ssl.create_default_context(cafile=cfg.ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _code_error(code: int, what: str, text) -> SendError:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return SendError(f"the mail server {what} ({code} {detail[:200]})", temporary=400 <= code < 500)


def _connect(cfg: SmtpConfig, context: ssl.SSLContext) -> smtplib.SMTP:
    if cfg.security == "tls":
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
    client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    try:
        client.ehlo()
        if not client.has_extn("starttls"):
            raise SendError(f"{cfg.describe()} does not offer STARTTLS; a referral is never sent in plain "
                            "text. Check the server settings.", temporary=False)
        client.starttls(context=context)
        client.ehlo()
    except BaseException:
        client.close()
        raise
    return client


def _deliver(cfg, envelope_from, recipient, message, password, context):
    client = _connect(cfg, context)
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


def deliver(cfg: SmtpConfig, envelope_from: str, recipient: str, message: bytes, *,
            password: str | None = None, context: ssl.SSLContext | None = None) -> None:
    """Send ``message`` (exact bytes, so a retry is the same message) or raise SendError."""
    if not cfg.configured:
        raise SendError("no mail server is set up for sending referrals (see 'referral settings')", temporary=True)
    context = context or tls_context(cfg)
    where = cfg.describe()
    try:
        _deliver(cfg, envelope_from, recipient, message, password, context)
    except SendError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise SendError(f"the certificate of {where} could not be verified ({exc.verify_message}); "
                        "not sent", temporary=False) from None
    except ssl.SSLError as exc:
        raise SendError(f"a secure (TLS) connection to {where} failed ({exc.reason or exc}); not sent",
                        temporary=False) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{where} did not accept the user name or password ({exc.smtp_code})",
                        temporary=False) from None
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
            raise SendError(f"{where} did not answer in time; will try again", temporary=True) from None
        raise SendError(f"{where} closed the connection; will try again", temporary=True) from None
    except TimeoutError:  # socket.timeout is TimeoutError
        raise SendError(f"{where} did not answer in time; will try again", temporary=True) from None
    except smtplib.SMTPException as exc:  # (before OSError: SMTPException is one)
        raise SendError(f"sending via {where} failed ({exc})", temporary=True) from None
    except OSError as exc:  # refused, unreachable, no network, unknown host
        raise SendError(f"could not reach {where} ({exc.strerror or exc}); will try again",
                        temporary=True) from None
