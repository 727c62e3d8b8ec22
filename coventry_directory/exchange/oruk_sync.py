"""Open Referral (ORUK / HSDS 3.0 API) feed sync: ``import https://...``.

Reads ``/services`` page by page (``page``, ``per_page``; stops at ``total_pages``), and
fetches ``/services/{id}`` for list items that are not fully nested. The first pull
replaces the directory; later pulls send ``modified_after`` (the start time of the last
good sync of that feed, kept in ``directory_info``) and merge the changes.

Everything is fetched and checked before anything is written, and the write goes to a
staging copy that is swapped in atomically: a time-out, an HTTP error on page 7 or one
invalid record leaves the current directory untouched. Requests go through urllib's
default opener, whose ProxyHandler honours the system proxy settings (``https_proxy``...,
or the Windows/macOS settings).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from coventry_directory import __version__
from coventry_directory.exchange.errors import FeedError, InvalidData, Problem
from coventry_directory.exchange.flatten import Flattener
from coventry_directory.exchange.hsds_schema import relations
from coventry_directory.exchange.importing import ImportResult, utc_now, write_edition
from coventry_directory.exchange.validate import MAX_PROBLEMS, validate_object
from coventry_directory.exchange.writer import edition_of
from coventry_directory.store import database_files

DEFAULT_TIMEOUT = 30.0  # seconds per connection or read
DEFAULT_PER_PAGE = 100
SYNC_OVERLAP_SECONDS = 600
MAX_PAGES = 100_000  # a guard against a feed whose paging never ends
MAX_RESPONSE = 256 << 20  # bytes; no page or service is anywhere near this
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


class FeedClient:
    """GETs JSON from one API root with a time-out, turning every failure into FeedError."""

    def __init__(self, base: str, timeout: float = DEFAULT_TIMEOUT):
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener()  # includes ProxyHandler(): the system proxy

    def get(self, path: str, params: dict | None = None):
        """The decoded JSON at ``base + path``."""
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": f"coventry-directory/{__version__}"}
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as resp:
                body = resp.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            raise FeedError(f"{url} answered HTTP {exc.code} {exc.reason}; nothing was changed") from exc
        except urllib.error.URLError as exc:
            reason = "timed out" if isinstance(exc.reason, TimeoutError) else str(exc.reason)
            raise FeedError(f"cannot reach {url}: {reason}; nothing was changed") from exc
        except TimeoutError as exc:
            raise FeedError(f"{url} timed out after {self.timeout:g} s; nothing was changed") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FeedError(f"reading {url} failed: {exc}; nothing was changed") from exc
        if len(body) > MAX_RESPONSE:
            raise FeedError(f"{url} sent more than {MAX_RESPONSE >> 20} MB; nothing was changed")
        try:
            return json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise FeedError(f"{url} did not send JSON ({exc}); nothing was changed") from exc


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
    url: str, target: Path, *, full: bool = False, timeout: float = DEFAULT_TIMEOUT, per_page: int = DEFAULT_PER_PAGE
) -> ImportResult:
    """Pull a feed into the directory at ``target`` (whole, or a delta after the first pull)."""
    base = feed_base(url)
    target = Path(target)
    # The next delta asks for changes since this moment, less an overlap: a feed whose clock
    # runs a little behind ours must not lose changes, and fetching a few twice is harmless.
    started = utc_now(-SYNC_OVERLAP_SECONDS)
    current = database_files.read_info(target) if target.is_file() else {}
    last = None if full else current.get(sync_key(base))
    mode = "merge" if last else "replace"
    client = FeedClient(base, timeout)
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
