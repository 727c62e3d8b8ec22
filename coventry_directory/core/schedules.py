"""Opening hours from HSDS schedule rows: open, closed or not known at a given moment.

Times are naive local UK times: every ``datetime`` passed in or returned is Europe/London
wall-clock time with no tzinfo, which is how services print their hours. Each row is read
into a recurrence rule by :mod:`coventry_directory.core.schedule_rules` (python-dateutil's
``rrule``); England bank holidays come from ``holidays``.

Rules the answers follow (we never guess):

* no schedules, or none that applies on the day -> not known;
* a schedule without usable times (description only, unparseable or under-specified
  recurrence) -> not known, unless another schedule says open;
* a schedule that would be open on an England bank holiday -> not known, except one that
  covers the whole day every day (a 24/7 helpline), which stays open;
* an occurrence belongs to the day it starts on: Friday 23:30-03:30 is open at 01:00
  on Saturday, and it is that Friday's bank-holiday status and validity that count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from coventry_directory.core.models import Schedule
from coventry_directory.core.schedule_rules import DAY, Rule, rule_for
from coventry_directory.i18n import N_, _


class OpenState(StrEnum):
    """Whether a service is open at a moment; UNKNOWN when no trustworthy hours say."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


LOOKAHEAD_DAYS = 60

_WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_MONTH_NAMES = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
_NOT_KNOWN = N_("Opening hours not known")
# Look-behind and look-ahead must stay inside datetime's calendar; beyond it nothing is known.
_FIRST_DAY, _LAST_DAY = date(2, 1, 1), date(9998, 12, 31)


@dataclass
class DayHours:
    """One day of :func:`week_ahead`.

    ``intervals`` are the usual (opens, closes) pairs of occurrences starting that day, as
    "HH:MM" strings; on a bank holiday they are kept but ``state`` says not known.
    """

    date: date
    weekday: str
    intervals: list[tuple[str, str]]
    bank_holiday: str | None
    state: str


@lru_cache(maxsize=1)
def _england_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")


@lru_cache(maxsize=4096)
def bank_holiday(day: date) -> str | None:
    """The England bank holiday's name on ``day``, or None."""
    return _england_holidays().get(day)


def _status(rules: list[Rule], at: datetime) -> tuple[str, str | None, datetime | None]:
    """(state, bank holiday name, end of the covering occurrence) for ``at``."""
    if not _FIRST_DAY <= at.date() <= _LAST_DAY:
        return OpenState.UNKNOWN, None, None
    found_open: datetime | None = None
    holiday = None
    unknown = closed = False
    today = at.date()
    for rule in rules:
        covered = False
        for day in (today - DAY, today):
            if rule.occurs(day):
                start, end = rule.span(day)
                if start <= at < end:
                    covered = True
                    name = None if rule.whole_day else bank_holiday(day)
                    if name:
                        holiday = holiday or name
                    else:
                        found_open = max(found_open or end, end)
        if not covered and rule.applies(today):
            closed |= rule.timed
            unknown |= not rule.timed
    if found_open:
        return OpenState.OPEN, None, found_open
    if holiday:
        return OpenState.UNKNOWN, holiday, None
    return (OpenState.CLOSED if closed and not unknown else OpenState.UNKNOWN), None, None


def open_state(schedules: Sequence[Schedule], at: datetime) -> str:
    """OPEN, CLOSED or UNKNOWN at the naive UK local time ``at``."""
    return _status([rule_for(s) for s in schedules], at)[0]


def _open_spans(rules: list[Rule], first: date, days: int) -> list[tuple[datetime, datetime]]:
    """Known-open (start, end) spans of occurrences starting on ``days`` days from ``first``."""
    spans = []
    for offset in range(days):
        day = first + offset * DAY
        for rule in rules:
            if rule.occurs(day) and (rule.whole_day or not bank_holiday(day)):
                spans.append(rule.span(day))
    return sorted(spans)


def next_opening(schedules: Sequence[Schedule], after: datetime) -> datetime | None:
    """The earliest moment at or after ``after`` (within 60 days) when it is known to be open.

    Returns ``after`` itself when open then; ignores schedules whose hours are not known and
    occurrences on bank holidays (their hours are not known).
    """
    if not _FIRST_DAY <= after.date() <= _LAST_DAY:
        return None
    limit = after + timedelta(days=LOOKAHEAD_DAYS)
    spans = _open_spans([rule_for(s) for s in schedules], after.date() - DAY, LOOKAHEAD_DAYS + 2)
    starts = [max(start, after) for start, end in spans if end > after]
    best = min(starts, default=None)
    return best if best is not None and best <= limit else None


def _weekday(day: date) -> str:
    return _(_WEEKDAY_NAMES[day.weekday()])


def _open_until(rules: list[Rule], at: datetime, end: datetime) -> str:
    # Back-to-back occurrences (a daily 24-hour rule) read as one open stretch.
    for start, stop in _open_spans(rules, at.date(), 9):
        if start <= end < stop:
            end = stop
    if end - at >= timedelta(days=7):
        return _("Open 24 hours")
    if end == datetime.combine(at.date() + DAY, time()):
        return _("Open until midnight")
    if end.date() == at.date():
        return _("Open until {time}").format(time=end.strftime("%H:%M"))
    return _("Open until {day} {time}").format(day=_weekday(end.date()), time=end.strftime("%H:%M"))


def _opens_at(at: datetime, when: datetime | None) -> str:
    if when is None:
        return _("Closed — no opening in the next {days} days").format(days=LOOKAHEAD_DAYS)
    clock, days = when.strftime("%H:%M"), (when.date() - at.date()).days
    if days == 0:
        return _("Closed — opens today {time}").format(time=clock)
    if days == 1:
        return _("Closed — opens tomorrow {time}").format(time=clock)
    if days < 7:
        return _("Closed — opens {day} {time}").format(day=_weekday(when.date()), time=clock)
    return _("Closed — opens {day} {date} {time}").format(
        day=_weekday(when.date()), date=f"{when.day} {_(_MONTH_NAMES[when.month - 1])}", time=clock
    )


def explain_state(schedules: Sequence[Schedule], at: datetime) -> tuple[str, str]:
    """The state at ``at`` plus a short reason, e.g. ("open", "Open until 12:00")."""
    rules = [rule_for(s) for s in schedules]
    state, holiday, end = _status(rules, at)
    if state == OpenState.OPEN and end is not None:
        return state, _open_until(rules, at, end)
    if holiday:
        return state, _("Bank holiday ({name}): hours not known").format(name=holiday)
    if state == OpenState.CLOSED:
        return state, _opens_at(at, next_opening(schedules, at))
    return state, _(_NOT_KNOWN)


def week_ahead(schedules: Sequence[Schedule], start: date) -> list[DayHours]:
    """Seven days of hours from ``start``; each day open, closed or not known.

    Raises ValueError for a start outside years 2-9998 (no seven-day week fits there).
    """
    if not _FIRST_DAY <= start <= _LAST_DAY:
        raise ValueError(f"date out of range: {start}")
    rules = [rule_for(s) for s in schedules]
    week = []
    for offset in range(7):
        day = start + offset * DAY
        holiday = bank_holiday(day)
        todays = sorted((r for r in rules if r.occurs(day)), key=lambda r: (r.opens, r.closes))
        applicable = [r for r in rules if r.applies(day)]
        if any(r.whole_day or not holiday for r in todays):
            state = OpenState.OPEN
        elif todays or not applicable or any(not r.timed for r in applicable):
            state = OpenState.UNKNOWN
        else:
            state = OpenState.CLOSED
        week.append(DayHours(day, _weekday(day), [r.labels for r in todays], holiday, state))
    return week


def record_state(
    schedules: Sequence[Schedule], verification: str | None, evidence_date: str | None, at: datetime
) -> tuple[str, str]:
    """Open state and reason for a service's schedules, honest about old evidence.

    Hours from a source that only describes the past (verification "historic") are shown in
    the details, but never turned into "open now" or "closed now".
    """
    if schedules and verification == "historic":
        when = evidence_date or _("an undated source")
        return OpenState.UNKNOWN, _("Hours last published {when}; current hours not known").format(when=when)
    return explain_state(schedules, at)
