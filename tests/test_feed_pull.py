"""The feed puller against a real HSDS 3.0 API feed on loopback (``feed_server``).

The feed serves the official HSDS 3.0 examples (tests/data/hsds3_examples): list items that
nest only their organization, and the full service behind each, ten copies under their own
ids, four to a page. The server can refuse (429, 503), trickle, redirect or answer over TLS,
and records every request and connection. Retries wait ``BACKOFF_BASE`` (shortened here).
"""
# ruff: noqa: F811 - pytest fixtures imported from the support modules are parameters here

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
from feed_server import DROP, Feed, redirector, serving  # noqa: F401 - fixture
from test_referral_support import tls_ca  # noqa: F401 - fixture

from coventry_directory.exchange import feed_pull
from coventry_directory.exchange.errors import FeedError, Problem
from coventry_directory.exchange.feed_pull import pull_services, retry_after_seconds

EXAMPLES = Path(__file__).parent / "data" / "hsds3_examples"
LIST_ITEM = json.loads((EXAMPLES / "service_list.json").read_text(encoding="utf-8"))["contents"][0]
FULL = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
# What the ORUK 3.0 API root answers (the ORUK validator's mock, V3.0-UK-Test/api_details.json).
ORUK_ROOT = {
    "version": "HSDS-UK-3.0",
    "profile": "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
    "openapi_url": "https://docs.openreferraluk.org/en/latest/openapi30.json",
}
WITHIN = 4.0  # seconds past a deadline: room for a busy machine, far below what waiting for ever takes


def make_services(count: int = 10) -> list[dict]:
    made = []
    for n in range(count):
        svc = copy.deepcopy(FULL)
        svc.update(id=f"{FULL['id'][:-2]}{n:02d}", name=f"{FULL['name']} {n}")
        made.append(svc)
    return made


def list_item(svc: dict) -> dict:
    """The official list item, standing for ``svc``: only its organization (and program) nested."""
    return {**copy.deepcopy(LIST_ITEM), "id": svc["id"], "name": svc["name"], "last_modified": svc["last_modified"]}


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(feed_pull, "BACKOFF_BASE", 0.02)


@pytest.fixture
def feed():
    served = Feed(make_services(), root=ORUK_ROOT)
    served.list_item = list_item
    with serving(served):
        yield served


def pull(feed, **options):
    options = {"timeout": 5.0, "total_timeout": 20.0, "per_page": 4, **options}
    return pull_services(options.pop("base", feed.url), **options)


def test_the_example_list_item_is_not_a_whole_service():
    assert "organization" in LIST_ITEM and not {"phones", "schedules", "service_at_locations"} & LIST_ITEM.keys()
    assert FULL["id"] == LIST_ITEM["id"] and FULL["phones"] and FULL["schedules"] and FULL["service_at_locations"]


def test_a_paged_feed_waits_out_a_429_and_fetches_every_detail(feed):
    feed.script("page 2", (429, {"Retry-After": "1"}, {"error": "slow down"}))
    calls = []
    result = pull(feed, progress=lambda *call: calls.append(call))
    assert result.services == feed.services  # whole, in feed order
    assert result.listed_ids == [s["id"] for s in feed.services]
    assert (result.problems, result.warnings, result.ignored_since) == ([], [], False)
    assert result.root == ORUK_ROOT and result.base == feed.url
    refused, answered = feed.asked("page 2")
    assert answered - refused >= 0.95  # Retry-After honoured
    assert [len(feed.asked(f"page {n}")) for n in (1, 2, 3, 4)] == [1, 2, 1, 0]  # stopped at total_pages
    assert all(len(feed.asked(f"detail {s['id']}")) == 1 for s in feed.services)
    assert [c for c in calls if c[0] == "pages"] == [("pages", 1, 3), ("pages", 2, 3), ("pages", 3, 3)]
    details = [c for c in calls if c[0] == "details"]
    assert details[-1] == ("details", 10, 10)
    assert [done for _, done, _ in details] == sorted(done for _, done, _ in details)


def test_a_503_is_asked_again_after_a_backoff(feed):
    busy = feed.services[3]["id"]
    feed.script(f"detail {busy}", (503, {}, {"error": "busy"}))
    result = pull(feed)
    assert result.services == feed.services and result.problems == []
    assert len(feed.asked(f"detail {busy}")) == 2


def test_a_429_for_ever_fails_within_the_deadline(feed):
    feed.script("page 1", (429, {"Retry-After": "1"}, {}), forever=True)
    started = time.monotonic()
    with pytest.raises(FeedError, match="HTTP 429 Too Many Requests") as err:
        pull(feed, total_timeout=2.5)
    assert time.monotonic() - started < 2.5 + WITHIN
    assert "pass the 2.5 s" in str(err.value) and "nothing was changed" in str(err.value)
    assert 2 <= len(feed.asked("page 1")) <= 3


def test_a_feed_busy_for_ever_is_given_up_after_five_retries(feed):
    feed.script("page 1", (503, {}, {}), forever=True)
    with pytest.raises(FeedError, match="answered HTTP 503 Service Unavailable 6 times; nothing was changed"):
        pull(feed)
    assert len(feed.asked("page 1")) == 6


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_trickling_detail_is_cut_off_at_the_request_timeout(tls, tls_ca, monkeypatch):
    served = Feed(make_services(), root=ORUK_ROOT)
    served.list_item = list_item
    served.trickle = {served.services[-1]["id"]}  # by then each worker's connection has been reused
    context = None
    if tls:
        _ca, pem, server_context = tls_ca
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))  # the default https context trusts the test CA
        context = server_context()
    with serving(served, context):
        started = time.monotonic()
        with pytest.raises(FeedError, match="timed out after 1 s; nothing was changed") as err:
            pull(served, timeout=1.0, workers=2)
        took = time.monotonic() - started
    assert took < 1.0 + WITHIN
    assert str(err.value).startswith(f"{served.url}/services/{served.services[-1]['id']} ")
    assert served.connections < len(served.requests)


def test_an_item_without_a_usable_id_is_a_problem_and_the_rest_are_taken(feed):
    def item(svc):
        got = list_item(svc)
        if svc is feed.services[1]:
            del got["id"]
        if svc is feed.services[6]:
            got["id"] = 4.2  # a whole number is an ORUK 1.0 id (made text); a fraction is no id
        return got

    feed.list_item = item
    result = pull(feed)
    kept = [s for n, s in enumerate(feed.services) if n not in (1, 6)]
    assert result.services == kept and result.listed_ids == [s["id"] for s in kept]
    assert result.problems == [
        Problem(f"{feed.url}/services?page=1 contents[1]", "has no id"),
        Problem(f"{feed.url}/services?page=2 contents[2]", "has an id that is not text (JSON a number)"),
    ]


def test_a_whole_number_id_is_taken_as_text(feed):
    """ORUK 1.0 feeds number their services: 1502 is the id "1502"."""
    feed.full_list = True
    number = feed.services[3]["id"]
    feed.services[3] = {**feed.services[3], "id": 1502}
    feed.script("detail 1502", (200, {}, {**feed.services[3], "id": "1502"}))
    result = pull(feed)
    assert "1502" in result.listed_ids and number not in result.listed_ids
    assert result.problems == []


def test_a_detail_that_is_gone_or_not_a_service_is_a_problem(feed):
    gone, odd = feed.services[4]["id"], feed.services[7]["id"]
    feed.script(f"detail {gone}", (404, {}, {"error": "no such service"}))
    feed.script(f"detail {odd}", (200, {}, ["not", "a", "service"]))
    result = pull(feed)
    assert result.listed_ids == [s["id"] for s in feed.services]  # the list named them all
    assert [s["id"] for s in result.services] == [s["id"] for s in feed.services if s["id"] not in (gone, odd)]
    assert result.problems == [
        Problem(f"{feed.url}/services/{gone}", "answered HTTP 404 Not Found: the service is listed but cannot be read"),
        Problem(f"{feed.url}/services/{odd}", "is not a service object (it is JSON an array)"),
    ]


def test_a_detail_answering_a_server_error_fails_the_pull(feed):
    feed.script(f"detail {feed.services[2]['id']}", (500, {}, {"error": "database went away"}))
    with pytest.raises(FeedError, match="answered HTTP 500 Internal Server Error; nothing was changed"):
        pull(feed)


def test_a_detail_the_server_drops_fails_the_pull_after_one_fresh_try(feed):
    dropped = feed.services[5]["id"]
    feed.script(f"detail {dropped}", DROP, forever=True)
    with pytest.raises(FeedError, match=f"reading {feed.url}/services/{dropped} failed: Remote end closed"):
        pull(feed, workers=1)
    # the worker's kept-alive connection may have been closed while idle: one more try, on a new one
    assert len(feed.asked(f"detail {dropped}")) == 2


def test_the_api_root_is_recorded_and_a_missing_or_older_one_is_only_a_warning(feed):
    assert pull(feed).root == ORUK_ROOT
    feed.root = None
    missing = pull(feed)
    assert missing.root is None and missing.services == feed.services
    assert missing.warnings == [
        f"the API root {feed.url}/ answered HTTP 404 Not Found, so the version of HSDS it serves is not known"
    ]
    feed.root = {"version": "HSDS-UK-1.0"}
    older = pull(feed)
    assert older.root == {"version": "HSDS-UK-1.0"} and older.services == feed.services
    assert len(older.warnings) == 1 and "says version 'HSDS-UK-1.0', not HSDS 3.x" in older.warnings[0]
    feed.script("root", (200, {}, b"<html>Welcome</html>"))
    assert "did not send JSON" in pull(feed).warnings[0]


def test_a_page_that_is_not_a_page_fails_the_pull(feed):
    feed.script("page 2", (200, {}, {"services": []}))
    with pytest.raises(FeedError, match="page 2 of .* is not an HSDS API page"):
        pull(feed)


def test_a_feed_that_ignores_the_page_parameter_fails_the_pull(feed):
    first = feed.page({"page": 1, "per_page": 4})[1]
    feed.script("page 2", (200, {}, first))
    with pytest.raises(FeedError, match="seems to ignore the page parameter"):
        pull(feed)


def test_a_service_listed_twice_is_taken_once(feed):
    def item(svc):
        return list_item(feed.services[2] if svc is feed.services[5] else svc)

    feed.list_item = item
    result = pull(feed)
    assert result.listed_ids == [s["id"] for n, s in enumerate(feed.services) if n != 5]
    assert result.services == [s for n, s in enumerate(feed.services) if n != 5]
    assert len(feed.asked(f"detail {feed.services[2]['id']}")) == 1
    assert result.warnings == [
        "1 service was listed more than once (the first kept): the feed's order may have changed while it was read"
    ]


def test_a_delta_is_asked_with_modified_after(feed):
    for svc in feed.services[:3]:
        svc["last_modified"] = "2025-02-01T00:00:00Z"
    result = pull(feed, since="2025-01-01T00:00:00Z", known_count=10)
    assert result.services == feed.services[:3] and not result.ignored_since and result.warnings == []
    pages = [q for path, q in feed.requests if "/services?" in path]
    assert pages and all(q["modified_after"] == "2025-01-01T00:00:00Z" for q in pages)


def test_a_delta_as_large_as_the_directory_is_not_ignored_when_every_service_changed(feed):
    for svc in feed.services:
        svc["last_modified"] = "2025-02-01T00:00:00Z"
    result = pull(feed, since="2025-01-01T00:00:00Z", known_count=10)
    assert len(result.services) == 10 and not result.ignored_since


def test_modified_after_ignored_is_seen_in_the_last_modified_times(feed):
    feed.honour_modified_after = False
    result = pull(feed, since="2025-01-01T00:00:00Z", known_count=25)  # the count alone would not show it
    assert result.ignored_since and result.services == feed.services
    assert result.warnings == [
        "modified_after looks ignored: 10 of the 10 services that came back were last modified before "
        "2025-01-01T00:00:00Z"
    ]


def test_modified_after_ignored_is_seen_in_the_count(feed):
    feed.honour_modified_after = False
    feed.list_item = lambda svc: {k: v for k, v in list_item(svc).items() if k != "last_modified"}
    result = pull(feed, since="2025-01-01T00:00:00Z", known_count=10)
    assert result.ignored_since and result.warnings == ["modified_after looks ignored: 10 of 10 services came back"]
    assert not pull(feed, since="2025-01-01T00:00:00Z", known_count=11).ignored_since
    assert not pull(feed).ignored_since  # a full pull is never a delta


def test_a_redirect_to_another_port_is_refused_unless_other_hosts_are_allowed(redirector, feed):
    moved = redirector(lambda path: f"http://127.0.0.1:{feed.port}{path}")
    with pytest.raises(FeedError, match="redirected to .* nothing was changed"):
        pull(feed, base=f"http://127.0.0.1:{moved.port}/api")
    assert moved.requests and feed.requests == []  # the other server was never asked
    result = pull(feed, base=f"http://127.0.0.1:{moved.port}/api", allow_other_hosts=True)
    assert result.services == feed.services and result.root == ORUK_ROOT


def test_https_is_never_followed_to_http_even_with_other_hosts_allowed(redirector, feed, tls_ca, monkeypatch):
    _ca, pem, server_context = tls_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    down = redirector(lambda path: f"http://127.0.0.1:{feed.port}{path}", context=server_context())
    with pytest.raises(FeedError, match="never followed to another scheme"):
        pull(feed, base=f"https://127.0.0.1:{down.port}/api", allow_other_hosts=True)
    assert down.requests and feed.requests == []


def test_details_are_fetched_in_parallel_over_reused_connections(feed):
    feed.detail_seconds = 0.1
    result = pull(feed, workers=4)
    assert result.services == feed.services
    assert feed.most_at_once["detail"] > 1  # detail requests overlapped
    assert len(feed.requests) == 1 + 3 + 10  # the root, three pages, ten details
    assert feed.connections <= 1 + 4  # the calling thread's and one per worker, each kept alive


def test_retry_after_is_seconds_or_an_http_date():
    assert retry_after_seconds("120") == 120.0
    # an HTTP date counts from the answer's own Date, whatever our clock says
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:27:30 GMT") == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:29:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
