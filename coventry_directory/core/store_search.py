"""Part of the store: the SQL behind search (index building, candidate and filter queries).

Search is "filter first, rank a small candidate set": SQL narrows to at most a few hundred
services (FTS5 MATCH without ORDER BY stops early; facet filters are plain column tests),
and core/search.py ranks those in Python. Nothing here ever orders all FTS matches by bm25,
which costs tens of milliseconds on 100k rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from coventry_directory.core.models import CODE_FIELDS
from coventry_directory.core.schema import SEARCH_COLUMNS, SEARCH_TABLE
from coventry_directory.core.store_read import chunks
from coventry_directory.core.taxonomy import RECORD_TAXONOMY
from coventry_directory.core.text import words


def _codes_by_service(db: Database, taxonomy: str) -> dict[str, str]:
    rows = db.execute(
        "SELECT a.link_id, t.code FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
        "WHERE a.link_entity = 'service' AND t.taxonomy = ? ORDER BY a.link_id, CAST(a.value AS INTEGER)",
        [taxonomy],
    ).fetchall()
    out: dict[str, list[str]] = defaultdict(list)
    for link_id, code in rows:
        out[link_id].append(code)
    return {k: " " + " ".join(v) + " " for k, v in out.items()}


def _record_values(db: Database, code: str, entity: str = "service") -> dict[str, list[str]]:
    rows = db.execute(
        "SELECT a.link_id, a.value FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
        "WHERE a.link_entity = ? AND t.taxonomy = ? AND t.code = ? ORDER BY a.rowid",
        [entity, RECORD_TAXONOMY, code],
    ).fetchall()
    out: dict[str, list[str]] = defaultdict(list)
    for link_id, value in rows:
        out[link_id].append(value or "")
    return out


def rebuild_fts(db: Database) -> None:
    """Fill the FTS index from the HSDS tables."""
    db.execute(f"DELETE FROM {SEARCH_TABLE}")
    category_names = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT a.link_id, group_concat(t.name || ' ' || t.code, ' ') FROM attribute a "
            "JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
            "WHERE a.link_entity = 'service' AND t.taxonomy = 'category' GROUP BY a.link_id"
        ).fetchall()
    }
    keywords = {k: " ".join(v) for k, v in _record_values(db, "keyword").items()}
    places: dict[str, list[str]] = defaultdict(list)
    towns = {k: v[0] for k, v in _record_values(db, "town", "location").items()}
    for sid, loc_id, loc_name in db.execute(
        "SELECT sal.service_id, l.id, coalesce(l.name, '') FROM service_at_location sal "
        "JOIN location l ON l.id = sal.location_id"
    ).fetchall():
        places[sid] += [loc_name, towns.get(loc_id, "")]
    rows = db.execute(
        "SELECT s.id, s.name, coalesce(s.alternate_name, ''), coalesce(o.name, ''), "
        "coalesce(o.alternate_name, ''), coalesce(s.description, '') "
        "FROM service s LEFT JOIN organization o ON o.id = s.organization_id ORDER BY s.id"
    ).fetchall()
    placeholders = ", ".join("?" for _ in range(len(SEARCH_COLUMNS) + 1))
    db.conn.executemany(
        f"INSERT INTO {SEARCH_TABLE} (service_id, {', '.join(SEARCH_COLUMNS)}) VALUES ({placeholders})",
        [
            (sid, f"{name} {alt}".strip(), f"{org} {org_alt}".strip(), category_names.get(sid, ""),
             " ".join([keywords.get(sid, ""), *places.get(sid, [])]).strip(), desc)
            for sid, name, alt, org, org_alt, desc in rows
        ],
    )


def rebuild_facets(db: Database) -> None:
    """Fill service_facets and service_point from the HSDS tables."""
    from coventry_directory.core.places import town_place  # the gazetteer gives town centres

    db.execute("DELETE FROM service_facets")
    db.execute("DELETE FROM service_point")
    codes = {col: _codes_by_service(db, tax) for col, tax in CODE_FIELDS.items()}
    verification = _codes_by_service(db, "verification")
    required = _record_values(db, "groups-required")
    coverage = _record_values(db, "coverage")
    languages: dict[str, list[str]] = defaultdict(list)
    for sid, code in db.execute("SELECT service_id, code FROM language WHERE code IS NOT NULL").fetchall():
        languages[sid].append(code)
    scheduled = {r[0] for r in db.execute("SELECT DISTINCT service_id FROM schedule")}
    keys = {k: v[0] for k, v in _record_values(db, "key").items()}
    evidence = {k: v[0] for k, v in _record_values(db, "evidence-date").items()}
    facet_rows = []
    for sid, name, org, status, assured, lo, hi, fees in db.execute(
        "SELECT s.id, s.name, o.name, s.status, s.assured_date, s.minimum_age, s.maximum_age, "
        "coalesce(s.fees_description, '') FROM service s LEFT JOIN organization o ON o.id = s.organization_id "
        "ORDER BY s.id"
    ).fetchall():
        row = {"service_id": sid, "key": keys.get(sid, sid), "name": name, "organization": org or "",
               "status": status or "active", "assured_date": assured, "evidence_date": evidence.get(sid),
               "minimum_age": lo, "maximum_age": hi}
        for col in CODE_FIELDS:
            row[col] = codes[col].get(sid, "")
        row["groups_required"] = int(required.get(sid, [""])[0] == "true")
        row["national"] = int(coverage.get(sid, [""])[0] == "national")
        row["languages"] = " " + " ".join(languages[sid]) + " " if languages.get(sid) else ""
        row["has_schedule"] = int(sid in scheduled)
        row["free"] = int(fees.strip().lower().startswith("free"))
        row["verification"] = verification.get(sid, "").strip()
        facet_rows.append(row)
    if facet_rows:
        db["service_facets"].insert_all(facet_rows, batch_size=2000)
    towns = {k: v[0] for k, v in _record_values(db, "town", "location").items()}
    points = []
    for sid, loc_id, lat, lon in db.execute(
        "SELECT sal.service_id, l.id, l.latitude, l.longitude FROM service_at_location sal "
        "JOIN location l ON l.id = sal.location_id ORDER BY sal.rowid"
    ).fetchall():
        if lat is not None and lon is not None:
            points.append((sid, lat, lon, "location"))
            continue
        place = town_place(towns[loc_id]) if loc_id in towns else None
        if place is not None and place.latitude is not None:
            points.append((sid, place.latitude, place.longitude, "town centre"))
    db.conn.executemany("INSERT INTO service_point VALUES (?, ?, ?, ?)", points)


def rebuild_folded(db: Database) -> None:
    """Fill service_folded: each indexed column as " word word " (folded), for fast ranking."""
    db.execute("DELETE FROM service_folded")
    cols = ", ".join(SEARCH_COLUMNS)
    rows = db.execute(f"SELECT service_id, {cols} FROM {SEARCH_TABLE}").fetchall()
    db.conn.executemany(
        f"INSERT INTO service_folded (service_id, {cols}) VALUES (?, {', '.join('?' * len(SEARCH_COLUMNS))})",
        [(r[0], *(" " + " ".join(words(v or "", bounded=False)) + " " for v in r[1:])) for r in rows],
    )


def rebuild_search_index(db: Database) -> None:
    """Rebuild everything search reads (called after any directory write)."""
    rebuild_fts(db)
    rebuild_folded(db)
    rebuild_facets(db)


@dataclass
class FacetFilter:
    """Hard filters, as plain values; OR within a field, AND across fields."""

    categories: Sequence[str] = ()
    referral_routes: Sequence[str] = ()
    delivery_modes: Sequence[str] = ()
    client_groups: Sequence[str] = ()
    languages: Sequence[str] = ()
    substances: Sequence[str] = ()
    gender: str | None = None
    age: int | None = None
    free: bool = False
    scheduled_only: bool = False
    exclude_status: Sequence[str] = ()

    def where(self) -> tuple[str, list]:
        """SQL over service_facets (alias f) and its parameters."""
        clauses: list[str] = []
        params: list = []

        def any_code(col: str, values: Sequence[str], also: Sequence[str] = ()) -> None:
            tests = [f"instr(f.{col}, ?) > 0" for _ in [*values, *also]]
            clauses.append("(" + " OR ".join(tests) + ")")
            params.extend(f" {v} " for v in [*values, *also])

        for col in ("categories", "referral_routes", "delivery_modes", "client_groups", "languages"):
            values = getattr(self, col)
            if values:
                any_code(col, values)
        if self.substances:
            # a service that works with "any" substance, or whose substances are not known, still fits
            clauses.append("(f.substances = '' OR " + " OR ".join("instr(f.substances, ?) > 0" for _ in [*self.substances, "any"]) + ")")
            params.extend(f" {v} " for v in [*self.substances, "any"])
        if self.gender:
            clauses.append("(f.genders = '' OR instr(f.genders, ' any ') > 0 OR instr(f.genders, ?) > 0)")
            params.append(f" {self.gender} ")
        if self.age is not None:
            clauses.append("(f.minimum_age IS NULL OR f.minimum_age <= ?) AND (f.maximum_age IS NULL OR f.maximum_age >= ?)")
            params += [self.age, self.age]
        if self.free:
            clauses.append("f.free = 1")
        if self.scheduled_only:
            clauses.append("f.has_schedule = 1")
        if self.exclude_status:
            clauses.append("f.status NOT IN (" + ",".join("?" * len(self.exclude_status)) + ")")
            params += list(self.exclude_status)
        return (" AND ".join(clauses) or "1"), params


def fts_candidates(db: Database, match: str, where: tuple[str, list], limit: int,
                   columns: Sequence[str] = ()) -> list[str]:
    """Ids of services matching an FTS5 expression and the filters; at most ``limit``, unranked.

    Neither ORDER BY rank nor bm25(): both need document counts for every OR'd synonym over
    the whole index, which costs milliseconds per query at 100k services. The caller ranks
    this small set itself.
    """
    expr = f"{{{' '.join(columns)}}} : ({match})" if columns else match
    sql_where, params = where
    if sql_where == "1":
        sql = f"SELECT service_id FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ? LIMIT ?"
        args = [expr, limit]
    else:
        sql = (f"SELECT s.service_id FROM {SEARCH_TABLE} s JOIN service_facets f ON f.service_id = s.service_id "
               f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where} LIMIT ?")
        args = [expr, *params, limit]
    return [r[0] for r in db.execute(sql, args).fetchall()]


def substance_candidates(db: Database, substances: Sequence[str], where: tuple[str, list], limit: int) -> list[str]:
    """Services that list one of these substances, or "any" substance (and pass the filters)."""
    sql_where, params = where
    tests = " OR ".join("instr(f.substances, ?) > 0" for _ in [*substances, "any"])
    rows = db.execute(
        f"SELECT f.service_id FROM service_facets f WHERE ({tests}) AND {sql_where} LIMIT ?",
        [*(f" {s} " for s in [*substances, "any"]), *params, limit],
    ).fetchall()
    return [r[0] for r in rows]


def filtered_ids(db: Database, where: tuple[str, list], limit: int, near: tuple[float, float] | None = None) -> list[str]:
    """Services passing the filters, nearest first when ``near`` is given, else by name."""
    sql_where, params = where
    if near is None:
        rows = db.execute(
            f"SELECT f.service_id FROM service_facets f WHERE {sql_where} ORDER BY f.name, f.service_id LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [r[0] for r in rows]
    lat, lon = near
    # equirectangular distance is plenty to order places within a county
    kx = math.cos(math.radians(lat))
    dist = "((p.latitude - ?) * (p.latitude - ?) + ((p.longitude - ?) * ?) * ((p.longitude - ?) * ?))"
    dist_params = [lat, lat, lon, kx, lon, kx]
    found: list[str] = []
    # widen a box around the point until it holds enough services: the latitude index keeps
    # this cheap however many services the filters let through
    for half_km in (10, 30, 100):
        dlat = half_km / 111.0
        dlon = dlat / max(kx, 0.1)
        rows = db.execute(
            f"SELECT p.service_id, min({dist}) AS d2 FROM service_point p "
            f"JOIN service_facets f ON f.service_id = p.service_id "
            f"WHERE p.latitude BETWEEN ? AND ? AND p.longitude BETWEEN ? AND ? AND {sql_where} "
            f"GROUP BY p.service_id ORDER BY d2, f.name LIMIT ?",
            [*dist_params, lat - dlat, lat + dlat, lon - dlon, lon + dlon, *params, limit],
        ).fetchall()
        found = [r[0] for r in rows]
        if len(found) >= limit:
            return found
    # then services with no map point (county-wide, national, phone and online), by name
    seen = set(found)
    rest = db.execute(
        f"SELECT f.service_id FROM service_facets f WHERE {sql_where} "
        f"AND NOT EXISTS (SELECT 1 FROM service_point p WHERE p.service_id = f.service_id) "
        f"ORDER BY f.name, f.service_id LIMIT ?",
        [*params, limit],
    ).fetchall()
    found += [r[0] for r in rest if r[0] not in seen]
    return found[:limit]


FACET_FIELDS = ("key", "name", "organization", "status", "categories", "substances", "catchment",
                "national", "minimum_age", "maximum_age", "verification", "assured_date", "evidence_date")


def _rows_by_id(db: Database, table: str, columns: Sequence[str], ids: Sequence[str]) -> dict[str, dict]:
    out = {}
    cols = ", ".join(columns)
    for chunk in chunks(list(ids)):
        q = ",".join("?" * len(chunk))
        for row in db.execute(f"SELECT service_id, {cols} FROM {table} WHERE service_id IN ({q})", chunk).fetchall():
            out[row[0]] = dict(zip(columns, row[1:]))
    return out


def facet_rows(db: Database, ids: Sequence[str]) -> dict[str, dict]:
    """The facets ranking needs, by service id."""
    return _rows_by_id(db, "service_facets", FACET_FIELDS, ids)


def folded_texts(db: Database, ids: Sequence[str]) -> dict[str, dict]:
    """The folded indexed columns (" word word ") for these services, to see what matched."""
    return _rows_by_id(db, "service_folded", SEARCH_COLUMNS, ids)


def points(db: Database, ids: Sequence[str]) -> dict[str, list[tuple[float, float, str]]]:
    """Known map points per service (location coordinates or town centres)."""
    out: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for chunk in chunks(list(ids)):
        q = ",".join("?" * len(chunk))
        for sid, lat, lon, precision in db.execute(
            f"SELECT service_id, latitude, longitude, precision FROM service_point WHERE service_id IN ({q})", chunk
        ).fetchall():
            out[sid].append((lat, lon, precision))
    return out


def vocabulary(db: Database, columns: Sequence[str] = ()) -> dict[str, int]:
    """Indexed terms (optionally of some columns only) with how many services use each."""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, {SEARCH_TABLE}, 'col')")
    if columns:
        q = ",".join("?" * len(columns))
        rows = db.execute(f"SELECT term, sum(doc) FROM temp.search_vocab WHERE col IN ({q}) GROUP BY term", list(columns))
    else:
        rows = db.execute("SELECT term, sum(doc) FROM temp.search_vocab GROUP BY term")
    return {term: int(n) for term, n in rows.fetchall()}
