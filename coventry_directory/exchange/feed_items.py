"""What one answer of a feed holds: a list item's id, a detail's service, a page's counts and times.

Pure helpers of ``feed_pull``: each says why an item or answer cannot be used, in words for
the problem list, or gives the value it holds.
"""

from __future__ import annotations

import datetime as dt
import email.utils

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.feed_client import Answer, read_json

GONE = frozenset({404, 410})  # a service listed and deleted before its details were asked for


def detail_of(url: str, sid: str, answer: Answer) -> dict | Problem:
    """The service a detail request answered, or the problem with it; FeedError when the feed failed."""
    if answer.status in GONE:
        return Problem(url, f"answered HTTP {answer.status} {answer.reason}: the service is listed but cannot be read")
    if not answer.ok:
        raise answer.error()
    try:
        full = read_json(answer.body)
    except ValueError as exc:
        return Problem(url, str(exc))
    if not isinstance(full, dict):
        return Problem(url, f"is not a service object (it is JSON {json_kind(full)})")
    if full.get("id") != sid:
        return Problem(url, f"answered the service {full.get('id')!r}, not {sid!r}")
    return full


def unusable(item: object) -> str | None:
    """Why a list item cannot be taken (no id, or one no URL or database can hold), or None."""
    if not isinstance(item, dict):
        return f"is not a service object (it is JSON {json_kind(item)})"
    if "id" not in item:
        return "has no id"
    sid = item["id"]
    if isinstance(sid, int) and not isinstance(sid, bool):
        item["id"] = sid = str(sid)  # ORUK 1.0 feeds number their services; the import makes UUIDs of them
    if not isinstance(sid, str):
        return f"has an id that is not text (JSON {json_kind(sid)})"
    if not sid.strip():
        return "has an empty id"
    if clean_text(sid) != sid:  # a lone surrogate: no URL and no database can hold it
        return "has an id that is not valid text"
    return None


def json_kind(value: object) -> str:
    """How JSON calls the kind of ``value`` (for messages)."""
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")


def count_of(value: object) -> int | None:
    """A count a page states, or None when it is not a whole number of zero or more."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def moment(text: object) -> dt.datetime | None:
    """A time in ISO 8601 (HSDS's) or an HTTP date (a header's), UTC when it names no zone; None when neither."""
    if not isinstance(text, str):
        return None
    for parse in (dt.datetime.fromisoformat, email.utils.parsedate_to_datetime):
        try:
            when = parse(text.strip())
        except (TypeError, ValueError, IndexError):
            continue
        return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return None
