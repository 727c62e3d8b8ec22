"""Public material we did not write, each imported as a source beside the shipped directory.

- the official HSDS 3.0 examples in every shape the specification publishes
  (``tests/data/hsds3_examples``, from github.com/openreferral/specification);
- the Open Referral UK validator's test, warning and failing responses
  (``tests/data/oruk_validator``, from github.com/OpenReferralUK/oruk-validator).

After each import the shipped services are still found, the new one is found by name and
names its source, and nothing the example says is lost on the way to the details.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from edition_facts import EDITION_SERVICES
from test_sources import run, sources

from coventry_directory.store.directory import DirectoryStore

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "hsds3_examples"
VALIDATOR = DATA / "oruk_validator"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"  # "Community Counselling", in every example


def shipped_still_found(capsys) -> None:
    code, out, _ = run(capsys, "search", "naloxone", "--near", "Rugby", "--json")
    names = [h["name"] for h in json.loads(out)]
    assert code == 0 and any("Rugby" in n for n in names[:3]), names


@pytest.mark.parametrize(
    "example",
    [
        "service_full.json",
        "service_list.json",
        "organization_full.json",
        "service_at_location_full.json",
        "service_at_location_list.json",
        "csv",
    ],
)
def test_each_official_example_imports_beside_the_shipped_directory(installed_directory, capsys, example):
    code, out, err = run(capsys, "import", str(EXAMPLES / example), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["services"] == 1 and result["skipped"] == 0 and result["directory_services"] == EDITION_SERVICES + 1
    assert len(sources(capsys)) == 2
    shipped_still_found(capsys)
    code, out, _ = run(capsys, "search", "Community Counselling", "--json")
    hit = json.loads(out)[0]
    assert hit["id"] == EXAMPLE_SERVICE and hit["source"] == result["source"]


def test_an_organisation_list_holds_no_services_and_changes_nothing(installed_directory, capsys):
    before = installed_directory.read_bytes()
    code, out, err = run(capsys, "import", str(EXAMPLES / "organization_list.json"))
    assert code == 2 and "organisation with no services" in out and "Nothing was changed" in err
    assert installed_directory.read_bytes() == before


def test_a_page_of_a_list_says_the_rest_is_elsewhere(installed_directory, capsys):
    code, out, _ = run(capsys, "import", str(EXAMPLES / "service_list.json"))
    assert code == 0 and "page 1 of 10" in out


def test_the_full_example_keeps_its_phones_schedules_and_places(installed_directory, capsys):
    assert run(capsys, "import", str(EXAMPLES / "service_full.json"))[0] == 0
    store = DirectoryStore.open(installed_directory)
    try:
        svc = store.get_service(EXAMPLE_SERVICE)
        assert svc.organization.name == "Example Organization Inc."
        assert '"+44 1234 234567"' in [p.number for p in svc.phones]
        assert any(s.opens_at == "10:00:00" and s.byday == "TH,FR" for s in svc.schedules)
        assert [loc.name for loc in svc.locations] == ["MyCity Civic Center"]
    finally:
        store.close()


def test_an_organisation_with_its_services_gives_each_service_its_organisation(installed_directory, capsys):
    assert run(capsys, "import", str(EXAMPLES / "organization_full.json"))[0] == 0
    store = DirectoryStore.open(installed_directory)
    try:
        assert store.get_service(EXAMPLE_SERVICE).organization.name == "Example Organization Inc."
    finally:
        store.close()


def test_a_service_at_location_brings_its_service_place_and_hours(installed_directory, capsys):
    assert run(capsys, "import", str(EXAMPLES / "service_at_location_full.json"))[0] == 0
    store = DirectoryStore.open(installed_directory)
    try:
        svc = store.get_service(EXAMPLE_SERVICE)
        assert [loc.name for loc in svc.locations] == ["MyCity Civic Center"]
        # hours given for the service at that place count as the service's hours
        assert any(s.opens_at == "10:00:00" for s in svc.schedules)
        assert svc.phones  # and so does the phone given there
    finally:
        store.close()


@pytest.mark.parametrize("variant", ["V3.0-UK-Test", "V3.0-UK-Warn"])
def test_the_oruk_validators_passing_data_imports(installed_directory, capsys, variant):
    for name in ("service_full.json", "organization_full.json", "service_list.json"):
        path = VALIDATOR / variant / name
        if not path.is_file():
            continue
        code, out, err = run(capsys, "import", str(path), "--source", f"{variant} {path.stem}", "--json")
        assert code == 0, (name, err)
        assert json.loads(out)["services"] >= 1
    shipped_still_found(capsys)


def test_the_oruk_validators_failing_list_is_refused_with_every_problem(installed_directory, capsys):
    before = installed_directory.read_bytes()
    code, out, err = run(capsys, "import", str(VALIDATOR / "V3.0-UK-Fail" / "service_list.json"))
    assert code == 2 and "Nothing was changed" in err
    assert out.count("has no name") == 4
    assert installed_directory.read_bytes() == before


def test_repeated_ids_in_the_validators_test_list_are_kept_once(installed_directory, capsys):
    code, out, err = run(capsys, "import", str(VALIDATOR / "V3.0-UK-Test" / "service_list.json"), "--json")
    assert code == 0, err
    result = json.loads(out)
    # 128 items share one id: the first is kept; the others, which differ, are listed
    assert result["services"] == 1 and result["skipped"] == 127
    assert all("differently" in p["reason"] for p in result["problems"])


def test_an_oruk_1_feed_is_pulled_and_converted_beside_the_shipped_directory(installed_directory, capsys):
    """ORUK 1.0 pages (``content``, ``totalPages``, integer ids), fetched in full, become a feed source."""
    from feed_server import Feed, serving

    page = json.loads((DATA / "oruk1" / "services_page.json").read_text(encoding="utf-8"))
    items = page["content"]
    feed = Feed([{**item, "id": str(item["id"])} for item in items])
    feed.script("page 1", (200, {}, page), forever=True)
    with serving(feed) as running:
        code, out, err = run(capsys, "import", running.url, "--source", "Council 1.0", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["format"] == "oruk1-api" and result["kind"] == "feed"
    assert result["services"] == 3 and result["skipped"] == 0
    code, out, _ = run(capsys, "search", "Example Needle Exchange", "--json")
    hit = json.loads(out)[0]
    assert hit["name"] == "Example Needle Exchange" and hit["source"] == "Council 1.0"
    shipped_still_found(capsys)
