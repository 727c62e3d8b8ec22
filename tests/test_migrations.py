"""Migrations run on an empty database and on every previous schema version, with a backup."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.errors import StoreError
from coventry_directory.store.migrations import DIRECTORY_MIGRATIONS, USER_MIGRATIONS
from coventry_directory.store.user import UserStore

FIXTURES = Path(__file__).parent / "fixtures"


def test_empty_file_migrates_to_latest(tmp_path):
    path = tmp_path / "new.db"
    store = DirectoryStore.create(path)
    assert DIRECTORY_MIGRATIONS.pending(store._db) == []
    assert [m.name for m in DIRECTORY_MIGRATIONS.applied(store._db)] == [
        "m001_hsds_tables",
        "m002_search_index",
        "m003_search_facets",
        "m004_sources",
        "m005_search_places",
        "m006_filter_outcomes",
        "m007_search_rows",
        "m008_organization_links",
        "m009_one_organization_index",
    ]
    indexes = [
        r[0]
        for r in store._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'service' AND sql LIKE '%organization_id%'"
        )
    ]
    assert indexes == ["idx_service_organization_id"]  # one index on the column, not two
    # nothing to back up for a brand-new file
    assert list(tmp_path.glob("*.backup-*")) == []


@pytest.mark.parametrize(
    ("fixture", "applied_before"),
    [
        ("directory_v1.db", {"m001_hsds_tables"}),
        ("directory_v2.db", {"m001_hsds_tables", "m002_search_index"}),
        ("directory_v4.db", {"m001_hsds_tables", "m002_search_index", "m003_search_facets", "m004_sources"}),
        (
            "directory_v5.db",
            {"m001_hsds_tables", "m002_search_index", "m003_search_facets", "m004_sources", "m005_search_places"},
        ),
        (
            "directory_v6.db",
            {
                "m001_hsds_tables",
                "m002_search_index",
                "m003_search_facets",
                "m004_sources",
                "m005_search_places",
                "m006_filter_outcomes",
            },
        ),
        (
            "directory_v7.db",
            {
                "m001_hsds_tables",
                "m002_search_index",
                "m003_search_facets",
                "m004_sources",
                "m005_search_places",
                "m006_filter_outcomes",
                "m007_search_rows",
            },
        ),
        (
            "directory_v8.db",
            {
                "m001_hsds_tables",
                "m002_search_index",
                "m003_search_facets",
                "m004_sources",
                "m005_search_places",
                "m006_filter_outcomes",
                "m007_search_rows",
                "m008_organization_links",
            },
        ),
    ],
)
def test_old_database_is_backed_up_then_upgraded(tmp_path, fixture, applied_before):
    path = tmp_path / "directory.db"
    shutil.copyfile(FIXTURES / fixture, path)
    store = DirectoryStore.open(path)
    assert DIRECTORY_MIGRATIONS.pending(store._db) == []
    # the old rows survive and are now searchable
    assert store.count_services() == 1
    hits = store._db.execute("SELECT service_id FROM service_search WHERE service_search MATCH 'naloxone'").fetchall()
    assert hits == [("22222222-2222-5222-8222-222222222222",)]
    from coventry_directory.core.search import SearchEngine

    assert [h.name for h in SearchEngine(store).search("naloxone").hits] == ["Old Naloxone Service"]
    store.close()
    backups = list(tmp_path.glob("directory.backup-*.db"))
    assert len(backups) == 1
    # the backup is the untouched old database
    conn = sqlite3.connect(backups[0])
    names = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
    assert names == applied_before
    conn.close()


def test_opening_a_current_database_makes_no_backup(tmp_path, sample_store):
    assert list(tmp_path.glob("*.backup-*")) == []


def test_user_database_migrates_from_empty_file(tmp_path):
    path = tmp_path / "user.db"
    path.touch()
    store = UserStore(path)
    assert USER_MIGRATIONS.pending(store._db) == []
    store.add_to_shortlist("abc")
    store.close()
    again = UserStore(path)
    assert again.shortlist() == ["abc"]


@pytest.mark.parametrize("content", [b"", b"this is not a database at all" * 100])
def test_broken_or_empty_directory_file_gives_a_clear_error(tmp_path, content):
    path = tmp_path / "directory.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        DirectoryStore.open(path)
    assert str(path) in str(err.value)


def test_missing_directory_file_gives_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="missing"):
        DirectoryStore.open(tmp_path / "nope.db")
