"""Writes flattened HSDS rows into a directory database, all in one transaction.

Two modes:

* ``replace``: the rows become the whole directory (a file import, a first feed pull);
* ``merge``: the rows update the directory (a feed delta). Records are replaced by id;
  each list that arrived is the whole truth about what its parent owns there, so children
  no longer listed are deleted (with what hangs off them); a list that did not arrive is
  left alone, because absent means "not sent", not "none".

Either way the search index is rebuilt in the same transaction, so a failure at any
point leaves the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping

from coventry_directory.exchange.extension import extension_attribute
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.hsds_schema import relations
from coventry_directory.store import hsds_rows
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.schema import HSDS_TABLES, owner_columns


def edition_of(rows: Mapping[str, list[dict]]) -> str:
    """The edition date of a set of rows: the newest service assured date ('' if none)."""
    dates = [str(r["assured_date"])[:10] for r in rows.get("service", []) if r.get("assured_date")]
    return max(dates, default="")


def write_rows(
    store: DirectoryStore, data: FlatData, info: Mapping[str, str | None], *, mode: str, index: bool = True
) -> dict[str, int]:
    """Write ``data`` in one transaction; returns how many rows each table received.

    ``index=False`` leaves the search tables alone: a source database is never searched
    itself, only the directory composed from it.
    """
    if mode not in ("replace", "merge"):
        raise ValueError(mode)
    rows = data.rows()
    with hsds_rows.atomic(store):
        if mode == "replace":
            hsds_rows.clear_tables(store, HSDS_TABLES)
        else:
            _delete_dropped(store, data)
        for table in HSDS_TABLES:
            hsds_rows.insert_rows(store, table, rows[table])
        hsds_rows.set_info(store, info, replace_all=(mode == "replace"))
        if index:
            hsds_rows.rebuild_search(store)
    return {t: len(r) for t, r in rows.items() if r}


def _delete_dropped(store: DirectoryStore, data: FlatData) -> None:
    gone: dict[str, set[str]] = {}
    for a in data.assertions:
        rel = a.relation
        if rel.kind == "many":
            keep = set(a.child_ids)
            nulls = _higher_owners(rel.table, rel.fk)
            if rel.table == "location":
                # organization.locations only lists locations no service reaches (see nest.py)
                keep |= _reached_locations(store, data)
            deleted = hsds_rows.delete_owned(store, rel.table, {rel.fk: a.parent_id}, nulls, keep)
        elif rel.kind == "link":
            keep = set(a.child_ids)
            if (a.parent_table, a.parent_id) in data.extensions:
                keep.add(extension_attribute(a.parent_table, a.parent_id, {})["id"])
            deleted = hsds_rows.delete_owned(
                store, "attribute", {"link_id": a.parent_id, "link_entity": a.parent_table}, (), keep
            )
        elif rel.kind == "resource":
            deleted = hsds_rows.delete_owned(
                store, "metadata", {"resource_id": a.parent_id, "resource_type": a.parent_table}, (), a.child_ids
            )
        else:
            continue
        gone.setdefault(rel.table, set()).update(deleted)
    # records that arrived without extension fields lose any they had before
    stale = [extension_attribute(t, i, {})["id"] for t, i in data.record_keys() if (t, i) not in data.extensions]
    hsds_rows.delete_ids(store, "attribute", stale)
    _cascade(store, gone)


def _higher_owners(table: str, fk: str) -> list[str]:
    """Foreign keys that would make another parent, not ``fk``'s, the owner of a row."""
    owners = owner_columns(table)
    return list(owners[: owners.index(fk)]) if fk in owners else []


def _reached_locations(store: DirectoryStore, data: FlatData) -> set[str]:
    incoming = {r["location_id"] for r in data.tables["service_at_location"].values() if r.get("location_id")}
    return incoming | set(hsds_rows.column_values(store, "service_at_location", "location_id"))


def _cascade(store: DirectoryStore, gone: dict[str, set[str]]) -> None:
    """Delete what hung off deleted rows: their attributes, metadata and the children they owned."""
    while gone:
        table, ids = gone.popitem()
        for rid in sorted(ids):
            for rel in relations(table):
                if rel.kind == "link":
                    hsds_rows.delete_owned(store, "attribute", {"link_id": rid, "link_entity": table})
                elif rel.kind == "resource":
                    hsds_rows.delete_owned(store, "metadata", {"resource_id": rid, "resource_type": table})
                elif rel.kind == "many":
                    # only children this row owned; a child another parent still owns stays
                    victims = hsds_rows.delete_owned(store, rel.table, {rel.fk: rid}, _higher_owners(rel.table, rel.fk))
                    if victims:
                        gone.setdefault(rel.table, set()).update(victims)
