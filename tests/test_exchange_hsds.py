"""HSDS 3.0 JSON and CSV: exports validate against the official schema, and round-trip exactly.

Uses the real directory (``directory_db``) and a hand-made dataset from an imaginary other
publisher (``test_exchange_hsds_support``) that uses tables and fields we do not (contacts,
costs, funding, programmes, metadata, extension fields...), all of which must come back out.
Invalid data and the import/export commands are in test_exchange_hsds_import.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from test_exchange_hsds_support import foreign_services, uid

from coventry_directory.exchange.hsds_csv import export_csv, read_csv
from coventry_directory.exchange.hsds_json import dumps, export_json, read_json
from coventry_directory.exchange.hsds_schema import csv_file_names
from coventry_directory.exchange.nest import nested_services
from coventry_directory.exchange.validate import validate_object, validate_services
from coventry_directory.exchange.writer import write_rows
from coventry_directory.store import hsds_rows
from coventry_directory.store.directory import DirectoryStore


def contains(whole, part, path="$") -> None:
    """Assert every key and value of ``part`` is in ``whole`` (lists matched item by item)."""
    if isinstance(part, dict):
        assert isinstance(whole, dict), path
        for key, value in part.items():
            assert key in whole, f"{path}.{key} was dropped"
            contains(whole[key], value, f"{path}.{key}")
    elif isinstance(part, list):
        assert isinstance(whole, list) and len(whole) >= len(part), path
        by_id = {w.get("id"): w for w in whole if isinstance(w, dict)}
        for n, item in enumerate(part):
            other = by_id.get(item.get("id")) if isinstance(item, dict) else whole[n]
            contains(other, item, f"{path}[{n}]")
    else:
        assert whole == part, f"{path}: {whole!r} != {part!r}"


def import_into_new(tmp_path: Path, data, name="new.db") -> DirectoryStore:
    store = hsds_rows.open_new(tmp_path / name)
    write_rows(store, data, {"edition": "x"}, mode="replace")
    return store


def test_export_validates_against_the_hsds_schema(directory_store, tmp_path):
    path = export_json(directory_store, tmp_path / "out")
    services = json.loads(path.read_text(encoding="utf-8"))
    assert len(services) == directory_store.count_services() > 0
    assert validate_services(services) == []
    # the validator really resolves the spec's $refs: a broken nested phone is caught
    broken = copy.deepcopy(next(s for s in services if s["phones"]))
    del broken["phones"][0]["number"]
    broken["service_at_locations"] = [{"id": "not-a-uuid"}]
    paths = {p.path for p in validate_object("service", broken)}
    assert "$.phones[0]" in paths and "$.service_at_locations[0].id" in paths


def test_json_round_trip_into_an_empty_database_is_identical(directory_store, tmp_path):
    first = export_json(directory_store, tmp_path / "one").read_text(encoding="utf-8")
    new = import_into_new(tmp_path, read_json(tmp_path / "one" / "services.json"))
    try:
        second = export_json(new, tmp_path / "two").read_text(encoding="utf-8")
        assert second == first
        # our eligibility/category attributes, keys, sources and assured dates come back as model objects
        before = [s.to_dict() for s in directory_store.all_services()]
        after = [s.to_dict() for s in new.all_services()]
        assert after == before
        assert all(s["assured_date"] for s in after)
        assert any(s["categories"] and s["substances"] and s["sources"] for s in after)
        # and the imported directory searches like the original
        hits = new._db.execute("SELECT count(*) FROM service_search WHERE service_search MATCH 'alcohol'").fetchone()[0]
        assert hits > 0
    finally:
        new.close()


def test_csv_package_round_trips_and_matches_the_spec(directory_store, tmp_path):
    files = export_csv(directory_store, tmp_path / "csv")
    names = {p.name for p in files}
    assert set(csv_file_names().values()) | {"datapackage.json"} == names
    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    service = next(r for r in package["resources"] if r["name"] == "service")
    assert service["path"] == "services.csv" and service["schema"]["fields"][0]["name"] == "id"
    new = import_into_new(tmp_path, read_csv(tmp_path / "csv"))
    try:
        export_csv(new, tmp_path / "again")
        for name in names:
            assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "csv" / name).read_bytes(), name
        assert hsds_rows.table_counts(new) == hsds_rows.table_counts(directory_store)
        # a CSV-imported directory exports the same JSON as the original
        assert dumps(nested_services(new)) == dumps(nested_services(directory_store))
    finally:
        new.close()


def test_other_publishers_data_keeps_every_field(tmp_path):
    original = foreign_services()
    assert validate_services(original) == []
    src = tmp_path / "theirs.json"
    src.write_text(json.dumps(original), encoding="utf-8")
    store = import_into_new(tmp_path, read_json(src))
    try:
        exported = nested_services(store)
        assert validate_services(exported) == []
        contains(exported, original)  # nothing dropped, extension fields included
        assert exported[0]["x_tags"] == ["a", "b"] and exported[0]["attributes"][0]["x_weight"] == 3
        assert exported[0]["organization"]["locations"][0]["id"] == uid("loc2")  # reached by no service
        # the app can read it too (unknown taxonomy: no categories, but nothing breaks)
        svc = store.get_service(uid("svc1"))
        assert svc.name == "Riverside Recovery" and svc.assured_date == "2025-03-01"
        # and a second trip through JSON and through CSV is exact
        (tmp_path / "x").mkdir()
        (tmp_path / "x" / "services.json").write_text(dumps(exported), encoding="utf-8")
        again = import_into_new(tmp_path, read_json(tmp_path / "x"), "again.db")
        assert dumps(nested_services(again)) == dumps(exported)
        export_csv(again, tmp_path / "csv")
        via_csv = import_into_new(tmp_path, read_csv(tmp_path / "csv"), "csv.db")
        assert dumps(nested_services(via_csv)) == dumps(exported)
        again.close()
        via_csv.close()
    finally:
        store.close()
