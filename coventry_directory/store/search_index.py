"""Part of the store: fills the search tables (FTS5 text, facets, map points, folded text).

These tables are derived: every one is rebuilt from the HSDS tables after any write and
once after migrations, so migrations only create structure and never call this code.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlite_utils import Database

from coventry_directory.core.eligibility import required_groups
from coventry_directory.core.models import CODE_FIELDS
from coventry_directory.core.taxonomy import RECORD_TAXONOMY
from coventry_directory.core.text import words
from coventry_directory.store.open_hours import rebuild_open_hours
from coventry_directory.store.schema import SEARCH_COLUMNS, SEARCH_TABLE
from coventry_directory.store.search_synonyms import fix_synonym_tags, tag_synonyms
from coventry_directory.store.search_tags import FACET_TAG_COLUMNS, TAGS_COLUMN, service_tags


def _codes_by_service(db: Database, taxonomy: str) -> dict[str, str]:
    rows = db.execute(
        "SELECT a.link_id, t.code FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id "
        "WHERE a.link_entity = 'service' AND t.taxonomy = ? AND trim(t.code) <> '' "
        "ORDER BY a.link_id, CAST(a.value AS INTEGER)",
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


def rebuild_fts(db: Database) -> list[tuple] | None:
    """Fill the FTS index from the HSDS tables, and each service's tags from its facets, points and text.

    Run after :func:`rebuild_facets` and ``rebuild_open_hours``: the tags (``store.search_tags``)
    come from the map points and facets the one writes and the weekly hours the other does;
    the synonym tags (``store.search_synonyms``) from the text. Returns each row's folded
    text (rowid, service id, the columns as " word word "), what :func:`rebuild_folded` writes
    (None when some row was numbered by FTS5: it then reads the index back).
    """
    db.execute(f"DELETE FROM {SEARCH_TABLE}")
    tags = _tags_by_service(db)
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
    rowids = _facet_rows(db)
    indexed, folded = [], []
    for sid, name, alt, org, org_alt, desc in rows:
        text = (
            f"{name} {alt}".strip(),
            f"{org} {org_alt}".strip(),
            category_names.get(sid, ""),
            " ".join([keywords.get(sid, ""), *places.get(sid, [])]).strip(),
            desc,
        )
        row = rowids.get(sid)
        fold = tuple(map(_folded, text))
        # the synonym sets its text holds, one tag each (store.search_synonyms), beside its place and facet tags
        own = " ".join([tags.get(sid, ""), *tag_synonyms(fold)]).strip()
        indexed.append((row, sid, *text, own))
        folded.append((row, sid, *fold))
    # in row order (services are numbered by place, rebuild_facets, not by id): FTS5 writes a
    # segment whenever a row comes before the last, and merging thousands costs 40% more time
    by_row = sorted(range(len(indexed)), key=lambda i: (indexed[i][0] is None, indexed[i][0] or 0))
    indexed, folded = [indexed[i] for i in by_row], [folded[i] for i in by_row]
    _insert_fts(db, indexed)
    fix_synonym_tags(db, lambda fixed: _rewrite_fts(db, fixed))
    # One segment per word instead of hundreds: a bulk fill leaves many, and every search
    # must then look in each (3-5x slower at 100,000 services). About 3 s at that size.
    db.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('optimize')")
    # a service with no facet row (never, once rebuild_facets has run) was numbered by FTS5 itself
    return folded if all(r[0] is not None for r in folded) else None


_FTS_FIELDS = ("rowid", "service_id", *SEARCH_COLUMNS, TAGS_COLUMN)


def _insert_fts(db: Database, rows: list[tuple]) -> None:
    """Add rows (rowid, service id, the text columns, tags) to the full-text index."""
    db.conn.executemany(
        f"INSERT INTO {SEARCH_TABLE} ({', '.join(_FTS_FIELDS)}) VALUES ({', '.join('?' for _ in _FTS_FIELDS)})", rows
    )


def _rewrite_fts(db: Database, tags: dict[int, str]) -> None:
    """Write these index rows again with new tags (the few whose synonym tags FTS5 corrected)."""
    cols = ", ".join(_FTS_FIELDS[:-1])
    rows = []
    for row, new in tags.items():
        rows += [(*r, new) for r in db.execute(f"SELECT {cols} FROM {SEARCH_TABLE} WHERE rowid = ?", [row])]
    db.conn.executemany(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = ?", [(r[0],) for r in rows])
    _insert_fts(db, rows)


def _facet_rows(db: Database) -> dict[str, int]:
    """Each service's rowid in service_facets: its rowid in the index and service_folded too (m007)."""
    return {sid: row for row, sid in db.execute("SELECT rowid, service_id FROM service_facets").fetchall()}


def _tags_by_service(db: Database) -> dict[str, str]:
    """The tags column of every service, from service_point and service_facets."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sid, lat, lon in db.execute("SELECT service_id, latitude, longitude FROM service_point").fetchall():
        points[sid].append((lat, lon))
    spans: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for sid, weekday, opens, closes, whole in db.execute(
        "SELECT service_id, weekday, opens, closes, whole_day FROM service_week"
    ):
        spans[sid].append((weekday, opens, closes, whole))
    rules: dict[str, list[tuple[int, str | None, str | None]]] = defaultdict(list)
    for sid, timed, valid_from, valid_to in db.execute(
        "SELECT service_id, timed, valid_from, valid_to FROM service_rule"
    ):
        rules[sid].append((timed, valid_from, valid_to))
    cols = ", ".join(FACET_TAG_COLUMNS)
    return {
        row[0]: service_tags(
            points.get(row[0], ()),
            dict(zip(FACET_TAG_COLUMNS, row[1:], strict=True)),
            spans.get(row[0], ()),
            rules.get(row[0], ()),
        )
        for row in db.execute(f"SELECT service_id, {cols} FROM service_facets").fetchall()
    }


def _edition_services(db: Database) -> set[str] | None:
    """The services an edition source described (None: a directory never composed is all edition)."""
    if not db.execute("SELECT count(*) FROM directory_source").fetchone()[0]:
        return None
    return {
        r[0]
        for r in db.execute(
            "SELECT ss.service_id FROM service_source ss JOIN directory_source d ON d.name = ss.source "
            "WHERE d.kind = 'edition'"
        ).fetchall()
    }


def rebuild_facets(db: Database) -> None:
    """Fill service_facets and service_point from the HSDS tables."""
    from coventry_directory.core.places import location_point  # the gazetteer places what has no coordinates

    db.execute("DELETE FROM service_facets")
    db.execute("DELETE FROM service_point")
    codes = {col: _codes_by_service(db, tax) for col, tax in CODE_FIELDS.items()}
    verification = _codes_by_service(db, "verification")
    required = _record_values(db, "groups-required")
    coverage = _record_values(db, "coverage")
    languages: dict[str, list[str]] = defaultdict(list)
    # a blank code says nothing: the service's languages are then not stated, not "  "
    for sid, code in db.execute("SELECT service_id, code FROM language WHERE trim(code) <> ''").fetchall():
        languages[sid].append(code)
    # hours of the service, of the service at one of its places, or of the place itself
    scheduled = {
        r[0]
        for r in db.execute(
            "SELECT service_id FROM schedule WHERE service_id IS NOT NULL "
            "UNION SELECT sal.service_id FROM service_at_location sal JOIN schedule s "
            "ON s.service_at_location_id = sal.id OR (s.location_id = sal.location_id AND s.service_at_location_id IS NULL)"
        )
    }
    keys = {k: v[0] for k, v in _record_values(db, "key").items()}
    edition = _edition_services(db)
    evidence = {k: v[0] for k, v in _record_values(db, "evidence-date").items()}
    facet_rows = []
    for sid, name, org, status, assured, lo, hi, fees in db.execute(
        "SELECT s.id, s.name, o.name, s.status, s.assured_date, s.minimum_age, s.maximum_age, "
        "coalesce(s.fees_description, '') FROM service s LEFT JOIN organization o ON o.id = s.organization_id "
        "ORDER BY s.id"
    ).fetchall():
        row = {
            "service_id": sid,
            "key": keys.get(sid, sid),
            "name": name,
            "organization": org or "",
            "status": status or "active",
            "assured_date": assured,
            "evidence_date": evidence.get(sid),
            "minimum_age": lo,
            "maximum_age": hi,
        }
        for col in CODE_FIELDS:
            row[col] = codes[col].get(sid, "")
        row["groups_required"] = int(required.get(sid, [""])[0] == "true")
        only_for = required_groups(row["client_groups"].split(), bool(row["groups_required"]))
        row["groups_for"] = " " + " ".join(sorted(only_for)) + " " if only_for else ""
        row["national"] = int(coverage.get(sid, [""])[0] == "national")
        row["languages"] = " " + " ".join(languages[sid]) + " " if languages.get(sid) else ""
        row["has_schedule"] = int(sid in scheduled)
        row["free"] = int(fees.strip().lower().startswith("free"))
        row["fees_stated"] = int(bool(fees.strip()))
        row["verification"] = verification.get(sid, "").strip()
        row["edition"] = int(edition is None or sid in edition)
        facet_rows.append(row)
    towns = {k: v[0] for k, v in _record_values(db, "town", "location").items()}
    # A location without coordinates is placed by its address: a village or neighbourhood
    # named there, else its postcode's district centre, else its town's centre. The
    # precision column says which, so a distance from it is shown as approximate.
    addresses: dict[str, tuple[str | None, str | None]] = {}
    for loc_id, postcode, city in db.execute(
        "SELECT location_id, postal_code, city FROM address WHERE location_id IS NOT NULL "
        "ORDER BY (address_type IS NOT 'physical'), rowid"
    ).fetchall():
        addresses.setdefault(loc_id, (postcode, city))
    points = []
    unplaceable: set[str] = set()
    placed: dict[str, tuple[float, float, str] | None] = {}
    for sid, loc_id, lat, lon in db.execute(
        "SELECT sal.service_id, l.id, l.latitude, l.longitude FROM service_at_location sal "
        "JOIN location l ON l.id = sal.location_id ORDER BY sal.rowid"
    ).fetchall():
        if _on_earth(lat, lon):
            points.append((sid, lat, lon, "location"))
            continue
        if loc_id not in placed:
            postcode, city = addresses.get(loc_id, (None, None))
            place = location_point(postcode, towns.get(loc_id), city)
            placed[loc_id] = (
                (place.latitude, place.longitude, place.precision)
                if place is not None and place.latitude is not None and place.longitude is not None
                else None
            )
        point = placed[loc_id]
        if point is not None:
            points.append((sid, *point))
        elif any(addresses.get(loc_id, (None, None))):
            unplaceable.add(sid)
    first_point: dict[str, tuple[float, float]] = {}
    for sid, lat, lon, _ in points:
        first_point.setdefault(sid, (lat, lon))
    # Numbered along a space-filling curve through each service's first point (those with
    # none last, by id): the services of one place are then neighbours in the index, and
    # FTS5 meets a place's matches in a few stretches of each word's list instead of
    # seeking through all of it (draws by place about 3x faster at 100,000 services).
    facet_rows.sort(key=lambda r: _curve_key(first_point.get(r["service_id"])))
    if facet_rows:
        # executemany, not sqlite-utils' insert_all: at 100,000 services its per-row Python work shows.
        # The rowid is the service's row in every search table (m007): numbered here, from 1.
        cols = list(facet_rows[0])
        db.conn.executemany(
            f"INSERT INTO service_facets (rowid, {', '.join(cols)}) VALUES (?, {', '.join('?' * len(cols))})",
            [(n, *(r[c] for c in cols)) for n, r in enumerate(facet_rows, start=1)],
        )
    rowids = {r["service_id"]: n for n, r in enumerate(facet_rows, start=1)}
    db.conn.executemany(
        "INSERT INTO service_point (service_id, latitude, longitude, precision, row) VALUES (?, ?, ?, ?, ?)",
        [(*p, rowids[p[0]]) for p in points],
    )
    # An address the gazetteer cannot place is outside the area it covers (every postcode
    # district in and around Coventry and Warwickshire): such a service is elsewhere, not
    # "nowhere known" (core.locality).
    pointed = {p[0] for p in points}
    db.conn.executemany(
        "UPDATE service_facets SET elsewhere = 1 WHERE service_id = ?", [(sid,) for sid in unplaceable - pointed]
    )


_CURVE_ORDER = 16  # a 65,536 x 65,536 grid over the globe: cells about 300 m tall


def _curve_key(point: tuple[float, float] | None) -> int:
    """A point's place along a Hilbert curve over the globe (no point: after them all): near points, near keys."""
    side = 1 << _CURVE_ORDER
    if point is None:
        return side * side
    x = min(side - 1, max(0, int((point[1] + 180.0) / 360.0 * side)))
    y = min(side - 1, max(0, int((point[0] + 90.0) / 180.0 * side)))
    key = 0
    half = side >> 1
    while half:
        rx, ry = int(x & half > 0), int(y & half > 0)
        key += half * half * ((3 * rx) ^ ry)
        if not ry:  # rotate the quadrant so the curve runs on unbroken
            if rx:
                x, y = side - 1 - x, side - 1 - y
            x, y = y, x
        half >>= 1
    return key


def _on_earth(lat: object, lon: object) -> bool:
    """True for a usable map point: numbers within the globe's range, and not exactly 0, 0.

    Feeds publish placeholders (the official HSDS example has latitude 100, longitude
    101; a blank often arrives as 0, 0 in the Gulf of Guinea): such a location is placed by
    its address instead, as if it had no coordinates.
    """
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and (lat, lon) != (0, 0)


def rebuild_folded(db: Database, folded: list[tuple] | None = None) -> None:
    """Fill service_folded: each indexed column as " word word " (folded), for fast ranking.

    ``folded`` is what :func:`rebuild_fts` returns (the text it has just folded); without
    it, the index's stored text is read and folded again.
    """
    db.execute("DELETE FROM service_folded")
    cols = ", ".join(SEARCH_COLUMNS)
    if folded is None:
        rows = db.execute(f"SELECT rowid, service_id, {cols} FROM {SEARCH_TABLE}").fetchall()
        folded = [(r[0], r[1], *map(_folded, r[2:])) for r in rows]
    db.conn.executemany(
        f"INSERT INTO service_folded (rowid, service_id, {cols}) VALUES (?, ?, {', '.join('?' * len(SEARCH_COLUMNS))})",
        folded,
    )


def _folded(text: str | None) -> str:
    """A column as " word word " (folded)."""
    if not text:
        return "  "
    if text.isascii():
        # what words() gives for ASCII text (control characters only ever part words), in one step
        return " " + " ".join(_ASCII_WORDS.findall(text.lower())) + " "
    return " " + " ".join(words(text, bounded=False)) + " "


_ASCII_WORDS = re.compile("[a-z0-9]+")


def rebuild_terms(db: Database) -> None:
    """Fill search_term: every word of the text columns (never the tags) and how many services use it.

    Counting a word's services means reading its whole list in the index, so it is done
    here, once per write, instead of at every start (1.7 s at 100,000 services).
    """
    db.execute("DELETE FROM search_term")
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.build_vocab USING fts5vocab(main, {SEARCH_TABLE}, 'col')")
    q = ",".join("?" * len(SEARCH_COLUMNS))
    db.execute(
        f"INSERT INTO search_term (term, docs) SELECT term, sum(doc) FROM temp.build_vocab "
        f"WHERE col IN ({q}) GROUP BY term",
        list(SEARCH_COLUMNS),
    )
    db.execute("DROP TABLE temp.build_vocab")


def rebuild_search_index(db: Database) -> None:
    """Rebuild everything search reads (called after any directory write).

    The indexes of the facet and map-point tables are built again once the rows are in:
    for a national directory that is a sort, instead of a hundred thousand insertions each.
    """
    found = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('service_facets', 'service_point', 'service_folded', 'service_week', 'service_date')"
    ).fetchall()
    for name, _ in found:
        db.execute(f'DROP INDEX "{name}"')  # names from our own schema
    rebuild_facets(db)
    rebuild_open_hours(db)
    folded = rebuild_fts(db)  # its tags come from the facets, points, weekly hours and text
    rebuild_folded(db, folded)
    rebuild_terms(db)
    for _, sql in found:
        db.execute(sql)
