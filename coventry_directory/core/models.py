"""Plain data classes for the directory: organisations, services and what hangs off them.

These mirror HSDS 3.0 objects (field names as in the spec) plus the computable
eligibility our own taxonomy adds. ``None`` or an empty tuple always means "not known".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The six catchment areas in the order a worker reads them.
AREAS: tuple[str, ...] = (
    "coventry",
    "north-warwickshire",
    "nuneaton-bedworth",
    "rugby",
    "warwick",
    "stratford-on-avon",
)

# Service fields that hold codes of one of our vocabularies: field name -> taxonomy name.
CODE_FIELDS: dict[str, str] = {
    "categories": "category",
    "genders": "gender",
    "substances": "substance",
    "client_groups": "client_group",
    "referral_routes": "referral_route",
    "delivery_modes": "delivery_mode",
    "catchment": "catchment",
}

# The vocabularies a service's computable eligibility uses (taxonomy names).
VOCABULARIES: tuple[str, ...] = (
    "category",
    "substance",
    "client_group",
    "referral_route",
    "delivery_mode",
    "catchment",
    "gender",
    "verification",
)


@dataclass(frozen=True)
class Term:
    """One term of our published taxonomy."""

    taxonomy: str
    code: str
    name: str
    description: str = ""


@dataclass
class Phone:
    """A phone number exactly as a source printed it."""

    id: str
    number: str
    type: str = "voice"
    description: str | None = None
    sources: tuple[str, ...] = ()


@dataclass
class Schedule:
    """An HSDS schedule: when a service (optionally at one location) is open."""

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
    description: str | None = None
    notes: str | None = None
    location_id: str | None = None
    sources: tuple[str, ...] = ()


@dataclass
class Address:
    """A street address; unknown parts are None."""

    address_1: str
    city: str | None = None
    postal_code: str | None = None
    address_2: str | None = None
    state_province: str | None = None
    country: str = "GB"

    def one_line(self) -> str:
        """The address as one comma-separated line."""
        parts = [self.address_1, self.address_2, self.city, self.postal_code]
        return ", ".join(p for p in parts if p)


@dataclass
class Location:
    """A physical place a service is delivered from."""

    id: str
    key: str
    name: str
    description: str | None = None
    address: Address | None = None
    town: str | None = None
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    sources: tuple[str, ...] = ()


@dataclass
class Organization:
    """The organisation that runs one or more services."""

    id: str
    key: str
    name: str
    description: str
    alternate_name: str | None = None
    website: str | None = None
    email: str | None = None
    tax_id: str | None = None
    legal_status: str | None = None
    sources: tuple[str, ...] = ()
    locations: list[Location] = field(default_factory=list)


@dataclass
class Service:
    """A service with its organisation, contact points, hours, eligibility and provenance."""

    id: str
    key: str
    name: str
    organization: Organization
    description: str = ""
    alternate_name: str | None = None
    url: str | None = None
    email: str | None = None
    status: str = "active"
    application_process: str | None = None
    eligibility_description: str | None = None
    fees_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: str | None = None
    evidence_date: str | None = None
    verification: str | None = None
    # who last assured the record, how (core.assurance), when it is next due a check, and why a
    # record checked anyway may still describe a provider that changed: the keepers' bookkeeping
    assured_by: str | None = None
    assured_how: str | None = None
    review_due: str | None = None
    assurance_note: str | None = None
    may_have_changed_reason: str | None = None
    alert: str | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()
    client_groups: tuple[str, ...] = ()
    groups_required: bool = False
    referral_routes: tuple[str, ...] = ()
    delivery_modes: tuple[str, ...] = ()
    catchment: tuple[str, ...] = ()
    coverage: str = "local"
    languages: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    locations: list[Location] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    # the directory's sources that describe this service, in precedence order ("edition", a feed ...)
    listed_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole record (tuples become lists)."""
        data = asdict(self)
        data["organization"].pop("locations", None)
        return data
