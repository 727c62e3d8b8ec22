"""The per-record readers of the directory sources: TOML tables into checked model objects.

One function per kind of record (organisation, location, service, schedule). Each reads a
table through a :class:`~coventry_directory.core.directory_source.SourceReader`, which
records every problem with its place in the sources rather than stopping at the first, and
returns the model object (or None when the record cannot be made at all).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING, TypedDict

from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import AREAS, Address, Location, Organization, Phone, Schedule, Service
from coventry_directory.core.source_documents import time_patterns
from coventry_directory.core.text import NOT_ONE_LINE

if TYPE_CHECKING:  # only for annotations: directory_source imports this module
    from coventry_directory.core.directory_source import SourceReader

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BYDAY = re.compile(r"^(-?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
PHONE_TYPES = ("voice", "text", "fax", "textphone", "cell", "video", "pager")
# How a keeper checked a record (``assured_how``; ``coventry-directory assure --how``).
ASSURED_HOW = ("phone", "email", "web", "visit", "provider-form")
ASSURED_BY_MAX = 200  # a name or a role, not a paragraph
REVIEW_DUE_YEARS = 3  # the latest next check after an assured date: a record unchecked longer is not assured


def read_location(reader: SourceReader, table: dict, org_key: str) -> Location | None:
    """One ``[[organization.location]]`` table: a place with its address checked against its sources."""
    key = table.get("key")
    if not key:
        reader.problem("a location has no key")
        return None
    reader.where = f"{reader.where.split(' ')[0]} location {key}"
    sources = reader.citations(table)
    address = None
    address_1 = reader.text(table, "address_1")
    if address_1:
        address = Address(
            address_1=address_1,
            address_2=reader.text(table, "address_2"),
            city=reader.text(table, "city"),
            postal_code=reader.text(table, "postal_code"),
        )
        reader.require_in_sources(address_1, sources, "address")
        if address.postal_code:
            reader.require_in_sources(address.postal_code, sources, "postcode")
    area = reader.text(table, "area")
    if area and area not in AREAS:
        reader.problem(f"area {area!r} is not a catchment code")
    return Location(
        id=stable_id("location", key),
        key=key,
        name=reader.text(table, "name") or key,
        description=reader.text(table, "description"),
        address=address,
        town=reader.text(table, "town") or (address.city if address else None),
        area=area,
        sources=sources,
    )


def read_organization(reader: SourceReader, table: dict, locations: dict[str, Location]) -> Organization | None:
    """One ``[[organization]]`` table with its locations (each added to ``locations`` by key)."""
    key = table.get("key")
    if not key or not table.get("name") or not table.get("description"):
        reader.problem("an organisation needs key, name and description")
        return None
    file_where = reader.where
    reader.where = f"{file_where} organisation {key}"
    reader.visible_text(table)
    org = Organization(
        id=stable_id("organization", key),
        key=key,
        name=table["name"].strip(),
        description=table["description"].strip(),
        alternate_name=reader.text(table, "alternate_name"),
        website=reader.web_address(table, "website"),
        email=reader.text(table, "email"),
        tax_id=reader.text(table, "tax_id"),
        legal_status=reader.text(table, "legal_status"),
        sources=reader.citations(table),
    )
    if org.email:
        reader.require_in_sources(org.email, org.sources, "email")
    for loc_table in table.get("location", []):
        reader.where = f"{file_where} location"
        loc = read_location(reader, loc_table, key)
        if loc is None:
            continue
        reader.register(locations, loc, "location")
        org.locations.append(loc)
    reader.where = file_where
    return org


def read_schedule(
    reader: SourceReader, table: dict, service_key: str, index: int, locations: dict[str, Location]
) -> Schedule:
    """One schedule of a service; its times must appear in the text of a source it cites."""
    sources = reader.citations(table)
    location_id = None
    if table.get("location"):
        loc = locations.get(table["location"])
        if loc is None:
            reader.problem(f"schedule names unknown location {table['location']!r}")
        else:
            location_id = loc.id
    freq = reader.text(table, "freq")
    if freq and freq not in ("WEEKLY", "MONTHLY", "DAILY"):
        reader.problem(f"schedule freq {freq!r} must be WEEKLY, MONTHLY or DAILY")
    byday = reader.text(table, "byday")
    for day in (byday or "").split(","):
        if day and not _BYDAY.match(day.strip()):
            reader.problem(f"schedule byday {day!r} is not like MO, 2MO or -1FR")
    cited = reader.cited_text(sources)
    for key in ("opens_at", "closes_at"):
        value = reader.text(table, key)
        if value:
            if not _TIME.match(value):
                reader.problem(f"schedule {key} {value!r} must be HH:MM")
            elif not any(p.search(cited) for p in time_patterns(value)):
                reader.problem(f"schedule {key} {value!r} does not appear in its cited sources")
    for key in ("valid_from", "valid_to"):
        value = reader.text(table, key)
        if value and not _DATE.match(value):
            reader.problem(f"schedule {key} {value!r} must be an ISO date")
    interval = table.get("interval")
    return Schedule(
        id=stable_id("schedule", service_key, index),
        freq=freq,
        interval=int(interval) if isinstance(interval, int) else None,
        byday=byday,
        bymonthday=reader.text(table, "bymonthday"),
        opens_at=reader.text(table, "opens_at"),
        closes_at=reader.text(table, "closes_at"),
        valid_from=reader.text(table, "valid_from"),
        valid_to=reader.text(table, "valid_to"),
        description=reader.text(table, "description"),
        notes=reader.text(table, "notes"),
        location_id=location_id,
        sources=sources,
    )


class AssuranceFields(TypedDict):
    """A service's assurance fields, as :class:`Service` keywords (None: not stated)."""

    assured_by: str | None
    assured_how: str | None
    review_due: str | None
    assurance_note: str | None
    may_have_changed_reason: str | None


def read_assurance(reader: SourceReader, table: dict, verification: str | None) -> AssuranceFields:
    """A service's assurance fields (who checked it, how, when next, notes), each checked; Service keywords.

    ``review_due`` is a whole ISO date, not before ``assured_date`` and at most REVIEW_DUE_YEARS
    after it; ``may_have_changed_reason`` belongs only to a record still marked
    ``provider-may-have-changed``.
    """
    by = reader.text(table, "assured_by")
    if by and (len(by) > ASSURED_BY_MAX or NOT_ONE_LINE.search(by)):
        # as assure --by takes it (core.text.one_line): the name is published with the record
        reader.problem(
            f"assured_by must be one line of at most {ASSURED_BY_MAX} characters, "
            "with no control or text-direction characters"
        )
    how = reader.text(table, "assured_how")
    if how and how not in ASSURED_HOW:
        reader.problem(f"assured_how {how!r} is not one of {', '.join(ASSURED_HOW)}")
    due = reader.text(table, "review_due")
    if due:
        assured = str(table.get("assured_date", ""))
        if not _DAY.match(due) or not _real_day(due):
            reader.problem(f"review_due {due!r} must be a date, YYYY-MM-DD")
        elif _DAY.match(assured) and _real_day(assured):
            latest = latest_review_due(dt.date.fromisoformat(assured))
            if due < assured:
                reader.problem(f"review_due {due} is before assured_date {assured}")
            elif due > latest.isoformat():
                reader.problem(
                    f"review_due {due} is more than {REVIEW_DUE_YEARS} years after assured_date {assured} "
                    f"(at the latest {latest.isoformat()})"
                )
    reason = reader.text(table, "may_have_changed_reason")
    if reason and verification != "provider-may-have-changed":
        reader.problem("may_have_changed_reason is only for verification = 'provider-may-have-changed'")
    return AssuranceFields(
        assured_by=by,
        assured_how=how,
        review_due=due,
        assurance_note=reader.text(table, "assurance_note"),
        may_have_changed_reason=reason,
    )


def latest_review_due(assured: dt.date) -> dt.date:
    """The latest review date a record assured on ``assured`` may have: REVIEW_DUE_YEARS on (29 February: the 28th)."""
    year = assured.year + REVIEW_DUE_YEARS
    return assured.replace(year=year, day=min(assured.day, calendar.monthrange(year, assured.month)[1]))


def _real_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_service(
    reader: SourceReader, table: dict, orgs: dict[str, Organization], locations: dict[str, Location]
) -> Service | None:
    """One ``[[service]]`` table with its phones and schedules, checked field by field."""
    key = table.get("key")
    file_where = reader.where
    if not key or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        reader.problem(f"service key {key!r} must be lowercase letters, digits and hyphens")
        return None
    reader.where = f"{file_where} service {key}"
    org = orgs.get(table.get("organization", ""))
    if org is None:
        reader.problem(f"unknown organization {table.get('organization')!r}")
        reader.where = file_where
        return None
    for required in ("name", "description", "assured_date", "verification"):
        if not table.get(required):
            reader.problem(f"{required} is required")
    reader.visible_text(table)
    status = table.get("status", "active")
    if status not in STATUSES:
        reader.problem(f"status {status!r} is not one of {STATUSES}")
    verification = table.get("verification")
    if verification and verification not in reader.vocabularies["verification"].codes():
        reader.problem(f"verification {verification!r} is not a verification code")
    for date_key in ("assured_date", "evidence_date"):
        if table.get(date_key) and not _DATE.match(str(table[date_key])):
            reader.problem(f"{date_key} {table[date_key]!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    assurance = read_assurance(reader, table, verification)
    coverage = table.get("coverage", "local")
    if coverage not in ("local", "national"):
        reader.problem("coverage must be 'local' or 'national'")
    catchment = reader.codes(table, "catchment")
    if coverage == "national":
        catchment = AREAS
    sources = reader.citations(table)
    service = Service(
        id=stable_id("service", key),
        key=key,
        name=str(table.get("name", key)).strip(),
        organization=org,
        description=str(table.get("description", "")).strip(),
        alternate_name=reader.text(table, "alternate_name"),
        url=reader.web_address(table, "url"),
        email=reader.text(table, "email"),
        status=status,
        application_process=reader.text(table, "application_process"),
        eligibility_description=reader.text(table, "eligibility_description"),
        fees_description=reader.text(table, "fees_description"),
        minimum_age=reader.age(table, "minimum_age"),
        maximum_age=reader.age(table, "maximum_age"),
        assured_date=str(table.get("assured_date", "")) or None,
        evidence_date=str(table["evidence_date"]) if table.get("evidence_date") else None,
        verification=verification,
        **assurance,
        alert=reader.text(table, "alert"),
        sources=sources,
        categories=reader.codes(table, "categories"),
        genders=reader.codes(table, "genders"),
        substances=reader.codes(table, "substances"),
        client_groups=reader.codes(table, "client_groups"),
        groups_required=bool(table.get("groups_required", False)),
        referral_routes=reader.codes(table, "referral_routes"),
        delivery_modes=reader.codes(table, "delivery_modes"),
        catchment=tuple(catchment),
        coverage=coverage,
        languages=tuple(table.get("languages", [])),
        keywords=tuple(table.get("keywords", [])),
    )
    if not service.categories:
        reader.problem("at least one category is required")
    if service.email:
        reader.require_in_sources(service.email, sources, "email")
    if (
        service.minimum_age is not None
        and service.maximum_age is not None
        and service.minimum_age > service.maximum_age
    ):
        reader.problem("minimum_age is above maximum_age")
    for loc_key in table.get("locations", []):
        loc = locations.get(loc_key)
        if loc is None:
            reader.problem(f"unknown location {loc_key!r}")
        else:
            service.locations.append(loc)
    for index, phone in enumerate(table.get("phones", [])):
        number = str(phone.get("number", "")).strip()
        cites = reader.citations(phone)
        if not number:
            reader.problem("a phone has no number")
            continue
        reader.require_in_sources(number, cites, "phone")
        ptype = phone.get("type", "voice")
        if ptype not in PHONE_TYPES:
            reader.problem(f"phone type {ptype!r} is not one of {PHONE_TYPES}")
        service.phones.append(
            Phone(stable_id("phone", key, index), number, ptype, reader.text(phone, "description"), cites)
        )
    for index, sched in enumerate(table.get("schedules", [])):
        service.schedules.append(read_schedule(reader, sched, key, index, locations))
    reader.where = file_where
    return service
