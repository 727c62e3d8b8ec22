"""search and eligible on the command line, as docs/architecture.md specifies them."""

from __future__ import annotations

import json

import pytest

from coventry_directory.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_eligible_example_from_the_issue(installed_directory, capsys):
    code, out, err = run(capsys, "eligible", "--age", "16", "--near", "Rugby", "--substance", "cannabis", "--json")
    assert code == 0, err
    data = json.loads(out)
    eligible = {e["key"]: e for e in data["eligible"]}
    excluded = {e["key"]: e for e in data["excluded"]}
    assert "compass-warwickshire-cypdas" in eligible
    assert excluded["cgl-warwickshire-adult-service"]["reasons"] == ["Ages 18+ only"]
    for item in data["excluded"]:
        assert set(item) >= {"id", "name", "reasons"} and item["reasons"]


def test_search_json_shape(installed_directory, capsys):
    code, out, _ = run(capsys, "search", "naloxone", "--near", "CV21 3AB", "--limit", "5", "--json")
    assert code == 0
    items = json.loads(out)
    assert 0 < len(items) <= 5
    for item in items:
        assert set(item) >= {"id", "name", "organization", "categories", "distance_km", "open_now", "score"}
        assert item["open_now"] in ("open", "closed", "unknown")


def test_search_without_query_lists_filtered_services(installed_directory, capsys):
    code, out, _ = run(capsys, "search", "--category", "mutual-aid", "--json", "--limit", "50")
    items = json.loads(out)
    assert code == 0 and items
    assert all("mutual-aid" in i["categories"] for i in items)


def test_search_default_limit_is_20(installed_directory, capsys):
    code, out, _ = run(capsys, "search", "--json")
    assert code == 0 and len(json.loads(out)) == 20


def test_search_text_output_is_readable(installed_directory, capsys):
    code, out, _ = run(capsys, "search", "nalaxone", "--near", "Rugby")
    assert code == 0
    assert "Showing results for “naloxone”" in out
    assert "key: " in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["search", "--category", "magic"], "unknown category 'magic'"),
        (["search", "--near", "Rugbee"], "Did you mean"),
        (["search", "--open-at", "tomorrow"], "YYYY-MM-DD HH:MM"),
        (["search", "--gender", "robot"], "unknown gender"),
        (["search", "--limit", "0"], "--limit"),
        (["search", "--open-now", "--open-at", "2026-01-01 10:00"], "not allowed with"),
        (["eligible", "--near", "Rugby"], "--age"),
        (["eligible", "--age", "200"], "between 0 and 120"),
        (["search", "--age", "ten"], "invalid int"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(installed_directory, capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and fragment in err
    assert "Traceback" not in err
