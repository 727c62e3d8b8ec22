"""The directory database as model objects: open (migrating after a backup), write, read.

The store package is the only code that talks SQL; this module is its front door for the
directory: it writes a whole compiled directory in one transaction and reads services back
as model objects. The connection is private to the package.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlite_utils import Database

from coventry_directory.core.ids import looks_like_uuid
from coventry_directory.core.meetings import Meeting
from coventry_directory.core.models import Organization, Schedule, Service
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, Vocabulary, taxonomy_id, term_id
from coventry_directory.store.database_files import migrate, open_checked
from coventry_directory.store.errors import StoreError
from coventry_directory.store.meetings import MeetingQueries
from coventry_directory.store.migrations import DIRECTORY_MIGRATIONS
from coventry_directory.store.model_rows import DirectoryRows
from coventry_directory.store.search_index import rebuild_search_index
from coventry_directory.store.search_queries import SearchQueries
from coventry_directory.store.service_loader import ServiceLoader


class DirectoryStore:
    """The directory database: HSDS tables, taxonomy, provenance and the search index."""

    def __init__(self, db: Database, path: Path | None = None):
        self._db = db
        self.path = path
        self.queries = SearchQueries(db)

    # --- opening ------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> DirectoryStore:
        """Open an existing directory database, migrating it (after a backup) unless read-only.

        ``readonly`` opens the file with SQLite's ``mode=ro``: an older schema is then an
        error instead of an upgrade, and nothing through this store can change the file.
        """
        path = Path(path)
        if not path.is_file():
            raise StoreError(f"The directory database {path} is missing. Reinstall the app or the directory bundle.")
        db = open_checked(path, readonly=readonly)
        if not db["service"].exists():
            db.conn.close()
            raise StoreError(f"The file {path} is not a Coventry Directory database.")
        store = cls(db, path)
        pending = DIRECTORY_MIGRATIONS.pending(db)
        if pending:
            if readonly:
                db.conn.close()
                raise StoreError(
                    f"The directory database {path} is from an older version and cannot be upgraded in place."
                )
            try:
                migrate(db, path)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"The directory database {path} could not be upgraded: {exc}") from exc
        return store

    @classmethod
    def create(cls, path: Path | str | None = None) -> DirectoryStore:
        """A new, empty, fully migrated directory database (in memory when path is None)."""
        db = Database(memory=True) if path is None else Database(Path(path))
        migrate(db, None if path is None else Path(path))
        return cls(db, None if path is None else Path(path))

    def close(self) -> None:
        """Close the connection."""
        self._db.conn.close()

    # --- writing ------------------------------------------------------------------
    def replace_directory(
        self,
        vocabularies: dict[str, Vocabulary],
        organizations: Sequence[Organization],
        services: Sequence[Service],
        info: dict[str, str],
    ) -> None:
        """Replace the whole directory with these records in one transaction."""
        with self._db.atomic():
            for table in (
                "attribute",
                "language",
                "service_area",
                "schedule",
                "phone",
                "address",
                "service_at_location",
                "location",
                "service",
                "organization",
                "taxonomy_term",
                "taxonomy",
                "directory_info",
            ):
                self._db.execute(f"DELETE FROM [{table}]")
            self._write_taxonomy(vocabularies)
            rows = DirectoryRows(vocabularies)
            for org in organizations:
                rows.add_organization(org)
            for svc in services:
                rows.add_service(svc)
            for table, table_rows in rows.tables.items():
                if table_rows:
                    self._db.table(table).insert_all(table_rows, batch_size=1000)
            self._db.table("directory_info").insert_all(
                [{"key": k, "value": v} for k, v in sorted(info.items())], pk="key", replace=True
            )
            rebuild_search_index(self._db)

    def _write_taxonomy(self, vocabularies: dict[str, Vocabulary]) -> None:
        self._db.table("taxonomy").insert_all(
            [
                {"id": taxonomy_id(v.name), "name": v.title, "description": v.description, "version": "1"}
                for v in vocabularies.values()
            ]
        )
        self._db.table("taxonomy_term").insert_all(
            [
                {
                    "id": term_id(v.name, t.code),
                    "code": t.code,
                    "name": t.name,
                    "description": t.description,
                    "taxonomy": v.name,
                    "taxonomy_id": taxonomy_id(v.name),
                    "language": "en",
                }
                for v in vocabularies.values()
                for t in v.terms
            ]
        )

    # --- reading ------------------------------------------------------------------
    def info(self) -> dict[str, str]:
        """The directory's edition details (key/value)."""
        return {r["key"]: r["value"] for r in self._db["directory_info"].rows}

    def count_services(self) -> int:
        """How many services the directory holds."""
        return self._db.execute("SELECT count(*) FROM service").fetchone()[0]

    def service_ids(self) -> list[str]:
        """Every service id, in a stable order."""
        return [r[0] for r in self._db.execute("SELECT id FROM service ORDER BY name, id")]

    def resolve_service_id(self, ref: str) -> str | None:
        """A service id from its HSDS id or its directory key; None when there is none."""
        ref = ref.strip()
        if looks_like_uuid(ref):
            row = self._db.execute("SELECT id FROM service WHERE id = ?", [ref.lower()]).fetchone()
            if row:
                return row[0]
        row = self._db.execute(
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

    def organization_services(self, organization_id: str, limit: int) -> list[Service]:
        """Up to ``limit`` services of one organisation, by name (an indexed lookup, m008)."""
        ids = [
            r[0]
            for r in self._db.execute(
                "SELECT id FROM service WHERE organization_id = ? ORDER BY name, id LIMIT ?", [organization_id, limit]
            )
        ]
        return self.services(ids)

    def all_services(self) -> list[Service]:
        """Every service (fine for a county; search uses narrower queries at scale)."""
        return self.services(self.service_ids())

    def schedules_for(self, ids: Sequence[str]) -> dict[str, list[Schedule]]:
        """Only the opening hours of these services (for open-now filtering)."""
        return ServiceLoader(self._db).schedules(list(ids))

    def meetings(self) -> list[Meeting]:
        """Every mutual-aid meeting (see :mod:`~coventry_directory.store.meetings`), sorted by name."""
        return MeetingQueries(self._db).all()

    def count_text_matches(self, word: str) -> int:
        """How many services the full-text index finds for one word (a self-test probe)."""
        phrase = '"' + word.replace('"', '""') + '"'
        return self._db.execute(
            "SELECT count(*) FROM service_search WHERE service_search MATCH ?", [phrase]
        ).fetchone()[0]

    def vacuum(self) -> None:
        """Compact the file (outside any transaction)."""
        self._db.execute("VACUUM")

    def services(self, ids: Sequence[str]) -> list[Service]:
        """Whole services for these ids, in the order given (unknown ids are skipped)."""
        return ServiceLoader(self._db).load(ids)
