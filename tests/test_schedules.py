"""Opening hours: open / closed, monthly and overnight hours, validity, bank holidays, the week ahead.

Rows whose hours are not known (and any row at all) are in test_schedules_rows.py.
"""

from __future__ import annotations

import gettext
import re
import time as clock
from datetime import date

import pytest
from test_schedules_support import DESCRIPTION_ONLY, HELPLINE, OVERNIGHT, TUE_FRI, WEEKDAYS, at, monthly, weekly

from coventry_directory.core.models import Schedule
from coventry_directory.core.schedules import (
    DayHours,
    OpenState,
    bank_holiday,
    explain_state,
    next_opening,
    open_state,
    week_ahead,
)
from coventry_directory.i18n import use_translation

# --- Tuesdays and Fridays 09:30-12:00 (March 2026: Tue 3rd, Fri 6th) -------------------


@pytest.mark.parametrize(
    ("when", "state", "reason"),
    [
        ("2026-03-03 09:29", OpenState.CLOSED, "Closed — opens today 09:30"),
        ("2026-03-03 09:30", OpenState.OPEN, "Open until 12:00"),
        ("2026-03-03 11:59", OpenState.OPEN, "Open until 12:00"),
        ("2026-03-03 12:00", OpenState.CLOSED, "Closed — opens Friday 09:30"),
        ("2026-03-04 10:00", OpenState.CLOSED, "Closed — opens Friday 09:30"),
        ("2026-03-05 10:00", OpenState.CLOSED, "Closed — opens tomorrow 09:30"),
        ("2026-03-06 10:00", OpenState.OPEN, "Open until 12:00"),
        ("2026-03-07 10:00", OpenState.CLOSED, "Closed — opens Tuesday 09:30"),
        ("2026-03-08 23:59", OpenState.CLOSED, "Closed — opens Tuesday 09:30"),
    ],
)
def test_tuesday_and_friday_mornings(when, state, reason):
    assert open_state(TUE_FRI, at(when)) == state
    assert explain_state(TUE_FRI, at(when)) == (state, reason)


# --- monthly rules: second Monday, last Friday ---------------------------------------


@pytest.mark.parametrize(
    ("schedules", "when", "state"),
    [
        ([monthly("2MO", "18:00", "20:00")], "2026-03-09 19:00", OpenState.OPEN),  # second Monday
        ([monthly("2MO", "18:00", "20:00")], "2026-03-02 19:00", OpenState.CLOSED),  # first Monday
        ([monthly("2MO", "18:00", "20:00")], "2026-03-16 19:00", OpenState.CLOSED),  # third Monday
        ([monthly("2MO", "18:00", "20:00")], "2026-03-09 20:00", OpenState.CLOSED),  # closing time itself
        ([monthly("-1FR", "10:00", "12:00")], "2026-03-27 11:00", OpenState.OPEN),  # last Friday
        ([monthly("-1FR", "10:00", "12:00")], "2026-03-20 11:00", OpenState.CLOSED),  # not the last
        ([monthly("-1FR", "10:00", "12:00")], "2026-01-30 11:00", OpenState.OPEN),
        ([monthly("-1FR", "10:00", "12:00")], "2027-03-26 11:00", OpenState.UNKNOWN),  # last Friday = Good Friday
        ([monthly("1MO", "10:00", "12:00")], "2026-04-06 11:00", OpenState.UNKNOWN),  # first Monday = Easter Monday
        ([monthly("2MO,-1FR", "10:00", "12:00")], "2026-02-27 11:00", OpenState.OPEN),
    ],
)
def test_monthly_rules(schedules, when, state):
    assert open_state(schedules, at(when)) == state


def test_monthly_next_opening_far_ahead_names_the_date():
    second_monday = [monthly("2MO", "18:00", "20:00")]
    assert next_opening(second_monday, at("2026-03-10 09:00")) == at("2026-04-13 18:00")
    assert explain_state(second_monday, at("2026-03-10 09:00")) == (
        OpenState.CLOSED,
        "Closed — opens Monday 13 April 18:00",
    )


# --- overnight: Friday and Saturday 23:30-03:30 ----------------------------------------


@pytest.mark.parametrize(
    ("when", "state"),
    [
        ("2026-03-05 23:45", OpenState.CLOSED),  # Thursday night
        ("2026-03-06 23:29", OpenState.CLOSED),
        ("2026-03-06 23:30", OpenState.OPEN),  # Friday night opens
        ("2026-03-07 00:00", OpenState.OPEN),
        ("2026-03-07 01:00", OpenState.OPEN),  # Saturday morning, from Friday's session
        ("2026-03-07 03:29", OpenState.OPEN),
        ("2026-03-07 03:30", OpenState.CLOSED),
        ("2026-03-07 12:00", OpenState.CLOSED),
        ("2026-03-07 23:45", OpenState.OPEN),  # Saturday night
        ("2026-03-08 01:00", OpenState.OPEN),  # Sunday morning, from Saturday's session
        ("2026-03-08 04:00", OpenState.CLOSED),
        ("2026-03-09 01:00", OpenState.CLOSED),  # Monday morning: no Sunday session
    ],
)
def test_overnight_hours(when, state):
    assert open_state(OVERNIGHT, at(when)) == state


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("2026-03-06 23:45", "Open until Saturday 03:30"),
        ("2026-03-07 01:00", "Open until 03:30"),
        ("2026-03-08 04:00", "Closed — opens Friday 23:30"),
    ],
)
def test_overnight_reasons(when, reason):
    assert explain_state(OVERNIGHT, at(when))[1] == reason


def test_evening_to_midnight():
    late = [weekly("MO", "18:00", "00:00")]
    assert explain_state(late, at("2026-03-09 19:00")) == (OpenState.OPEN, "Open until midnight")
    assert open_state(late, at("2026-03-09 23:59")) == OpenState.OPEN
    assert open_state(late, at("2026-03-10 00:00")) == OpenState.CLOSED


# --- validity windows -----------------------------------------------------------------


def test_expired_schedule_does_not_apply():
    expired = [weekly("TU,FR", "09:30", "12:00", valid_to="2020-12-31")]
    assert open_state(expired, at("2026-03-03 10:00")) == OpenState.UNKNOWN
    assert explain_state(expired, at("2026-03-03 10:00")) == (OpenState.UNKNOWN, "Opening hours not known")
    assert next_opening(expired, at("2026-03-03 08:00")) is None
    assert open_state(expired, at("2020-12-29 10:00")) == OpenState.OPEN  # while it still applied


def test_current_schedule_wins_over_an_expired_one():
    schedules = [
        weekly("MO", "09:00", "17:00", sid="old", valid_to="2025-12-31"),
        weekly("TU", "09:00", "17:00", sid="new", valid_from="2026-01-01"),
    ]
    assert open_state(schedules, at("2026-03-02 10:00")) == OpenState.CLOSED  # Monday: old hours gone
    assert open_state(schedules, at("2026-03-03 10:00")) == OpenState.OPEN
    assert open_state(schedules, at("2025-12-29 10:00")) == OpenState.OPEN  # Monday under the old hours


def test_future_schedule_does_not_apply_yet():
    future = [weekly("TU", "09:00", "17:00", valid_from="2027-01-01")]
    assert open_state(future, at("2026-03-03 10:00")) == OpenState.UNKNOWN
    assert next_opening(future, at("2026-12-31 10:00")) == at("2027-01-05 09:00")


def test_overnight_session_started_on_last_valid_day_runs_on():
    ending = [weekly("FR", "23:30", "03:30", valid_to="2026-03-06")]
    assert open_state(ending, at("2026-03-07 01:00")) == OpenState.OPEN
    assert open_state(ending, at("2026-03-13 23:45")) == OpenState.UNKNOWN


def test_empty_validity_strings_mean_no_limit():
    assert (
        open_state([weekly("TU", "09:00", "17:00", valid_from="", valid_to="")], at("2026-03-03 10:00"))
        == OpenState.OPEN
    )


def test_until_ends_the_recurrence():
    ends = [weekly("TU", "09:00", "17:00", until="2026-03-10")]
    assert open_state(ends, at("2026-03-10 10:00")) == OpenState.OPEN
    assert open_state(ends, at("2026-03-17 10:00")) == OpenState.CLOSED
    assert next_opening(ends, at("2026-03-11 10:00")) is None


def test_fortnightly_needs_and_uses_dtstart():
    fortnightly = [
        Schedule(
            id="f", freq="WEEKLY", interval=2, byday="MO", opens_at="10:00", closes_at="12:00", dtstart="2026-03-02"
        )
    ]
    assert [open_state(fortnightly, at(f"2026-03-{d:02d} 11:00")) for d in (2, 9, 16, 23)] == [
        OpenState.OPEN,
        OpenState.CLOSED,
        OpenState.OPEN,
        OpenState.CLOSED,
    ]
    assert open_state(fortnightly, at("2026-02-23 11:00")) == OpenState.CLOSED  # before the first date
    unanchored = [Schedule(id="f2", freq="WEEKLY", interval=2, byday="MO", opens_at="10:00", closes_at="12:00")]
    assert open_state(unanchored, at("2026-03-02 11:00")) == OpenState.UNKNOWN


# --- bank holidays --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedules", "when", "holiday"),
    [
        (TUE_FRI, "2026-12-25 10:00", "Christmas Day"),  # Friday
        (WEEKDAYS, "2026-04-06 10:00", "Easter Monday"),
        (WEEKDAYS, "2027-03-29 10:00", "Easter Monday"),
        (WEEKDAYS, "2026-04-03 10:00", "Good Friday"),
        ([weekly("SA", "10:00", "14:00")], "2027-12-25 11:00", "Christmas Day"),  # Saturday
        (WEEKDAYS, "2027-12-27 10:00", "Christmas Day (observed)"),
        (OVERNIGHT, "2026-12-26 01:00", "Christmas Day"),  # session that began on Christmas night
    ],
)
def test_bank_holiday_hours_are_not_known(schedules, when, holiday):
    assert explain_state(schedules, at(when)) == (OpenState.UNKNOWN, f"Bank holiday ({holiday}): hours not known")


@pytest.mark.parametrize(
    ("schedules", "when", "state"),
    [
        (TUE_FRI, "2026-12-25 13:00", OpenState.CLOSED),  # would be closed anyway
        (WEEKDAYS, "2026-04-06 18:00", OpenState.CLOSED),
        (WEEKDAYS, "2026-04-07 10:00", OpenState.OPEN),  # the day after Easter Monday
        (TUE_FRI, "2026-12-29 10:00", OpenState.OPEN),
    ],
)
def test_bank_holiday_only_affects_would_be_open_times(schedules, when, state):
    assert open_state(schedules, at(when)) == state


def test_next_opening_skips_bank_holidays():
    assert next_opening(TUE_FRI, at("2026-12-23 10:00")) == at("2026-12-29 09:30")
    assert explain_state(TUE_FRI, at("2026-12-25 13:00")) == (OpenState.CLOSED, "Closed — opens Tuesday 09:30")


@pytest.mark.parametrize(
    "schedules",
    [
        HELPLINE,
        [Schedule(id="d", freq="DAILY", opens_at="00:00", closes_at="24:00")],
        [Schedule(id="d2", freq="DAILY", opens_at="00:00", closes_at="23:59")],
    ],
)
@pytest.mark.parametrize("when", ["2026-12-25 03:00", "2027-03-29 23:59", "2026-03-04 12:00", "2026-03-04 23:59:30"])
def test_all_day_every_day_stays_open_on_bank_holidays(schedules, when):
    assert explain_state(schedules, at(when)) == (OpenState.OPEN, "Open 24 hours")
    assert next_opening(schedules, at(when)) == at(when)


def test_bank_holiday_lookup():
    assert bank_holiday(date(2026, 12, 25)) == "Christmas Day"
    assert bank_holiday(date(2027, 3, 29)) == "Easter Monday"
    assert bank_holiday(date(2026, 3, 4)) is None


# --- the week ahead -------------------------------------------------------------------


def test_week_ahead_across_christmas():
    week = week_ahead(TUE_FRI, date(2026, 12, 21))
    assert [(d.date.day, d.weekday, d.intervals, d.bank_holiday, d.state) for d in week] == [
        (21, "Monday", [], None, OpenState.CLOSED),
        (22, "Tuesday", [("09:30", "12:00")], None, OpenState.OPEN),
        (23, "Wednesday", [], None, OpenState.CLOSED),
        (24, "Thursday", [], None, OpenState.CLOSED),
        (25, "Friday", [("09:30", "12:00")], "Christmas Day", OpenState.UNKNOWN),
        (26, "Saturday", [], "Boxing Day", OpenState.CLOSED),
        (27, "Sunday", [], None, OpenState.CLOSED),
    ]
    assert all(isinstance(d, DayHours) for d in week)


def test_week_ahead_overnight_and_helpline():
    week = week_ahead(OVERNIGHT + HELPLINE, date(2026, 4, 3))  # Good Friday to Thursday
    assert [d.state for d in week] == [OpenState.OPEN] * 7
    assert week[0].intervals == [("00:00", "23:59"), ("23:30", "03:30")]
    assert week[0].bank_holiday == "Good Friday"


def test_week_ahead_not_known():
    assert [d.state for d in week_ahead([], date(2026, 3, 2))] == [OpenState.UNKNOWN] * 7
    assert [d.state for d in week_ahead(DESCRIPTION_ONLY, date(2026, 3, 2))] == [OpenState.UNKNOWN] * 7
    mixed = week_ahead(TUE_FRI + DESCRIPTION_ONLY, date(2026, 3, 2))
    assert [d.state for d in mixed] == [
        OpenState.UNKNOWN,
        OpenState.OPEN,
        OpenState.UNKNOWN,
        OpenState.UNKNOWN,
        OpenState.OPEN,
        OpenState.UNKNOWN,
        OpenState.UNKNOWN,
    ]


# --- translation, speed --------------------------------------------------------------


class _Shouting(gettext.NullTranslations):
    """A stand-in catalog: upper-cases text but keeps {placeholders} as a real catalog must."""

    def gettext(self, message):
        return re.sub(r"[^{}]+(?![^{]*})", lambda m: m.group(0).upper(), message)


def test_reasons_and_weekdays_are_translated():
    with use_translation(_Shouting()):
        assert explain_state(TUE_FRI, at("2026-03-04 10:00")) == (OpenState.CLOSED, "CLOSED — OPENS FRIDAY 09:30")
        assert explain_state([monthly("2MO", "18:00", "20:00")], at("2026-03-10 09:00")) == (
            OpenState.CLOSED,
            "CLOSED — OPENS MONDAY 13 APRIL 18:00",
        )
        assert week_ahead(TUE_FRI, date(2026, 3, 2))[0].weekday == "MONDAY"
    assert explain_state(TUE_FRI, at("2026-03-04 10:00"))[1] == "Closed — opens Friday 09:30"


def test_open_state_is_fast():
    schedules = TUE_FRI + OVERNIGHT + HELPLINE + [monthly("2MO", "18:00", "20:00")]
    moment = at("2026-03-04 10:00")
    open_state(schedules, moment)
    runs = 2000
    started = clock.perf_counter()
    for _ in range(runs):
        open_state(schedules, moment)
    assert (clock.perf_counter() - started) / runs < 0.0005
