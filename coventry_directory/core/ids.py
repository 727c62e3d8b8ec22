"""Deterministic HSDS identifiers: the same source key always gives the same UUID."""

from __future__ import annotations

import re
import uuid

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "coventry-directory")


def stable_id(kind: str, *parts: object) -> str:
    """A UUID string derived from what a record is, e.g. ``stable_id("service", key)``."""
    name = ":".join([kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(_NAMESPACE, name))


_CANONICAL = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def looks_like_uuid(text: str) -> bool:
    """True when ``text`` parses as a UUID."""
    if isinstance(text, str) and _CANONICAL.fullmatch(text):
        return True  # the usual spelling, without building a UUID object (a feed has millions of ids)
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
