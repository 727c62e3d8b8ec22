"""Part of the store: merging one attached source database into a directory being composed.

The rules (``store.compose`` states them): a service already there - by id, or matched by
``core.matching`` - keeps its fields and gains what it lacks; each list it has none of is
filled from the source; anything else arrives with all it owns; every service records
each source that described it. Table and column names come from ``store.schema`` only.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coventry_directory.core.matching import match_keys, plain_words
from coventry_directory.store.overlap import VOCABULARIES, service_names, shares_ids
from coventry_directory.store.schema import HSDS_TABLES, column_names, owner_columns

if TYPE_CHECKING:
    from coventry_directory.store.compose import SourceFile

# Parents before children: a row is merged once everything it can hang under has been.
MERGE_ORDER: tuple[str, ...] = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "program",
    "service",
    "location",
    "service_at_location",
    "contact",
    "phone",
    "schedule",
    "address",
    "service_area",
    "language",
    "accessibility",
    "cost_option",
    "funding",
    "organization_identifier",
    "required_document",
    "attribute",
    "metadata",
    "meta_table_description",
)
# The table each owner column points at.
OWNER_TABLE = {
    "service_at_location_id": "service_at_location",
    "service_id": "service",
    "location_id": "location",
    "contact_id": "contact",
    "phone_id": "phone",
    "organization_id": "organization",
}
SKIPPED = "left-out:"  # the "main id" of a source service that may not be merged: matches no record

_FILLED_SERVICE_COLUMNS = [c for c in column_names("service") if c not in ("id", "organization_id", "program_id")]
_FILLED_ORGANIZATION_COLUMNS = [c for c in column_names("organization") if c != "id"]


def _cols(table: str, prefix: str = "") -> str:
    return ", ".join(f"{prefix}[{c}]" for c in column_names(table))


class Merger:
    """Merges one attached source (schema ``src``) into the main database."""

    def __init__(self, conn: sqlite3.Connection, source: SourceFile):
        self.conn = conn
        self.source = source
        self.conflicts: list[tuple[str, str]] = []  # (service id in the source, why it was left out)

    def run(self) -> None:
        """Every merge step, parents first."""
        self._temp_tables()
        self._match_services()
        if self._apart():
            self._copy_all()
            return
        for table in MERGE_ORDER:
            step = getattr(self, f"_merge_{table}", None)
            if step is not None:
                step()
            elif table in ("attribute", "metadata"):
                continue
            else:
                self._merge_children(table)
        self._merge_links("attribute", "link_entity", "link_id")
        self._merge_links("metadata", "resource_type", "resource_id")
        self._record_provenance()

    _VOCABULARIES = VOCABULARIES

    def _apart(self) -> bool:
        """True when the source shares no service and no record id with the directory so far.

        The usual case - a national feed beside the local edition - needs none of the
        rules below: every row simply comes along, copied table by table inside SQLite.
        """
        if self.conn.execute("SELECT 1 FROM temp.dup LIMIT 1").fetchone():
            return False
        return not shares_ids(self.conn, "src", "main")

    def _copy_all(self) -> None:
        """Copy every row of a source that shares nothing with the directory (see :meth:`_apart`)."""
        self.conn.execute("INSERT INTO temp.fresh (tbl, id) SELECT 'service', id FROM src.service")
        # a source larger than the directory so far: the owner-column indexes are built again
        # once, after its rows are in, far faster than kept up to date through a million rows
        names = ", ".join("?" for _ in MERGE_ORDER)
        larger = self._services("src") > self._services("main")
        indexes = (
            self.conn.execute(
                f"SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names})",
                list(MERGE_ORDER),
            ).fetchall()
            if larger
            else []
        )
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX main."{name}"')  # names from our own schema, never from data
        for table in MERGE_ORDER:
            verb = "INSERT OR IGNORE" if table in self._VOCABULARIES else "INSERT"
            self.conn.execute(f"{verb} INTO main.[{table}] ({_cols(table)}) SELECT {_cols(table)} FROM src.[{table}]")
        for _, sql in indexes:
            self.conn.execute(sql)
        self._record_provenance()

    def _services(self, schema: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {schema}.service").fetchone()[0]

    def _temp_tables(self) -> None:
        for sql in (
            "DROP TABLE IF EXISTS temp.dup",
            "DROP TABLE IF EXISTS temp.fresh",
            "CREATE TABLE temp.dup (src_id TEXT PRIMARY KEY, main_id TEXT NOT NULL, matched_by TEXT NOT NULL)",
            "CREATE TABLE temp.fresh (tbl TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tbl, id))",
        ):
            self.conn.execute(sql)

    # --- which services are the same --------------------------------------------------
    def _service_keys(self, schema: str, names: dict[str, tuple[str, str, str | None]], only: set[str]) -> dict:
        """{service id: its match keys} for the services ``only`` names (``names`` gives their plain names)."""
        postcodes: dict[str, list[str]] = defaultdict(list)
        phones: dict[str, list[str]] = defaultdict(list)
        if not only:
            return {}
        for sid, code in self.conn.execute(
            f"SELECT sal.service_id, a.postal_code FROM {schema}.service_at_location sal "
            f"JOIN {schema}.address a ON a.location_id = sal.location_id WHERE a.postal_code IS NOT NULL"
        ):
            if sid in only:
                postcodes[sid].append(code)
        for sid, number in self.conn.execute(
            f"SELECT service_id, number FROM {schema}.phone WHERE service_id IS NOT NULL AND number IS NOT NULL "
            f"UNION ALL SELECT sal.service_id, p.number FROM {schema}.service_at_location sal "
            f"JOIN {schema}.phone p ON p.location_id = sal.location_id WHERE p.number IS NOT NULL"
        ):
            if sid in only:
                phones[sid].append(number)
        return {
            sid: match_keys(names[sid][1], names[sid][0], postcodes.get(sid, ()), phones.get(sid, ()))
            for sid in names
            if sid in only
        }

    def _names(self, schema: str) -> dict[str, tuple[str, str, str | None]]:
        return service_names(self.conn, schema)

    def _match_services(self) -> None:
        existing = self._names("main")
        theirs = self._names("src")
        # only services whose organisation and name both sides share can match by key: the
        # postcodes and phones of the others (a whole national feed) are never looked at
        pairs_here = {(org, name) for name, org, _ in existing.values() if name}
        pairs_there = {(org, name) for name, org, _ in theirs.values() if name}
        shared = pairs_here & pairs_there
        by_key: dict[str, str] = {}
        mine = {sid for sid, (name, org, _) in existing.items() if (org, name) in shared}
        for sid, keys in self._service_keys("main", existing, mine).items():
            for key in keys:
                by_key.setdefault(key, sid)
        candidates = {sid for sid, (name, org, _) in theirs.items() if (org, name) in shared}
        their_keys = self._service_keys("src", theirs, candidates)
        main_orgs = {
            oid: plain_words(name) for oid, name in self.conn.execute("SELECT id, name FROM main.organization")
        }
        dups = []
        for sid, (name, org, org_id) in theirs.items():
            if sid in existing and existing[sid][0] != name:
                # the same id for another service (or another organisation's): never one record
                self.conflicts.append((sid, "uses the id of a different service already in the directory"))
                dups.append((sid, SKIPPED + sid, "conflict"))
                continue
            if org_id in main_orgs and main_orgs[org_id] != org:
                self.conflicts.append((sid, "names an organisation by the id of a different one"))
                dups.append((sid, SKIPPED + sid, "conflict"))
                continue
            if sid in existing:
                dups.append((sid, sid, "id"))
                continue
            keys = their_keys.get(sid, ())
            match = next((by_key[k] for k in sorted(keys) if k in by_key), None)
            if match is not None:
                dups.append((sid, match, "name and postcode or phone"))
        self.conn.executemany("INSERT OR IGNORE INTO temp.dup VALUES (?, ?, ?)", dups)

    # --- helpers ------------------------------------------------------------------------
    def _index(self, name: str) -> None:
        """Index a scratch table by id: it is joined against tables of a whole national feed."""
        self.conn.execute(f"CREATE INDEX temp.idx_{name}_id ON {name} (id)")

    def _insert_fresh(self, table: str, select_ids: str, params: Sequence = ()) -> None:
        """Insert the src rows of ``table`` whose ids ``select_ids`` yields and main lacks."""
        self.conn.execute("DROP TABLE IF EXISTS temp.new_ids")
        self.conn.execute(
            f"CREATE TABLE temp.new_ids AS SELECT DISTINCT id FROM ({select_ids}) "
            f"WHERE id NOT IN (SELECT id FROM main.[{table}])",
            list(params),
        )
        self._index("new_ids")
        self.conn.execute("INSERT OR IGNORE INTO temp.fresh (tbl, id) SELECT ?, id FROM temp.new_ids", [table])
        self.conn.execute(
            f"INSERT OR IGNORE INTO main.[{table}] ({_cols(table)}) SELECT {_cols(table, 's.')} "
            f"FROM src.[{table}] s JOIN temp.new_ids n ON n.id = s.id"
        )

    # --- tables with their own rules ----------------------------------------------------
    def _merge_taxonomy(self) -> None:
        self._insert_fresh("taxonomy", "SELECT id FROM src.taxonomy")

    def _merge_taxonomy_term(self) -> None:
        self._insert_fresh("taxonomy_term", "SELECT id FROM src.taxonomy_term")

    def _merge_organization(self) -> None:
        # An organisation comes along unless every service of it here is a duplicate.
        self._insert_fresh(
            "organization",
            "SELECT o.id FROM src.organization o WHERE NOT EXISTS "
            "(SELECT 1 FROM src.service s WHERE s.organization_id = o.id) OR EXISTS "
            "(SELECT 1 FROM src.service s WHERE s.organization_id = o.id AND s.id NOT IN (SELECT src_id FROM temp.dup))",
        )
        # the organisation of a duplicate fills what the first source left empty about it
        sets = ", ".join(f"[{c}] = coalesce(main.organization.[{c}], o.[{c}])" for c in _FILLED_ORGANIZATION_COLUMNS)
        self.conn.execute(
            f"UPDATE main.organization SET {sets} FROM temp.dup d "
            "JOIN src.service ss ON ss.id = d.src_id JOIN src.organization o ON o.id = ss.organization_id "
            "JOIN main.service ms ON ms.id = d.main_id WHERE main.organization.id = ms.organization_id"
        )

    def _merge_program(self) -> None:
        self._insert_fresh(
            "program",
            "SELECT p.id FROM src.program p WHERE p.organization_id IS NULL "
            "OR p.organization_id IN (SELECT id FROM main.organization)",
        )

    def _merge_service(self) -> None:
        self._insert_fresh("service", "SELECT id FROM src.service WHERE id NOT IN (SELECT src_id FROM temp.dup)")
        sets = ", ".join(f"[{c}] = coalesce(main.service.[{c}], s.[{c}])" for c in _FILLED_SERVICE_COLUMNS)
        self.conn.execute(
            f"UPDATE main.service SET {sets} FROM temp.dup d JOIN src.service s ON s.id = d.src_id "
            "WHERE main.service.id = d.main_id"
        )

    def _merge_location(self) -> None:
        # A location comes along when a service-at-location that comes along points at it,
        # or no service reaches it here (an organisation's own location) and its organisation is in.
        self._service_at_location_candidates()
        self._insert_fresh(
            "location",
            "SELECT l.id FROM src.location l WHERE l.id IN (SELECT location_id FROM temp.sal_in) "
            "OR (NOT EXISTS (SELECT 1 FROM src.service_at_location x WHERE x.location_id = l.id) "
            "AND (l.organization_id IS NULL OR l.organization_id IN (SELECT id FROM main.organization)))",
        )

    def _service_at_location_candidates(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS temp.sal_in")
        self.conn.execute(
            "CREATE TABLE temp.sal_in AS SELECT x.id, x.location_id, coalesce(d.main_id, x.service_id) AS service_id "
            "FROM src.service_at_location x LEFT JOIN temp.dup d ON d.src_id = x.service_id "
            "WHERE x.id NOT IN (SELECT id FROM main.service_at_location) AND ("
            " x.service_id IN (SELECT id FROM temp.fresh WHERE tbl = 'service')"
            " OR (d.main_id IS NOT NULL AND d.matched_by != 'conflict' AND NOT EXISTS "
            "  (SELECT 1 FROM main.service_at_location m WHERE m.service_id = d.main_id)))"
        )
        self._index("sal_in")

    def _merge_service_at_location(self) -> None:
        cols = [c for c in column_names("service_at_location") if c != "service_id"]
        self.conn.execute(
            "INSERT INTO temp.fresh (tbl, id) SELECT 'service_at_location', id FROM temp.sal_in "
            "WHERE location_id IS NULL OR location_id IN (SELECT id FROM main.location)"
        )
        self.conn.execute(
            f"INSERT INTO main.service_at_location ({', '.join(cols)}, service_id) "
            f"SELECT {', '.join('x.' + c for c in cols)}, c.service_id FROM src.service_at_location x "
            "JOIN temp.sal_in c ON c.id = x.id JOIN temp.fresh f ON f.tbl = 'service_at_location' AND f.id = x.id"
        )

    # --- everything that hangs under one owner ------------------------------------------
    def _merge_children(self, table: str) -> None:
        owners = owner_columns(table)
        if not owners:
            self._insert_fresh(table, f"SELECT id FROM src.[{table}]")
            return
        cols = column_names(table)
        for n, col in enumerate(owners):
            higher_null = "".join(f" AND x.[{h}] IS NULL" for h in owners[:n])
            main_higher_null = "".join(f" AND m.[{h}] IS NULL" for h in owners[:n])
            parent = OWNER_TABLE[col]
            mapped = "coalesce(d.main_id, x.[service_id])" if col == "service_id" else f"x.[{col}]"
            dup_join = "LEFT JOIN temp.dup d ON d.src_id = x.service_id" if col == "service_id" else ""
            self.conn.execute("DROP TABLE IF EXISTS temp.child_in")
            # Under a freshly merged owner: everything. Under an owner that was already here
            # (the same record from an earlier source): only when it has none of these yet.
            self.conn.execute(
                f"CREATE TABLE temp.child_in AS SELECT x.id AS id, {mapped} AS owner FROM src.[{table}] x {dup_join} "
                f"WHERE x.[{col}] IS NOT NULL{higher_null} AND x.id NOT IN (SELECT id FROM main.[{table}]) AND ("
                f" {mapped} IN (SELECT id FROM temp.fresh WHERE tbl = ?)"
                f" OR ({mapped} IN (SELECT id FROM main.[{parent}]) AND NOT EXISTS "
                f"  (SELECT 1 FROM main.[{table}] m WHERE m.[{col}] = {mapped}{main_higher_null})))",
                [parent],
            )
            self.conn.execute("INSERT OR IGNORE INTO temp.fresh (tbl, id) SELECT ?, id FROM temp.child_in", [table])
            select = ", ".join("c.owner" if c == col else f"x.[{c}]" for c in cols)
            self.conn.execute(
                f"INSERT OR IGNORE INTO main.[{table}] ({_cols(table)}) SELECT {select} FROM src.[{table}] x "
                "JOIN temp.child_in c ON c.id = x.id"
            )
        # rows with no owner at all belong to nobody in particular: kept unless already here
        no_owner = " AND ".join(f"x.[{c}] IS NULL" for c in owners)
        self._insert_fresh(table, f"SELECT x.id FROM src.[{table}] x WHERE {no_owner}")

    def _merge_links(self, table: str, entity_col: str, id_col: str) -> None:
        """Attributes and metadata: per owner record (and, for attributes, per taxonomy) fill what is missing."""
        cols = column_names(table)
        per_taxonomy = table == "attribute"
        for entity in HSDS_TABLES:
            mapped = f"coalesce(d.main_id, x.[{id_col}])" if entity == "service" else f"x.[{id_col}]"
            dup_join = f"LEFT JOIN temp.dup d ON d.src_id = x.[{id_col}]" if entity == "service" else ""
            if per_taxonomy:
                same_kind = (
                    "AND coalesce((SELECT t.taxonomy FROM main.taxonomy_term t WHERE t.id = m.taxonomy_term_id), '') = "
                    "coalesce((SELECT t.taxonomy FROM main.taxonomy_term t WHERE t.id = x.taxonomy_term_id), '')"
                )
            else:
                same_kind = ""
            self.conn.execute("DROP TABLE IF EXISTS temp.link_in")
            self.conn.execute(
                f"CREATE TABLE temp.link_in AS SELECT x.id AS id, {mapped} AS owner FROM src.[{table}] x {dup_join} "
                f"WHERE x.[{entity_col}] = ? AND x.id NOT IN (SELECT id FROM main.[{table}]) AND ("
                f" {mapped} IN (SELECT id FROM temp.fresh WHERE tbl = ?)"
                f" OR ({mapped} IN (SELECT id FROM main.[{entity}]) AND NOT EXISTS "
                f"  (SELECT 1 FROM main.[{table}] m WHERE m.[{entity_col}] = ? AND m.[{id_col}] = {mapped} "
                f"   AND m.id NOT IN (SELECT id FROM temp.fresh WHERE tbl = ?) {same_kind})))",
                [entity, entity, entity, table],
            )
            self._index("link_in")
            self.conn.execute("INSERT OR IGNORE INTO temp.fresh (tbl, id) SELECT ?, id FROM temp.link_in", [table])
            select = ", ".join("c.owner" if c == id_col else f"x.[{c}]" for c in cols)
            self.conn.execute(
                f"INSERT OR IGNORE INTO main.[{table}] ({_cols(table)}) SELECT {select} FROM src.[{table}] x "
                "JOIN temp.link_in c ON c.id = x.id"
            )

    def _record_provenance(self) -> None:
        name = self.source.name
        self.conn.execute(
            "INSERT OR IGNORE INTO main.service_source SELECT id, ?, id, 'new' FROM temp.fresh WHERE tbl = 'service'",
            [name],
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO main.service_source SELECT main_id, ?, src_id, matched_by FROM temp.dup "
            "WHERE matched_by != 'conflict'",
            [name],
        )
