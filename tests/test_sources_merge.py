"""Merging: the same service from two sources is one service; the curated edition's facts win, the feed fills gaps.

The shipped edition lists "St Basils Coventry Youth Hub" at CV1 4DX with no phone. An
imaginary council feed lists it too (its own id, the same organisation, name and postcode),
with a phone and a description of its own.
"""

from __future__ import annotations

import json
import sqlite3

from edition_facts import EDITION_SERVICES
from test_exchange_hsds_support import uid
from test_sources import run, service, sources, write

from coventry_directory.store.directory import DirectoryStore

HUB_ID = "31037687-1c20-5e74-b6be-b669934f7296"  # the shipped record
DRAMA_NUMBER = "01632 960123"  # Ofcom's numbers for drama: never a real line
DRAFT_NUMBER_TEXT = f"Phones:         {DRAMA_NUMBER}"


def feed_copy_of_the_hub(**extra) -> dict:
    org = {"id": uid("org", "stbasils"), "name": "St Basils", "description": "Youth homelessness charity."}
    loc = {
        "id": uid("loc", "hub"),
        "location_type": "physical",
        "name": "Youth Hub",
        "addresses": [
            {
                "id": uid("addr", "hub"),
                "address_1": "1 Imaginary Street",
                "city": "Coventry",
                "state_province": "West Midlands",
                "postal_code": "cv1 4dx",  # written differently: still the same postcode
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }
    return {
        "id": uid("svc", "hub"),
        "name": "St Basils - Coventry Youth Hub",
        "status": "active",
        "description": "The council's own description.",
        "email": "hub@example.org",
        "organization_id": org["id"],
        "organization": org,
        "phones": [{"id": uid("phone", "hub"), "number": DRAMA_NUMBER}],
        "service_at_locations": [{"id": uid("sal", "hub"), "location": loc}],
        **extra,
    }


def test_the_same_service_from_a_feed_is_shown_once_with_both_sources(installed_directory, tmp_path, capsys):
    write(tmp_path / "council.json", [feed_copy_of_the_hub(), service(1)])
    code, out, err = run(capsys, "import", str(tmp_path / "council.json"), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (
        result["services"] == 2 and result["new_services"] == 1 and result["directory_services"] == EDITION_SERVICES + 1
    )
    store = DirectoryStore.open(installed_directory)
    try:
        hub = store.get_service(HUB_ID)
        assert hub.description != "The council's own description."  # the curated description stands
        assert [p.number for p in hub.phones] == [DRAMA_NUMBER]  # the feed fills the missing phone
        assert hub.email == "hub@example.org"  # and the missing email
        assert store.queries.sources_for([HUB_ID]) == {HUB_ID: ("edition", "council")}
    finally:
        store.close()
    code, out, _ = run(capsys, "show", HUB_ID)
    assert "Listed by:      edition, council" in out and DRAFT_NUMBER_TEXT in out
    code, out, _ = run(capsys, "search", "St Basils Youth Hub", "--json")
    hits = [h for h in json.loads(out) if "Youth Hub" in h["name"]]
    assert len(hits) == 1 and hits[0]["sources"] == ["edition", "council"]
    with sqlite3.connect(installed_directory) as conn:
        matched = conn.execute(
            "SELECT source, record_id, matched_by FROM service_source WHERE service_id = ? ORDER BY source", [HUB_ID]
        ).fetchall()
    assert matched == [("council", uid("svc", "hub"), "name and postcode or phone"), ("edition", HUB_ID, "new")]


def test_removing_the_feed_takes_its_filled_facts_away(installed_directory, tmp_path, capsys):
    write(tmp_path / "council.json", [feed_copy_of_the_hub()])
    assert run(capsys, "import", str(tmp_path / "council.json"))[0] == 0
    assert run(capsys, "sources", "remove", "council")[0] == 0
    store = DirectoryStore.open(installed_directory)
    try:
        hub = store.get_service(HUB_ID)
        assert hub.phones == [] and hub.email is None
    finally:
        store.close()


def test_a_name_alone_is_not_enough_to_merge(installed_directory, tmp_path, capsys):
    other = feed_copy_of_the_hub()
    other["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = "B1 1AA"
    other["phones"] = []
    write(tmp_path / "council.json", [other])
    code, out, _ = run(capsys, "import", str(tmp_path / "council.json"), "--json")
    assert json.loads(out)["new_services"] == 1  # another place: another service


def test_a_feed_that_is_the_edition_adds_nothing(installed_directory, tmp_path, capsys):
    assert run(capsys, "export", "--format", "hsds-json", "-o", str(tmp_path / "ours"))[0] == 0
    before = (tmp_path / "ours" / "services.json").read_bytes()
    code, out, err = run(capsys, "import", str(tmp_path / "ours"), "--source", "mirror", "--json")
    assert code == 0, err
    assert json.loads(out)["new_services"] == 0 and json.loads(out)["directory_services"] == EDITION_SERVICES
    assert run(capsys, "export", "--format", "hsds-json", "-o", str(tmp_path / "again"))[0] == 0
    assert (tmp_path / "again" / "services.json").read_bytes() == before
    assert list(sources(capsys)) == ["edition", "mirror"]


def test_a_source_sharing_nothing_is_copied_whole_with_the_same_result_as_the_rules(
    installed_directory, tmp_path, capsys, monkeypatch
):
    """The fast copy for a source that shares no record must give exactly what the merge rules give."""
    from coventry_directory.store import merge
    from coventry_directory.store.hsds_rows import read_table
    from coventry_directory.store.schema import HSDS_TABLES

    write(tmp_path / "national.json", [service(n) for n in range(40)])
    tables = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(merge.Merger, "_apart", lambda self: False)
        assert (
            run(capsys, "import", str(tmp_path / "national.json"), "--source", f"national {fast}", "--replace")[0] == 0
        )
        assert run(capsys, "sources", "restore-edition")[0] == 0
        store = DirectoryStore.open(installed_directory)
        try:
            tables.append({t: sorted(map(str, read_table(store, t))) for t in HSDS_TABLES})
        finally:
            store.close()
    assert tables[0] == tables[1]
    assert len(tables[0]["service"]) == EDITION_SERVICES + 40


def test_a_record_reusing_an_edition_id_for_another_service_is_left_out(installed_directory, tmp_path, capsys):
    """Reusing the curated record's id must not graft another service's phone and hours onto it."""
    hostile = feed_copy_of_the_hub(id=HUB_ID, name="Payday loans", description="Borrow now.")
    org_thief = service(7, name="Fast detox clinic")
    org_thief["organization"] = {
        "id": "069c1cac-9fd1-51c1-b2b7-1a76bcf5f65f",
        "name": "Totally Evil Ltd",
        "description": "x",
    }
    org_thief["organization_id"] = org_thief["organization"]["id"]  # Change Grow Live's id in the edition
    write(tmp_path / "hostile.json", [hostile, org_thief, service(8)])
    code, out, err = run(capsys, "import", str(tmp_path / "hostile.json"), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["services"] == 1 and result["skipped"] == 2
    reasons = {p["path"]: p["reason"] for p in result["problems"]}
    assert "uses the id of a different service" in reasons[f"service {HUB_ID}"]
    assert "organisation by the id of a different one" in reasons[f"service {org_thief['id']}"]
    store = DirectoryStore.open(installed_directory)
    try:
        hub = store.get_service(HUB_ID)
        assert hub.name == "St Basils Coventry Youth Hub" and hub.phones == [] and hub.email is None
        assert store.get_service(org_thief["id"]) is None
        assert store.queries.sources_for([HUB_ID]) == {HUB_ID: ("edition",)}
    finally:
        store.close()


def _contents(db) -> dict:
    """Every row of every table a composed directory holds, order aside (the search tables by their rows too)."""
    from coventry_directory.store.schema import HSDS_TABLES

    tables = [*HSDS_TABLES, "service_source", "directory_source", "directory_info", "service_facets", "service_folded"]
    with sqlite3.connect(db) as conn:
        out = {t: sorted(map(repr, conn.execute(f"SELECT * FROM [{t}]"))) for t in tables}
        out["fts"] = sorted(map(repr, conn.execute("SELECT service_id, name, description FROM service_search")))
        out["points"] = sorted(map(repr, conn.execute("SELECT * FROM service_point")))
    out["directory_info"] = [r for r in out["directory_info"] if "composed_at" not in r]
    return out


def _national(n: int) -> dict:
    """A service of an imaginary national feed: its own organisation, nothing shared with the other sources."""
    org = {"id": uid("org", "national"), "name": "Imaginary National Charity", "description": "A charity."}
    return service(n, name=f"National service {n}", organization_id=org["id"], organization=org)


def _first_service(db) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id FROM service ORDER BY rowid LIMIT 1").fetchone()[0]


def _compose_both_ways(tmp_path, monkeypatch):
    """The directory of these sources composed with the largest one copied whole, and in plain rank order."""
    from coventry_directory.exchange.sources import installed_home, list_sources
    from coventry_directory.store import compose

    home = installed_home()
    ranked = sorted(list_sources(home), key=lambda s: s.rank)
    files = [compose.SourceFile(s.path, s.name, s.kind, stamp=s.stamp) for s in ranked]
    base = compose._base(files)
    swapped = tmp_path / "swapped.db"
    compose.compose(files, swapped)
    monkeypatch.setattr(compose, "BASE_FACTOR", 10**9)  # never copy a later source whole
    assert compose._base(files) == 0
    plain = tmp_path / "plain.db"
    compose.compose(files, plain)
    return base, swapped, plain


def test_a_much_larger_feed_copied_whole_makes_the_same_directory(installed_directory, tmp_path, capsys, monkeypatch):
    write(tmp_path / "council.json", [feed_copy_of_the_hub(), service(1)])
    assert run(capsys, "import", str(tmp_path / "council.json"))[0] == 0
    national = [_national(n) for n in range(1000, 1600)]
    write(tmp_path / "national.json", national)
    assert run(capsys, "import", str(tmp_path / "national.json"))[0] == 0
    base, swapped, plain = _compose_both_ways(tmp_path, monkeypatch)
    assert base == 2  # the national feed, added last, is copied whole
    assert _contents(swapped) == _contents(plain)
    feed_ids = {uid("svc", str(n)) for n in range(1000, 1600)}
    assert _first_service(swapped) in feed_ids  # the feed's file was the one copied
    assert _first_service(plain) not in feed_ids
    with sqlite3.connect(swapped) as conn:
        # the directory's own facts are still the edition's, not the feed's
        assert conn.execute("SELECT value FROM directory_info WHERE key = 'source_name'").fetchone() == ("edition",)
        assert conn.execute("SELECT count(*) FROM service").fetchone()[0] == EDITION_SERVICES + 1 + 600


def test_a_larger_feed_that_shares_a_service_with_the_edition_is_composed_in_rank_order(
    installed_directory, tmp_path, capsys, monkeypatch
):
    national = [feed_copy_of_the_hub(), *(_national(n) for n in range(1000, 1600))]
    write(tmp_path / "national.json", national)
    assert run(capsys, "import", str(tmp_path / "national.json"))[0] == 0
    base, swapped, plain = _compose_both_ways(tmp_path, monkeypatch)
    assert base == 0  # it shares a service with the edition: composed in rank order
    assert _contents(swapped) == _contents(plain)
    assert _first_service(swapped) == _first_service(plain)
    store = DirectoryStore.open(swapped)
    try:
        hub = store.get_service(HUB_ID)
        assert hub.description != "The council's own description."  # the edition's facts still stand
        assert [p.number for p in hub.phones] == [DRAMA_NUMBER]
    finally:
        store.close()
