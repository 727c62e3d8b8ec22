"""The build step: deterministic, atomic, and every record readable back in full."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from coventry_directory.core.build import build_database
from coventry_directory.core.directory_source import DirectorySourceError
from coventry_directory.store.directory import DirectoryStore

SAMPLE = Path(__file__).parent / "fixtures" / "sample_directory"


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        # the migrations table records when it ran; everything else must be identical
        return [line for line in conn.iterdump() if "_sqlite_migrations" not in line]
    finally:
        conn.close()


def test_build_is_deterministic(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    build_database(a)
    build_database(b)
    assert _dump(a) == _dump(b)


def test_edition_info_describes_the_build(built_directory):
    store = DirectoryStore.open(built_directory)
    info = store.info()
    assert int(info["service_count"]) == store.count_services() > 60
    assert len(info["sources_sha256"]) == 64
    assert info["edition"][:4].isdigit()
    store.close()


def test_failed_build_leaves_the_previous_file_untouched(tmp_path):
    out = tmp_path / "directory.db"
    build_database(out, SAMPLE)
    before = out.read_bytes()
    broken = tmp_path / "broken"
    shutil.copytree(SAMPLE, broken)
    (broken / "services" / "sample.toml").write_text("[[service]]\nkey = 'x'\n")
    with pytest.raises(DirectorySourceError):
        build_database(out, broken)
    assert out.read_bytes() == before
    assert not list(tmp_path.glob("*.building"))


def test_every_built_service_reads_back_whole(directory_store):
    services = directory_store.all_services()
    assert len(services) == directory_store.count_services()
    for svc in services:
        assert svc.organization.name
        assert svc.sources and svc.assured_date
        assert svc.categories
        again = directory_store.get_service(svc.key)
        assert again is not None and again.id == svc.id


def test_sample_round_trip_keeps_every_field(sample_store):
    svc = sample_store.get_service("example-adult")
    assert svc.minimum_age == 18 and svc.maximum_age is None
    assert svc.categories == ("treatment-adult", "naloxone")
    assert svc.substances == ("alcohol", "opiates")
    assert svc.keywords == ("methadone",)
    assert svc.evidence_date == "2024-01"
    assert [p.number for p in svc.phones] == ["01234 567890"]
    assert svc.phones[0].sources == ("sample L3",)
    (loc,) = svc.locations
    assert loc.address.postal_code == "CV21 1AA" and loc.town == "Rugby" and loc.area == "rugby"
    (sched,) = svc.schedules
    assert (sched.byday, sched.opens_at, sched.closes_at, sched.location_id) == ("TU,FR", "09:30", "12:00", loc.id)
    youth = sample_store.get_service(sample_store.resolve_service_id("example-youth"))
    assert youth.verification == "historic" and youth.phones == [] and youth.schedules == []
