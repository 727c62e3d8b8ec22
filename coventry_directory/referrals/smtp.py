"""The referral mail settings, and sending one referral through the shared SMTP client.

The server is configurable (e.g. a secure NHS mail relay) and its settings live in the
user's database settings; the password never does (see ``credentials.py``). The sending
itself - TLS only, certificates checked, every failure a :class:`SendError` that says
whether trying again later may help - is :mod:`coventry_directory.smtp_client`'s, shared
with the correction notes; this module adds where the settings are kept and what a
referral user is told when none are set up.
"""

from __future__ import annotations

from dataclasses import fields

from coventry_directory import smtp_client
from coventry_directory.smtp_client import SECURITY_MODES, SendError, SmtpConfig, tls_context
from coventry_directory.store.user import UserStore

SETTING_PREFIX = "referrals.smtp."

__all__ = [
    "SECURITY_MODES",
    "SETTING_PREFIX",
    "SendError",
    "SmtpConfig",
    "deliver",
    "load_config",
    "save_config",
    "tls_context",
]


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


def deliver(
    cfg: SmtpConfig, envelope_from: str, recipient: str, message: bytes, *, password: str | None = None
) -> None:
    """Send one referral email through :func:`smtp_client.deliver`, or raise SendError.

    Adds only what is the referrals' own: a relay that is not set up is a temporary failure
    (the referral waits in the outbox) with a pointer to ``referral settings``.
    """
    if not cfg.configured:
        raise SendError("no mail server is set up for sending referrals (see 'referral settings')", temporary=True)
    smtp_client.deliver(cfg, envelope_from, recipient, message, password=password, what="a referral")
