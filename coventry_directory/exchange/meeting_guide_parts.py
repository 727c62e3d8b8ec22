"""The parts of one meeting's HSDS 3.0 service: how it is attended, its schedule, places, phones, contacts, attributes.

Part of :mod:`coventry_directory.exchange.meeting_guide`, which puts them together. Every id
is a UUID made with ``stable_id`` from the feed name and the meeting's slug
(:class:`MeetingKey`), so a second import of the same feed gives the same ids. Objects that
many meetings share - a venue, an organisation, a taxonomy term - get ids from their content,
so all their copies are identical and merge cleanly when flattened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from coventry_directory.core.ids import stable_id
from coventry_directory.core.taxonomy import taxonomy_id, term_id, vocabularies
from coventry_directory.core.text import clean_text
from coventry_directory.exchange.meeting_guide_values import (
    DAY_CODES,
    MeetingValues,
    retired_types,
    spec_types,
    type_label,
)

MEETING_TYPE_TAXONOMY = "meeting-type"
# What a type code says about who a meeting is for, in our own vocabularies.
OUR_TERMS_BY_TYPE = {
    "W": ("gender", "female"),
    "M": ("gender", "male"),
    **{code: ("client_group", "lgbtq") for code in ("LGBTQ", "G", "L", "BI", "T", "NB")},
}


@dataclass(frozen=True)
class MeetingKey:
    """What identifies one meeting: the feed's name and the meeting's slug."""

    feed: str
    slug: str

    def id(self, kind: str, *parts: object) -> str:
        """The stable UUID of one part of this meeting (``kind`` says which table)."""
        return stable_id(f"meeting-guide-{kind}", self.feed, self.slug, *parts)


class Attendance:
    """How one meeting can be attended, read from its address, conference fields and types.

    In person needs a street address that is not marked approximate, at a location that is
    not temporarily closed (type ``TC``); online needs ``conference_url`` or
    ``conference_phone`` - the rule the spec gives for an active online meeting.
    """

    def __init__(self, values: MeetingValues, codes: list[str]):
        self.conference_url = values.url("conference_url")
        self.conference_phone = values.text("conference_phone")
        self.street = values.text("formatted_address") or values.text("address")
        approximate = values.flag("approximate")
        self.closed = "TC" in codes  # "Location Temporarily Closed"
        online = bool(self.conference_url or self.conference_phone)
        self.in_person = bool(self.street) and approximate is not True and not self.closed
        self.inactive = values.text("attendance_option") == "inactive" or (self.closed and not online)
        self.attending = ("hybrid" if online else "in-person") if self.in_person else ("online" if online else None)
        if approximate is True and not online and not self.closed:
            values.warn("approximate", "the only address of this in-person meeting is marked approximate")
        # The venue is listed unless the meeting is online only (its address is then its area,
        # not a place to go) or its location is closed for now (the description says so).
        self.venue = not self.closed and (self.in_person or not online)


def schedules(values: MeetingValues, key: MeetingKey, attending: str | None) -> list[dict]:
    """The meeting's weekly schedule; none (with a warning) for a meeting by appointment."""
    days, opens = values.days(), values.clock("time")
    closes = values.end_time(opens)
    if not days:
        values.warn("day", "no day is given: a meeting by appointment, listed without a schedule")
        return []
    schedule: dict[str, Any] = {
        "id": key.id("schedule"),
        "freq": "WEEKLY",
        "byday": ",".join(DAY_CODES[d] for d in days),
    }
    if opens:
        schedule["opens_at"] = opens
    else:
        values.warn("time", "no time is given: the schedule has its day only")
    if closes:
        schedule["closes_at"] = closes
    if attending:
        schedule["attending_type"] = attending
    zone = values.meeting.get("timezone")
    if isinstance(zone, int | float) and not isinstance(zone, bool):
        if -14 <= zone <= 14:  # every UTC offset in use (also false for NaN, which JSON cannot write back)
            schedule["timezone"] = zone  # HSDS 3.0's timezone is a UTC offset
        else:
            values.warn("timezone", f"{zone!r} is not a UTC offset; left out")
    elif values.text("timezone"):
        name = values.text("timezone")
        # A tz name has no fixed offset (London is +0 or +1), so HSDS's number cannot hold it.
        schedule["notes"] = f"Times are {name} time."
        if name != "Europe/London":
            values.warn("timezone", f"is {name}: the directory shows meeting times as UK time")
    return [schedule]


def places(values: MeetingValues, key: MeetingKey, ways: Attendance) -> list[dict]:
    """The meeting's service_at_locations: its venue and its online room, each when there is one."""
    out = []
    location = venue(values, key.feed) if ways.venue else None
    if location:
        out.append({"id": key.id("service-at-location", "venue"), "location": location})
    if ways.conference_url:
        online: dict[str, Any] = {
            "id": key.id("location", "online"),
            "location_type": "virtual",
            "url": ways.conference_url,
            "name": "Online meeting",
        }
        notes = values.text("conference_url_notes")
        if notes:
            online["description"] = notes
        out.append({"id": key.id("service-at-location", "online"), "location": online})
    return out


def venue(values: MeetingValues, feed: str) -> dict | None:
    """The physical location as the feed gives it, or None when it gives nothing of it."""
    location: dict[str, Any] = {"location_type": "physical"}
    name = values.text("location")
    if name:
        location["name"] = name
    point = values.coordinates()
    if point:
        location["latitude"], location["longitude"] = point
    found = address(values)
    if found:
        location["addresses"] = [found]
    if len(location) == 1:
        return None
    # Meetings at one venue share one location: its id comes from what the feed says of it,
    # so the copies that merge are always identical.
    location_id = stable_id("meeting-guide-location", feed, json.dumps(location, sort_keys=True))
    if found:
        location["addresses"] = [{"id": stable_id("meeting-guide-address", location_id), **found}]
    return {"id": location_id, **location}


def address(values: MeetingValues) -> dict | None:
    """The address, split only as far as the feed splits it: ``formatted_address`` stays whole."""
    street = values.text("address") or values.text("formatted_address")
    parts = {name: values.text(name) for name in ("city", "state", "postal_code", "country")}
    if not street and not any(parts.values()):
        return None
    country = parts["country"] or ""
    if country.upper() == "UK":
        values.warn("country", 'is "UK"; written as "GB", its ISO 3166-1 code')
        country = "GB"
    out = {
        "address_1": street or "",
        "city": parts["city"] or "",
        "state_province": parts["state"] or "",
        "postal_code": parts["postal_code"] or "",
        "country": country,
        "address_type": "physical",
    }
    regions = values.meeting.get("regions")
    if isinstance(regions, list) and regions and all(isinstance(r, str) and r.strip() for r in regions):
        out["region"] = " > ".join(clean_text(r.strip()) for r in regions)  # the spec's sheet form: general > specific
    elif values.text("region"):
        out["region"] = " > ".join(r for r in (values.text("region"), values.text("sub_region")) if r)
    return out


def phones(values: MeetingValues, key: MeetingKey) -> list[dict]:
    """The dial-in (``conference_phone``) and the meeting's own ``phone``."""
    out = []
    dial_in = values.text("conference_phone")
    if dial_in:
        # "+13017158592,,857796#": the number, then what a phone dials after it (one-tap)
        number, _, tail = dial_in.partition(",")
        text = "Dial-in for the online meeting" + (f" (one-tap: {dial_in})" if tail else "") + "."
        notes = values.text("conference_phone_notes")
        out.append(
            {
                "id": key.id("phone", "conference"),
                "number": number.strip(),
                "type": "voice",
                "description": f"{text} {notes}" if notes else text,
            }
        )
    phone = values.text("phone")
    if phone:
        out.append({"id": key.id("phone", "phone"), "number": phone, "type": "voice"})
    return out


def contacts(values: MeetingValues, key: MeetingKey) -> list[dict]:
    """The list's publisher (``entity_*``) and up to three contact people, each with an email or phone."""
    people = [(f"contact_{n}", f"contact_{n}_name", f"contact_{n}_email", f"contact_{n}_phone") for n in (1, 2, 3)]
    out = []
    for role, name_key, email_key, phone_key in [("entity", "entity", "entity_email", "entity_phone"), *people]:
        email, phone = values.email(email_key), values.text(phone_key)
        if not email and not phone:
            continue  # a name alone is no way to get in touch
        contact: dict[str, Any] = {"id": key.id("contact", role)}
        name = values.text(name_key)
        if name:
            contact["name"] = name
        if email:
            contact["email"] = email
        contact["phones"] = [{"id": key.id("phone", role), "number": phone, "type": "voice"}] if phone else []
        out.append(contact)
    return out


def attributes(sid: str, codes: list[str], ways: Attendance) -> list[dict]:
    """Our category, delivery modes, gender and client group, then each type code as a meeting-type term."""
    ours = [("category", "mutual-aid")]
    if ways.in_person:
        ours.append(("delivery_mode", "in-person"))
    if ways.conference_url:
        ours.append(("delivery_mode", "online"))
    if ways.conference_phone:
        ours.append(("delivery_mode", "phone"))
    ours += list(dict.fromkeys(OUR_TERMS_BY_TYPE[c] for c in codes if c in OUR_TERMS_BY_TYPE))
    taxonomies = [taxonomy for taxonomy, _ in ours]
    out = [_attribute(sid, t, c, taxonomies[:n].count(t), our_term(t, c)) for n, (t, c) in enumerate(ours)]
    out += [_attribute(sid, MEETING_TYPE_TAXONOMY, c, n, type_term(c)) for n, c in enumerate(codes)]
    return out


def _attribute(sid: str, taxonomy: str, code: str, n: int, term: dict) -> dict:
    # id and value as store/model_rows.py makes them: value is the code's place in its list
    return {
        "id": stable_id("attribute", "service", sid, taxonomy, code, 0, str(n)),
        "link_id": sid,
        "link_entity": "service",
        "link_type": taxonomy,
        "taxonomy_term_id": term["id"],
        "value": str(n),
        "taxonomy_term": term,
    }


def our_term(taxonomy: str, code: str) -> dict:
    """One of our taxonomy terms exactly as the directory writes it, so the copies merge."""
    vocabulary = vocabularies()[taxonomy]
    term = next(t for t in vocabulary.terms if t.code == code)
    return {
        "id": term_id(taxonomy, code),
        "code": code,
        "name": term.name,
        "description": term.description,
        "taxonomy": taxonomy,
        "taxonomy_id": taxonomy_id(taxonomy),
        "language": "en",
        "taxonomy_detail": {
            "id": taxonomy_id(taxonomy),
            "name": vocabulary.title,
            "description": vocabulary.description,
            "version": "1",
        },
    }


def type_term(code: str) -> dict:
    """The ``meeting-type`` term of one type code, named by the spec's English label (or the code)."""
    if code in spec_types():
        about = f"Meeting type {code} of the Meeting Guide specification."
    elif code in retired_types():
        about = f"Meeting type {code}, listed by the Meeting Guide specification until 2022."
    else:
        about = f"Meeting type code {code} used by a meeting list; the Meeting Guide specification does not define it."
    return {
        "id": term_id(MEETING_TYPE_TAXONOMY, code),
        "code": code,
        "name": type_label(code),
        "description": about,
        "taxonomy": MEETING_TYPE_TAXONOMY,
        "taxonomy_id": taxonomy_id(MEETING_TYPE_TAXONOMY),
        "language": "en",
        "taxonomy_detail": {
            "id": taxonomy_id(MEETING_TYPE_TAXONOMY),
            "name": "Meeting type",
            "description": "Meeting types of the Meeting Guide specification (github.com/code4recovery/spec).",
            "uri": "https://github.com/code4recovery/spec",
        },
    }
