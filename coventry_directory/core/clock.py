"""What time it is in the UK: the one "now" for opening hours, week-ahead tables and ages.

Services print their hours in UK wall-clock time, and the app may run on a PC whose clock
is set to another zone (a laptop back from abroad, a server in UTC). Everything that asks
"is it open now?" or "how old is this client today?" uses these functions, never
``datetime.now()``: zoneinfo's Europe/London (with the ``tzdata`` package where the OS
has no zone database, as on Windows) gives the right hour either side of a clock change.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def uk_now() -> dt.datetime:
    """The current UK wall-clock time, naive (the form opening-hours rules compare against), to the minute."""
    return dt.datetime.now(UK).replace(tzinfo=None, second=0, microsecond=0)


def uk_today() -> dt.date:
    """Today's date in the UK."""
    return dt.datetime.now(UK).date()


def as_uk_wall_clock(moment: dt.datetime) -> dt.datetime:
    """``moment`` as naive UK wall-clock time: an aware time is converted, a naive one is taken as UK time."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UK).replace(tzinfo=None)
