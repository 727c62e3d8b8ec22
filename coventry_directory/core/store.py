"""The store: the only module that talks SQL.

It opens (and if needed migrates, after a backup) the directory database, writes a whole
compiled directory in one transaction, and reads services back as model objects.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sqlite_utils import Database

from coventry_directory.core.ids import looks_like_uuid, stable_id
from coventry_directory.core.models import (
    VOCABULARIES,
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
)
from coventry_directory.core.schema import (
    DIRECTORY_MIGRATIONS,
    SEARCH_COLUMNS,
    SEARCH_TABLE,
    USER_MIGRATIONS,
    column_names,
)
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, Vocabulary, taxonomy_id, term_id

_CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit


class StoreError(Exception):
    """A problem with a database file, worded for the person using the app."""


def fts5_available() -> bool:
    """True when this Python's sqlite3 has FTS5 compiled in."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def backup_database(path: Path) -> Path:
    """Copy a database file (consistently, via SQLite's backup API) beside itself."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def _open_checked(path: Path) -> Database:
    try:
        conn = sqlite3.connect(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The file {path} is not a readable database ({exc}). "
            "Reinstall the directory or restore a backup."
        ) from exc
    return Database(conn)


def migrate(db: Database, path: Path | None, migrations=DIRECTORY_MIGRATIONS) -> Path | None:
    """Apply pending migrations; back up a database that already has tables first.

    Returns the backup's path, or None when nothing was backed up.
    """
    pending = migrations.pending(db)
    if not pending:
        return None
    backup = None
    if path is not None and db.table_names():
        backup = backup_database(path)
    migrations.apply(db)
    return backup


def rebuild_search_index(db: Database) -> None:
    """Fill the FTS index from the HSDS tables (called after any directory write)."""
    db.execute(f"DELETE FROM {SEARCH_TABLE}")
    category_names = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT a.link_id, group_concat(t.name || ' ' || t.code, ' ') FROM attribute a "
            "JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
            "WHERE a.link_entity = 'service' AND t.taxonomy = 'category' GROUP BY a.link_id"
        ).fetchall()
    }
    keywords = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT a.link_id, group_concat(a.value, ' ') FROM attribute a "
            "JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
            "WHERE a.link_entity = 'service' AND t.taxonomy = ? AND t.code = 'keyword' "
            "GROUP BY a.link_id",
            [RECORD_TAXONOMY],
        ).fetchall()
    }
    rows = db.execute(
        "SELECT s.id, s.name, coalesce(s.alternate_name, ''), coalesce(o.name, ''), "
        "coalesce(o.alternate_name, ''), coalesce(s.description, '') "
        "FROM service s LEFT JOIN organization o ON o.id = s.organization_id ORDER BY s.id"
    ).fetchall()
    placeholders = ", ".join("?" for _ in range(len(SEARCH_COLUMNS) + 1))
    db.conn.executemany(
        f"INSERT INTO {SEARCH_TABLE} (service_id, {', '.join(SEARCH_COLUMNS)}) VALUES ({placeholders})",
        [
            (sid, f"{name} {alt}".strip(), f"{org} {org_alt}".strip(), category_names.get(sid, ""), keywords.get(sid, ""), desc)
            for sid, name, alt, org, org_alt, desc in rows
        ],
    )


class DirectoryStore:
    """The directory database: HSDS tables, taxonomy, provenance and the search index."""

    def __init__(self, db: Database, path: Path | None = None):
        self.db = db
        self.path = path

    # --- opening ------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> "DirectoryStore":
        """Open an existing directory database, migrating it (after a backup) unless read-only."""
        path = Path(path)
        if not path.is_file():
            raise StoreError(f"The directory database {path} is missing. Reinstall the app or the directory bundle.")
        db = _open_checked(path)
        if not db["service"].exists():
            db.conn.close()
            raise StoreError(f"The file {path} is not a Coventry Directory database.")
        store = cls(db, path)
        pending = DIRECTORY_MIGRATIONS.pending(db)
        if pending:
            if readonly:
                raise StoreError(f"The directory database {path} is from an older version and cannot be upgraded in place.")
            try:
                migrate(db, path)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"The directory database {path} could not be upgraded: {exc}") from exc
        return store

    @classmethod
    def create(cls, path: Path | str | None = None) -> "DirectoryStore":
        """A new, empty, fully migrated directory database (in memory when path is None)."""
        db = Database(memory=True) if path is None else Database(Path(path))
        migrate(db, None if path is None else Path(path))
        return cls(db, None if path is None else Path(path))

    def close(self) -> None:
        """Close the connection."""
        self.db.conn.close()

    # --- writing ------------------------------------------------------------------
    def replace_directory(
        self,
        vocabularies: dict[str, Vocabulary],
        organizations: Sequence[Organization],
        services: Sequence[Service],
        info: dict[str, str],
    ) -> None:
        """Replace the whole directory with these records in one transaction."""
        with self.db.atomic():
            for table in ("attribute", "language", "service_area", "schedule", "phone", "address",
                          "service_at_location", "location", "service", "organization",
                          "taxonomy_term", "taxonomy", "directory_info"):
                self.db.execute(f"DELETE FROM [{table}]")
            self._write_taxonomy(vocabularies)
            rows = _DirectoryRows(vocabularies)
            for org in organizations:
                rows.add_organization(org)
            for svc in services:
                rows.add_service(svc)
            for table, table_rows in rows.tables.items():
                if table_rows:
                    self.db[table].insert_all(table_rows, batch_size=1000)
            self.db["directory_info"].insert_all(
                [{"key": k, "value": v} for k, v in sorted(info.items())], pk="key", replace=True
            )
            rebuild_search_index(self.db)

    def _write_taxonomy(self, vocabularies: dict[str, Vocabulary]) -> None:
        self.db["taxonomy"].insert_all(
            [{"id": taxonomy_id(v.name), "name": v.title, "description": v.description, "version": "1"}
             for v in vocabularies.values()]
        )
        self.db["taxonomy_term"].insert_all(
            [{"id": term_id(v.name, t.code), "code": t.code, "name": t.name, "description": t.description,
              "taxonomy": v.name, "taxonomy_id": taxonomy_id(v.name), "language": "en"}
             for v in vocabularies.values() for t in v.terms]
        )

    # --- reading ------------------------------------------------------------------
    def info(self) -> dict[str, str]:
        """The directory's edition details (key/value)."""
        return {r["key"]: r["value"] for r in self.db["directory_info"].rows}

    def count_services(self) -> int:
        """How many services the directory holds."""
        return self.db.execute("SELECT count(*) FROM service").fetchone()[0]

    def service_ids(self) -> list[str]:
        """Every service id, in a stable order."""
        return [r[0] for r in self.db.execute("SELECT id FROM service ORDER BY name, id")]

    def resolve_service_id(self, ref: str) -> str | None:
        """A service id from its HSDS id or its directory key; None when there is none."""
        ref = ref.strip()
        if looks_like_uuid(ref):
            row = self.db.execute("SELECT id FROM service WHERE id = ?", [ref.lower()]).fetchone()
            if row:
                return row[0]
        row = self.db.execute(
            "SELECT a.link_id FROM attribute a WHERE a.taxonomy_term_id = ? AND a.link_entity = 'service' AND a.value = ?",
            [term_id(RECORD_TAXONOMY, "key"), ref.lower()],
        ).fetchone()
        return row[0] if row else None

    def get_service(self, ref: str) -> Service | None:
        """One whole service by id or key, or None."""
        sid = self.resolve_service_id(ref)
        if sid is None:
            return None
        found = self.services([sid])
        return found[0] if found else None

    def all_services(self) -> list[Service]:
        """Every service (fine for a county; search uses narrower queries at scale)."""
        return self.services(self.service_ids())

    def services(self, ids: Sequence[str]) -> list[Service]:
        """Whole services for these ids, in the order given (unknown ids are skipped)."""
        return _ServiceLoader(self.db).load(ids)


class UserStore:
    """The user's own database: shortlist, correction notes and settings."""

    def __init__(self, path: Path | None):
        if path is None:
            self.db = Database(memory=True)
        else:
            self.db = _open_checked(path)
        try:
            migrate(self.db, path, USER_MIGRATIONS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Your data file {path} could not be upgraded: {exc}") from exc

    def shortlist(self) -> list[str]:
        """Service ids on the shortlist, in the order added."""
        return [r[0] for r in self.db.execute("SELECT service_id FROM shortlist ORDER BY position")]

    def add_to_shortlist(self, service_id: str) -> None:
        """Add a service (no-op when already there)."""
        with self.db.atomic():
            pos = self.db.execute("SELECT coalesce(max(position), 0) + 1 FROM shortlist").fetchone()[0]
            self.db.execute(
                "INSERT OR IGNORE INTO shortlist (service_id, position, added_at) VALUES (?, ?, ?)",
                [service_id, pos, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")],
            )

    def remove_from_shortlist(self, service_id: str) -> None:
        """Take a service off the shortlist."""
        with self.db.atomic():
            self.db.execute("DELETE FROM shortlist WHERE service_id = ?", [service_id])

    def clear_shortlist(self) -> None:
        """Empty the shortlist."""
        with self.db.atomic():
            self.db.execute("DELETE FROM shortlist")

    def add_correction(self, service_id: str, note: str) -> int:
        """Queue a correction note for the directory maintainer; returns its id."""
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO correction (service_id, note, created_at) VALUES (?, ?, ?)",
                [service_id, note, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")],
            )
            return cur.lastrowid

    def corrections(self, unsent_only: bool = True) -> list[dict]:
        """Queued correction notes."""
        where = "WHERE sent_at IS NULL" if unsent_only else ""
        return [dict(r) for r in self.db.query(f"SELECT * FROM correction {where} ORDER BY id")]

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A stored setting."""
        row = self.db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.db.atomic():
            self.db.execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", [key, value])

    def close(self) -> None:
        """Close the connection."""
        self.db.conn.close()


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class _DirectoryRows:
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

    def attribute(self, entity: str, link_id: str, taxonomy: str, code: str, value: str | None = None, n: int = 0) -> None:
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
        for n, cite in enumerate(sources):
            self.attribute(entity, link_id, RECORD_TAXONOMY, "source", cite, n)

    def add_organization(self, org: Organization) -> None:
        self._row("organization", id=org.id, name=org.name, alternate_name=org.alternate_name,
                  description=org.description, email=org.email, website=org.website,
                  tax_id=org.tax_id, legal_status=org.legal_status)
        self.attribute("organization", org.id, RECORD_TAXONOMY, "key", org.key)
        self.sources("organization", org.id, org.sources)
        for loc in org.locations:
            self.add_location(loc, org.id)

    def add_location(self, loc: Location, org_id: str) -> None:
        self._row("location", id=loc.id, location_type="physical", organization_id=org_id, name=loc.name,
                  description=loc.description, latitude=loc.latitude, longitude=loc.longitude)
        self.attribute("location", loc.id, RECORD_TAXONOMY, "key", loc.key)
        if loc.town:
            self.attribute("location", loc.id, RECORD_TAXONOMY, "town", loc.town)
        if loc.area:
            self.attribute("location", loc.id, "catchment", loc.area)
        self.sources("location", loc.id, loc.sources)
        if loc.address:
            a = loc.address
            self._row("address", id=stable_id("address", loc.key), location_id=loc.id, address_1=a.address_1,
                      address_2=a.address_2, city=a.city or "", state_province=a.state_province or "",
                      postal_code=a.postal_code or "", country=a.country, address_type="physical")

    def add_service(self, svc: Service) -> None:
        self._row("service", id=svc.id, organization_id=svc.organization.id, name=svc.name,
                  alternate_name=svc.alternate_name, description=svc.description, url=svc.url, email=svc.email,
                  status=svc.status, application_process=svc.application_process,
                  eligibility_description=svc.eligibility_description, fees_description=svc.fees_description,
                  minimum_age=svc.minimum_age, maximum_age=svc.maximum_age, assured_date=svc.assured_date,
                  alert=svc.alert)
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
        for field_name, taxonomy in _CODE_ATTRIBUTES:
            for n, code in enumerate(getattr(svc, field_name)):
                # value keeps the order a record lists its codes in (most important first)
                self.attribute("service", svc.id, taxonomy, code, str(n))
        for area in svc.catchment:
            self._row("service_area", id=stable_id("service_area", svc.key, area), service_id=svc.id,
                      name=self.vocabularies["catchment"].label(area),
                      description="UK-wide service" if svc.coverage == "national" else None)
        for code in svc.languages:
            self._row("language", id=stable_id("language", svc.key, code), service_id=svc.id, code=code)
        for loc in svc.locations:
            self._row("service_at_location", id=stable_id("service_at_location", svc.key, loc.key),
                      service_id=svc.id, location_id=loc.id)
        for phone in svc.phones:
            self._row("phone", id=phone.id, service_id=svc.id, number=phone.number, type=phone.type,
                      description=phone.description)
            self.sources("phone", phone.id, phone.sources)
        for sched in svc.schedules:
            self._row("schedule", id=sched.id, service_id=svc.id, location_id=sched.location_id,
                      freq=sched.freq, interval=sched.interval, byday=sched.byday, bymonthday=sched.bymonthday,
                      opens_at=sched.opens_at, closes_at=sched.closes_at, valid_from=sched.valid_from,
                      valid_to=sched.valid_to, dtstart=sched.dtstart, until=sched.until,
                      description=sched.description, notes=sched.notes)
            self.sources("schedule", sched.id, sched.sources)


# Service fields stored as attributes of a public vocabulary (field name, taxonomy).
_CODE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("categories", "category"),
    ("genders", "gender"),
    ("substances", "substance"),
    ("client_groups", "client_group"),
    ("referral_routes", "referral_route"),
    ("delivery_modes", "delivery_mode"),
    ("catchment", "catchment"),
)
assert {t for _, t in _CODE_ATTRIBUTES} | {"verification"} == set(VOCABULARIES)


class _ServiceLoader:
    """Builds whole Service objects from the HSDS tables with a few batched queries."""

    def __init__(self, db: Database):
        self.db = db

    def _rows(self, sql: str, ids: Sequence[str], extra: Sequence = ()) -> list[dict]:
        out: list[dict] = []
        for chunk in _chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            out.extend(dict(r) for r in self.db.query(sql.format(ids=q), [*extra, *chunk]))
        return out

    def _attributes(self, entity: str, ids: Sequence[str]) -> dict[str, list[dict]]:
        by_link: dict[str, list[dict]] = defaultdict(list)
        for row in self._rows(
            "SELECT a.link_id, a.value, t.taxonomy, t.code FROM attribute a "
            "JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
            "WHERE a.link_entity = ? AND a.link_id IN ({ids}) ORDER BY a.link_id, t.taxonomy, a.rowid",
            ids, [entity],
        ):
            by_link[row["link_id"]].append(row)
        return by_link

    def load(self, ids: Sequence[str]) -> list[Service]:
        svc_rows = {r["id"]: r for r in self._rows("SELECT * FROM service WHERE id IN ({ids})", ids)}
        if not svc_rows:
            return []
        org_ids = sorted({r["organization_id"] for r in svc_rows.values() if r["organization_id"]})
        orgs = self._organizations(org_ids)
        attrs = self._attributes("service", list(svc_rows))
        locations = self._locations(list(svc_rows))
        phones = self._phones(list(svc_rows))
        schedules = self._schedules(list(svc_rows))
        out = []
        for sid in ids:
            row = svc_rows.get(sid)
            if row is None:
                continue
            org = orgs.get(row["organization_id"]) or Organization(id="", key="", name="Unknown organisation", description="")
            a = _AttributeView(attrs.get(sid, []))
            out.append(Service(
                id=sid, key=a.first("key") or sid, name=row["name"], organization=org,
                description=row["description"] or "", alternate_name=row["alternate_name"], url=row["url"],
                email=row["email"], status=row["status"] or "active",
                application_process=row["application_process"],
                eligibility_description=row["eligibility_description"],
                fees_description=row["fees_description"],
                minimum_age=_int(row["minimum_age"]), maximum_age=_int(row["maximum_age"]),
                assured_date=row["assured_date"], evidence_date=a.first("evidence-date"),
                verification=next(iter(a.codes("verification")), None), alert=row["alert"],
                sources=a.values("source"),
                categories=a.codes("category"), genders=a.codes("gender"), substances=a.codes("substance"),
                client_groups=a.codes("client_group"), groups_required=a.first("groups-required") == "true",
                referral_routes=a.codes("referral_route"), delivery_modes=a.codes("delivery_mode"),
                catchment=a.codes("catchment"), coverage=a.first("coverage") or "local",
                languages=tuple(r["code"] for r in self._language_rows.get(sid, [])),
                keywords=a.values("keyword"),
                locations=locations.get(sid, []), phones=phones.get(sid, []), schedules=schedules.get(sid, []),
            ))
        return out

    def _organizations(self, ids: Sequence[str]) -> dict[str, Organization]:
        rows = self._rows("SELECT * FROM organization WHERE id IN ({ids})", ids)
        attrs = self._attributes("organization", ids)
        out = {}
        for r in rows:
            a = _AttributeView(attrs.get(r["id"], []))
            out[r["id"]] = Organization(
                id=r["id"], key=a.first("key") or r["id"], name=r["name"], description=r["description"] or "",
                alternate_name=r["alternate_name"], website=r["website"], email=r["email"], tax_id=r["tax_id"],
                legal_status=r["legal_status"], sources=a.values("source"),
            )
        return out

    def _locations(self, service_ids: Sequence[str]) -> dict[str, list[Location]]:
        rows = self._rows(
            "SELECT sal.service_id, l.*, ad.address_1, ad.address_2, ad.city, ad.postal_code, ad.state_province, "
            "ad.country FROM service_at_location sal JOIN location l ON l.id = sal.location_id "
            "LEFT JOIN address ad ON ad.location_id = l.id WHERE sal.service_id IN ({ids}) ORDER BY sal.rowid",
            service_ids,
        )
        attrs = self._attributes("location", sorted({r["id"] for r in rows}))
        self._language_rows: dict[str, list[dict]] = defaultdict(list)
        for r in self._rows("SELECT service_id, code FROM language WHERE service_id IN ({ids}) ORDER BY rowid", service_ids):
            self._language_rows[r["service_id"]].append(r)
        out: dict[str, list[Location]] = defaultdict(list)
        for r in rows:
            a = _AttributeView(attrs.get(r["id"], []))
            address = None
            if r["address_1"]:
                address = Address(address_1=r["address_1"], address_2=r["address_2"], city=r["city"] or None,
                                  postal_code=r["postal_code"] or None, state_province=r["state_province"] or None,
                                  country=r["country"] or "GB")
            out[r["service_id"]].append(Location(
                id=r["id"], key=a.first("key") or r["id"], name=r["name"] or "", description=r["description"],
                address=address, town=a.first("town"), area=next(iter(a.codes("catchment")), None),
                latitude=r["latitude"], longitude=r["longitude"], sources=a.values("source"),
            ))
        return out

    def _phones(self, service_ids: Sequence[str]) -> dict[str, list[Phone]]:
        rows = self._rows("SELECT * FROM phone WHERE service_id IN ({ids}) ORDER BY rowid", service_ids)
        attrs = self._attributes("phone", [r["id"] for r in rows])
        out: dict[str, list[Phone]] = defaultdict(list)
        for r in rows:
            out[r["service_id"]].append(Phone(
                id=r["id"], number=r["number"], type=r["type"] or "voice", description=r["description"],
                sources=_AttributeView(attrs.get(r["id"], [])).values("source"),
            ))
        return out

    def _schedules(self, service_ids: Sequence[str]) -> dict[str, list[Schedule]]:
        rows = self._rows("SELECT * FROM schedule WHERE service_id IN ({ids}) ORDER BY rowid", service_ids)
        attrs = self._attributes("schedule", [r["id"] for r in rows])
        out: dict[str, list[Schedule]] = defaultdict(list)
        for r in rows:
            out[r["service_id"]].append(Schedule(
                id=r["id"], freq=r["freq"], interval=_int(r["interval"]), byday=r["byday"],
                bymonthday=r["bymonthday"], opens_at=r["opens_at"], closes_at=r["closes_at"],
                valid_from=r["valid_from"], valid_to=r["valid_to"], dtstart=r["dtstart"], until=r["until"],
                description=r["description"], notes=r["notes"], location_id=r["location_id"],
                sources=_AttributeView(attrs.get(r["id"], [])).values("source"),
            ))
        return out


class _AttributeView:
    """Convenient reads over one record's attribute rows."""

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def codes(self, taxonomy: str) -> tuple[str, ...]:
        hits = [r for r in self.rows if r["taxonomy"] == taxonomy]
        hits.sort(key=lambda r: int(r["value"]) if (r["value"] or "").isdigit() else 0)
        return tuple(r["code"] for r in hits)

    def values(self, code: str) -> tuple[str, ...]:
        return tuple(r["value"] for r in self.rows if r["taxonomy"] == RECORD_TAXONOMY and r["code"] == code)

    def first(self, code: str) -> str | None:
        vals = self.values(code)
        return vals[0] if vals else None


def _int(value) -> int | None:
    return None if value is None else int(value)
