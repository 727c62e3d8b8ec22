"""Open at from the precomputed weekly hours gives exactly what the calendar gives.

The real directory's schedules, plus schedules of every shape that is easy to get wrong
(overnight, all day every day, bounded by dates, weekly with no day named, every other
week, the first Monday of a month, a date of the month, untimed, and hours a source gave
only for the past), are asked "who is open?" at moments every 47 minutes for three weeks
around the Christmas and New Year bank holidays, and at the edges of opening and closing.
The search's answer (``Filters(open_at=...)``, the weekly table) must equal the answer of
``core.schedules.record_state`` (the calendar, what a service's details show) every time.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timedelta

import pytest

from coventry_directory.core import schedules as hours
from coventry_directory.core.ids import stable_id
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.taxonomy import term_id
from coventry_directory.store import hsds_rows
from coventry_directory.store.schema import column_names

# (freq, interval, byday, bymonthday, opens, closes, valid_from, valid_to, dtstart, until)
SHAPES = [
    ("WEEKLY", 1, "MO,WE", None, "09:00", "17:00", None, None, None, None),
    ("WEEKLY", 1, "FR,SA", None, "22:00", "02:00", None, None, None, None),  # overnight
    ("DAILY", 1, None, None, "00:00", "23:59", None, None, None, None),  # all day every day
    ("WEEKLY", 1, "TU", None, "10:00", "12:30", "2026-12-20", "2027-01-03", None, None),  # validity
    ("WEEKLY", 1, None, None, "13:00", "15:00", None, None, "2026-12-17", "2027-01-01"),  # day of dtstart
    ("WEEKLY", 2, "TH", None, "18:00", "20:00", None, None, "2026-12-03", None),  # every other week
    ("MONTHLY", 1, "1MO", None, "09:30", "11:00", None, None, None, None),  # first Monday
    ("MONTHLY", 1, None, "28", "08:00", "09:00", None, None, None, None),  # a date of the month
    ("WEEKLY", 1, "SU", None, "not a time", "17:00", None, None, None, None),  # untimed
    ("DAILY", 1, "MO,TU,WE,TH,FR", None, "08:00:30", "08:30", None, None, None, None),  # seconds
]


def _moments() -> list[datetime]:
    start = datetime(2026, 12, 18, 0, 7)
    moments = [start + timedelta(minutes=47 * k) for k in range(21 * 24 * 60 // 47)]
    # the edges: a second before, at, and a second after opening and closing times
    for day in range(18, 32):
        for hh, mm in ((9, 0), (17, 0), (22, 0), (2, 0), (8, 0), (8, 30), (12, 30), (0, 0), (23, 59)):
            at = datetime(2026, 12, day, hh, mm)
            moments += [at - timedelta(seconds=1), at, at + timedelta(seconds=30), at + timedelta(microseconds=1)]
    return moments


def _row(table: str, **values) -> tuple:
    return tuple(values.get(c) for c in column_names(table))


@pytest.fixture
def engine(directory_store):
    store = directory_store
    unscheduled = [
        r[0] for r in store._db.execute("SELECT service_id FROM service_facets WHERE has_schedule = 0 ORDER BY 1")
    ]
    chosen = unscheduled[: len(SHAPES) + 1]
    rows = []
    for n, (sid, shape) in enumerate(zip(chosen, SHAPES, strict=False)):
        freq, interval, byday, monthday, opens, closes, vfrom, vto, dtstart, until = shape
        rows.append(
            _row(
                "schedule",
                id=stable_id("test-schedule", n),
                service_id=sid,
                freq=freq,
                interval=interval,
                byday=byday,
                bymonthday=monthday,
                opens_at=opens,
                closes_at=closes,
                valid_from=vfrom,
                valid_to=vto,
                dtstart=dtstart,
                until=until,
            )
        )
    historic = chosen[len(SHAPES)]
    rows.append(
        _row(
            "schedule",
            id=stable_id("test-schedule", "h"),
            service_id=historic,
            freq="DAILY",
            opens_at="00:00",
            closes_at="23:59",
        )
    )
    with hsds_rows.atomic(store):
        hsds_rows.insert_values(store, "schedule", rows)
        # hours a source gave only for the past: shown in details, never "open now"
        store._db.execute(
            "DELETE FROM attribute WHERE link_id = ? AND taxonomy_term_id IN (SELECT id FROM taxonomy_term WHERE taxonomy = 'verification')",
            [historic],
        )
        hsds_rows.insert_values(
            store,
            "attribute",
            [
                _row(
                    "attribute",
                    id=stable_id("test-historic"),
                    link_id=historic,
                    taxonomy_term_id=term_id("verification", "historic"),
                    link_type="verification",
                    link_entity="service",
                    value="0",
                )
            ],
        )
        hsds_rows.rebuild_search(store)
    return SearchEngine(store)


def _by_calendar(engine: SearchEngine, at: datetime) -> set[str]:
    return engine.open_by_calendar(engine.store.service_ids(), at)


def _known_open(engine: SearchEngine, at: datetime, **filters) -> set[str]:
    """What an "open at" search lists as open then (not marked to check), after checking it lists no closed service.

    The filter keeps services whose hours are not known, marked "open_at" to check; a
    service its hours say is closed then is never listed.
    """
    hits = engine.search("", Filters(open_at=at, **filters), limit=500).hits
    assert all(h.open_state != "closed" for h in hits), at
    unsure = {h.id for h in hits if "open_at" in h.checks}
    assert all(h.open_state == "unknown" for h in hits if h.id in unsure), at
    # and every service whose hours do not say is kept (marked), as the details would say
    states = _states(engine, at, include_closed=filters.get("include_closed", False))
    assert unsure == {sid for sid, state in states.items() if state == hours.OpenState.UNKNOWN}, at
    return {h.id for h in hits if "open_at" not in h.checks}


def _states(engine: SearchEngine, at: datetime, include_closed: bool) -> dict[str, str]:
    """Every listed service's state at ``at``, as its details show it."""
    listed = _LISTED.setdefault(engine, {})  # loaded once per test's engine, not at every moment
    if include_closed not in listed:
        every = engine.search("", Filters(include_closed=include_closed), limit=500).hits
        listed[include_closed] = engine.store.services([h.id for h in every])
    return {
        s.id: hours.record_state(s.schedules, s.verification, s.evidence_date, at)[0] for s in listed[include_closed]
    }


_LISTED: weakref.WeakKeyDictionary[SearchEngine, dict[bool, list]] = weakref.WeakKeyDictionary()


def test_open_at_from_weekly_hours_equals_the_calendar(engine):
    moments = _moments()
    seen_open = 0
    for at in moments:
        found = _known_open(engine, at, include_closed=True)
        expected = _by_calendar(engine, at)
        assert found == expected, (at, sorted(found ^ expected))
        seen_open += bool(found)
    assert seen_open > len(moments) // 3  # the comparison is not only of empty sets


def test_the_dated_window_covers_the_weeks_ahead_and_outside_it_the_calendar_answers(engine):
    first, last = engine.store.queries.date_window()
    today = datetime.now().date()
    assert first <= str(today) <= last and str(today + timedelta(days=365)) <= last
    # years away, outside any window: every shape still answers as the calendar does
    for at in [datetime(2031, 3, 3, 10, 0), datetime(2031, 3, 7, 23, 30), datetime(2031, 3, 8, 1, 0)]:
        assert engine.open_ids(at) == _by_calendar(engine, at), at


def test_the_shapes_that_need_the_calendar_are_marked_so(engine):
    calendar = set(engine.store.queries.calendar_services())
    assert len(calendar) == 3  # every other week, first Monday, a date of the month
    at = datetime(2027, 1, 4, 10, 0)  # the first Monday of January, 10:00
    assert calendar & {h.id for h in engine.search("", Filters(open_at=at), limit=500).hits}


def test_a_bank_holiday_is_not_open_unless_open_all_day_every_day(engine):
    christmas = datetime(2026, 12, 25, 12, 0)
    assert hours.bank_holiday(christmas.date())
    open_ids = _known_open(engine, christmas)
    assert open_ids == _by_calendar(engine, christmas)
    assert len(open_ids) >= 1  # the all-day-every-day service
