"""Field by field for ``oruk1``: which ORUK 1.0 field becomes which HSDS 3.0 field, and value repairs.

The tables give, per ORUK 1.0 object, ``1.0 name -> (3.0 name, kind)``. The kind says what
the value must become (text, a number, an ISO date, a clock time, an email address, a
boolean), or ``-``: a nested list or object the converter deals with itself. Values arrive
as live feeds publish them, so each coercion repairs what it can and says so in a warning
with the value's JSON path: null and empty text are left out (HSDS has no null, and an
empty string says nothing), ``"18"`` becomes 18 where HSDS wants a number, a number becomes
text where HSDS wants text, ``DD/MM/YYYY`` becomes ``YYYY-MM-DD``. A value that cannot be
repaired is left out - except an unreadable date or time, which is kept as given: without
its ``valid_to`` a schedule would be valid for ever, while with it the schedule reads as
"not known", which is the truth.

Field names come from the published ORUK 1.0 data package (OpenReferralUK/human-services,
``US-UK-Integration/openref-output.json`` and ``Schemas/all.tableschema.json``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TypeGuard

from babel import Locale
from babel.core import get_global

from coventry_directory.core.ids import looks_like_uuid, stable_id
from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.hsds_schema import property_names


def _table(spec: str) -> dict[str, tuple[str, str]]:
    """``"text: a b>c; date: d"`` -> ``{a: (a, text), b: (c, text), d: (d, date)}`` (1.0 -> 3.0 name, kind)."""
    out = {}
    for group in spec.split(";"):
        kind, names = group.split(":")
        for name in names.split():
            old, _, new = name.partition(">")
            out[old] = (new or old, kind.strip())
    return out


_SCHEDULES = "regular_schedules holiday_schedules"
# deliverable_type and the two attending_* fields have no HSDS 3.0 home: they keep their own
# names, as extension fields (the flattener keeps them).
SERVICE = _table(
    "text: name alternate_name description url fees accreditations interpretation_services application_process"
    " wait_time licenses deliverable_type attending_type attending_access; email: email; date: assured_date;"
    f" -: status organization contacts service_at_locations eligibilitys service_areas languages cost_options"
    f" fundings service_taxonomys {_SCHEDULES}"
)
ORGANIZATION = _table(
    "text: name alternate_name description url>website logo uri tax_status tax_id legal_status;"
    " email: email; number: year_incorporated"
)
ELIGIBILITY = _table("text: eligibility; number: minimum_age maximum_age")
TAXONOMY = _table("text: name vocabulary>taxonomy code description; -: parent parent_id")
LINK = _table("-: taxonomy link_type taxonomy_detail")
LOCATION = _table(
    "text: name alternate_name description transportation; number: latitude longitude;"
    f" -: physical_addresses postal_addresses accessibility_for_disabilities languages {_SCHEDULES}"
)
_ADDRESS = _table("text: attention address_1 address_2 address_3 address_4 city region state_province postal_code")
_ADDRESS |= _table("text: country uprn")  # address_3/4 are joined onto address_2; uprn goes to the location
# The list properties of 1.0 objects: 1.0 key -> (HSDS 3.0 table, fields)
LISTS = {
    "contacts": ("contact", _table("text: name title department; email: email; -: phones")),
    "phones": ("phone", _table("phone: number; number: extension; text: type description; -: language")),
    "service_at_locations": ("service_at_location", _table(f"text: description; -: location {_SCHEDULES}")),
    "physical_addresses": ("address", _ADDRESS),
    "postal_addresses": ("address", _ADDRESS),
    "accessibility_for_disabilities": ("accessibility", _table("text: accessibility>description details")),
    "regular_schedules": (
        "schedule",
        _table(
            "time: opens_at closes_at; date: valid_from valid_to dtstart; number: interval; text: description;"
            " -: weekday byday freq bymonthday"
        ),
    ),
    "holiday_schedules": (
        "schedule",
        _table("bool: closed; time: opens_at closes_at; date: start_date>valid_from end_date>valid_to"),
    ),
    "service_areas": ("service_area", _table("text: service_area>name name description extent type>extent_type uri")),
    "languages": ("language", _table("text: language>name")),
    "cost_options": (
        "cost_option",
        _table("text: option amount_description currency; date: valid_from valid_to; -: amount"),
    ),
    "fundings": ("funding", _table("text: source")),
}
# Where two 1.0 tables meet in one 3.0 table, the ids of the first are prefixed with its name.
PREFIX = {
    "holiday_schedules": "holiday_schedule",
    "postal_addresses": "postal_address",
    "link_taxonomies": "link_taxonomy",
}
# A 1.0 object may repeat foreign keys the nesting already says: they are set from the nesting.
_FK = (
    "service organization location contact service_at_location phone taxonomy link eligibility service_area cost_option"
)
FOREIGN_KEYS = frozenset({"id", "link_taxonomies", *(f"{name}_id" for name in _FK.split())})
DROPPED = {"reviews": "ORUK 1.0 reviews have no HSDS 3.0 home: dropped"}

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NAMES = "monday mon|tuesday tue tues|wednesday wed|thursday thu thur thurs|friday fri|saturday sat|sunday sun"
_DAY_NAMES = {n: c for c, names in zip(DAY_CODES, _NAMES.split("|"), strict=True) for n in [*names.split(), c.lower()]}
_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)"
_TIME = re.compile(r"(?:\d{4}-\d{2}-\d{2}[T ])?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass
class Report:
    """What a conversion found: problems that make the record unusable, and warnings."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def fail(self, path: str, message: str) -> None:
        """Record a problem that makes the record unusable."""
        self.problems.append(Problem(path, message))

    def warn(self, path: str, message: str) -> None:
        """Record something repaired or dropped."""
        self.warnings.append(Problem(path, message))


def copy_fields(src: dict, table: str | None, fields: dict, out: dict, path: str, rep: Report) -> None:
    """Copy and repair the scalar fields of ``src`` into ``out``, and keep or drop unknown ones."""
    hsds = set(property_names(table)) if table else set()
    for key, raw in src.items():
        where, (target, kind) = f"{path}.{key}", fields.get(key, ("", ""))
        if key in FOREIGN_KEYS or kind == "-":
            continue
        if kind:
            value = COERCE[kind](raw, where, rep)
            if value is not None:
                out[target] = value
        elif key in DROPPED:
            rep.warn(where, DROPPED[key])
        elif raw is None or raw == "":
            rep.warn(where, "is null: left out" if raw is None else "is empty: left out")
        elif table is None:
            rep.warn(where, "is not an ORUK 1.0 field, and this object has no HSDS 3.0 counterpart: dropped")
        elif key in hsds or isinstance(raw, dict | list):
            rep.warn(where, "is not an ORUK 1.0 field this converter knows: dropped")
        else:
            out[key] = raw
            rep.warn(where, "is not an ORUK 1.0 field: kept as an extension field")


def items_of(holder: dict, key: str, path: str, rep: Report) -> list[tuple[dict, str, int]] | None:
    """The objects of a list property with their paths; None when the list is absent or unusable."""
    if key not in holder:
        return None
    raw, where = holder[key], f"{path}.{key}"
    if raw is None:
        rep.warn(where, "is null: left out")
    if not isinstance(raw, list):
        if raw is not None:
            rep.fail(where, f"is {describe(raw)}, not a list")
        return None
    found = []
    for n, item in enumerate(raw):
        if item is None:
            rep.warn(f"{where}[{n}]", "is null: left out")
        elif not isinstance(item, dict):
            rep.fail(f"{where}[{n}]", f"is {describe(item)}, not an object")
        else:
            found.append((item, f"{where}[{n}]", n))
    return found


def object_of(holder: dict, key: str, path: str, rep: Report) -> dict | None:
    """The object under ``key``; None (with a warning or a problem) when it is absent, null or not one."""
    raw = holder.get(key)
    if raw is None and key in holder:
        rep.warn(f"{path}.{key}", "is null: left out")
    elif raw is not None and not isinstance(raw, dict):
        rep.fail(f"{path}.{key}", f"is {describe(raw)}, not an object")
    return raw if isinstance(raw, dict) else None


def child_id(item: dict, path: str, rep: Report, parent: str, key: str, n: int) -> str:
    """A child's own id (see ``PREFIX``), or a stable one from its parent's id and its position."""
    got = ident(item.get("id"), f"{path}.id", rep)
    if got is None:
        got = stable_id("oruk1", parent, key, n)
        rep.warn(f"{path}.id", f"is missing: given the stable id {got}, from its parent's id and position")
    elif key in PREFIX and not looks_like_uuid(got):
        got = f"{PREFIX[key]}:{got}"
    return got


def require(out: dict, keys: tuple[str, ...], path: str, rep: Report) -> None:
    """Give each text field HSDS 3.0 requires an empty value when it is missing, with a warning."""
    for key in [k for k in keys if k not in out]:
        out[key] = ""
        rep.warn(f"{path}.{key}", "is missing: HSDS 3.0 requires it, so it is left empty (not known)")


def is_number(raw: object) -> TypeGuard[int | float]:
    """True for a finite JSON number (``True`` is not one, though Python says it is an int)."""
    return (isinstance(raw, int) and not isinstance(raw, bool)) or (isinstance(raw, float) and math.isfinite(raw))


def _plain(num: float) -> int | float:
    return int(num) if isinstance(num, float) and num.is_integer() and abs(num) < 1e15 else num


def _whole(num: int | float) -> bool:
    return isinstance(num, int) or num.is_integer()


def text(raw: object, path: str, rep: Report, *, phone: bool = False) -> str | None:
    """``raw`` as stripped text; None (with a warning) when there is no usable text."""
    if is_number(raw):
        shown = str(_plain(raw))
        note = " (a number cannot start with 0: check that none was lost)" if phone else ""
        rep.warn(path, f"is the number {shown}, not text: kept as the text {shown!r}{note}")
        return shown
    value = raw.strip() if isinstance(raw, str) else None
    if not value:
        rep.warn(path, _left_out(raw, "text"))
    return value or None


def number(raw: object, path: str, rep: Report) -> int | float | None:
    """``raw`` as a number; text holding a number is converted, with a warning."""
    if is_number(raw):
        return raw
    value = raw.strip() if isinstance(raw, str) else None
    if value is None or not re.fullmatch(_NUMBER, value):
        rep.warn(path, _left_out(raw, "a number"))
        return None
    num = _plain(float(value))
    rep.warn(path, f"is the text {value!r}: used as the number {num}")
    return num


def iso_date(raw: object, path: str, rep: Report) -> str | None:
    """``raw`` as ``YYYY-MM-DD``; a UK ``DD/MM/YYYY`` or a date-time is converted, with a warning."""
    value = text(raw, path, rep)
    if value is None or _valid_date(value):
        return value
    uk = _UK_DATE.fullmatch(value)
    repaired = _valid_date(f"{uk.group(3)}-{int(uk.group(2)):02d}-{int(uk.group(1)):02d}" if uk else value[:10])
    if repaired and (uk or value[10:11] in ("T", " ")):
        rep.warn(path, f"is {value!r}: used as the date {repaired}")
        return repaired
    rep.warn(path, f"is {value!r}, not a date (YYYY-MM-DD): kept as given, so it will read as not known")
    return value


def _valid_date(value: str) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def clock(raw: object, path: str, rep: Report) -> str | None:
    """``raw`` as ``HH:MM`` or ``HH:MM:SS``; a date-time's time part is taken, with a warning."""
    value = text(raw, path, rep)
    match = _TIME.fullmatch(value or "")
    if value is None or not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        if value is not None:
            rep.warn(path, f"is {value!r}, not a time (HH:MM): kept as given, so it will read as not known")
        return value
    hours, minutes, seconds = match.groups()
    tidy = f"{int(hours):02d}:{minutes}" + (f":{seconds}" if seconds else "")
    if tidy != value:
        rep.warn(path, f"is {value!r}: used as the time {tidy}")
    return tidy


def email(raw: object, path: str, rep: Report) -> str | None:
    """``raw`` when it is an email address (it holds an @), else None with a warning."""
    value = text(raw, path, rep)
    if value is not None and "@" not in value:
        rep.warn(path, f"is {value!r}, not an email address: left out")
        return None
    return value


def boolean(raw: object, path: str, rep: Report) -> bool | None:
    """``raw`` as true/false; ``"true"``, ``"no"``, 1 and 0 are read too, with a warning."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower() if isinstance(raw, str) or is_number(raw) else ""
    if word in _TRUE or word in _FALSE:
        rep.warn(path, f"is {raw!r}, not true or false: read as {str(word in _TRUE).lower()}")
        return word in _TRUE
    rep.warn(path, _left_out(raw, "true or false"))
    return None


def amount(raw: object, path: str, rep: Report) -> tuple[int | float | None, bool, str | None]:
    """(amount, written in pounds, words): ``"£5.00"`` is 5 in pounds; ``"Free"`` is words, not an amount."""
    value = raw.strip() if isinstance(raw, str) else ""
    if value[:1] == "£" and re.fullmatch(_NUMBER, value[1:].strip()):
        num = _plain(float(value[1:].strip()))
        rep.warn(path, f"is the text {value!r}: used as the amount {num}, in pounds (GBP)")
        return num, True, None
    if value and not re.fullmatch(_NUMBER, value):
        return None, False, value
    return number(raw, path, rep), False, None


def ident(raw: object, path: str, rep: Report) -> str | None:
    """``raw`` as an id string; an integer id becomes its text, with a warning. None if unusable."""
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if is_number(raw) and _whole(raw):
        value = str(_plain(raw))
        rep.warn(path, f"is the number {value}: used as the text id {value!r}")
        return value
    return None


def weekday(raw: object, path: str, rep: Report) -> str | None:
    """The RFC 5545 day code (MO..SU) of a 1.0 ``weekday``: a day name, or a number (1 = Monday)."""
    word = str(raw).strip().lower() if isinstance(raw, str) or is_number(raw) else ""
    if word in _DAY_NAMES:
        return _DAY_NAMES[word]
    if re.fullmatch(r"[0-7](\.0+)?", word):
        day = int(float(word))
        code, rule = (DAY_CODES[day - 1], "ISO 8601: 1 = Monday") if day else ("SU", "0 = Sunday, counting from Sunday")
        rep.warn(
            path, f"is the day number {raw!r}: read as {code} ({rule}; ORUK 1.0 does not say how days are numbered)"
        )
        return code
    rep.warn(path, _left_out(raw, "a day of the week"))
    return None


def byday(raw: object, path: str, rep: Report) -> str | None:
    """A 1.0 ``byday`` (``"MO,WE"``, ``"Monday Wednesday"``, ``"1MO"``) as RFC 5545 codes."""
    value = text(raw, path, rep)
    tokens = [re.fullmatch(r"([+-]?[1-5])?([a-z]+)", t) for t in re.split(r"[\s,;]+", (value or "").lower()) if t]
    if value is None or not all(m and m.group(2) in _DAY_NAMES for m in tokens):
        if value is not None:
            rep.warn(path, f"is {value!r}, not days of the week: left out")
        return None
    tidy = ",".join((m.group(1) or "") + _DAY_NAMES[m.group(2)] for m in tokens if m)
    if tidy != value:
        rep.warn(path, f"is {value!r}: used as the RFC 5545 days {tidy!r}")
    return tidy


def bymonthday(raw: object, path: str, rep: Report) -> str | None:
    """A 1.0 ``bymonthday`` (a number, or text such as ``"1,15"``) as HSDS 3.0's text form."""
    # HSDS 3.0 writes this field as text, so a whole number here needs no warning
    value = str(int(raw)) if is_number(raw) and _whole(raw) else text(raw, path, rep)
    days = [t for t in re.split(r"[\s,]+", value or "") if t]
    if value is not None and not all(re.fullmatch(r"[+-]?\d{1,2}", t) and 0 < abs(int(t)) <= 31 for t in days):
        rep.warn(path, f"is {value!r}, not days of the month: left out")
        return None
    return ",".join(str(int(t)) for t in days) or None


def language_fields(name: str) -> dict:
    """``name`` and ``code`` of a language: a name that is an ISO 639 code ('pl', 'pol') gets its English name."""
    known, aliases, word = Locale("en").languages, get_global("language_aliases"), name.lower()
    base = word if word in known else aliases.get(word, "") if len(word) == 3 else ""
    if 2 <= len(word) <= 3 and word.isalpha() and base in known and "_" not in base:
        return {"name": known[base], "code": word}
    return {"name": name}


def _left_out(raw: object, what: str) -> str:
    if raw is None:
        return "is null: left out"
    if isinstance(raw, str):
        return f"is {raw.strip()!r}, not {what}: left out" if raw.strip() else "is empty: left out"
    return f"is {describe(raw)}, not {what}: left out"


def describe(raw: object) -> str:
    """A JSON value's kind in words, for messages: 'an object', 'a list', 'text', 'a number', 'true'."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    kinds = ((dict, "an object"), (list, "a list"), (str, "text"), (int | float, "a number"))
    return next((word for kind, word in kinds if isinstance(raw, kind)), "null" if raw is None else type(raw).__name__)


COERCE = {
    "text": text,
    "phone": lambda raw, path, rep: text(raw, path, rep, phone=True),
    "number": number,
    "date": iso_date,
    "time": clock,
    "email": email,
    "bool": boolean,
}
