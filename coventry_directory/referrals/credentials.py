"""Secrets: the mail server password and the outbox key, kept only in the OS keyring.

Nothing secret is ever written to a file by this app. Where no keyring backend exists (a
headless Linux box, a locked-down workstation) the password is asked for each time it is
needed and forgotten afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import keyring
import keyring.errors

SMTP_KEYRING_SERVICE = "coventry-directory-smtp"

# Asks the person for a password; returns None when they cancel (or cannot be asked).
Ask = Callable[[str], "str | None"]


def keyring_usable() -> bool:
    """True when a real keyring backend is present (not the 'fail' or 'null' stand-ins)."""
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False
    module = type(backend).__module__
    if module.endswith((".fail", ".null")):
        return False
    try:
        return float(getattr(backend, "priority", 1)) > 0
    except Exception:
        return False


def keyring_get(service: str, name: str) -> str | None:
    """A secret from the keyring, or None when there is none or no keyring."""
    if not keyring_usable():
        return None
    try:
        return keyring.get_password(service, name)
    except keyring.errors.KeyringError:
        return None


def keyring_set(service: str, name: str, secret: str) -> bool:
    """Keep a secret in the keyring; False when there is no keyring (nothing is written elsewhere)."""
    if not keyring_usable():
        return False
    try:
        keyring.set_password(service, name, secret)
        return True
    except keyring.errors.KeyringError:
        return False


def smtp_password(username: str, ask: Ask | None, *, host: str = "") -> str | None:
    """The mail server password: from the keyring, else asked for now (None if not given)."""
    stored = keyring_get(SMTP_KEYRING_SERVICE, f"{username}@{host}")
    if stored is not None:
        return stored
    if ask is None:
        return None
    return ask(f"Password for {username} on {host or 'the mail server'}")


def remember_smtp_password(username: str, password: str, *, host: str = "") -> bool:
    """Offer the password to the keyring; False (and nothing stored) when there is none."""
    return keyring_set(SMTP_KEYRING_SERVICE, f"{username}@{host}", password)
