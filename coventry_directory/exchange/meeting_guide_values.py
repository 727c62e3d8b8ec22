"""Reading one Meeting Guide meeting's values: repairs that keep it, faults that skip it.

Part of :mod:`coventry_directory.exchange.meeting_guide`. The spec
(github.com/code4recovery/spec, README.md) says what each field holds: ``day`` 0-6 from
Sunday (or a list of them), ``time`` and ``end_time`` "HH:MM" on a 24-hour clock,
``updated`` "YYYY-MM-DD HH:MM:SS" in UTC, ``latitude`` / ``longitude`` numbers, ``types``
a list of codes. Feeds stray from it in ways that can be read without guessing ("1" for
1, "7:30 PM", "19:30:00", "52.4" for 52.4); each such repair is reported as a warning
with the field's path. A value that cannot be read that way raises :class:`Unreadable`,
and the caller skips that meeting: a meeting time is never guessed.

The type codes' English labels are in ``resources/meeting-guide/types.toml`` (copied from
the spec's ``data/types.json``), read once through :func:`resource_path`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from coventry_directory.core.text import clean_text
from coventry_directory.resources import resource_path

# byday codes by Meeting Guide day number: the spec's day 0 is Sunday.
DAY_CODES = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_TWELVE_HOUR = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*m\.?", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"(\d{2})(\d{2})")
_SPEC_CLOCK = re.compile(r"\d{2}:\d{2}")
_SPEC_UPDATED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


class Unreadable(ValueError):
    """A value that cannot be read without guessing: the meeting holding it is skipped."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


Warn = Callable[[str, str], None]


def _number(value: Any) -> bool:
    # bool is an int in Python, but true is not a day, a coordinate or a count in JSON
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    # int(inf) would raise, and float() of a 400-digit JSON integer too: ask each type its own way
    if isinstance(value, float):
        return value.is_integer()
    return _number(value)


class MeetingValues:
    """The values of one meeting (nulls already removed), read with repairs reported to ``warn``.

    ``path`` is the meeting's JSON path (``$[12]``); warnings and :class:`Unreadable` carry
    ``path.field``.
    """

    def __init__(self, meeting: dict, path: str, warn: Warn):
        self.meeting = meeting
        self.path = path
        self._warn = warn
        self._said: set[tuple[str, str]] = set()  # a field read twice is reported once

    def at(self, key: str) -> str:
        """The JSON path of one field of this meeting."""
        return f"{self.path}.{key}"

    def warn(self, key: str, message: str) -> None:
        """Report a repair (or a value left out) at one field."""
        if (key, message) not in self._said:
            self._said.add((key, message))
            self._warn(self.at(key), message)

    def text(self, key: str) -> str | None:
        """A text field, stripped; empty is absent; a number is read as its digits."""
        value = self.meeting.get(key)
        if value is None:
            return None
        if _number(value):
            self.warn(key, f"is the number {value!r}, not text; read as {str(value)!r}")
            value = str(value)
        if not isinstance(value, str):
            self.warn(key, f"is {_kind(value)}, not text; left out")
            return None
        cleaned = clean_text(value).strip()
        if cleaned != value.strip():
            self.warn(key, "holds characters no file can store (lone surrogates); each became U+FFFD")
        return cleaned or None

    def days(self) -> list[int]:
        """The meeting's days (0 = Sunday), sorted; empty for a "by appointment" meeting."""
        value = self.meeting.get("day")
        if value is None or value == "":
            return []
        items = value if isinstance(value, list) else [value]
        days: list[int] = []
        for n, item in enumerate(items):
            where = f"day[{n}]" if isinstance(value, list) else "day"
            day = self._day(item, where)
            if day in days:
                self.warn(where, f"repeats day {day}; listed once")
            else:
                days.append(day)
        return sorted(days)

    def _day(self, item: Any, where: str) -> int:
        if _whole(item) and 0 <= item <= 6:
            if isinstance(item, float):
                self.warn(where, f"is {item!r}; read as day {int(item)}")
            return int(item)
        if isinstance(item, str):
            text = item.strip()
            if text.isdigit() and 0 <= int(text) <= 6:
                self.warn(where, f"is the text {item!r}, not a number; read as day {int(text)}")
                return int(text)
            if text.lower() in _DAY_NAMES:
                day = _DAY_NAMES.index(text.lower())
                self.warn(where, f"is the day name {item!r}, not a number; read as day {day}")
                return day
        raise Unreadable(self.at(where), f"{item!r} is not a day (0-6, 0 = Sunday)")

    def clock(self, key: str, *, ending: bool = False) -> str | None:
        """A time as "HH:MM" (24-hour); absent is None. Raises Unreadable when it cannot be read.

        ``ending`` allows "24:00" (the end of the day), written "00:00" as the spec's feeds do.
        """
        value = self.meeting.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise Unreadable(self.at(key), f'{value!r} is not a time (the spec\'s form is "HH:MM")')
        text = value.strip()
        parsed = _read_clock(text, ending)
        if parsed is None:
            raise Unreadable(self.at(key), f'{value!r} is not a time that can be read (the spec\'s form is "HH:MM")')
        if not _SPEC_CLOCK.fullmatch(text) or text != parsed:
            self.warn(key, f'is {value!r}, not "HH:MM"; read as {parsed}')
        return parsed

    def end_time(self, opens: str | None) -> str | None:
        """``end_time`` as "HH:MM", or None (with a warning) when it cannot be read or used.

        A meeting is listed without an end rather than skipped for one: only its start is needed.
        """
        try:
            closes = self.clock("end_time", ending=True)
        except Unreadable as exc:
            self.warn("end_time", f"{exc.message}; the end time was left out")
            return None
        if closes is not None and opens is not None:
            minutes = (_minutes(closes) - _minutes(opens)) % (24 * 60)
            # An end at the start, or more than 12 hours on ("19:00" to "18:00"), would make a
            # 24- or 23-hour meeting: a mistake in the feed, not a meeting open all day.
            if minutes == 0 or minutes > 12 * 60:
                self.warn("end_time", f"{closes} is not a plausible end for a meeting starting at {opens}; left out")
                return None
        return closes

    def coordinates(self) -> tuple[float, float] | None:
        """(latitude, longitude) when both are given and on the globe; otherwise None, with a warning."""
        lat = self._coordinate("latitude", 90)
        lon = self._coordinate("longitude", 180)
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            self.warn(
                "latitude" if lat is None else "longitude",
                "is missing while the other coordinate is given; both left out",
            )
            return None
        if lat == 0 and lon == 0:
            # 0,0 lies in the Gulf of Guinea: it is a placeholder, not a meeting place
            self.warn("latitude", "latitude and longitude are both 0 (a placeholder); left out")
            return None
        return lat, lon

    def _coordinate(self, key: str, limit: float) -> float | None:
        value = self.meeting.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            self.warn(key, f"is the text {value!r}, not a number; read as {float(value)}")
            value = float(value)
        if not _number(value) or not -limit <= value <= limit:
            self.warn(key, f"{value!r} is not a {key} (-{limit} to {limit}); left out")
            return None
        return float(value)

    def url(self, key: str) -> str | None:
        """A web address (http or https, with a host); anything else is left out with a warning."""
        text = self.text(key)
        if text is None:
            return None
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
            self.warn(key, f"{text!r} is not a web address (http or https); left out")
            return None
        return text

    def email(self, key: str) -> str | None:
        """An email address; text that is not one is left out with a warning."""
        text = self.text(key)
        if text is not None and not _EMAIL.fullmatch(text):
            self.warn(key, f"{text!r} is not an email address; left out")
            return None
        return text

    def flag(self, key: str) -> bool | None:
        """A yes/no field such as ``approximate`` ("yes"/"no", or true/false); None when not said."""
        value = self.meeting.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "true", "no", "false"):
            return value.strip().lower() in ("yes", "true")
        if value is not None and value != "":
            self.warn(key, f'{value!r} is not "yes" or "no"; left out')
        return None

    def types(self) -> list[str]:
        """The type codes in the feed's order, each once."""
        value = self.meeting.get("types")
        if value is None or value == "":
            return []
        if isinstance(value, str):
            # the spec's Google Sheet form separates codes with commas
            value = [part for part in value.split(",") if part.strip()]
            self.warn("types", f"is text, not a list; read as the codes {[v.strip() for v in value]}")
        if not isinstance(value, list):
            self.warn("types", f"is {_kind(value)}, not a list of codes; left out")
            return []
        codes: list[str] = []
        for n, item in enumerate(value):
            code = item.strip() if isinstance(item, str) else None
            if _whole(item):
                code = str(int(item))
                self.warn(f"types[{n}]", f"is the number {item!r}, not text; read as the code {code!r}")
            if not code:
                self.warn(f"types[{n}]", f"{item!r} is not a type code; left out")
            elif code in codes:
                self.warn(f"types[{n}]", f"repeats the code {code!r}; listed once")
            else:
                codes.append(clean_text(code))
        return codes

    def timestamp(self, key: str) -> str | None:
        """``updated`` as an ISO 8601 date-time; the spec's "YYYY-MM-DD HH:MM:SS" is UTC."""
        text = self.text(key)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text) if len(text) > 10 else None
        except ValueError:
            moment = None
        if moment is None:
            self.warn(key, f'{text!r} is not a date and time ("YYYY-MM-DD HH:MM:SS"); left out')
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # the spec says updated is UTC
        if not _SPEC_UPDATED.fullmatch(text):
            self.warn(key, f'is {text!r}, not "YYYY-MM-DD HH:MM:SS"; read as {_iso(moment)}')
        return _iso(moment)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _read_clock(text: str, ending: bool) -> str | None:
    """The time as "HH:MM" for each form feeds use, or None."""
    lowered = text.lower()
    if lowered == "noon":
        return "12:00"
    if lowered == "midnight":
        return "00:00"
    twelve = _TWELVE_HOUR.fullmatch(text)
    if twelve:
        hour, minute = int(twelve.group(1)), int(twelve.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59 or int(twelve.group(3) or 0) > 59:
            return None
        hour = hour % 12 + (12 if twelve.group(4).lower() == "p" else 0)
        return f"{hour:02d}:{minute:02d}"
    match = _CLOCK.fullmatch(text) or _FOUR_DIGITS.fullmatch(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0) if match.re is _CLOCK else 0
    if ending and (hour, minute, seconds) == (24, 0, 0):
        return "00:00"
    if hour > 23 or minute > 59 or seconds > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "true or false"}.get(type(value), type(value).__name__)


@lru_cache(maxsize=1)
def _type_tables() -> dict[str, dict[str, str]]:
    with open(resource_path("meeting-guide", "types.toml"), "rb") as fh:
        return tomllib.load(fh)


def spec_types() -> dict[str, str]:
    """The spec's type codes and their English labels, in the spec's order."""
    return dict(_type_tables()["types"])


def retired_types() -> dict[str, str]:
    """Codes the spec listed until 2022 that feeds still send (``ONL``, ``NS``) and their labels."""
    return dict(_type_tables()["retired"])


def type_label(code: str) -> str:
    """The English label of a meeting type code (``"W"`` -> ``"Women"``); an unknown code is itself."""
    tables = _type_tables()
    return tables["types"].get(code) or tables["retired"].get(code) or code
