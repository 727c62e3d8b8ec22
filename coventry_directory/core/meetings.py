"""Mutual-aid meetings as meetings: when each one happens next, how to join it, who it is for.

A meeting is a directory service that a meeting list described (AA, NA, CA, SMART Recovery
... imported from Meeting Guide JSON): :class:`Meeting` holds what a meeting list needs,
read by ``DirectoryStore.meetings()``. Everything here is a pure function of those values
and of a UK wall-clock moment the caller gives (``core.clock.uk_now()`` when it is "now"),
so the same arguments always give the same list, whatever the PC's time zone.

- **When:** each schedule is read by :mod:`~coventry_directory.core.schedule_rules` (the
  recurrence rules opening hours use). A meeting list often gives a start time and no end:
  the rule is then read with the start for its end too, which places the days and starts
  exactly, and the end is kept as not known (``None``), never made up. An occurrence on an
  England bank holiday is listed with the holiday's name: whether a group meets then is
  not known.
- **Where:** the distance from a place is the one search uses (``core.places.distance_km``)
  to the venue's coordinates, else to its town's centre (as search does), else not known.
  "Near" keeps what is within reach: venues up to ``within_km`` away, meetings that can be
  joined online from anywhere (unless in person is asked for), and venues with no position.
- **Order:** by start, then distance (unknown last), then name.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from coventry_directory.core.models import Schedule
from coventry_directory.core.places import Place, distance_km, town_place
from coventry_directory.core.schedule_rules import DAY, rule_for
from coventry_directory.core.schedules import bank_holiday

# What "near" means when no distance is given: about 12 miles (Rugby to Coventry is 17.5 km).
NEAR_KM = 20.0
# Statuses whose meetings are no longer held (a temporarily closed venue is "inactive").
GONE = ("inactive", "defunct")
# The words people use for the type codes they look for most; any code, or the label a
# list gives it ("Wheelchair Access"), works too.
TYPE_ALIASES = {
    **dict.fromkeys(("women", "woman"), "W"),
    **dict.fromkeys(("men", "man"), "M"),
    **dict.fromkeys(("lgbtq", "lgbtq+", "lgbt"), "LGBTQ"),
    **dict.fromkeys(("newcomer", "newcomers"), "BE"),
    **{"open": "O", "closed": "C", "wheelchair": "X"},
}


class Attending(StrEnum):
    """How a meeting is attended (HSDS ``schedule.attending_type``)."""

    IN_PERSON = "in-person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Window(StrEnum):
    """Which meetings to list: the rest of today, or the next seven days."""

    TODAY = "today"
    WEEK = "week"


class UnknownMeetingType(ValueError):
    """A ``--type`` value that is neither a type code, nor its label, nor a word for one."""


@dataclass(frozen=True)
class MeetingType:
    """One meeting type: the list's code (``W``) and its English label (``Women``)."""

    code: str
    name: str


@dataclass(frozen=True)
class MeetingPlace:
    """The venue as the list gives it; unknown parts are None."""

    name: str | None
    address: str | None  # one line, as the list wrote it
    postcode: str | None
    town: str | None
    latitude: float | None
    longitude: float | None

    def one_line(self) -> str:
        """Name, address and postcode as one line ('' when none is known)."""
        parts = [self.name, self.address]
        if self.postcode and self.postcode not in (self.address or ""):
            parts.append(self.postcode)
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class MeetingTime:
    """One schedule of a meeting (HSDS schedule fields) and how it is attended then."""

    id: str
    freq: str | None = None
    interval: int | None = None
    byday: str | None = None
    bymonthday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    dtstart: str | None = None
    until: str | None = None
    attending_type: str | None = None
    notes: str | None = None

    def schedule(self, *, end_from_start: bool = False) -> Schedule:
        """The schedule row; ``end_from_start`` reads a missing end as the start, to place the days."""
        fields = {k: v for k, v in vars(self).items() if k != "attending_type"}
        return Schedule(**(fields | {"closes_at": self.closes_at or (self.opens_at if end_from_start else None)}))


@dataclass(frozen=True)
class Meeting:
    """A mutual-aid meeting with what a meeting list prints about it."""

    id: str
    name: str
    fellowship: str
    times: tuple[MeetingTime, ...] = ()
    places: tuple[MeetingPlace, ...] = ()
    online_url: str | None = None
    conference_phone: str | None = None
    types: tuple[MeetingType, ...] = ()
    notes: str = ""
    last_modified: str | None = None
    status: str = "active"
    source: str | None = None  # the source (meeting list) it came from
    source_date: str | None = None  # when that source was last read (ISO)

    @property
    def place(self) -> MeetingPlace | None:
        """The venue, or None for a meeting held online only."""
        return self.places[0] if self.places else None

    @property
    def attending(self) -> Attending | None:
        """In person, online or hybrid: as its schedule says, else from its venue and link."""
        for time in self.times:
            if time.attending_type in tuple(Attending):
                return Attending(time.attending_type)
        online = bool(self.online_url or self.conference_phone)
        if self.places:
            return Attending.HYBRID if online else Attending.IN_PERSON
        return Attending.ONLINE if online else None

    @property
    def type_codes(self) -> tuple[str, ...]:
        """The type codes, in the list's order."""
        return tuple(t.code for t in self.types)


@dataclass(frozen=True)
class Occurrence:
    """One meeting on one day: start, end (None when the list gives none), distance, bank holiday."""

    meeting: Meeting
    starts: datetime
    ends: datetime | None
    attending: Attending | None
    distance_km: float | None = None
    bank_holiday: str | None = None

    @property
    def day(self) -> date:
        """The day it starts on."""
        return self.starts.date()


@dataclass(frozen=True)
class MeetingFilters:
    """What a meeting list is narrowed to; every filter given must hold."""

    fellowship: str | None = None
    online_only: bool = False  # attended online or hybrid
    in_person_only: bool = False  # attended in person or hybrid
    types: tuple[str, ...] = ()  # type codes, every one of them
    near: Place | None = None
    within_km: float = NEAR_KM


def window(at: datetime, when: Window | str) -> tuple[datetime, datetime]:
    """(start, end) of ``today`` (``at`` to midnight) or ``week`` (``at`` and the seven days after it)."""
    if Window(when) == Window.TODAY:
        return at, datetime.combine(at.date() + DAY, datetime.min.time())
    return at, at + timedelta(days=7)


def times_between(
    meeting: Meeting, start: datetime, end: datetime
) -> list[tuple[MeetingTime, datetime, datetime | None]]:
    """(schedule, starts, ends) of every occurrence not over at ``start`` that starts before ``end``.

    One in progress at ``start`` counts; one with no end time counts until it starts.
    """
    out = []
    for time in meeting.times:
        rule = rule_for(time.schedule(end_from_start=True))
        if not rule.timed:
            continue  # a meeting by appointment, or times that cannot be read: not placed on a day
        day = start.date() - DAY  # an overnight meeting that began yesterday may still be on
        while day <= end.date():
            if rule.occurs(day):
                opens, closes = rule.span(day)
                ends = closes if time.closes_at else None
                if opens < end and ((ends is not None and ends > start) or opens >= start):
                    out.append((time, opens, ends))
            day += DAY
    return out


def distance_to(meeting: Meeting, place: Place | None) -> float | None:
    """Km from ``place`` to the meeting's nearest venue (its coordinates, else its town's centre)."""
    if place is None:
        return None
    found = []
    for venue in meeting.places:
        lat, lon = venue.latitude, venue.longitude
        if lat is None or lon is None:
            town = town_place(venue.town)
            lat, lon = (town.latitude, town.longitude) if town else (None, None)
        km = distance_km(place, lat, lon)
        if km is not None:
            found.append(km)
    return min(found, default=None)


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("-", " ").split())


def _initials(name: str) -> str:
    return "".join(word[0] for word in _folded(name).split())


def fellowship_matches(meeting: Meeting, text: str) -> bool:
    """True when ``text`` names the meeting's fellowship: 'AA', 'smart', 'Narcotics Anonymous'.

    Its initials, or words that each begin a word of its name ('narc anon'); never a bare
    substring (so 'na' is not in 'Alcoholics Anonymous'), nor a type code ('O' is "Open").
    """
    wanted = _folded(text)
    words = _folded(meeting.fellowship).split()
    if not wanted or wanted == _initials(meeting.fellowship):
        return True
    return all(any(word.startswith(part) for word in words) for part in wanted.split())


def fellowship_marks(meeting: Meeting) -> set[str]:
    """Type codes that only repeat the fellowship ('AA' on an Alcoholics Anonymous meeting)."""
    words = meeting.fellowship.split()
    return {_initials(meeting.fellowship).upper(), *(words[:1] if words and words[0].isupper() else [])}


def type_words(meeting: Meeting) -> tuple[str, ...]:
    """The meeting's types in English words, leaving out the codes that only name its fellowship."""
    marks = fellowship_marks(meeting)
    return tuple(t.name for t in meeting.types if t.code not in marks)


def known_types(meetings: Iterable[Meeting]) -> dict[str, str]:
    """Every type code the meetings use, with its label, sorted by code."""
    found = {t.code: t.name for m in meetings for t in m.types}
    return dict(sorted(found.items()))


def fellowships(meetings: Iterable[Meeting]) -> list[str]:
    """The fellowships of these meetings, sorted."""
    return sorted({m.fellowship for m in meetings}, key=str.casefold)


def resolve_types(
    values: Sequence[str], known: Mapping[str, str], listed: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Type codes from codes, labels or common words ('women', 'x', 'Wheelchair Access').

    ``known`` maps each code that may be asked for to its label. Raises
    :class:`UnknownMeetingType` naming the value and the codes of ``listed`` (default: all).
    """
    by_code = {code.casefold(): code for code in known}
    by_label = {_folded(label): code for code, label in known.items()}
    out: list[str] = []
    for value in values:
        key = _folded(value)
        code = by_code.get(key) or by_label.get(key) or TYPE_ALIASES.get(key.replace(" ", ""))
        if code is None:
            shown = known if listed is None else listed
            choices = ", ".join(f"{c} ({label})" if label != c else c for c, label in shown.items())
            raise UnknownMeetingType(f"unknown meeting type {value.strip()!r}; the meetings here use: {choices}")
        if code not in out:
            out.append(code)
    return tuple(out)


def _attends(occurrence_attending: Attending | None, filters: MeetingFilters) -> bool:
    if filters.online_only and occurrence_attending not in (Attending.ONLINE, Attending.HYBRID):
        return False
    return not (filters.in_person_only and occurrence_attending not in (Attending.IN_PERSON, Attending.HYBRID))


def _near_enough(meeting: Meeting, attending: Attending | None, km: float | None, filters: MeetingFilters) -> bool:
    """Within reach of the place: close enough to go to, or open to join online from anywhere."""
    if filters.near is None or (km is not None and km <= filters.within_km):
        return True
    if not filters.in_person_only and attending in (Attending.ONLINE, Attending.HYBRID):
        return True
    # A venue with no known position cannot be measured: it is kept (marked "distance not
    # known"), as search keeps services without a map point, rather than dropped on a guess.
    return km is None and bool(meeting.places)


def _listed(meeting: Meeting, filters: MeetingFilters) -> bool:
    """The filters that do not depend on the day: status, fellowship and types."""
    if meeting.status in GONE:
        return False
    if filters.fellowship and not fellowship_matches(meeting, filters.fellowship):
        return False
    return set(filters.types) <= set(meeting.type_codes)


def find_meetings(
    meetings: Iterable[Meeting], filters: MeetingFilters, at: datetime, when: Window | str = Window.WEEK
) -> list[Occurrence]:
    """Every occurrence in the window from ``at`` (naive UK time) that passes the filters, in order."""
    start, end = window(at, when)
    found: list[Occurrence] = []
    for meeting in meetings:
        if not _listed(meeting, filters):
            continue
        km = distance_to(meeting, filters.near)
        for time, starts, ends in times_between(meeting, start, end):
            attending = Attending(time.attending_type) if time.attending_type in tuple(Attending) else meeting.attending
            if not _attends(attending, filters) or not _near_enough(meeting, attending, km, filters):
                continue
            found.append(Occurrence(meeting, starts, ends, attending, km, bank_holiday(starts.date())))
    found.sort(
        key=lambda o: (
            o.starts,
            math.inf if o.distance_km is None else o.distance_km,
            o.meeting.name.casefold(),
            o.meeting.id,
        )
    )
    return found


def unscheduled(meetings: Iterable[Meeting], filters: MeetingFilters) -> list[Meeting]:
    """Meetings that pass the filters but give no day and time to list them by ("by arrangement")."""
    out = []
    for meeting in meetings:
        if any(rule_for(t.schedule(end_from_start=True)).timed for t in meeting.times):
            continue
        km = distance_to(meeting, filters.near)
        attending = meeting.attending
        if _listed(meeting, filters) and _attends(attending, filters) and _near_enough(meeting, attending, km, filters):
            out.append(meeting)
    return out


@dataclass(frozen=True)
class MeetingList:
    """One printable list: what was asked, the occurrences, the meetings with no set time, and their sources."""

    when: Window
    start: datetime
    end: datetime
    filters: MeetingFilters
    occurrences: tuple[Occurrence, ...]
    unscheduled: tuple[Meeting, ...]
    sources: tuple[tuple[str, str | None], ...]  # (source, when it was last read) of the meetings consulted


def meeting_list(
    meetings: Sequence[Meeting], filters: MeetingFilters, at: datetime, when: Window | str = Window.WEEK
) -> MeetingList:
    """The list of ``meetings`` for ``when`` from ``at`` (naive UK time) that pass ``filters``."""
    start, end = window(at, when)
    sources: dict[str, str | None] = {}
    for meeting in meetings:
        if meeting.source and meeting.source not in sources:
            sources[meeting.source] = meeting.source_date
    return MeetingList(
        when=Window(when),
        start=start,
        end=end,
        filters=filters,
        occurrences=tuple(find_meetings(meetings, filters, at, when)),
        unscheduled=tuple(unscheduled(meetings, filters)),
        sources=tuple(sources.items()),
    )
