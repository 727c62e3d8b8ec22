"""HSDS 3.0 JSON and CSV: exports validate against the official schema, and round-trip exactly.

Uses the real directory (``directory_db``) and a hand-made dataset from an imaginary other
publisher that uses tables and fields we do not (contacts, costs, funding, programmes,
metadata, extension fields...), all of which must come back out.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.exchange.errors import InvalidData
from coventry_directory.exchange.hsds_csv import export_csv, read_csv
from coventry_directory.exchange.hsds_json import dumps, export_json, read_json
from coventry_directory.exchange.hsds_schema import csv_file_names
from coventry_directory.exchange.importing import import_file
from coventry_directory.exchange.nest import nested_services
from coventry_directory.exchange.validate import validate_object, validate_services
from coventry_directory.exchange.writer import write_rows
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.directory import DirectoryStore


def uid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "other-publisher:" + ":".join(parts)))


def foreign_services() -> list[dict]:
    """Two services from another publisher, using much of HSDS that we do not."""
    tax = {
        "id": uid("tax"),
        "name": "Other taxonomy",
        "description": "Their own.",
        "uri": "https://example.org/tax",
        "version": "2",
        "metadata": [],
    }
    term = {
        "id": uid("term"),
        "code": "BD-1800",
        "name": "Substance use",
        "description": "Drugs and alcohol.",
        "taxonomy": "Other taxonomy",
        "taxonomy_id": tax["id"],
        "taxonomy_detail": tax,
        "language": "en",
    }
    location = {
        "id": uid("loc"),
        "location_type": "physical",
        "name": "Riverside Centre",
        "latitude": 52.41,
        "longitude": -1.51,
        "transportation": "Bus 10",
        "x_parking": {"spaces": 4, "free": True},
        "addresses": [
            {
                "id": uid("addr"),
                "address_1": "1 River Road",
                "city": "Coventry",
                "state_province": "West Midlands",
                "postal_code": "CV1 1AA",
                "country": "GB",
                "address_type": "physical",
            }
        ],
        "accessibility": [{"id": uid("acc"), "description": "Step-free entrance", "details": "Ramp at side door"}],
        "languages": [{"id": uid("lang-loc"), "name": "Polish", "code": "pl"}],
    }
    other_location = {
        "id": uid("loc2"),
        "location_type": "virtual",
        "name": "Online only",
        "url": "https://example.org/chat",
    }
    org = {
        "id": uid("org"),
        "name": "Riverside Trust",
        "description": "A charity.",
        "website": "https://example.org",
        "year_incorporated": 1999,
        "x_registered_charity": "123456",
        "organization_identifiers": [
            {
                "id": uid("orgid"),
                "identifier_scheme": "GB-CHC",
                "identifier_type": "Charity number",
                "identifier": "123456",
            }
        ],
        "funding": [{"id": uid("fund-org"), "source": "Lottery"}],
        "programs": [{"id": uid("prog"), "name": "Recovery programme", "description": "Peer-led."}],
        "locations": [other_location],
    }
    sal_phone = {
        "id": uid("ph-sal"),
        "number": "024 7600 0000",
        "languages": [{"id": uid("lang-ph"), "name": "Urdu", "code": "ur"}],
    }
    return [
        {
            "id": uid("svc1"),
            "name": "Riverside Recovery",
            "status": "active",
            "description": "Peer support.",
            "interpretation_services": "Language Line",
            "wait_time": "2 weeks",
            "accreditations": "CQC",
            "assured_date": "2025-03-01",
            "assurer_email": "data@example.org",
            "last_modified": "2025-03-01T10:00:00Z",
            "minimum_age": 18,
            "x_custom_rating": 4.5,
            "x_tags": ["a", "b"],
            "organization": org,
            "program": org["programs"][0],
            "contacts": [
                {
                    "id": uid("contact"),
                    "name": "Sam",
                    "title": "Lead",
                    "email": "sam@example.org",
                    "phones": [{"id": uid("ph-contact"), "number": "07700 900000"}],
                }
            ],
            "cost_options": [
                {"id": uid("cost"), "option": "Session", "currency": "GBP", "amount": 0, "amount_description": "free"}
            ],
            "funding": [{"id": uid("fund-svc"), "source": "NHS"}],
            "required_documents": [{"id": uid("doc"), "document": "Photo ID"}],
            "service_areas": [{"id": uid("area"), "name": "Coventry", "extent_type": "other"}],
            "languages": [{"id": uid("lang-svc"), "name": "English", "code": "en"}],
            "phones": [{"id": uid("ph-svc"), "number": "0800 000 000", "type": "voice"}],
            "schedules": [
                {"id": uid("sched"), "freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}
            ],
            "service_at_locations": [
                {
                    "id": uid("sal"),
                    "description": "Main site",
                    "location": location,
                    "phones": [sal_phone],
                    "schedules": [
                        {
                            "id": uid("sched-sal"),
                            "freq": "WEEKLY",
                            "byday": "TU",
                            "opens_at": "10:00",
                            "closes_at": "12:00",
                        }
                    ],
                }
            ],
            "attributes": [
                {
                    "id": uid("attr"),
                    "taxonomy_term_id": term["id"],
                    "link_type": "category",
                    "value": "primary",
                    "taxonomy_term": term,
                    "x_weight": 3,
                }
            ],
            "metadata": [
                {
                    "id": uid("meta"),
                    "last_action_date": "2025-03-01",
                    "last_action_type": "update",
                    "field_name": "name",
                    "previous_value": "Riverside",
                    "replacement_value": "Riverside Recovery",
                    "updated_by": "Ann",
                }
            ],
        },
        {
            "id": uid("svc2"),
            "name": "Riverside Drop-in",
            "status": "temporarily closed",
            "organization": org,
            "organization_id": org["id"],
            "service_at_locations": [{"id": uid("sal2"), "location": location}],
        },
    ]


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


def test_invalid_json_reports_every_problem_with_its_path(tmp_path):
    services = foreign_services()
    services[0]["status"] = "open"
    services[0]["phones"][0].pop("number")
    services[0]["service_at_locations"][0]["location"]["latitude"] = "north"
    services[1]["organization"] = dict(services[1]["organization"], name="A different name")
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(services), encoding="utf-8")
    with pytest.raises(InvalidData) as err:
        read_json(src)
    paths = {p.path for p in err.value.problems}
    assert "$[0].status" in paths
    assert "$[0].phones[0]" in paths
    assert "$[0].service_at_locations[0].location.latitude" in paths
    assert "$[1].organization.name" in paths  # the same organisation given twice, differently
    assert "$[1].service_at_locations[0].location.latitude" in paths  # the shared location, again
    assert "5 problems" in str(err.value)


@pytest.mark.parametrize(
    "content, where",
    [
        (b"{not json", "line 1"),
        (b'{"services": []}', "$"),
        (b"\xff\xfe junk", "$"),
    ],
)
def test_unreadable_json_is_reported(tmp_path, content, where):
    src = tmp_path / "x.json"
    src.write_bytes(content)
    with pytest.raises(InvalidData) as err:
        read_json(src)
    assert err.value.problems[0].path.startswith(where)


def test_invalid_csv_is_reported_by_file_line_and_column(directory_store, tmp_path):
    export_csv(directory_store, tmp_path / "csv")
    services = tmp_path / "csv" / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("id")] = "nope"
    lines[1] = ",".join(cells)
    services.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "csv" / "extra_table.csv").write_text("id\n1\n")
    pkg = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    pkg["resources"].append({"name": "extra_table", "path": "extra_table.csv"})
    (tmp_path / "csv" / "datapackage.json").write_text(json.dumps(pkg))
    with pytest.raises(InvalidData) as err:
        read_csv(tmp_path / "csv")
    text = [str(p) for p in err.value.problems]
    assert any(t.startswith("services.csv line 2 column id:") for t in text), text
    assert any("extra_table" in t and "not an HSDS 3.0 table" in t for t in text), text


def test_failed_import_leaves_the_installed_directory_untouched(installed_directory, tmp_path, capsys):
    before = installed_directory.read_bytes()
    services = foreign_services()
    services[1]["status"] = "closed for ever"
    (tmp_path / "bad.json").write_text(json.dumps(services), encoding="utf-8")
    code = main(["import", str(tmp_path / "bad.json")])
    out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Nothing was changed" in err and "Traceback" not in err
    assert "$[1].status" in out
    assert installed_directory.read_bytes() == before
    assert not list(installed_directory.parent.glob("*.incoming-*"))


def test_cli_export_then_import_replaces_the_directory(installed_directory, tmp_path, capsys):
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "j")]) == 0
    (tmp_path / "theirs.json").write_text(json.dumps(foreign_services()), encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(tmp_path / "theirs.json"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["mode"] == "replace" and result["counts"]["service"] == 2
    store = DirectoryStore.open(installed_directory)
    try:
        assert store.count_services() == 2
        assert store.info()["edition"] == "2025-03-01"
    finally:
        store.close()
    # the previous edition is kept for rollback, and importing our own export brings it back
    assert (installed_directory.parent / "directory.previous.db").is_file()
    assert main(["import", str(tmp_path / "j")]) == 0
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "k")]) == 0
    assert (tmp_path / "k" / "services.json").read_bytes() == (tmp_path / "j" / "services.json").read_bytes()


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--format", "xml", "-o", "x"],
        ["export", "--format", "hsds-json"],
        ["export", "--format", "hsds-json", "-o", "x", "--db", "/no/such.db"],
        ["import", "/no/such/file.json"],
        ["import", "README.md"],
    ],
)
def test_bad_export_import_arguments_exit_2_with_one_line(capsys, argv):
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_import_file_api_reports_counts(tmp_path, user_home):
    (tmp_path / "theirs.json").write_text(json.dumps(foreign_services()), encoding="utf-8")
    target = tmp_path / "dir.db"
    result = import_file(tmp_path / "theirs.json", target)
    assert result.mode == "replace" and result.counts["service"] == 2 and result.counts["contact"] == 1
    assert database_files.check_database(target)["edition"] == "2025-03-01"


def test_cli_imports_a_csv_package_folder(installed_directory, tmp_path, capsys):
    assert main(["export", "--format", "hsds-csv", "-o", str(tmp_path / "csv")]) == 0
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "before")]) == 0
    assert main(["import", str(tmp_path / "csv"), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["format"] == "hsds-csv"
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "after")]) == 0
    assert (tmp_path / "after" / "services.json").read_bytes() == (tmp_path / "before" / "services.json").read_bytes()
