"""Schedule rows parsed into recurrence rules: when each occurrence starts and ends.

:mod:`coventry_directory.core.schedules` answers open, closed or not known from these; this
module only reads HSDS schedule fields (freq, interval, byday, bymonthday, opens_at,
closes_at, validity, dtstart, until) and evaluates the recurrence with python-dateutil's
``rrule``. A row whose hours cannot be computed (missing or unreadable times, an unknown
frequency, a rule that needs a first date it lacks) becomes an untimed :class:`Rule`, never
an error and never a guess. Parses and the days each rule occurs on are cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from dateutil import rrule as rr

from coventry_directory.core.models import Schedule

_FREQS = {"DAILY": rr.DAILY, "WEEKLY": rr.WEEKLY, "MONTHLY": rr.MONTHLY, "YEARLY": rr.YEARLY}
_DAYS = {"MO": rr.MO, "TU": rr.TU, "WE": rr.WE, "TH": rr.TH, "FR": rr.FR, "SA": rr.SA, "SU": rr.SU}
_BYDAY = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """A parsed schedule; ``timed`` False means its hours cannot be computed."""

    timed: bool
    valid_from: date | None = None
    valid_to: date | None = None
    opens: timedelta = timedelta(0)
    closes: timedelta = timedelta(0)  # from the start day's midnight; past 24h = overnight
    labels: tuple[str, str] = ("", "")
    whole_day: bool = False
    freq: int = rr.DAILY
    interval: int = 1
    dtstart: date | None = None
    until: date | None = None
    byweekday: tuple = ()
    bymonthday: tuple[int, ...] = ()

    def applies(self, day: date) -> bool:
        """True when ``day`` is inside the schedule's validity (whether or not it occurs then)."""
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day <= self.valid_to)

    def occurs(self, day: date) -> bool:
        """True when an occurrence with known hours starts on ``day``."""
        return self.timed and self.applies(day) and day in _occurrences(self, day.year)

    def span(self, day: date) -> tuple[datetime, datetime]:
        """(opens, closes) of the occurrence starting on ``day``; an overnight one closes the next day."""
        midnight = datetime.combine(day, time())
        return midnight + self.opens, midnight + self.closes


def _date(text: str | None) -> date | None:
    """An ISO date (a datetime's date part is enough); '' is absent. Raises ValueError."""
    if isinstance(text, date):
        return text
    return date.fromisoformat(text.strip()[:10]) if text and text.strip() else None


def _clock(text: str | None, *, closing: bool) -> tuple[timedelta, str]:
    match = _TIME.fullmatch((text or "").strip())
    if not match:
        raise ValueError(text)
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    value = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if minutes > 59 or seconds > 59 or value > timedelta(hours=24) or (value == DAY and not closing):
        raise ValueError(text)
    if closing and (hours, minutes) == (23, 59):
        value = DAY  # "23:59" is how sources write "until midnight"
    return value, f"{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=8192)
def _parse(key: tuple) -> Rule:
    (_id, freq, interval, byday, bymonthday, opens_at, closes_at, valid_from, valid_to, dtstart, until) = key
    try:
        valid_from_day, valid_to_day = _date(valid_from), _date(valid_to)
    except (ValueError, TypeError, AttributeError):
        return Rule(timed=False)
    try:
        opens, open_label = _clock(opens_at, closing=False)
        closes, close_label = _clock(closes_at, closing=True)
        code = _FREQS[(freq or "").strip().upper()]
        step = int(interval) if interval not in (None, "") else 1
        days = [_BYDAY.fullmatch(t.strip().upper()) for t in (byday or "").split(",") if t.strip()]
        monthdays = tuple(int(t) for t in (bymonthday or "").split(",") if t.strip())
        start, end = _date(dtstart), _date(until)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Rule(timed=False, valid_from=valid_from_day, valid_to=valid_to_day)
    ordinal = any(m and m.group(1) for m in days)
    matches = [m for m in days if m is not None]
    if (
        len(matches) != len(days)
        or step < 1
        or any(not 0 < abs(d) <= 31 for d in monthdays)
        or (ordinal and code not in (rr.MONTHLY, rr.YEARLY))
    ):
        return Rule(timed=False, valid_from=valid_from_day, valid_to=valid_to_day)
    # Without a first date, an every-other-week rule or one that takes its day from
    # dtstart cannot be placed on the calendar: that is not known, not a guess.
    needs_anchor = (
        step > 1
        or code == rr.YEARLY
        or (code == rr.WEEKLY and not days)
        or (code == rr.MONTHLY and not days and not monthdays)
    )
    if needs_anchor and start is None:
        return Rule(timed=False, valid_from=valid_from_day, valid_to=valid_to_day)
    if closes <= opens:
        closes += DAY
    weekdays = tuple(_DAYS[m.group(2)](int(m.group(1))) if m.group(1) else _DAYS[m.group(2)] for m in matches)
    every_day = (
        step == 1
        and not monthdays
        and ((code == rr.DAILY and not days) or (code == rr.WEEKLY and len({m.group(2) for m in matches}) == 7))
    )
    return Rule(
        timed=True,
        opens=opens,
        closes=closes,
        labels=(open_label, close_label),
        whole_day=every_day and opens == timedelta(0) and closes == DAY,
        freq=code,
        interval=step,
        dtstart=start,
        until=end,
        byweekday=weekdays,
        bymonthday=monthdays,
        valid_from=valid_from_day,
        valid_to=valid_to_day,
    )


def rule_for(schedule: Schedule) -> Rule:
    """The parsed rule of one schedule row (cached; never raises: an unusable row is untimed)."""
    # Keyed by content as well as id, so an edited schedule never reuses a stale parse.
    return _parse(
        (
            schedule.id,
            schedule.freq,
            schedule.interval,
            schedule.byday,
            schedule.bymonthday,
            schedule.opens_at,
            schedule.closes_at,
            schedule.valid_from,
            schedule.valid_to,
            schedule.dtstart,
            schedule.until,
        )
    )


@lru_cache(maxsize=512)
def _build_rrule(rule: Rule, start: date, cache: bool = False) -> rr.rrule:
    return rr.rrule(
        rule.freq,
        dtstart=datetime.combine(start, time()),
        interval=rule.interval,
        until=datetime.combine(rule.until, time.max) if rule.until else None,
        byweekday=rule.byweekday or None,
        bymonthday=rule.bymonthday or None,
        cache=cache,
    )


@lru_cache(maxsize=8192)
def _occurrences(rule: Rule, year: int) -> frozenset[date]:
    """The days in ``year`` on which ``rule`` has an occurrence."""
    first, last = datetime(year, 1, 1), datetime(year, 12, 31, 23, 59)
    if rule.dtstart is not None:
        if rule.dtstart.year > year:
            return frozenset()
        recurrence = _build_rrule(rule, rule.dtstart, cache=True)  # reused for every year asked
    else:
        # With interval 1 and no anchor-dependent parts, the year's start is as good an anchor.
        recurrence = _build_rrule(rule, first.date())
    return frozenset(d.date() for d in recurrence.between(first, last, inc=True))


# A weekly span: (weekday 0 = Monday, opens and closes in seconds from that day's midnight
# (closes past 86400 runs overnight), first and last day an occurrence may start (ISO or None),
# whether it is open all day every day (then bank holidays do not make it "not known")).
WeeklySpan = tuple[int, int, int, str | None, str | None, bool]


def weekly_spans(rule: Rule) -> list[WeeklySpan] | None:
    """The same weekly hours every week, as spans: what "open at" can look up without the calendar.

    None for a rule that does not repeat weekly on fixed days (every other week, the first
    Monday of the month, a date of the month, a yearly date): those are worked out from the
    calendar instead. An untimed rule never opens, so it gives no spans.
    """
    if not rule.timed:
        return []
    if rule.interval != 1 or rule.bymonthday or rule.freq not in (rr.DAILY, rr.WEEKLY):
        return None
    if any(getattr(day, "n", None) for day in rule.byweekday):
        return None
    if rule.byweekday:
        days = sorted({day.weekday for day in rule.byweekday})
    elif rule.freq == rr.DAILY:
        days = list(range(7))
    elif rule.dtstart is not None:
        days = [rule.dtstart.weekday()]  # weekly with no day named: the day of its first date
    else:
        return None
    first = max((d for d in (rule.valid_from, rule.dtstart) if d is not None), default=None)
    last = min((d for d in (rule.valid_to, rule.until) if d is not None), default=None)
    opens, closes = int(rule.opens.total_seconds()), int(rule.closes.total_seconds())
    return [
        (day, opens, closes, first.isoformat() if first else None, last.isoformat() if last else None, rule.whole_day)
        for day in days
    ]


def dated_spans(rule: Rule, first: date, last: date) -> list[tuple[date, int, int, bool]]:
    """Every occurrence of ``rule`` starting from ``first`` to ``last``: (day, opens, closes in seconds, all day).

    For hours that are not the same every week, worked out once from the calendar for a
    window of days, so "open at" can look them up. An untimed rule never opens.
    """
    if not rule.timed:
        return []
    opens, closes = int(rule.opens.total_seconds()), int(rule.closes.total_seconds())
    out = []
    for year in range(first.year, last.year + 1):
        for day in sorted(_occurrences(rule, year)):
            if first <= day <= last and rule.applies(day):
                out.append((day, opens, closes, rule.whole_day))
    return out
