"""Part of the store: the SQL behind search queries (candidates, filters, facets, words).

Search draws candidates by place and filter first (``core.locality``): an FTS5 ``MATCH``
of the words AND the place or facet tags (``store.search_tags``), so the index returns
only the services near the place or serving it, with the facet filters as plain column
tests on ``service_facets`` in the same query. ``core.search`` ranks what comes back in
Python. Nothing here ever orders all FTS matches by bm25, which needs every matching
row's statistics (tens of milliseconds on 100k rows).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlite_utils import Database

from coventry_directory.core.text import fts_term
from coventry_directory.store.open_hours import calendar_services, date_window
from coventry_directory.store.schema import SEARCH_COLUMNS, SEARCH_TABLE
from coventry_directory.store.search_filters import FacetFilter, OutcomeTest, option_test
from coventry_directory.store.search_tags import KM_PER_DEGREE, TAGS_COLUMN
from coventry_directory.store.service_loader import chunks, sources_of

_MAX_CENTRES = 12  # the home area has six; SQLite's min() takes any number, but keep the SQL small
# Search reads the same index pages over and over: memory-mapped, a page read is the
# operating system's file cache itself, not a copy into SQLite's small page cache (about
# 10% of a search at 100,000 services, bench/relevance_bench.py). Address space, not
# memory; SQLite caps it at its compiled limit and ignores it for a database in memory.
MAP_BYTES = 2 << 30
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
    "edition",
    "elsewhere",
    "has_schedule",
)


def _distance_sql(centres: Sequence[tuple[float, float]]) -> tuple[str, list]:
    """SQL for the squared equirectangular distance (in degrees of latitude) from point ``p`` to the nearest centre."""
    terms, params = [], []
    for lat, lon in centres[:_MAX_CENTRES]:
        kx = math.cos(math.radians(lat))
        terms.append("((p.latitude - ?) * (p.latitude - ?) + ((p.longitude - ?) * ?) * ((p.longitude - ?) * ?))")
        params += [lat, lat, lon, kx, lon, kx]
    if not terms:
        return "NULL", []
    return (terms[0] if len(terms) == 1 else "min(" + ", ".join(terms) + ")"), params


def _outcome_columns(tests: Sequence[OutcomeTest]) -> tuple[str, list]:
    """SELECT columns o0, o1, ... holding each filter's outcome (0 known, 1 not known, 2 known not to fit)."""
    cases, params = [], []
    for i, test in enumerate(tests):
        cases.append(f"CASE WHEN {test.known} THEN 0 WHEN {test.unknown} THEN 1 ELSE 2 END AS o{i}")
        params += [*test.params, *test.unknown_params]
    return ", ".join(cases), params


class SearchQueries:
    """Read-only queries over the search tables of one open directory database."""

    def __init__(self, db: Database):
        self._db = db
        self._tags: dict[str, bool] = {}
        db.execute(f"PRAGMA mmap_size = {MAP_BYTES}")

    def has_tag(self, tag: str) -> bool:
        """True when some service's row in the index holds ``tag`` (asked once per tag, then remembered).

        Search asks for a synonym set's tag (``store.search_synonyms``) instead of its terms
        only when the index holds it. Remembering is safe across later rebuilds: an index
        built by this code lacks a set's tag only when no service holds any of its terms.
        """
        found = self._tags.get(tag)
        if found is None:
            row = self._db.execute(
                f"SELECT 1 FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ? LIMIT 1",
                [f"{TAGS_COLUMN} : {fts_term(tag)}"],
            ).fetchone()
            found = self._tags[tag] = row is not None
        return found

    def any_match(self, expr: str) -> bool:
        """True when some row of the index matches the FTS5 expression (no filters beside it).

        Cheap either way (the first match ends the search; no match costs what one draw of
        ``expr`` would): search asks it before the many draws of one expression, which an
        expression matching nothing anywhere (a phrase of words no service holds together)
        would otherwise all pay for.
        """
        row = self._db.execute(f"SELECT 1 FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ? LIMIT 1", [expr]).fetchone()
        return row is not None

    def matching(
        self,
        expr: str,
        where: tuple[str, list],
        limit: int | None,
        nearest: Sequence[tuple[float, float]] = (),
        within_km: float | None = None,
    ) -> list[str]:
        """Ids matching a whole FTS5 expression and the filters: the first ``limit`` (None: all), or the nearest.

        The expression holds the words (limited to the text columns), the place and the
        code tags (``store.search_tags``): the index intersects them itself. Neither ORDER BY
        rank nor bm25(): both need document counts for every OR'd synonym over the whole
        index. With ``nearest`` (centres), the ``limit`` matches nearest to any centre come
        back, nearest first (services with no map point never); with ``within_km`` too, only
        those within that distance of a centre.
        """
        sql_where, params = where
        if nearest and limit is not None:
            return self._nearest_matching(expr, where, limit, nearest, within_km)
        tail = " LIMIT ?" if limit is not None else ""
        # joined by row (m007): the index's own stored text is never read to find the id
        sql = (
            f"SELECT f.service_id FROM {SEARCH_TABLE} s JOIN service_facets f ON f.rowid = s.rowid "
            f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where}{tail}"
        )
        args: list = [expr, *params]
        if limit is not None:
            args.append(limit)
        return [r[0] for r in self._db.execute(sql, args).fetchall()]

    def matching_known(
        self,
        expr: str,
        where: tuple[str, list],
        known: tuple[str, list],
        limit: int,
        nearest: Sequence[tuple[float, float]] = (),
        within_km: float | None = None,
    ) -> tuple[list[str], list[str]]:
        """:meth:`matching` and, in the same pass, the same draw kept to what also passes ``known``.

        Both lists are in :meth:`matching`'s order (the index's, or nearest first with
        ``nearest``): the first ``limit`` matches, and the first ``limit`` of those passing
        the SQL ``known`` (over service_facets, alias f) too. One FTS5 query instead of two
        when the stricter draw differs only by SQL, not by tags (``core.candidates``).
        """
        sql_where, params = where
        known_sql, known_params = known
        if nearest:
            dist, dist_params = _distance_sql(nearest)
            having, having_params = (
                ("", []) if within_km is None else (" HAVING d2 <= ?", [(within_km / KM_PER_DEGREE) ** 2])
            )
            sql = (
                f"SELECT f.service_id, ({known_sql}) AS known, min({dist}) AS d2 FROM {SEARCH_TABLE} s "
                f"JOIN service_facets f ON f.rowid = s.rowid "
                f"JOIN service_point p ON p.row = s.rowid "
                f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where} GROUP BY s.rowid{having} "
                f"ORDER BY d2, f.service_id"
            )
            args = [*known_params, *dist_params, expr, *params, *having_params]
        else:
            sql = (
                f"SELECT f.service_id, ({known_sql}) FROM {SEARCH_TABLE} s JOIN service_facets f ON f.rowid = s.rowid "
                f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where}"
            )
            args = [*known_params, expr, *params]
        first: list[str] = []
        sure: list[str] = []
        for sid, fits, *_ in self._db.execute(sql, args):
            if len(first) < limit:
                first.append(sid)
            if fits:
                sure.append(sid)
                if len(sure) >= limit:
                    break  # the rest can enter neither list
        return first, sure

    def placed_matches(
        self, expr: str, where: tuple[str, list], centres: Sequence[tuple[float, float]]
    ) -> list[tuple[str, str, int, int, int, float | None]]:
        """Every match of ``expr`` with what places it: (id, catchment, national, edition, elsewhere, km to the nearest centre).

        The km is None for a service with no map point (or with no centres given); it is
        equirectangular, worked out in SQL for every match in one query.
        """
        sql_where, params = where
        dist, dist_params = _distance_sql(centres)
        point = "LEFT JOIN service_point p ON p.row = s.rowid " if dist_params else ""
        sql = (
            f"SELECT f.service_id, f.catchment, f.national, f.edition, f.elsewhere, "
            f"{'min(' + dist + ')' if dist_params else 'NULL'} "
            f"FROM {SEARCH_TABLE} s JOIN service_facets f ON f.rowid = s.rowid {point}"
            f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where} GROUP BY s.rowid"
        )
        rows = self._db.execute(sql, [*dist_params, expr, *params]).fetchall()
        return [
            (
                sid,
                catchment or "",
                national or 0,
                edition or 0,
                elsewhere or 0,
                None if d2 is None else math.sqrt(d2) * KM_PER_DEGREE,
            )
            for sid, catchment, national, edition, elsewhere, d2 in rows
        ]

    def _nearest_matching(
        self,
        expr: str,
        where: tuple[str, list],
        limit: int,
        centres: Sequence[tuple[float, float]],
        within_km: float | None = None,
    ) -> list[str]:
        """The ``limit`` matches of ``expr`` nearest to any of ``centres`` (by map point), nearest first.

        The distance is worked out in SQL for every match (a join and a sort, cheap next
        to scoring each in Python), so the nearest are exactly those, not the first found.
        """
        sql_where, params = where
        dist, dist_params = _distance_sql(centres)
        having, having_params = (
            ("", []) if within_km is None else (" HAVING d2 <= ?", [(within_km / KM_PER_DEGREE) ** 2])
        )
        sql = (
            f"SELECT f.service_id, min({dist}) AS d2 FROM {SEARCH_TABLE} s "
            f"JOIN service_facets f ON f.rowid = s.rowid "
            f"JOIN service_point p ON p.row = s.rowid "
            f"WHERE {SEARCH_TABLE} MATCH ? AND {sql_where} GROUP BY s.rowid{having} "
            f"ORDER BY d2, f.service_id LIMIT ?"
        )
        rows = self._db.execute(sql, [*dist_params, expr, *params, *having_params, limit]).fetchall()
        return [r[0] for r in rows]

    def filtered_ids(
        self, where: tuple[str, list], limit: int | None, near: tuple[float, float] | None = None
    ) -> list[str]:
        """Services passing the filters, nearest first when ``near`` is given, else by name (``limit`` None: all)."""
        db = self._db
        sql_where, params = where
        if near is None or limit is None:
            rows = db.execute(
                f"SELECT f.service_id FROM service_facets f WHERE {sql_where} ORDER BY f.name, f.service_id LIMIT ?",
                [*params, -1 if limit is None else limit],
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

    def outcomes(self, ids: Sequence[str], facet: FacetFilter) -> dict[str, dict[str, int]]:
        """Each service's outcome for each active three-outcome filter (``store.search_filters``: KNOWN, ...).

        Only services with at least one filter not KNOWN are listed: the rest fit every filter.
        """
        tests = facet.outcome_tests()
        if not tests or not ids:
            return {}
        cases, params = _outcome_columns(tests)
        out: dict[str, dict[str, int]] = {}
        for chunk in chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            for sid, *values in self._db.execute(
                f"SELECT f.service_id, {cases} FROM service_facets f WHERE f.service_id IN ({q})", [*params, *chunk]
            ).fetchall():
                if any(values):
                    out[sid] = {t.field: v for t, v in zip(tests, values, strict=True)}
        return out

    def outcome_counts(self, expr: str, facet: FacetFilter) -> dict[str, tuple[int, int, int]]:
        """For each active three-outcome filter: how many matches of ``expr`` are known to fit, not known, known not to.

        Counted among the matches of ``expr`` (words and place) that are of the categories
        asked for, not closed, and that no *other* filter leaves out: the usual faceted
        count, so each filter's numbers say what that filter alone does to the list. One
        query, each filter's test made once per service.
        """
        tests = facet.outcome_tests()
        if not tests:
            return {}
        cases, params = _outcome_columns(tests)
        scope = facet.scope()
        tags = scope.tags()
        full = " AND ".join(f"({p})" for p in (expr, tags) if p)
        status, status_params = scope.status_where()
        inner = (
            f"SELECT {cases} FROM {SEARCH_TABLE} s JOIN service_facets f ON f.rowid = s.rowid "
            f"WHERE {SEARCH_TABLE} MATCH ? AND {status}"
        )
        sums = []
        n = len(tests)
        for i in range(n):
            others = " AND ".join(f"o{j} < 2" for j in range(n) if j != i) or "1"
            sums += [f"coalesce(sum(o{i} = {k} AND {others}), 0)" for k in range(3)]
        row = self._db.execute(f"SELECT {', '.join(sums)} FROM ({inner})", [*params, full, *status_params]).fetchone()
        return {t.field: (row[3 * i], row[3 * i + 1], row[3 * i + 2]) for i, t in enumerate(tests)}

    def option_counts(
        self, expr: str, facet: FacetFilter, options: Mapping[str, Sequence[str]]
    ) -> dict[str, dict[str, tuple[int, int]]]:
        """For each option of each list filter: how many matches of ``expr`` ticking it would keep, known to fit and not known.

        ``options`` gives each list field's codes (``store.search_filters.LIST_FIELDS``).
        As in :meth:`outcome_counts`, an option is counted among the matches that are not
        closed and that every filter of the *other* lists (and every other filter) keeps:
        ticking a second option in the same list widens the list, so its own ticks do not
        narrow its counts. One query for them all.
        """
        active = facet.list_tests()
        wanted = [(field, code) for field, codes in options.items() for code in codes]
        if not wanted:
            return {}
        tests = active + [option_test(field, [code]) for field, code in wanted]
        cases, params = _outcome_columns(tests)
        status, status_params = facet.status_where()
        sums = []
        for k, (field, _code) in enumerate(wanted, start=len(active)):
            others = " AND ".join(f"o{j} < 2" for j, test in enumerate(active) if test.field != field) or "1"
            sums += [f"coalesce(sum(o{k} = {outcome} AND {others}), 0)" for outcome in (0, 1)]
        inner = f"SELECT {cases} FROM service_facets f"
        if expr:
            inner += f" JOIN {SEARCH_TABLE} s ON s.rowid = f.rowid WHERE {SEARCH_TABLE} MATCH ? AND {status}"
            where_params = [expr, *status_params]
        else:
            inner += f" WHERE {status}"
            where_params = list(status_params)
        row = self._db.execute(f"SELECT {', '.join(sums)} FROM ({inner})", [*params, *where_params]).fetchone()
        counts: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for i, (field, code) in enumerate(wanted):
            counts[field][code] = (row[2 * i], row[2 * i + 1])
        return dict(counts)

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

    def ranking_rows(
        self, ids: Sequence[str], texts: bool
    ) -> tuple[dict[str, dict], dict[str, dict], dict[str, list[tuple[float, float, str]]]]:
        """What ranking needs of each candidate, in two queries: facets, folded texts (when ``texts``), map points.

        The facets are :meth:`facet_rows`; the texts are each indexed column as " word word "
        (folded), to see what matched; the points are known map points (location coordinates
        or town centres). Joined by row (m007), not looked up by id three times.
        """
        db = self._db
        facet_cols = ", ".join(f"f.{c}" for c in FACET_FIELDS)
        text_cols = "".join(f", fo.{c}" for c in SEARCH_COLUMNS) if texts else ""
        join = " JOIN service_folded fo ON fo.rowid = f.rowid" if texts else ""
        n = len(FACET_FIELDS)
        facets: dict[str, dict] = {}
        folded: dict[str, dict] = {}
        by_row: dict[int, str] = {}
        for chunk in chunks(list(ids)):
            q = ",".join("?" * len(chunk))
            for row in db.execute(
                f"SELECT f.rowid, f.service_id, {facet_cols}{text_cols} FROM service_facets f{join} "
                f"WHERE f.service_id IN ({q})",
                chunk,
            ).fetchall():
                sid = row[1]
                by_row[row[0]] = sid
                facets[sid] = dict(zip(FACET_FIELDS, row[2 : 2 + n], strict=True))
                if texts:
                    folded[sid] = dict(zip(SEARCH_COLUMNS, row[2 + n :], strict=True))
        points: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for rows in chunks(list(by_row)):
            q = ",".join("?" * len(rows))
            for row, lat, lon, precision in db.execute(
                f"SELECT row, latitude, longitude, precision FROM service_point WHERE row IN ({q})", rows
            ).fetchall():
                points[by_row[row]].append((lat, lon, precision))
        return facets, folded, points

    def date_window(self) -> tuple[str, str] | None:
        """The days (ISO, first and last) for which hours that are not the same every week are worked out."""
        return date_window(self._db)

    def calendar_services(self) -> list[str]:
        """Services whose hours are not the same every week: "open at" works these out from the calendar."""
        return calendar_services(self._db)

    def sources_for(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The sources that described each service, in their rank order (``edition`` for a plain edition)."""
        return sources_of(self._db, ids)

    def vocabulary(self) -> dict[str, int]:
        """Every word of the text columns with how many services use it (never the tags: codes, not words)."""
        return {term: int(n) for term, n in self._db.execute("SELECT term, docs FROM search_term").fetchall()}

    def edition_words(self) -> set[str]:
        """The folded words of the services the edition describes (typo correction prefers these)."""
        cols = ", ".join(f"fo.{c}" for c in SEARCH_COLUMNS)
        out: set[str] = set()
        for row in self._db.execute(
            f"SELECT {cols} FROM service_folded fo JOIN service_facets f ON f.service_id = fo.service_id "
            "WHERE f.edition = 1"
        ).fetchall():
            for text in row:
                out.update((text or "").split())
        return out

    def words_with_prefix(self, prefix: str, limit: int) -> list[str] | None:
        """The indexed words starting with ``prefix``, most used first; None when more than ``limit`` do."""
        rows = self._db.execute(
            "SELECT term, docs FROM search_term WHERE term >= ? AND term < ? LIMIT ?",
            [prefix, prefix + "\U0010ffff", limit + 1],
        ).fetchall()
        if len(rows) > limit:
            return None
        return [term for term, _ in sorted(rows, key=lambda r: (-r[1], r[0]))]
