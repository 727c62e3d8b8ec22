"""Part of the store: turns model objects into HSDS rows (with taxonomy attributes) for writing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import CODE_FIELDS, Location, Organization, Service
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, Vocabulary, term_id
from coventry_directory.store.schema import column_names


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
        self._row(
            "organization",
            id=org.id,
            name=org.name,
            alternate_name=org.alternate_name,
            description=org.description,
            email=org.email,
            website=org.website,
            tax_id=org.tax_id,
            legal_status=org.legal_status,
        )
        self.attribute("organization", org.id, RECORD_TAXONOMY, "key", org.key)
        self.sources("organization", org.id, org.sources)
        for loc in org.locations:
            self.add_location(loc, org.id)

    def add_location(self, loc: Location, org_id: str) -> None:
        """Add a location with its address, town, area and sources."""
        self._row(
            "location",
            id=loc.id,
            location_type="physical",
            organization_id=org_id,
            name=loc.name,
            description=loc.description,
            latitude=loc.latitude,
            longitude=loc.longitude,
        )
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
        self._row(
            "service",
            id=svc.id,
            organization_id=svc.organization.id,
            name=svc.name,
            alternate_name=svc.alternate_name,
            description=svc.description,
            url=svc.url,
            email=svc.email,
            status=svc.status,
            application_process=svc.application_process,
            eligibility_description=svc.eligibility_description,
            fees_description=svc.fees_description,
            minimum_age=svc.minimum_age,
            maximum_age=svc.maximum_age,
            assured_date=svc.assured_date,
            alert=svc.alert,
        )
        self.attribute("service", svc.id, RECORD_TAXONOMY, "key", svc.key)
        self.sources("service", svc.id, svc.sources)
        if svc.evidence_date:
            self.attribute("service", svc.id, RECORD_TAXONOMY, "evidence-date", svc.evidence_date)
        if svc.groups_required:
            self.attribute("service", svc.id, RECORD_TAXONOMY, "groups-required", "true")
        self.attribute("service", svc.id, RECORD_TAXONOMY, "coverage", svc.coverage)
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
            self._row(
                "phone",
                id=phone.id,
                service_id=svc.id,
                number=phone.number,
                type=phone.type,
                description=phone.description,
            )
            self.sources("phone", phone.id, phone.sources)
        for sched in svc.schedules:
            self._row(
                "schedule",
                id=sched.id,
                service_id=svc.id,
                location_id=sched.location_id,
                freq=sched.freq,
                interval=sched.interval,
                byday=sched.byday,
                bymonthday=sched.bymonthday,
                opens_at=sched.opens_at,
                closes_at=sched.closes_at,
                valid_from=sched.valid_from,
                valid_to=sched.valid_to,
                dtstart=sched.dtstart,
                until=sched.until,
                description=sched.description,
                notes=sched.notes,
            )
            self.sources("schedule", sched.id, sched.sources)
