"""ORUK / HSDS API feed sync against a real HTTP server on loopback.

The feed serves our own directory's services (as any HSDS 3.0 publisher would), pages
them, and can fail a page, answer slowly, or act as the system proxy.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from coventry_directory.cli import main
from coventry_directory.exchange.errors import FeedError, InvalidData
from coventry_directory.exchange.hsds_json import dumps
from coventry_directory.exchange.nest import nested_services
from coventry_directory.exchange.oruk_sync import feed_base, sync_feed, sync_key
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.directory import DirectoryStore

ONE_TO_ONE = ("id", "name", "description", "status", "organization_id", "last_modified")


class Feed:
    """What the loopback server serves, and what it was asked."""

    def __init__(self, services: list[dict]):
        self.services = services
        self.full_list = False  # list items fully nested, or one-to-one fields only
        self.fail_page: int | None = None
        self.slow_seconds = 0.0
        self.requests: list[tuple[str, dict]] = []

    def page(self, query: dict) -> tuple[int, dict]:
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
        if page == self.fail_page:
            return 500, {"error": "database went away"}
        chosen = [s for s in self.services if s.get("last_modified", "") >= query.get("modified_after", "")]
        total_pages = max(1, -(-len(chosen) // per_page))
        items = chosen[(page - 1) * per_page : page * per_page]
        if not self.full_list:
            items = [{k: s[k] for k in ONE_TO_ONE if k in s} for s in items]
        return 200, {
            "total_items": len(chosen),
            "total_pages": total_pages,
            "page_number": page,
            "size": len(items),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not items,
            "contents": items,
        }


@pytest.fixture
def feed_server(directory_store):
    services = nested_services(directory_store)
    for svc in services:
        svc["last_modified"] = "2025-01-01T00:00:00Z"
    feed = Feed(services)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def do_GET(self):
            parts = urllib.parse.urlsplit(self.path)  # an absolute URL when we are the proxy
            query = dict(urllib.parse.parse_qsl(parts.query))
            feed.requests.append((self.path, query))
            if feed.slow_seconds:
                time.sleep(feed.slow_seconds)
            if parts.path.endswith("/services"):
                status, body = feed.page(query)
            else:
                sid = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
                match = [s for s in feed.services if s["id"] == sid]
                status, body = (200, match[0]) if match else (404, {"error": "no such service"})
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the time-out test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    feed.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    feed.port = server.server_address[1]
    yield feed
    server.shutdown()
    server.server_close()


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


def test_first_pull_pages_through_and_fetches_each_service(feed_server, installed_directory):
    result = sync_feed(feed_server.url, installed_directory, per_page=10)
    assert result.mode == "replace" and result.counts["service"] == len(feed_server.services)
    pages = [q for p, q in feed_server.requests if p.startswith("/api/services?")]
    assert [int(q["page"]) for q in pages] == list(range(1, len(pages) + 1)) and len(pages) == 10
    assert all("modified_after" not in q for q in pages)
    singles = [p for p, _ in feed_server.requests if p.startswith("/api/services/")]
    assert len(singles) == len(feed_server.services)  # list items were not full
    assert exported(installed_directory) == json.loads(json.dumps(feed_server.services))  # same order too
    info = database_files.read_info(installed_directory)
    assert info[sync_key(feed_server.url)] and info["source"] == feed_server.url


def test_later_pulls_ask_only_for_changes_and_merge_them(feed_server, installed_directory):
    feed_server.full_list = True
    sync_feed(feed_server.url, installed_directory, per_page=25)
    last = database_files.read_info(installed_directory)[sync_key(feed_server.url)]
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
    assert result.mode == "merge" and result.counts["service"] == 2
    assert {q.get("modified_after") for _, q in feed_server.requests} == {last}
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


def test_an_invalid_record_in_the_feed_is_reported_and_changes_nothing(feed_server, installed_directory):
    before = installed_directory.read_bytes()
    feed_server.full_list = True
    feed_server.services[5]["status"] = "sort of open"
    with pytest.raises(InvalidData) as err:
        sync_feed(feed_server.url, installed_directory, per_page=50)
    assert err.value.problems[0].path == f"{feed_server.url}/services/{feed_server.services[5]['id']} $.status"
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
        p.startswith("http://directory-feed.invalid/api/services") for p, _ in feed_server.requests
    )


def test_cli_import_from_a_feed(feed_server, installed_directory, capsys):
    feed_server.full_list = True
    assert main(["import", feed_server.url + "/services", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "oruk-api" and out["mode"] == "replace"
    assert out["counts"]["service"] == len(feed_server.services)
