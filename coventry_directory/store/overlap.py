"""Part of the store: what two source databases have in common, before any merge.

Used by ``store.merge`` (is a source apart from the directory so far?) and by
``store.compose`` (may a far larger source be copied as the base?). Table names come from
``store.schema`` only.
"""

from __future__ import annotations

import sqlite3

from coventry_directory.core.matching import plain_words
from coventry_directory.store.schema import HSDS_TABLES

# Shared vocabularies: the same term id in two sources is the same term, kept once.
VOCABULARIES = ("taxonomy", "taxonomy_term")


def service_names(conn: sqlite3.Connection, schema: str) -> dict[str, tuple[str, str, str | None]]:
    """{service id: (its name, its organisation's name, its organisation id)} in ``schema``, names as plain words."""
    orgs = {oid: plain_words(name) for oid, name in conn.execute(f"SELECT id, name FROM {schema}.organization")}
    return {
        sid: (plain_words(name), orgs.get(org_id, ""), org_id)
        for sid, name, org_id in conn.execute(f"SELECT id, name, organization_id FROM {schema}.service")
    }


def shares_ids(conn: sqlite3.Connection, one: str, other: str) -> bool:
    """True when the databases ``one`` and ``other`` (schemas) hold a record under the same id (vocabularies aside)."""
    return any(
        conn.execute(f"SELECT 1 FROM {one}.[{table}] x JOIN {other}.[{table}] m ON m.id = x.id LIMIT 1").fetchone()
        for table in HSDS_TABLES
        if table not in VOCABULARIES
    )


def shares_nothing(conn: sqlite3.Connection, one: str, other: str) -> bool:
    """True when no merge of ``one`` and ``other`` could touch a record of the other, in either order.

    No record id in common, and no organisation-and-service name in common (a match needs
    those as well as a postcode or phone, so this errs on the side of "they may share").
    """
    if shares_ids(conn, one, other):
        return False
    theirs = {(org, name) for name, org, _ in service_names(conn, other).values() if name}
    return not any((org, name) in theirs for name, org, _ in service_names(conn, one).values())
