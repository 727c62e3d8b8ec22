"""Part of the store: turns model objects into HSDS rows (with taxonomy attributes) for writing."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import CODE_FIELDS, Location, Organization, Service
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, Vocabulary, term_id
from coventry_directory.store.schema import column_names

# The columns each table takes straight from the model attribute of the same name; the
# others are links (organization_id, service_id) or constants, given where the row is made.
_SAME_NAMED = {
    "organization": "id name alternate_name description email website tax_id legal_status",
    "location": "id name description latitude longitude",
    "service": "id name alternate_name description url email status application_process eligibility_description "
    "fees_description minimum_age maximum_age assured_date alert",
    "phone": "id number type description",
    "schedule": "id location_id freq interval byday bymonthday opens_at closes_at valid_from valid_to dtstart until "
    "description notes",
}
# A keeper's assurance, beside the HSDS fields: model attribute -> its term of the record taxonomy.
_ASSURANCE_TERMS = {
    "assured_by": "assured-by",
    "assured_how": "assured-how",
    "review_due": "review-due",
    "assurance_note": "assurance-note",
    "may_have_changed_reason": "may-have-changed-reason",
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def assurer_email(svc: Service) -> str | None:
    """HSDS ``assurer_email``: who assured the record, when that is an email address (HSDS asks for one)."""
    by = svc.assured_by or ""
    return by if _EMAIL.fullmatch(by) else None


class DirectoryRows:
    """Turns model objects into HSDS table rows, with attributes for our taxonomy."""

    def __init__(self, vocabularies: dict[str, Vocabulary]):
        self.vocabularies = vocabularies
        self.tables: dict[str, list[dict]] = defaultdict(list)
        self._locations_written: set[str] = set()

    def _row(self, table: str, **values) -> dict:
        cols = column_names(table)
        row = {c: values.get(c) for c in cols}
        self.tables[table].append(row)
        return row

    def _record_row(self, table: str, record, **values) -> dict:
        """A row for one model object: its attributes named in :data:`_SAME_NAMED`, plus ``values``."""
        return self._row(table, **{name: getattr(record, name) for name in _SAME_NAMED[table].split()}, **values)

    def attribute(
        self, entity: str, link_id: str, taxonomy: str, code: str, value: str | None = None, n: int = 0
    ) -> None:
        """Add an HSDS attribute row linking an entity to one of our taxonomy terms."""
        self._row(
            "attribute",
            id=stable_id("attribute", entity, link_id, taxonomy, code, n, value or ""),
            link_id=link_id,
            link_entity=entity,
            link_type=taxonomy,
            taxonomy_term_id=term_id(taxonomy, code),
            value=value,
        )

    def sources(self, entity: str, link_id: str, sources: Iterable[str]) -> None:
        """Add one source attribute per citation, in the order given."""
        for n, cite in enumerate(sources):
            self.attribute(entity, link_id, RECORD_TAXONOMY, "source", cite, n)

    def add_organization(self, org: Organization) -> None:
        """Add an organisation with its key, sources and locations."""
        self._record_row("organization", org)
        self.attribute("organization", org.id, RECORD_TAXONOMY, "key", org.key)
        self.sources("organization", org.id, org.sources)
        for loc in org.locations:
            self.add_location(loc, org.id)

    def add_location(self, loc: Location, org_id: str) -> None:
        """Add a location with its address, town, area and sources."""
        self._record_row("location", loc, location_type="physical", organization_id=org_id)
        self.attribute("location", loc.id, RECORD_TAXONOMY, "key", loc.key)
        if loc.town:
            self.attribute("location", loc.id, RECORD_TAXONOMY, "town", loc.town)
        if loc.area:
            self.attribute("location", loc.id, "catchment", loc.area)
        self.sources("location", loc.id, loc.sources)
        if loc.address:
            a = loc.address
            self._row(
                "address",
                id=stable_id("address", loc.key),
                location_id=loc.id,
                address_1=a.address_1,
                address_2=a.address_2,
                city=a.city or "",
                state_province=a.state_province or "",
                postal_code=a.postal_code or "",
                country=a.country,
                address_type="physical",
            )

    def add_service(self, svc: Service) -> None:
        """Add a service with every fact it carries: codes, areas, languages, phones, hours."""
        self._record_row("service", svc, organization_id=svc.organization.id, assurer_email=assurer_email(svc))
        self.attribute("service", svc.id, RECORD_TAXONOMY, "key", svc.key)
        self.sources("service", svc.id, svc.sources)
        if svc.evidence_date:
            self.attribute("service", svc.id, RECORD_TAXONOMY, "evidence-date", svc.evidence_date)
        if svc.groups_required:
            self.attribute("service", svc.id, RECORD_TAXONOMY, "groups-required", "true")
        self.attribute("service", svc.id, RECORD_TAXONOMY, "coverage", svc.coverage)
        for name, code in _ASSURANCE_TERMS.items():
            if getattr(svc, name):
                self.attribute("service", svc.id, RECORD_TAXONOMY, code, getattr(svc, name))
        for n, word in enumerate(svc.keywords):
            self.attribute("service", svc.id, RECORD_TAXONOMY, "keyword", word, n)
        if svc.verification:
            self.attribute("service", svc.id, "verification", svc.verification)
        for field_name, taxonomy in CODE_FIELDS.items():
            for n, code in enumerate(getattr(svc, field_name)):
                # value keeps the order a record lists its codes in (most important first)
                self.attribute("service", svc.id, taxonomy, code, str(n))
        for area in svc.catchment:
            self._row(
                "service_area",
                id=stable_id("service_area", svc.key, area),
                service_id=svc.id,
                name=self.vocabularies["catchment"].label(area),
                description="UK-wide service" if svc.coverage == "national" else None,
            )
        for code in svc.languages:
            self._row("language", id=stable_id("language", svc.key, code), service_id=svc.id, code=code)
        for loc in svc.locations:
            self._row(
                "service_at_location",
                id=stable_id("service_at_location", svc.key, loc.key),
                service_id=svc.id,
                location_id=loc.id,
            )
        for phone in svc.phones:
            self._record_row("phone", phone, service_id=svc.id)
            self.sources("phone", phone.id, phone.sources)
        for sched in svc.schedules:
            self._record_row("schedule", sched, service_id=svc.id)
            self.sources("schedule", sched.id, sched.sources)
