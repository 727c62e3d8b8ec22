"""Mutual-aid meetings from Meeting Guide JSON (AA, NA, SMART... meeting finders) as HSDS 3.0 services.

The Meeting Guide format (github.com/code4recovery/spec) is a JSON list of weekly
meetings. Each meeting becomes one HSDS 3.0 service, valid against the spec's
``service.json``, so search, "open now", filters and leaflets work on it:

- ``name``; ``description`` from ``notes``, ``location_notes``, ``group`` and ``group_notes``;
  ``url`` (else the group's ``website``); ``email``; ``status`` active, or inactive when the
  feed says so (``attendance_option`` "inactive", or type ``TC`` with no way to join online);
  ``last_modified`` from ``updated``;
- ``organization``: one per fellowship, its id from the name (the ``fellowship`` argument;
  else a fellowship type code such as ``SMART``; else the feed's ``entity``, else ``group``;
  else "Mutual-aid meetings (feed name)");
- ``schedules``: one weekly schedule (``byday`` from ``day``, 0 = Sunday; ``opens_at`` /
  ``closes_at`` from ``time`` / ``end_time``), with ``attending_type`` in-person, online or
  hybrid when the feed shows it. A meeting with no day is "by appointment": no schedule;
- ``service_at_locations``: the venue (a physical location, its address as given: only
  ``formatted_address`` stays whole in ``address_1``) and, for ``conference_url``, a
  virtual location. An online-only meeting's approximate address is its area, not a venue,
  and is left out; so is the venue of a meeting whose location is temporarily closed (said in
  the description instead);
- ``phones``: ``conference_phone`` (the dial-in) and ``phone``; ``contacts``: ``contact_N_*``
  and the ``entity_*`` email and phone;
- ``attributes``: our category "mutual-aid", our delivery modes (and the gender and client
  group a W, M or LGBTQ+ meeting is for), and each type code as a term of the
  ``meeting-type`` taxonomy, named by the spec's English label (:func:`type_label`).

Nothing is invented: no address, time or phone number that the feed does not give. Repairs
are warnings; a meeting that cannot be read (no name or slug, a duplicate slug, a time or
day that cannot be read) is skipped with a problem. Fields HSDS 3.0 has no place for (donation
handles, feedback addresses, the publisher's logo...) are left out with one warning per
field. Nothing here touches the database or the network.

Reading each value (and its repairs) is :mod:`~coventry_directory.exchange.meeting_guide_values`;
building the schedule, places, phones, contacts and attributes is
:mod:`~coventry_directory.exchange.meeting_guide_parts`.
"""

from __future__ import annotations

from typing import Any

from coventry_directory.core.ids import stable_id
from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.meeting_guide_parts import (
    Attendance,
    MeetingKey,
    attributes,
    contacts,
    phones,
    places,
    schedules,
)
from coventry_directory.exchange.meeting_guide_values import MeetingValues, Unreadable, type_label

__all__ = ["looks_like_meeting_guide", "meetings_to_hsds3", "type_label"]

# Keys only a Meeting Guide meeting has (HSDS objects have none of them).
_MEETING_KEYS = frozenset(
    ("slug", "day", "time", "end_time", "types", "formatted_address", "conference_url", "conference_phone")
    + ("location_notes", "approximate", "attendance_option", "group_notes", "updated")
)
_SAMPLE = 5
# Type codes some feeds add for the fellowship; none is a spec code (a spec code like AL-AN
# says who meets alongside, not whose meeting it is).
_FELLOWSHIP_TYPES = {
    "AA": "Alcoholics Anonymous",
    "NA": "Narcotics Anonymous",
    "CA": "Cocaine Anonymous",
    "CMA": "Crystal Meth Anonymous",
    "SMART": "SMART Recovery",
}
_NO_HOME = {
    **dict.fromkeys(("venmo", "square", "paypal", "homegroup_online"), "a 7th Tradition (donation) handle"),
    **dict.fromkeys(("edit_url", "feedback_url", "feedback_emails"), "for sending changes to the list's publisher"),
    **dict.fromkeys(
        ("entity_location", "entity_logo", "entity_url", "entity_website_url"), "about the list's publisher"
    ),
}
_USED = frozenset(
    ("name", "slug", "day", "time", "end_time", "timezone", "types", "notes", "updated", "url", "website", "email")
    + ("phone", "location", "location_notes", "group", "group_notes", "formatted_address", "address", "city")
    + ("state", "postal_code", "country", "region", "sub_region", "regions", "latitude", "longitude", "approximate")
    + ("conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes", "attendance_option")
    + ("entity", "entity_email", "entity_phone")
    + tuple(f"contact_{n}_{part}" for n in (1, 2, 3) for part in ("name", "email", "phone"))
)
# A meeting finder's own record ids and display copies of fields: nothing to keep.
_INTERNAL = frozenset(("id", "location_id", "group_id", "region_id", "district_id", "time_formatted"))


def looks_like_meeting_guide(doc: Any) -> bool:
    """True when ``doc`` is a JSON list whose first items are Meeting Guide meetings.

    Looks at the first few items only, and never raises: most of them must be objects with
    at least two keys only a meeting has (``slug``, ``day``, ``time``, ``types``...).
    """
    if not isinstance(doc, list) or not doc:
        return False
    sample = doc[:_SAMPLE]
    meetings = sum(1 for item in sample if isinstance(item, dict) and len(_MEETING_KEYS.intersection(item)) >= 2)
    return meetings * 2 > len(sample)


def meetings_to_hsds3(
    doc: Any, *, feed_name: str, fellowship: str | None = None, path: str = "$"
) -> tuple[list[dict], list[Problem], list[Problem]]:
    """(HSDS 3.0 services, problems with the meetings skipped, warnings about repairs) for one feed.

    ``feed_name`` names the feed in ids (the same feed and slug always give the same ids)
    and in the fallback organisation name; ``fellowship`` names the organisation of every
    meeting when the caller knows it; ``path`` is the JSON path of ``doc`` in problems.
    """
    if not isinstance(doc, list):
        return [], [Problem(path, f"expected a list of Meeting Guide meetings, found {type(doc).__name__}")], []
    feed = _Feed(feed_name, fellowship)
    for n, item in enumerate(doc):
        feed.add(item, f"{path}[{n}]")
    return feed.services, feed.problems, feed.warnings + feed.summary()


class _Feed:
    """The conversion of one feed: services so far, slugs seen, problems and warnings."""

    def __init__(self, feed_name: str, fellowship: str | None):
        self.feed_name = clean_text(feed_name)
        self.fellowship = clean_text(fellowship.strip()) if fellowship and fellowship.strip() else None
        self.services: list[dict] = []
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._slugs: dict[str, str] = {}
        # field -> [first path, count]: one warning per field, not one per meeting
        self._left_out: dict[str, list] = {}
        self._nulls: dict[str, list] = {}

    def add(self, item: Any, at: str) -> None:
        """Convert one meeting, or record why it was skipped."""
        if not isinstance(item, dict):
            self.problems.append(Problem(at, f"is not a meeting object (found {type(item).__name__}); skipped"))
            return
        meeting = {k: v for k, v in item.items() if v is not None}
        pending: list[Problem] = []
        values = MeetingValues(meeting, at, lambda where, message: pending.append(Problem(where, message)))
        try:
            service = self._service(values)
        except Unreadable as exc:
            self.problems.append(Problem(exc.path, f"{exc.message}; the meeting was skipped"))
            return
        self.services.append(service)
        self.warnings += pending
        for key in sorted(item):
            if item[key] in ("", [], {}):
                continue
            if item[key] is None:
                _count(self._nulls, key, f"{at}.{key}")
            elif key in _NO_HOME or (key not in _USED and key not in _INTERNAL):
                _count(self._left_out, key, f"{at}.{key}")

    def summary(self) -> list[Problem]:
        """One warning per field that was null, or that has no place in HSDS, with its first path."""
        out = [
            Problem(first, f"is null on {n} meeting(s) (the first is here); read as absent")
            for first, n in self._nulls.values()
        ]
        for key, (first, n) in self._left_out.items():
            why = _NO_HOME.get(key, "not a Meeting Guide field")
            out.append(Problem(first, f"{key!r} ({why}) has no place in HSDS 3.0: left out of {n} meeting(s)"))
        return out

    def _slug(self, values: MeetingValues) -> str:
        slug = values.meeting.get("slug")
        # the spec prefers text but allows whole-number ids
        if isinstance(slug, int) and not isinstance(slug, bool):
            slug = str(slug)
        if slug is None or slug == "" or (isinstance(slug, str) and not slug.strip()):
            raise Unreadable(values.at("slug"), "has no slug (the spec requires one, unique in the feed)")
        if not isinstance(slug, str):
            raise Unreadable(values.at("slug"), f"{slug!r} is not a slug (text or a whole number)")
        slug = clean_text(slug.strip())  # ids are made from it, and UTF-8 cannot hold a lone surrogate
        first = self._slugs.setdefault(slug, values.path)
        if first != values.path:
            raise Unreadable(values.at("slug"), f"slug {slug!r} is also the slug of {first}")
        return slug

    def _service(self, values: MeetingValues) -> dict:
        key = MeetingKey(self.feed_name, self._slug(values))
        name = values.text("name")
        if name is None:
            raise Unreadable(values.at("name"), "has no name (the spec requires one)")
        sid = key.id("service")
        codes = values.types()
        ways = Attendance(values, codes)
        org = self._organization(values, codes)
        service: dict[str, Any] = {"id": sid, "organization_id": org["id"], "name": name}
        optional = {
            "description": _description(values, ways),
            "url": values.url("url") or values.url("website"),
            "email": values.email("email"),
            "status": "inactive" if ways.inactive else "active",
            "last_modified": values.timestamp("updated"),
        }
        service |= {field: value for field, value in optional.items() if value}
        # Every list is written, empty or not: this meeting's list is the whole truth about it.
        service["organization"] = org
        service["phones"] = phones(values, key)
        service["schedules"] = schedules(values, key, ways.attending)
        service["service_at_locations"] = places(values, key, ways)
        service["contacts"] = contacts(values, key)
        service["attributes"] = attributes(sid, codes, ways)
        return service

    def _organization(self, values: MeetingValues, codes: list[str]) -> dict:
        name = (
            self.fellowship
            or next((_FELLOWSHIP_TYPES[c] for c in codes if c in _FELLOWSHIP_TYPES), None)
            or values.text("entity")
            or values.text("group")
            or f"Mutual-aid meetings ({self.feed_name})"
        )
        # The same name must give the same object wherever it appears, or merging the copies
        # would report a conflict: so nothing here depends on the meeting or the feed.
        return {
            "id": stable_id("meeting-guide-organization", name),
            "name": name,
            "description": f"{name}: mutual-aid meetings from a Meeting Guide meeting list.",
        }


def _count(table: dict[str, list], key: str, where: str) -> None:
    entry = table.setdefault(key, [where, 0])
    entry[1] += 1


def _description(values: MeetingValues, ways: Attendance) -> str:
    parts = [values.text("notes"), values.text("location_notes")]
    group = values.text("group")
    if group:
        parts.append(f"Group: {group}")
    parts.append(values.text("group_notes"))
    if ways.closed:
        where = ", ".join(p for p in (values.text("location"), ways.street) if p)
        parts.append(f"Location temporarily closed: {where}." if where else "Location temporarily closed.")
    return "\n\n".join(p for p in parts if p)
