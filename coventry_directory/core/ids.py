"""Deterministic HSDS identifiers: the same source key always gives the same UUID."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "coventry-directory")


def stable_id(kind: str, *parts: object) -> str:
    """A UUID string derived from what a record is, e.g. ``stable_id("service", key)``."""
    name = ":".join([kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(_NAMESPACE, name))


def looks_like_uuid(text: str) -> bool:
    """True when ``text`` parses as a UUID."""
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
