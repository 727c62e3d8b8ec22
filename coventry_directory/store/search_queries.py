"""Part of the store: the SQL behind search queries (candidates, filters, facets, vocabulary).

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

from coventry_directory.store.schema import SEARCH_COLUMNS, SEARCH_TABLE
from coventry_directory.store.service_loader import chunks, sources_of

FACET_FIELDS = (
    "key",
    "name",
    "organization",
    "status",
    "categories",
    "substances",
    "catchment",
    "national",
    "minimum_age",
    "maximum_age",
    "verification",
    "assured_date",
    "evidence_date",
)


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
            clauses.append(
                "(f.substances = '' OR "
                + " OR ".join("instr(f.substances, ?) > 0" for _ in [*self.substances, "any"])
                + ")"
            )
            params.extend(f" {v} " for v in [*self.substances, "any"])
        if self.gender:
            clauses.append("(f.genders = '' OR instr(f.genders, ' any ') > 0 OR instr(f.genders, ?) > 0)")
            params.append(f" {self.gender} ")
        if self.age is not None:
            clauses.append(
                "(f.minimum_age IS NULL OR f.minimum_age <= ?) AND (f.maximum_age IS NULL OR f.maximum_age >= ?)"
            )
            params += [self.age, self.age]
        if self.free:
            clauses.append("f.free = 1")
        if self.scheduled_only:
            clauses.append("f.has_schedule = 1")
        if self.exclude_status:
            clauses.append("f.status NOT IN (" + ",".join("?" * len(self.exclude_status)) + ")")
            params += list(self.exclude_status)
        return (" AND ".join(clauses) or "1"), params


class SearchQueries:
    """Read-only queries over the search tables of one open directory database."""

    def __init__(self, db: Database):
        self._db = db

    def fts_candidates(self, match: str, where: tuple[str, list], limit: int, columns: Sequence[str] = ()) -> list[str]:
        """Ids of services matching an FTS5 expression and the filters; at most ``limit``, unranked.

        Neither ORDER BY rank nor bm25(): both need document counts for every OR'd synonym over
        the whole index, which costs milliseconds per query at 100k services. The caller ranks
        this small set itself.
        """
        db = self._db
        expr = f"{{{' '.join(columns)}}} : ({match})" if columns else match
        sql_where, params = where
        if sql_where == "1":
            sql = f"SELECT service_id FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ? LIMIT ?"
            args = [expr, limit]
        else:
            sql = (
                f"SELECT s.service_id FROM {SEARCH_TABLE} s JOIN service_facets f ON f.service_id = s.service_id "
                f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where} LIMIT ?"
            )
            args = [expr, *params, limit]
        return [r[0] for r in db.execute(sql, args).fetchall()]

    def substance_candidates(self, substances: Sequence[str], where: tuple[str, list], limit: int) -> list[str]:
        """Services that list one of these substances, or "any" substance (and pass the filters)."""
        db = self._db
        sql_where, params = where
        tests = " OR ".join("instr(f.substances, ?) > 0" for _ in [*substances, "any"])
        rows = db.execute(
            f"SELECT f.service_id FROM service_facets f WHERE ({tests}) AND {sql_where} LIMIT ?",
            [*(f" {s} " for s in [*substances, "any"]), *params, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def filtered_ids(self, where: tuple[str, list], limit: int, near: tuple[float, float] | None = None) -> list[str]:
        """Services passing the filters, nearest first when ``near`` is given, else by name."""
        db = self._db
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

    def _rows_by_id(self, table: str, columns: Sequence[str], ids: Sequence[str]) -> dict[str, dict]:
        db = self._db
        out = {}
        cols = ", ".join(columns)
        for chunk in chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            for row in db.execute(
                f"SELECT service_id, {cols} FROM {table} WHERE service_id IN ({q})", chunk
            ).fetchall():
                out[row[0]] = dict(zip(columns, row[1:], strict=True))
        return out

    def facet_rows(self, ids: Sequence[str]) -> dict[str, dict]:
        """The facets ranking needs, by service id."""
        return self._rows_by_id("service_facets", FACET_FIELDS, ids)

    def folded_texts(self, ids: Sequence[str]) -> dict[str, dict]:
        """The folded indexed columns (" word word ") for these services, to see what matched."""
        return self._rows_by_id("service_folded", SEARCH_COLUMNS, ids)

    def points(self, ids: Sequence[str]) -> dict[str, list[tuple[float, float, str]]]:
        """Known map points per service (location coordinates or town centres)."""
        db = self._db
        out: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for chunk in chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            for sid, lat, lon, precision in db.execute(
                f"SELECT service_id, latitude, longitude, precision FROM service_point WHERE service_id IN ({q})", chunk
            ).fetchall():
                out[sid].append((lat, lon, precision))
        return out

    def sources_for(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The sources that described each service, in their rank order (``edition`` for a plain edition)."""
        return sources_of(self._db, ids)

    def vocabulary(self, columns: Sequence[str] = ()) -> dict[str, int]:
        """Indexed terms (optionally of some columns only) with how many services use each."""
        db = self._db
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, {SEARCH_TABLE}, 'col')")
        if columns:
            q = ",".join("?" * len(columns))
            rows = db.execute(
                f"SELECT term, sum(doc) FROM temp.search_vocab WHERE col IN ({q}) GROUP BY term", list(columns)
            )
        else:
            rows = db.execute("SELECT term, sum(doc) FROM temp.search_vocab GROUP BY term")
        return {term: int(n) for term, n in rows.fetchall()}
