"""Open Referral (ORUK / HSDS 3.0 API) feed sync: ``import https://...``.

Reads ``/services`` page by page (``page``, ``per_page``; stops at ``total_pages``), and
fetches ``/services/{id}`` for list items that are not fully nested. The first pull
replaces the directory; later pulls send ``modified_after`` (the start time of the last
good sync of that feed, kept in ``directory_info``) and merge the changes.

Everything is fetched and checked before anything is written, and the write goes to a
staging copy that is swapped in atomically: a time-out, an HTTP error on page 7 or one
invalid record leaves the current directory untouched. The requests themselves - each
within its own deadline and the whole sync within another, redirects only within the feed's
own scheme, host and port, the system proxy honoured - are ``feed_client``'s.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import FeedError, InvalidData, Problem
from coventry_directory.exchange.feed_client import DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, FeedClient
from coventry_directory.exchange.flatten import Flattener
from coventry_directory.exchange.hsds_schema import relations
from coventry_directory.exchange.importing import ImportResult, check_feed_url, utc_now, write_edition
from coventry_directory.exchange.validate import MAX_PROBLEMS, validate_object
from coventry_directory.exchange.writer import edition_of
from coventry_directory.store import database_files

DEFAULT_PER_PAGE = 100
SYNC_OVERLAP_SECONDS = 600
MAX_PAGES = 100_000  # a guard against a feed whose paging never ends
_NESTED = {rel.prop for rel in relations("service")}


def feed_base(url: str) -> str:
    """The API root of a feed URL (``https://x/api/services`` -> ``https://x/api``)."""
    parts = urllib.parse.urlsplit(url.strip())
    path = parts.path.rstrip("/")
    path = path.removesuffix("/services")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def sync_key(base: str) -> str:
    """The directory_info key holding a feed's last good sync time."""
    return f"feed_last_sync:{base}"


def fetch_services(client: FeedClient, params: dict, per_page: int) -> list[dict]:
    """Every service the feed lists (fully nested), in feed order, without duplicates."""
    services: dict[str, dict] = {}
    page, total = 1, None
    while True:
        body = client.get("/services", {**params, "page": page, "per_page": per_page})
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
            raise FeedError(f"page {page} of {client.base}/services is not an HSDS API page (no 'contents' list)")
        if total is None:
            total = body.get("total_pages") if isinstance(body.get("total_pages"), int) else None
        for item in body["contents"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise FeedError(f"page {page} of {client.base}/services lists an item without an id")
            if clean_text(item["id"]) != item["id"]:  # a lone surrogate: no URL and no database can hold it
                raise FeedError(f"page {page} of {client.base}/services lists an id that is not valid text")
            full = item if _NESTED & item.keys() else client.get("/services/" + urllib.parse.quote(item["id"], safe=""))
            if not isinstance(full, dict):
                raise FeedError(f"{client.base}/services/{item['id']} is not a service object")
            services[item["id"]] = full
        last = body.get("last_page") is True or not body["contents"] or (total is not None and page >= total)
        if last:
            return list(services.values())
        page += 1
        if page > MAX_PAGES:
            raise FeedError(f"{client.base}/services has more than {MAX_PAGES} pages; stopped")


def sync_feed(
    url: str,
    target: Path,
    *,
    full: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    per_page: int = DEFAULT_PER_PAGE,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> ImportResult:
    """Pull a feed into the directory at ``target`` (whole, or a delta after the first pull).

    ``timeout`` is the most any one request may take, body included; ``total_timeout`` the
    most all of them together may take. Either running out is a FeedError, nothing changed.
    """
    base = feed_base(check_feed_url(url))  # an address that is not one (http://[::1) is bad input
    target = Path(target)
    # The next delta asks for changes since this moment, less an overlap: a feed whose clock
    # runs a little behind ours must not lose changes, and fetching a few twice is harmless.
    started = utc_now(-SYNC_OVERLAP_SECONDS)
    current = database_files.read_info(target) if target.is_file() else {}
    last = None if full else current.get(sync_key(base))
    mode = "merge" if last else "replace"
    client = FeedClient(base, timeout, total_timeout)
    services = fetch_services(client, {"modified_after": last} if last else {}, per_page)

    problems: list[Problem] = []
    flattener = Flattener()
    for svc in services:
        where = f"{base}/services/{svc['id']} $"
        problems += validate_object("service", svc, where)
        flattener.add("service", svc, where, {})
        if len(problems) >= MAX_PROBLEMS:
            break
    problems += flattener.data.problems
    if problems:
        raise InvalidData(f"the feed {base}", problems)
    data = flattener.data
    info = {sync_key(base): started, "source": base, "synced_at": started, "publisher": f"Open Referral feed {base}"}
    if mode == "replace":
        info["edition"] = edition_of(data.rows())
    counts = write_edition(target, data, info, mode=mode)
    return ImportResult(base, "oruk-api", mode, counts, {**current, **info} if mode == "merge" else info)
