"""The UK clock: "now" for opening hours is UK wall-clock time whatever zone the PC is set to."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from coventry_directory.core.clock import UK, as_uk_wall_clock, uk_now, uk_today
from coventry_directory.core.models import Schedule
from coventry_directory.core.schedules import OpenState, open_state


@pytest.fixture
def pc_in_kiribati(monkeypatch):
    """The machine's own zone set to UTC+14, as on a laptop nobody reset after a trip."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_uk_now_is_london_time_not_the_machines(pc_in_kiribati):
    machine = dt.datetime.now()  # naive local time: 14 hours ahead of UTC
    london = dt.datetime.now(UK).replace(tzinfo=None)
    assert abs((machine - london).total_seconds()) > 12 * 3600  # the zones really differ here
    assert abs((uk_now() - london).total_seconds()) < 120
    assert uk_now().tzinfo is None and uk_now().second == 0


def test_uk_today_follows_london(pc_in_kiribati):
    assert uk_today() == dt.datetime.now(UK).date()


def test_aware_times_become_uk_wall_clock_either_side_of_the_clock_change():
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
    assert as_uk_wall_clock(summer) == dt.datetime(2026, 7, 1, 13, 0)  # BST, UTC+1
    assert as_uk_wall_clock(winter) == dt.datetime(2026, 1, 15, 12, 0)  # GMT
    naive = dt.datetime(2026, 3, 3, 9, 30)
    assert as_uk_wall_clock(naive) is naive  # a naive time is already UK time


def test_an_aware_moment_is_judged_by_uk_opening_hours():
    weekday_9_to_5 = Schedule(
        id="s", freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00", sources=("x",)
    )
    # 16:30 UTC on a July Tuesday is 17:30 in London: closed, though 16:30 would be open
    moment = as_uk_wall_clock(dt.datetime(2026, 7, 7, 16, 30, tzinfo=dt.UTC))
    assert open_state([weekday_9_to_5], moment) == OpenState.CLOSED
    assert open_state([weekday_9_to_5], dt.datetime(2026, 7, 7, 16, 30)) == OpenState.OPEN
