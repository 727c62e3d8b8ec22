"""Reads and checks the human-readable directory sources (``resources/directory/*.toml``).

The result is a list of :class:`Service` objects ready for the store. Checking is strict
because the files are the directory's source of truth: every code must be in the
taxonomy, every record must cite a source that exists, and every phone number, postcode
and opening time must appear in the text of a source it cites.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import AREAS, CODE_FIELDS, Address, Location, Organization, Phone, Schedule, Service
from coventry_directory.core.source_documents import SourceDocument, load_documents, normal, time_patterns
from coventry_directory.core.taxonomy import Vocabulary, load_vocabularies
from coventry_directory.resources import directory_source_dir

_CITATION_LINE = re.compile(r"^(?P<doc>[a-z0-9-]+) L(?P<line>\d+)$")
_URL = re.compile(r"^https?://\S+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_BYDAY = re.compile(r"^(-?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
PHONE_TYPES = ("voice", "text", "fax", "textphone", "cell", "video", "pager")


class DirectorySourceError(Exception):
    """The sources have problems; ``problems`` lists each as 'file: key: message'."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the directory sources:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class DirectorySources:
    """Everything read from the source folder."""

    vocabularies: dict[str, Vocabulary]
    documents: dict[str, SourceDocument]
    organizations: list[Organization]
    services: list[Service]


class _Reader:
    """Collects problems while turning TOML tables into models."""

    def __init__(self, root: Path):
        self.root = root
        self.vocabularies = load_vocabularies(root / "taxonomy.toml")
        self.documents = load_documents(root)
        facts = self.documents.get("facts-2026")
        self.facts_text = "\n".join(facts.lines) if facts else ""
        self.problems: list[str] = []
        self.where = ""

    def problem(self, message: str) -> None:
        """Record a problem at the current place in the sources."""
        self.problems.append(f"{self.where}: {message}")

    def register(self, registry: dict[str, Any], item: Any, kind: str) -> None:
        """Add a keyed record to ``registry``; a key used twice is a problem (the later one wins)."""
        if item.key in registry:
            self.problem(f"{kind} key {item.key!r} is defined twice")
        registry[item.key] = item

    # --- citations --------------------------------------------------------------
    def citations(self, table: dict, required: bool = True) -> tuple[str, ...]:
        raw = table.get("source", [])
        if isinstance(raw, str):
            raw = [raw]
        if required and not raw:
            self.problem("no source cited")
        for cite in raw:
            self._check_citation(cite)
        return tuple(raw)

    def _check_citation(self, cite: str) -> None:
        match = _CITATION_LINE.match(cite)
        if match:
            doc = self.documents.get(match["doc"])
            line = int(match["line"])
            if doc is None:
                self.problem(f"cites unknown document {match['doc']!r}")
            elif not 1 <= line <= len(doc.lines):
                self.problem(f"cites {cite!r} but {doc.id} has {len(doc.lines)} lines")
        elif _URL.match(cite):
            if cite not in self.facts_text:
                self.problem(f"cites a URL that is not in the facts sheet: {cite}")
        else:
            self.problem(f"citation {cite!r} is neither 'DOC L<line>' nor a URL from the facts sheet")

    def cited_text(self, cites: tuple[str, ...]) -> str:
        """The text a set of citations points at (whole facts sheet for URLs, ±3 lines for docs)."""
        chunks = []
        for cite in cites:
            match = _CITATION_LINE.match(cite)
            if match and match["doc"] in self.documents:
                lines = self.documents[match["doc"]].lines
                n = int(match["line"])
                chunks.append("\n".join(lines[max(0, n - 4) : n + 3]))
            elif _URL.match(cite):
                chunks.append(self.facts_text)
        return "\n".join(chunks)

    def require_in_sources(self, value: str, cites: tuple[str, ...], what: str) -> None:
        """A contact fact must appear in a source it cites (digits compared for numbers)."""
        text = self.cited_text(cites)
        if what == "phone":
            digits = re.sub(r"\D", "", value)
            if digits not in re.sub(r"\D", "", text):
                self.problem(f"phone {value!r} does not appear in its cited sources")
        elif normal(value) not in normal(text):
            self.problem(f"{what} {value!r} does not appear in its cited sources")

    # --- fields -----------------------------------------------------------------
    def codes(self, table: dict, key: str) -> tuple[str, ...]:
        values = table.get(key, [])
        vocab = self.vocabularies[CODE_FIELDS[key]]
        for v in values:
            if v not in vocab.codes():
                self.problem(f"{key}: {v!r} is not a {vocab.name} code")
        return tuple(values)

    def text(self, table: dict, key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(f"{key} must be text")
            return None
        return value.strip() or None

    def age(self, table: dict, key: str) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or not 0 <= value <= 120:
            self.problem(f"{key} must be a whole number of years")
            return None
        return value


def _read_location(reader: _Reader, table: dict, org_key: str) -> Location | None:
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


def _read_organization(reader: _Reader, table: dict, locations: dict[str, Location]) -> Organization | None:
    key = table.get("key")
    if not key or not table.get("name") or not table.get("description"):
        reader.problem("an organisation needs key, name and description")
        return None
    file_where = reader.where
    reader.where = f"{file_where} organisation {key}"
    org = Organization(
        id=stable_id("organization", key),
        key=key,
        name=table["name"].strip(),
        description=table["description"].strip(),
        alternate_name=reader.text(table, "alternate_name"),
        website=reader.text(table, "website"),
        email=reader.text(table, "email"),
        tax_id=reader.text(table, "tax_id"),
        legal_status=reader.text(table, "legal_status"),
        sources=reader.citations(table),
    )
    if org.email:
        reader.require_in_sources(org.email, org.sources, "email")
    for loc_table in table.get("location", []):
        reader.where = f"{file_where} location"
        loc = _read_location(reader, loc_table, key)
        if loc is None:
            continue
        reader.register(locations, loc, "location")
        org.locations.append(loc)
    reader.where = file_where
    return org


def _read_schedule(
    reader: _Reader, table: dict, service_key: str, index: int, locations: dict[str, Location]
) -> Schedule:
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


def _read_service(
    reader: _Reader, table: dict, orgs: dict[str, Organization], locations: dict[str, Location]
) -> Service | None:
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
    status = table.get("status", "active")
    if status not in STATUSES:
        reader.problem(f"status {status!r} is not one of {STATUSES}")
    verification = table.get("verification")
    if verification and verification not in reader.vocabularies["verification"].codes():
        reader.problem(f"verification {verification!r} is not a verification code")
    for date_key in ("assured_date", "evidence_date"):
        if table.get(date_key) and not _DATE.match(str(table[date_key])):
            reader.problem(f"{date_key} {table[date_key]!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
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
        url=reader.text(table, "url"),
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
        service.schedules.append(_read_schedule(reader, sched, key, index, locations))
    reader.where = file_where
    return service


def read_directory(root: Path | None = None) -> DirectorySources:
    """Read and check every source file; raise DirectorySourceError listing all problems."""
    root = root or directory_source_dir()
    reader = _Reader(root)
    files = [root / "organizations.toml", *sorted((root / "services").glob("*.toml"))]
    tables: list[tuple[str, dict]] = []
    for path in files:
        if not path.exists():
            continue
        try:
            with open(path, "rb") as fh:
                tables.append((path.name, tomllib.load(fh)))
        except tomllib.TOMLDecodeError as exc:
            reader.problems.append(f"{path.name}: not valid TOML: {exc}")
    orgs: dict[str, Organization] = {}
    locations: dict[str, Location] = {}
    for name, data in tables:
        for org_table in data.get("organization", []):
            reader.where = name
            org = _read_organization(reader, org_table, locations)
            if org is None:
                continue
            reader.register(orgs, org, "organisation")
    services: dict[str, Service] = {}
    for name, data in tables:
        for svc_table in data.get("service", []):
            reader.where = name
            svc = _read_service(reader, svc_table, orgs, locations)
            if svc is None:
                continue
            reader.register(services, svc, "service")
    if reader.problems:
        raise DirectorySourceError(reader.problems)
    return DirectorySources(
        vocabularies=reader.vocabularies,
        documents=reader.documents,
        organizations=sorted(orgs.values(), key=lambda o: o.key),
        services=sorted(services.values(), key=lambda s: s.key),
    )
