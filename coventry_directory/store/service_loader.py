"""Part of the store: reads whole Service objects back from the HSDS tables in batched queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from sqlite_utils import Database

from coventry_directory.core.fallbacks import BASE_LOOKUP
from coventry_directory.core.models import Address, Location, Organization, Phone, Schedule, Service
from coventry_directory.core.taxonomy import RECORD_TAXONOMY

_CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit
_ADDRESS_COLUMNS = "ad.address_1, ad.address_2, ad.city, ad.postal_code, ad.state_province, ad.country"
_T = TypeVar("_T")


def chunks(items: Sequence[_T]) -> Iterator[list[_T]]:
    """Split ids (or row numbers) into IN-list sized pieces."""
    for i in range(0, len(items), _CHUNK):
        yield list(items[i : i + _CHUNK])


def sources_of(db: Database, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The directory sources that described each service, in rank order (``edition`` for a plain edition)."""
    # asked of sqlite_master directly: sqlite-utils' exists() lists every table and view (three
    # queries), and search asks this for every page of results
    composed = (
        db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'service_source'").fetchone()
        is not None
        and db.execute("SELECT 1 FROM directory_source LIMIT 1").fetchone() is not None
    )
    if not composed:
        return {sid: ("edition",) for sid in ids}  # a directory never composed is its edition alone
    out: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(list(ids)):
        q = ",".join("?" * len(chunk))
        for sid, name in db.execute(
            "SELECT ss.service_id, ss.source FROM service_source ss "
            "LEFT JOIN directory_source d ON d.name = ss.source "
            f"WHERE ss.service_id IN ({q}) ORDER BY ss.service_id, coalesce(d.rank, 0), ss.source",
            chunk,
        ).fetchall():
            if name not in out[sid]:
                out[sid].append(name)
    return {sid: tuple(names) for sid, names in out.items()}


class ServiceLoader:
    """Builds whole Service objects from the HSDS tables with a few batched queries."""

    def __init__(self, db: Database):
        self.db = db

    def _tuples(self, sql: str, ids: Sequence[str], extra: Sequence = ()) -> Iterator[tuple]:
        for chunk in chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            yield from self.db.execute(sql.format(ids=q), [*extra, *chunk]).fetchall()

    def _rows(self, sql: str, ids: Sequence[str], extra: Sequence = ()) -> list[dict]:
        out: list[dict] = []
        for chunk in chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            cur = self.db.execute(sql.format(ids=q), [*extra, *chunk])
            names = [d[0] for d in cur.description]
            out.extend(dict(zip(names, r, strict=True)) for r in cur.fetchall())
        return out

    def _attributes(self, entity: str, ids: Sequence[str]) -> dict[str, _AttributeView]:
        grouped: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(lambda: defaultdict(list))
        for link_id, value, taxonomy, code in self._tuples(
            "SELECT a.link_id, a.value, t.taxonomy, t.code FROM attribute a "
            "JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
            "WHERE a.link_entity = ? AND a.link_id IN ({ids}) ORDER BY a.rowid",
            ids,
            [entity],
        ):
            grouped[link_id][taxonomy].append((code, value))
        return {link_id: _AttributeView(by_tax) for link_id, by_tax in grouped.items()}

    def load(self, ids: Sequence[str]) -> list[Service]:
        """Whole services for these ids, in the order given (unknown ids are skipped)."""
        svc_rows = {r["id"]: r for r in self._rows("SELECT * FROM service WHERE id IN ({ids})", ids)}
        if not svc_rows:
            return []
        org_ids = sorted({r["organization_id"] for r in svc_rows.values() if r["organization_id"]})
        orgs = self._organizations(org_ids)
        attrs = self._attributes("service", list(svc_rows))
        locations = self._locations(list(svc_rows))
        phones = self._phones(list(svc_rows))
        schedules = self.schedules(list(svc_rows))
        listed_by = sources_of(self.db, list(svc_rows))
        out = []
        for sid in ids:
            row = svc_rows.get(sid)
            if row is None:
                continue
            org = orgs.get(row["organization_id"]) or Organization(
                id="", key="", name="Unknown organisation", description=""
            )
            a = attrs.get(sid) or _AttributeView()
            out.append(
                Service(
                    id=sid,
                    key=a.first("key") or sid,
                    name=row["name"],
                    organization=org,
                    description=row["description"] or "",
                    alternate_name=row["alternate_name"],
                    url=row["url"],
                    email=row["email"],
                    status=row["status"] or "active",
                    application_process=row["application_process"],
                    eligibility_description=row["eligibility_description"],
                    fees_description=row["fees_description"],
                    minimum_age=_int(row["minimum_age"]),
                    maximum_age=_int(row["maximum_age"]),
                    assured_date=row["assured_date"],
                    evidence_date=a.first("evidence-date"),
                    verification=next(iter(a.codes("verification")), None),
                    # another publisher's HSDS names its assurer only by email, in the service row
                    assured_by=a.first("assured-by") or row["assurer_email"],
                    assured_how=a.first("assured-how"),
                    review_due=a.first("review-due"),
                    assurance_note=a.first("assurance-note"),
                    may_have_changed_reason=a.first("may-have-changed-reason"),
                    alert=row["alert"],
                    sources=a.values("source"),
                    categories=a.codes("category"),
                    genders=a.codes("gender"),
                    substances=a.codes("substance"),
                    client_groups=a.codes("client_group"),
                    groups_required=a.first("groups-required") == "true",
                    referral_routes=a.codes("referral_route"),
                    delivery_modes=a.codes("delivery_mode"),
                    catchment=a.codes("catchment"),
                    coverage=a.first("coverage") or "local",
                    languages=tuple(r["code"] for r in self._language_rows.get(sid, [])),
                    keywords=a.values("keyword"),
                    locations=locations.get(sid, []),
                    phones=phones.get(sid, []),
                    schedules=schedules.get(sid, []),
                    listed_by=listed_by.get(sid, ()),
                )
            )
        return out

    def _organizations(self, ids: Sequence[str]) -> dict[str, Organization]:
        rows = self._rows("SELECT * FROM organization WHERE id IN ({ids})", ids)
        attrs = self._attributes("organization", ids)
        bases = self._bases(ids)
        out = {}
        for r in rows:
            a = attrs.get(r["id"]) or _AttributeView()
            out[r["id"]] = Organization(
                id=r["id"],
                key=a.first("key") or r["id"],
                name=r["name"],
                description=r["description"] or "",
                alternate_name=r["alternate_name"],
                website=r["website"],
                email=r["email"],
                tax_id=r["tax_id"],
                legal_status=r["legal_status"],
                sources=a.values("source"),
                locations=bases.get(r["id"], []),
            )
        return out

    def _bases(self, org_ids: Sequence[str]) -> dict[str, list[Location]]:
        """Each organisation's first few places with a street address: somewhere to ask.

        Bounded (fallbacks.BASE_LOOKUP) because a national feed's organisation can have thousands of
        places and every service of it is loaded with its organisation. One indexed
        lookup per organisation (m008).
        """
        rows: list[dict] = []
        for oid in org_ids:
            cur = self.db.execute(
                f"SELECT l.*, {_ADDRESS_COLUMNS} FROM location l JOIN address ad ON ad.location_id = l.id "
                "WHERE l.organization_id = ? AND coalesce(ad.address_1, '') <> '' ORDER BY l.rowid LIMIT ?",
                [oid, BASE_LOOKUP],
            )
            names = [d[0] for d in cur.description]
            rows += [dict(zip(names, t, strict=True)) for t in cur.fetchall()]
        attrs = self._attributes("location", sorted({r["id"] for r in rows}))
        out: dict[str, list[Location]] = defaultdict(list)
        for r in rows:
            out[r["organization_id"]].append(_location(r, attrs.get(r["id"]) or _AttributeView()))
        return out

    def _locations(self, service_ids: Sequence[str]) -> dict[str, list[Location]]:
        rows = self._rows(
            f"SELECT sal.service_id, l.*, {_ADDRESS_COLUMNS} FROM service_at_location sal "
            "JOIN location l ON l.id = sal.location_id "
            "LEFT JOIN address ad ON ad.location_id = l.id WHERE sal.service_id IN ({ids}) ORDER BY sal.rowid",
            service_ids,
        )
        attrs = self._attributes("location", sorted({r["id"] for r in rows}))
        self._language_rows: dict[str, list[dict]] = defaultdict(list)
        for r in self._rows(
            "SELECT service_id, code FROM language WHERE service_id IN ({ids}) ORDER BY rowid", service_ids
        ):
            self._language_rows[r["service_id"]].append(r)
        out: dict[str, list[Location]] = defaultdict(list)
        for r in rows:
            out[r["service_id"]].append(_location(r, attrs.get(r["id"]) or _AttributeView()))
        return out

    def _phones(self, service_ids: Sequence[str]) -> dict[str, list[Phone]]:
        # A phone can hang under the service, the service at one of its places, the place,
        # a contact for the service, or (when nothing nearer has one) its organisation.
        return self._children("phone", service_ids, _phone, levels=_PHONE_LEVELS)

    def schedules(self, service_ids: Sequence[str]) -> dict[str, list[Schedule]]:
        """Opening hours of these services, by service id.

        The service's own schedules and those of the service at one of its places; a
        place's own hours only for a service with none nearer (building hours are a fair
        guide, not a promise: the schedule keeps its location).
        """
        return self._children("schedule", service_ids, _schedule, levels=_SCHEDULE_LEVELS)

    def _reach(self, service_ids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        """For each level a record can hang under: {that record's id: [service ids it reaches]}."""
        reach: dict[str, dict[str, list[str]]] = {
            k: defaultdict(list) for k in ("service_at_location", "location", "contact", "organization")
        }
        for sal, loc, sid in self._tuples(
            "SELECT id, location_id, service_id FROM service_at_location WHERE service_id IN ({ids})", service_ids
        ):
            reach["service_at_location"][sal].append(sid)
            if loc:
                reach["location"][loc].append(sid)
        sal_service = {sal: sids[0] for sal, sids in reach["service_at_location"].items()}
        for cid, sid in self._tuples("SELECT id, service_id FROM contact WHERE service_id IN ({ids})", service_ids):
            reach["contact"][cid].append(sid)
        for cid, sal in self._tuples(
            "SELECT id, service_at_location_id FROM contact WHERE service_id IS NULL "
            "AND service_at_location_id IN ({ids})",
            sorted(sal_service),
        ):
            reach["contact"][cid].append(sal_service[sal])
        for sid, org in self._tuples(
            "SELECT id, organization_id FROM service WHERE id IN ({ids}) AND organization_id IS NOT NULL", service_ids
        ):
            reach["organization"][org].append(sid)
        return reach

    def _children(
        self,
        table: str,
        service_ids: Sequence[str],
        make: Callable[[dict, tuple[str, ...]], _T],
        levels: tuple[tuple[str, bool], ...] = (),
    ) -> dict[str, list[_T]]:
        """The records of a per-service table, by service id in table order, each made from its row and sources.

        ``levels``: (owner column, only-when-nothing-nearer) pairs for records that reach a
        service through a place, a contact or its organisation rather than directly.
        """
        rows = self._rows(f"SELECT * FROM {table} WHERE service_id IN ({{ids}}) ORDER BY rowid", service_ids)
        found: dict[str, list[dict]] = defaultdict(list)
        seen: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            found[r["service_id"]].append(r)
            seen[r["service_id"]].add(r["id"])
        reach = self._reach(service_ids) if levels else {}
        for n, (column, fallback) in enumerate(levels):
            level = column.removesuffix("_id")
            owners = reach[level]
            if not owners:
                continue
            # a phone of one place that also names the organisation is that place's, not the organisation's
            nearer = "".join(f" AND {c} IS NULL" for c, _ in levels[:n])
            for r in self._rows(
                f"SELECT * FROM {table} WHERE {column} IN ({{ids}}) AND service_id IS NULL{nearer} ORDER BY rowid",
                sorted(owners),
            ):
                for sid in owners[r[column]]:
                    if r["id"] in seen[sid] or (fallback and found.get(sid)):
                        continue
                    seen[sid].add(r["id"])
                    found[sid].append(r)
        attrs = self._attributes(table, sorted({r["id"] for rs in found.values() for r in rs}))
        return {
            sid: [make(r, (attrs.get(r["id"]) or _AttributeView()).values("source")) for r in rs]
            for sid, rs in found.items()
        }


# Where else a phone or a schedule may hang (HSDS allows each level), nearest first; True:
# only for a service that has none nearer.
_PHONE_LEVELS = (
    ("service_at_location_id", False),
    ("location_id", False),
    ("contact_id", False),
    ("organization_id", True),
)
_SCHEDULE_LEVELS = (("service_at_location_id", False), ("location_id", True))


def _location(r: dict, a: _AttributeView) -> Location:
    """A place from its location row joined to its address (if any) and its attributes."""
    address = None
    if r["address_1"]:
        address = Address(
            address_1=r["address_1"],
            address_2=r["address_2"],
            city=r["city"] or None,
            postal_code=r["postal_code"] or None,
            state_province=r["state_province"] or None,
            country=r["country"] or "GB",
        )
    return Location(
        id=r["id"],
        key=a.first("key") or r["id"],
        name=r["name"] or "",
        description=r["description"],
        address=address,
        town=a.first("town"),
        area=next(iter(a.codes("catchment")), None),
        latitude=r["latitude"],
        longitude=r["longitude"],
        sources=a.values("source"),
    )


def _phone(r: dict, sources: tuple[str, ...]) -> Phone:
    return Phone(
        id=r["id"], number=r["number"], type=r["type"] or "voice", description=r["description"], sources=sources
    )


def _schedule(r: dict, sources: tuple[str, ...]) -> Schedule:
    return Schedule(
        id=r["id"],
        freq=r["freq"],
        interval=_int(r["interval"]),
        byday=r["byday"],
        bymonthday=r["bymonthday"],
        opens_at=r["opens_at"],
        closes_at=r["closes_at"],
        valid_from=r["valid_from"],
        valid_to=r["valid_to"],
        dtstart=r["dtstart"],
        until=r["until"],
        description=r["description"],
        notes=r["notes"],
        location_id=r["location_id"],
        sources=sources,
    )


class _AttributeView:
    """Convenient reads over one record's attributes, grouped by taxonomy as (code, value)."""

    def __init__(self, by_taxonomy: dict[str, list[tuple[str, str | None]]] | None = None):
        self.by_taxonomy = by_taxonomy or {}

    def codes(self, taxonomy: str) -> tuple[str, ...]:
        # public-vocabulary attributes carry their position in the record as the value
        hits = sorted(self.by_taxonomy.get(taxonomy, ()), key=lambda cv: int(cv[1]) if (cv[1] or "").isdigit() else 0)
        return tuple(code for code, _ in hits)

    def values(self, code: str) -> tuple[str, ...]:
        return tuple(v or "" for c, v in self.by_taxonomy.get(RECORD_TAXONOMY, ()) if c == code)

    def first(self, code: str) -> str | None:
        vals = self.values(code)
        return vals[0] if vals else None


def _int(value) -> int | None:
    return None if value is None else int(value)
