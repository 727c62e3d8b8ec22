"""Shared pieces for the opening-hours tests: schedule builders and sample weekly hours.

Imported by test_schedules*.py (pytest also collects it; it has no tests).
"""

from __future__ import annotations

from datetime import datetime

from coventry_directory.core.models import Schedule

ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"


def weekly(byday: str, opens: str | None, closes: str | None, sid: str = "s", **extra) -> Schedule:
    return Schedule(id=sid, freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes, **extra)


def monthly(byday: str, opens: str, closes: str, sid: str = "m") -> Schedule:
    return Schedule(id=sid, freq="MONTHLY", byday=byday, opens_at=opens, closes_at=closes)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


TUE_FRI = [weekly("TU,FR", "09:30", "12:00", sid="tue-fri")]
OVERNIGHT = [weekly("FR,SA", "23:30", "03:30", sid="night")]
HELPLINE = [weekly(ALL_DAYS, "00:00", "23:59", sid="helpline")]
WEEKDAYS = [weekly("MO,TU,WE,TH,FR", "09:00", "17:00", sid="weekdays")]
DESCRIPTION_ONLY = [Schedule(id="desc", description="Meeting times vary: use 'Find a Meeting'.")]
