"""Part of the store: every service's weekly opening hours, worked out once, for "open at" search.

"Open now" over a national directory cannot parse every service's schedules per search
(1.65 s at 50,000 services in the first version). When the search tables are rebuilt,
each service's schedules (its own, those of the service at a place, a place's own: the
same ones its details show) are turned into weekly spans in ``service_week``:
weekday, opening and closing second from midnight (past 86400 when it runs overnight), the first and
last day it applies, and whether it is open all day every day. "Open at" is then one
indexed SQL test (:func:`open_at_sql`) inside the search's filters.

A schedule that is not the same every week (every other week, the first Monday of the
month, a date of the month) is marked with weekday -1: its services are worked out from
the calendar: once, when the tables are built, for a window of days around that day
(``service_date``, :data:`WINDOW_AFTER`), and per search only for a moment outside it
(:func:`calendar_services`, as details do). The
meaning is exactly ``core.schedules``: open when an occurrence starting that day or the
day before covers the moment, not on a bank holiday (unless open all day every day), and
never from hours a source gave only for the past (verification "historic").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from coventry_directory.core.clock import uk_now
from coventry_directory.core.models import Schedule
from coventry_directory.core.schedule_rules import WeeklySpan, dated_spans, rule_for, weekly_spans
from coventry_directory.store.search_tags import CALENDAR_WEEKDAY
from coventry_directory.store.service_loader import ServiceLoader

CALENDAR = CALENDAR_WEEKDAY  # weekday of a service whose hours need the calendar (-1; its tag: search_tags)
_BATCH = 2000  # services whose schedules are read at once while filling
# The days the calendar-only hours are worked out for, around the day the tables are built:
# a directory is rebuilt at every import and install, and used for months in between.
WINDOW_BEFORE, WINDOW_AFTER = timedelta(days=7), timedelta(days=400)


def rebuild_open_hours(db: Database, today: date | None = None) -> None:
    """Fill service_week (and service_date for the window around ``today``) from every service's schedules."""
    db.execute("DELETE FROM service_week")
    db.execute("DELETE FROM service_date")
    db.execute("DELETE FROM service_date_window")
    db.execute("DELETE FROM service_rule")
    today = today or uk_now().date()
    first, last = today - WINDOW_BEFORE, today + WINDOW_AFTER
    ids = [r[0] for r in db.execute("SELECT service_id FROM service_facets WHERE has_schedule = 1").fetchall()]
    loader = ServiceLoader(db)
    rows: list[tuple] = []
    dated: list[tuple] = []
    validity: list[tuple] = []
    for i in range(0, len(ids), _BATCH):
        for sid, schedules in loader.schedules(ids[i : i + _BATCH]).items():
            for schedule in schedules:
                rule = rule_for(schedule)
                validity.append((sid, int(rule.timed), _iso(rule.valid_from), _iso(rule.valid_to)))
            spans = _week(schedules)
            if spans is None:
                rows.append((sid, CALENDAR, 0, 0, None, None, 0))
                for schedule in schedules:
                    for day, opens, closes, whole in dated_spans(rule_for(schedule), first, last):
                        dated.append((sid, day.isoformat(), opens, closes, int(whole)))
            else:
                rows += [
                    (sid, day, opens, closes, first, last, int(whole))
                    for day, opens, closes, first, last, whole in spans
                ]
    db.conn.executemany("INSERT INTO service_week VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.conn.executemany("INSERT INTO service_date VALUES (?, ?, ?, ?, ?)", dated)
    db.conn.executemany("INSERT INTO service_rule VALUES (?, ?, ?, ?)", validity)
    db.execute("INSERT INTO service_date_window VALUES (?, ?)", [first.isoformat(), last.isoformat()])


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _week(schedules: Sequence[Schedule]) -> list[WeeklySpan] | None:
    """A service's schedules as weekly spans; None when any of them needs the calendar."""
    spans: list[WeeklySpan] = []
    for schedule in schedules:
        weekly = weekly_spans(rule_for(schedule))
        if weekly is None:
            return None
        spans += weekly
    return spans


@dataclass(frozen=True)
class OpenAt:
    """A moment (UK wall clock) as ``service_week`` is asked about it; ``also`` adds services found by the calendar."""

    at: datetime
    holiday_today: bool
    holiday_yesterday: bool
    also: tuple[str, ...] = ()
    dated: bool = False  # the calendar-only hours are looked up in service_date (its window covers the moment)
    also_unknown: tuple[str, ...] = ()  # outside the window: those the calendar says are not known then


def not_closed_sql(moment: OpenAt) -> tuple[str, list]:
    """SQL (over ``f``) true for a service whose hours do not say whether it is open at the moment (and its parameters).

    Exactly where ``core.schedules.record_state`` answers "not known" rather than "closed"
    for a service not open then: hours from a record marked historic; an occurrence
    covering the moment on a bank holiday (not all day every day); no schedule with hours
    in force that day; or a schedule in force whose hours cannot be worked out. Outside
    the dated window, the calendar's own answer for hours only it can place (``also`` and
    ``also_unknown``).
    """
    unaffected, params = _open_sql(replace(moment, holiday_today=False, holiday_yesterday=False))
    today = moment.at.date().isoformat()
    applies = (
        "SELECT 1 FROM service_rule r WHERE r.service_id = f.service_id AND r.timed = {timed} "
        "AND (r.valid_from IS NULL OR r.valid_from <= ?) AND (r.valid_to IS NULL OR r.valid_to >= ?)"
    )
    calendar = ""
    if moment.also_unknown:
        calendar = " OR f.service_id IN (" + ",".join("?" * len(moment.also_unknown)) + ")"
    sql = (
        f"(f.verification IS 'historic' OR {unaffected} OR NOT EXISTS ({applies.format(timed=1)}) "
        f"OR EXISTS ({applies.format(timed=0)}){calendar})"
    )
    return sql, [*params, today, today, today, today, *moment.also_unknown]


def open_at_sql(moment: OpenAt) -> tuple[str, list]:
    """SQL (over service_facets as ``f``) keeping services known to be open at the moment, and its parameters."""
    sql, params = _open_sql(moment)
    return f"(f.verification IS NOT 'historic' AND {sql})", params


def _open_sql(moment: OpenAt) -> tuple[str, list]:
    """SQL true when an occurrence (weekly, dated or from the calendar) covers the moment, whatever the verification."""
    at = moment.at
    yesterday = at - timedelta(days=1)
    # an occurrence covers `at` when it opens at or before it and closes after it; whole
    # seconds compare exactly so (a fraction of a second past its closing is past it)
    second = at.hour * 3600 + at.minute * 60 + at.second
    # Asked of each candidate in turn (an indexed lookup by service), never by listing every
    # open service first: at 100,000 services that list alone is tens of thousands long.
    week = (
        "EXISTS (SELECT 1 FROM service_week w WHERE w.service_id = f.service_id AND ("
        "(w.weekday = ? AND w.opens <= ? AND w.closes > ? AND (w.first_day IS NULL OR w.first_day <= ?) "
        "AND (w.last_day IS NULL OR w.last_day >= ?) AND (? = 0 OR w.whole_day = 1)) "
        "OR (w.weekday = ? AND w.closes > ? AND (w.first_day IS NULL OR w.first_day <= ?) "
        "AND (w.last_day IS NULL OR w.last_day >= ?) AND (? = 0 OR w.whole_day = 1))))"
    )
    today, before = at.date().isoformat(), yesterday.date().isoformat()
    params: list = [at.weekday(), second, second, today, today, int(moment.holiday_today)]
    params += [yesterday.weekday(), second + 86400, before, before, int(moment.holiday_yesterday)]
    also = ""
    if moment.dated:
        also = (
            " OR EXISTS (SELECT 1 FROM service_date d WHERE d.service_id = f.service_id AND ("
            "(d.day = ? AND d.opens <= ? AND d.closes > ? AND (? = 0 OR d.whole_day = 1)) "
            "OR (d.day = ? AND d.closes > ? AND (? = 0 OR d.whole_day = 1))))"
        )
        params += [today, second, second, int(moment.holiday_today)]
        params += [before, second + 86400, int(moment.holiday_yesterday)]
    if moment.also:
        also += " OR f.service_id IN (" + ",".join("?" * len(moment.also)) + ")"
        params += list(moment.also)
    return f"({week}{also})", params


def date_window(db: Database) -> tuple[str, str] | None:
    """The first and last day service_date covers (ISO), or None."""
    row = db.execute("SELECT first_day, last_day FROM service_date_window").fetchone()
    return (row[0], row[1]) if row else None


def calendar_services(db: Database) -> list[str]:
    """Services with hours that are not the same every week (worked out from the calendar per search)."""
    return [r[0] for r in db.execute("SELECT service_id FROM service_week WHERE weekday = ?", [CALENDAR]).fetchall()]
