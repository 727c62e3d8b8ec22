"""ORUK / HSDS API feed sync against a real HTTP server on loopback.

The feed (``feed_server.Feed``) serves our own directory's services (as any HSDS 3.0
publisher would), pages them, and can fail a page, answer slowly, or act as the system proxy.
"""

from __future__ import annotations

import copy
import json
import time

import pytest
from feed_server import Feed, serving

from coventry_directory.cli import main
from coventry_directory.exchange.errors import FeedError, InvalidData
from coventry_directory.exchange.hsds_json import dumps
from coventry_directory.exchange.nest import nested_services
from coventry_directory.exchange.oruk_sync import SYNC_KEY, feed_base, sync_feed
from coventry_directory.exchange.sources import Home, find_source
from coventry_directory.store import hsds_rows
from coventry_directory.store.directory import DirectoryStore


@pytest.fixture
def feed_server(directory_store):
    services = nested_services(directory_store)
    for svc in services:
        svc["last_modified"] = "2025-01-01T00:00:00Z"
    with serving(Feed(services)) as feed:
        yield feed


def exported(path) -> list[dict]:
    store = DirectoryStore.open(path)
    try:
        return json.loads(dumps(nested_services(store)))
    finally:
        store.close()


def by_id(services: list[dict]) -> list[dict]:
    return sorted(json.loads(json.dumps(services)), key=lambda s: s["id"])


def test_feed_base_accepts_the_root_or_the_services_url():
    assert feed_base("https://x.org/api/services/") == "https://x.org/api"
    assert feed_base("https://x.org/api") == "https://x.org/api"


def feed_source(target, name="127.0.0.1"):
    """The feed's source in the directory at ``target``."""
    return find_source(Home(target), name)


def test_first_pull_pages_through_and_fetches_each_service(feed_server, tmp_path):
    target = tmp_path / "feed-only.db"  # a directory of this feed alone: what it holds is what the feed said
    result = sync_feed(feed_server.url, target, per_page=10)
    assert result.mode == "added" and result.counts["service"] == len(feed_server.services)
    pages = [q for p, q in feed_server.requests if p.startswith("/api/services?")]
    assert [int(q["page"]) for q in pages] == list(range(1, len(pages) + 1))
    assert len(pages) == -(-len(feed_server.services) // 10)  # every page of ten, the last perhaps short
    assert all("modified_after" not in q for q in pages)
    singles = [p for p, _ in feed_server.requests if p.startswith("/api/services/")]
    assert len(singles) == len(feed_server.services)  # list items were not full
    assert exported(target) == json.loads(json.dumps(feed_server.services))  # same order too
    source = feed_source(target)
    assert source.kind == "feed" and source.location == feed_server.url and source.info[SYNC_KEY]


def test_later_pulls_ask_only_for_changes_and_merge_them(feed_server, tmp_path):
    installed_directory = tmp_path / "feed-only.db"
    feed_server.full_list = True
    sync_feed(feed_server.url, installed_directory, per_page=25)
    last = feed_source(installed_directory).info[SYNC_KEY]
    changed = next(s for s in feed_server.services if len(s["phones"]) >= 1)
    changed.update(name="Renamed service", last_modified="2099-01-01T00:00:00Z")
    dropped_phone = changed["phones"].pop()
    new = copy.deepcopy(feed_server.services[0])
    new.update(
        id="0b6b1d5e-4a43-4a39-9d3c-1f9a3c8e1a01",
        name="Brand new service",
        last_modified="2099-01-01T00:00:00Z",
        phones=[],
        schedules=[],
        service_areas=[],
        languages=[],
        service_at_locations=[],
        attributes=[],
    )
    feed_server.services.append(new)
    feed_server.requests.clear()
    result = sync_feed(feed_server.url, installed_directory, per_page=25)
    assert result.mode == "merged" and result.counts["service"] == 2
    pages = [q for p, q in feed_server.requests if p.startswith("/api/services")]
    assert {q.get("modified_after") for q in pages} == {last}
    store = DirectoryStore.open(installed_directory)
    try:
        assert store.count_services() == len(feed_server.services)
        assert store.get_service(changed["id"]).name == "Renamed service"
        assert store.get_service(new["id"]).name == "Brand new service"
        phone_ids = {r["id"] for r in hsds_rows.read_table(store, "phone")}
        assert dropped_phone["id"] not in phone_ids  # the list that arrived is the whole truth
    finally:
        store.close()
    # the merged directory is exactly what a full pull of the changed feed gives
    assert by_id(exported(installed_directory)) == by_id(feed_server.services)


def test_a_page_failing_midway_changes_nothing(feed_server, installed_directory, capsys):
    before = installed_directory.read_bytes()
    feed_server.fail_page = 3
    with pytest.raises(FeedError, match="HTTP 500"):
        sync_feed(feed_server.url, installed_directory, per_page=10)
    assert installed_directory.read_bytes() == before
    code = main(["import", feed_server.url, "--per-page", "10"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "nothing was changed" in err
    assert installed_directory.read_bytes() == before
    assert not list(installed_directory.parent.glob("*.incoming-*"))


def test_a_slow_feed_times_out_and_changes_nothing(feed_server, installed_directory):
    before = installed_directory.read_bytes()
    feed_server.slow_seconds = 2.0
    started = time.monotonic()
    with pytest.raises(FeedError, match="timed out"):
        sync_feed(feed_server.url, installed_directory, timeout=0.3)
    assert time.monotonic() - started < 1.9
    assert installed_directory.read_bytes() == before


def test_an_unusable_record_in_the_feed_is_skipped_and_listed(feed_server, tmp_path):
    target = tmp_path / "feed-only.db"
    feed_server.full_list = True
    del feed_server.services[5]["name"]
    feed_server.services[6]["status"] = "sort of open"  # repaired: kept as written, shown as unknown
    result = sync_feed(feed_server.url, target, per_page=50)
    assert result.skipped == 1 and result.services == len(feed_server.services) - 1
    assert result.problems[0].path == f"{feed_server.url}/services/{feed_server.services[5]['id']}"
    assert "has no name" in result.problems[0].message
    assert result.repairs["status"] == 1


def test_strict_refuses_the_whole_feed_for_one_bad_record(feed_server, installed_directory):
    before = installed_directory.read_bytes()
    feed_server.full_list = True
    feed_server.services[5]["status"] = "sort of open"
    with pytest.raises(InvalidData) as err:
        sync_feed(feed_server.url, installed_directory, per_page=50, strict=True)
    assert err.value.problems[0].path == f"{feed_server.url}/services/{feed_server.services[5]['id']}.status"
    assert installed_directory.read_bytes() == before


def test_the_system_proxy_is_used(feed_server, installed_directory, monkeypatch):
    # urllib's default opener reads the proxy from the environment (or the OS settings)
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{feed_server.port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    feed_server.full_list = True
    result = sync_feed("http://directory-feed.invalid/api", installed_directory, per_page=50)
    assert result.counts["service"] == len(feed_server.services)
    assert feed_server.requests and all(
        p.startswith("http://directory-feed.invalid/api/") for p, _ in feed_server.requests
    )


def test_cli_import_from_a_feed(feed_server, installed_directory, capsys):
    feed_server.full_list = True
    assert main(["import", feed_server.url + "/services", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "oruk-api" and out["mode"] == "added" and out["kind"] == "feed"
    assert out["counts"]["service"] == len(feed_server.services)
