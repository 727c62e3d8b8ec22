"""Importing HSDS 3.0: invalid data reported with where it is, and the import/export commands.

Every problem in a rejected file is listed with its JSON path (or CSV file, line and column),
a failed import changes nothing, and the commands replace and restore the installed directory
(adding a source beside the edition is in test_sources*.py).
The other publisher's dataset is in ``test_exchange_hsds_support``.
"""

from __future__ import annotations

import json

import pytest
from test_exchange_hsds_support import foreign_services

from coventry_directory.cli import main
from coventry_directory.exchange.errors import InvalidData
from coventry_directory.exchange.hsds_csv import export_csv, read_csv
from coventry_directory.exchange.hsds_json import read_json
from coventry_directory.exchange.importing import import_file
from coventry_directory.store import database_files
from coventry_directory.store.directory import DirectoryStore


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
    services[1]["status"] = "closed for ever"  # repaired when tolerant: refused with --strict
    (tmp_path / "bad.json").write_text(json.dumps(services), encoding="utf-8")
    code = main(["import", str(tmp_path / "bad.json"), "--strict"])
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
    assert main(["import", str(tmp_path / "theirs.json"), "--replace", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["mode"] == "replaced" and result["counts"]["service"] == 2
    store = DirectoryStore.open(installed_directory)
    try:
        assert store.count_services() == 2
        assert store.info()["edition"] == "2025-03-01"
    finally:
        store.close()
    # an import never takes the place of the edition `bundle rollback` goes back to; importing
    # our own export brings the directory back
    assert not (installed_directory.parent / "directory.previous.db").exists()
    assert main(["import", str(tmp_path / "j"), "--replace"]) == 0
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
    assert result.mode == "added" and result.counts["service"] == 2 and result.counts["contact"] == 1
    assert database_files.check_database(target)["edition"] == "2025-03-01"


def test_cli_imports_a_csv_package_folder(installed_directory, tmp_path, capsys):
    assert main(["export", "--format", "hsds-csv", "-o", str(tmp_path / "csv")]) == 0
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "before")]) == 0
    assert main(["import", str(tmp_path / "csv"), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["format"] == "hsds-csv"
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "after")]) == 0
    assert (tmp_path / "after" / "services.json").read_bytes() == (tmp_path / "before" / "services.json").read_bytes()
