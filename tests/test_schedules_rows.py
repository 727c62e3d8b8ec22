"""Opening hours from rows that say too little: not known, never guessed.

No schedules, description-only rows, rows whose times or recurrence cannot be read, the ends
of the calendar; and, as a property test, any row at all gives one of the three states.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_schedules_support import DESCRIPTION_ONLY, TUE_FRI, at, weekly

from coventry_directory.core.models import Schedule
from coventry_directory.core.schedules import OpenState, explain_state, next_opening, open_state, week_ahead

# --- not known ------------------------------------------------------------------------


def test_no_schedules_is_unknown():
    assert explain_state([], at("2026-03-03 10:00")) == (OpenState.UNKNOWN, "Opening hours not known")
    assert next_opening([], at("2026-03-03 10:00")) is None


def test_description_only_is_unknown_not_closed():
    assert explain_state(DESCRIPTION_ONLY, at("2026-03-03 10:00")) == (OpenState.UNKNOWN, "Opening hours not known")
    # Known hours that say closed do not overrule hours we do not know.
    assert open_state(TUE_FRI + DESCRIPTION_ONLY, at("2026-03-04 10:00")) == OpenState.UNKNOWN
    # Known hours that say open do.
    assert open_state(TUE_FRI + DESCRIPTION_ONLY, at("2026-03-03 10:00")) == OpenState.OPEN
    assert next_opening(TUE_FRI + DESCRIPTION_ONLY, at("2026-03-04 10:00")) == at("2026-03-06 09:30")


@pytest.mark.parametrize(
    "schedule",
    [
        weekly("TU", "9am", "5pm"),
        weekly("TU", "09:00", None),
        weekly("TU", "25:00", "26:00"),
        weekly("TU", "09:60", "12:00"),
        weekly("XX", "09:00", "17:00"),
        weekly("2TU", "09:00", "17:00"),  # an ordinal day makes no sense weekly
        weekly("", "09:00", "17:00"),  # weekly with no day and no dtstart
        Schedule(id="x", freq="FORTNIGHTLY", byday="TU", opens_at="09:00", closes_at="17:00"),
        Schedule(id="x", freq=None, byday="TU", opens_at="09:00", closes_at="17:00"),
        Schedule(id="x", freq="MONTHLY", bymonthday="40", opens_at="09:00", closes_at="17:00"),
        Schedule(id="x", freq="WEEKLY", interval=0, byday="TU", opens_at="09:00", closes_at="17:00"),
        Schedule(id="x", freq="YEARLY", opens_at="09:00", closes_at="17:00"),
        weekly("TU", "09:00", "17:00", valid_to="not a date"),
    ],
)
def test_unusable_schedules_are_unknown(schedule):
    assert open_state([schedule], at("2026-03-03 10:00")) == OpenState.UNKNOWN


def test_bymonthday_and_lowercase_freq():
    first_and_fifteenth = [Schedule(id="md", freq="monthly", bymonthday="1,15", opens_at="09:00", closes_at="10:00")]
    assert open_state(first_and_fifteenth, at("2026-03-16 09:30")) == OpenState.CLOSED
    assert open_state(first_and_fifteenth, at("2026-03-15 09:30")) == OpenState.OPEN


@pytest.mark.parametrize("when", [datetime(9999, 12, 31, 10), datetime(1, 1, 1, 10)])
def test_ends_of_the_calendar_are_not_known(when):
    assert explain_state(TUE_FRI, when) == (OpenState.UNKNOWN, "Opening hours not known")
    assert next_opening(TUE_FRI, when) is None
    with pytest.raises(ValueError):
        week_ahead(TUE_FRI, when.date())


def test_cache_follows_content_not_just_id():
    assert open_state([weekly("TU", "09:00", "17:00", sid="same")], at("2026-03-03 10:00")) == OpenState.OPEN
    assert open_state([weekly("WE", "09:00", "17:00", sid="same")], at("2026-03-03 10:00")) == OpenState.CLOSED


# --- any row at all ------------------------------------------------------------------


_field = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "WEEKLY",
            "MONTHLY",
            "DAILY",
            "YEARLY",
            "TU,FR",
            "2MO",
            "-1FR",
            "09:30",
            "23:59",
            "24:00",
            "00:00",
            "2026-01-01",
            "1,15",
            "-1",
            "",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    freq=_field,
    byday=_field,
    bymonthday=_field,
    opens=_field,
    closes=_field,
    valid=_field,
    interval=st.one_of(st.none(), st.integers(-3, 5)),
    when=st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1)),
)
def test_any_schedule_row_gives_one_of_three_states(freq, byday, bymonthday, opens, closes, valid, interval, when):
    schedule = Schedule(
        id="h",
        freq=freq,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        opens_at=opens,
        closes_at=closes,
        valid_from=valid,
        dtstart=valid,
    )
    state, reason = explain_state([schedule], when)
    assert state in (OpenState.OPEN, OpenState.CLOSED, OpenState.UNKNOWN) and reason
    assert len(week_ahead([schedule], when.date())) == 7
