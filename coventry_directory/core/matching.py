"""When two sources describe the same service: the keys that say so.

Two records are the same service when they have the same id, or when the same
organisation runs a service of the same name at the same postcode or on the same phone
number. Names are compared as folded words ("CGL - Rugby Hub" = "cgl rugby hub"), postcodes
without spaces and in capitals, phone numbers as their last ten digits (so "+44 24 7601
0241" and "024 7601 0241" agree). A record with no postcode and no phone has no key: a
name alone is not enough to call two services one.
"""

from __future__ import annotations

from collections.abc import Iterable

from coventry_directory.core.text import words

_PHONE_DIGITS = 10  # UK national numbers without the leading 0 or +44


def plain_words(text: str | None) -> str:
    """A name as folded words only ("CGL - Rugby Hub" -> "cgl rugby hub"), for comparing names."""
    return " ".join(words(text or "", bounded=False))


def postcode_key(text: str | None) -> str:
    """A postcode as one comparable token ('' for none)."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def phone_key(text: str | None) -> str:
    """The last ten digits of a phone number ('' when it has fewer than eight digits)."""
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    return digits[-_PHONE_DIGITS:] if len(digits) >= 8 else ""


def match_keys(org: str, svc: str, postcodes: Iterable[str | None], phones: Iterable[str | None]) -> set[str]:
    """The keys under which this service would be the same as another source's (empty: none).

    ``org`` and ``svc`` are the organisation's and the service's names as :func:`plain_words`
    (a merge has them already, for every service of both sides).
    """
    if not svc:
        return set()
    keys = {f"{org}|{svc}|pc:{pc}" for pc in map(postcode_key, postcodes) if pc}
    keys |= {f"{org}|{svc}|tel:{tel}" for tel in map(phone_key, phones) if tel}
    return keys
