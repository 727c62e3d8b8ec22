"""The mail settings (checked, and saved all at once), and sending one referral through the shared SMTP client.

The server is configurable (e.g. a secure NHS mail relay) and its settings live in the
user's database settings; the password never does (see ``credentials.py``). The sending
itself - TLS only, certificates checked, one deadline for the whole conversation, every
failure a :class:`SendError` that says whether trying again later may help - is
:mod:`coventry_directory.smtp_client`'s, shared with the correction notes; this module
adds where the settings are kept, how they are checked, and what a referral user is told
when none are set up.

:func:`validated_config` is the one check of the settings, used by ``referral settings``
and by the app's Mail settings dialog: every field is checked before anything is saved,
and :func:`save_config` then writes them all in one transaction, so a bad value never
leaves half of a change behind.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

from coventry_directory import smtp_client
from coventry_directory.i18n import _
from coventry_directory.smtp_client import SECURITY_MODES, SendError, SmtpConfig, tls_context
from coventry_directory.store.user import UserStore

SETTING_PREFIX = "referrals.smtp."
MIN_TIMEOUT = 1.0  # seconds: less than this cannot finish a TLS handshake to a real relay
MAX_TIMEOUT = 600.0  # seconds: past ten minutes a worker has long given up waiting
MAX_CA_FILE = 1 << 20  # bytes; a bundle of a few hundred CA certificates is well under this
_MAX_NAME = 253  # the longest DNS name

__all__ = [
    "MAX_TIMEOUT",
    "MIN_TIMEOUT",
    "SECURITY_MODES",
    "SETTING_PREFIX",
    "SendError",
    "SettingsError",
    "SmtpConfig",
    "check_ca_file",
    "deliver",
    "load_config",
    "save_config",
    "tls_context",
    "validated_config",
]


class SettingsError(ValueError):
    """Mail settings that cannot be used: ``problems`` maps each bad field to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def check_ca_file(path_text: str) -> str | None:
    """What is wrong with a CA certificate file (None when it is fine): readable, PEM, certificates."""
    path = Path(path_text).expanduser()
    try:
        if not path.is_file():
            return _("The CA certificate file {path} does not exist or is not a file.").format(path=path)
        if path.stat().st_size > MAX_CA_FILE:
            return _("The CA certificate file {path} is too large to be certificates.").format(path=path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # empty: count only what the file holds
        context.load_verify_locations(cafile=str(path))
    except ssl.SSLError:
        return _("The file {path} holds no PEM certificates (it must be a CA certificate in PEM form).").format(
            path=path
        )
    except OSError as exc:
        return _("The CA certificate file {path} cannot be read ({reason}).").format(
            path=path, reason=exc.strerror or type(exc).__name__
        )
    if not context.cert_store_stats().get("x509"):
        return _("The file {path} holds no certificates.").format(path=path)
    return None


def _parse(name: str, value: object) -> tuple[object, str | None]:
    """One field's value in its proper type, or the problem with it (worded for the user)."""
    text = _text(value)
    if name == "port":
        if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
            return None, _("The port must be a whole number from 1 to 65535 (587 for STARTTLS, 465 for TLS).")
        return int(text), None
    if name == "timeout":
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if isinstance(value, bool) or not math.isfinite(seconds) or not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
            return None, _("The timeout must be a number of seconds from {low:g} to {high:g}.").format(
                low=MIN_TIMEOUT, high=MAX_TIMEOUT
            )
        return seconds, None
    if name == "security":
        if text.lower() not in SECURITY_MODES:
            return None, _("The security must be STARTTLS or TLS (mail is never sent in plain text).")
        return text.lower(), None
    if name == "host":
        if len(text) > _MAX_NAME or _has_control(text) or any(c.isspace() for c in text):
            return None, _("The mail server must be a host name or address, with no spaces.")
        return text, None
    if name == "sender":
        local, at, domain = text.rpartition("@")
        bad = _has_control(text) or any(c.isspace() or c in '<>,;"' for c in text) or len(text) > 254
        if text and (bad or not at or not local or "." not in domain):
            return None, _("The From address must be one email address, such as team@example.nhs.uk.")
        return text, None
    if name == "username":
        if _has_control(text) or len(text) > 256:
            return None, _("The user name must be one line of text.")
        return text, None
    if name == "ca_file":
        if not text:
            return "", None
        problem = check_ca_file(text)
        # kept as an absolute path: the app and later commands run from other folders
        return (None, problem) if problem else (str(Path(text).expanduser().absolute()), None)
    raise KeyError(name)


def validated_config(changes: Mapping[str, object], base: SmtpConfig | None = None) -> SmtpConfig:
    """``base`` (default: the defaults) with ``changes`` applied, every field checked.

    ``changes`` maps SmtpConfig field names to values, typed (from the command line) or as
    text (from the dialog's fields); None means "unchanged". Every field of the result is
    checked, changed or not. Raises :class:`SettingsError` naming every problem at once.
    """
    current = base or SmtpConfig()
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for f in fields(SmtpConfig):
        given = changes.get(f.name)
        value, problem = _parse(f.name, getattr(current, f.name) if given is None else given)
        if problem:
            problems[f.name] = problem
        else:
            values[f.name] = value
    unknown = set(changes) - {f.name for f in fields(SmtpConfig)}
    if unknown:
        raise KeyError(f"not mail settings: {sorted(unknown)}")
    if problems:
        raise SettingsError(problems)
    cfg = SmtpConfig()
    for name, value in values.items():
        setattr(cfg, name, value)
    return cfg


def load_config(user_store: UserStore) -> SmtpConfig:
    """The saved mail settings (defaults where none are saved; a saved value that fails its check falls back too)."""
    defaults = SmtpConfig()
    cfg = SmtpConfig()
    for f in fields(SmtpConfig):
        raw = user_store.get_setting(SETTING_PREFIX + f.name)
        if raw is None:
            continue
        value, problem = _parse(f.name, raw)
        # a hand-edited setting that makes no sense keeps the default (a CA file that has gone
        # keeps its name, so sending fails saying which file, rather than trusting less quietly)
        if problem is None or f.name == "ca_file":
            setattr(cfg, f.name, value if problem is None else raw)
        else:
            setattr(cfg, f.name, getattr(defaults, f.name))
    return cfg


def save_config(user_store: UserStore, cfg: SmtpConfig, extra: Mapping[str, str] | None = None) -> None:
    """Check every mail setting, then save them all (and ``extra`` settings) in one transaction.

    Raises :class:`SettingsError` and saves nothing when any field fails its check. Never a
    password: the dataclass has no field for one.
    """
    checked = validated_config({f.name: getattr(cfg, f.name) for f in fields(SmtpConfig)})
    items = {SETTING_PREFIX + f.name: str(getattr(checked, f.name)) for f in fields(SmtpConfig)}
    user_store.set_settings({**items, **(extra or {})})


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
