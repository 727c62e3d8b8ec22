"""Open Referral (ORUK / HSDS 3.0 API) feeds as sources: ``import https://...`` and ``sources pull``.

A feed is one source of the directory (``sources``). Its first pull takes everything; later
pulls send ``modified_after`` (the start of the last good pull, less an overlap, kept in
the source's own information) and apply the changes to that source alone. A feed that
evidently ignores ``modified_after`` (it sent everything again) is treated as a full
pull, so services it no longer lists are taken out: deletions are detected either way.

The network half - paging, fetching details of services the list gives only in brief,
retries of 429/503 honouring ``Retry-After``, deadlines per request and per pull, redirects
kept at home - is ``feed_pull``'s. Everything is fetched before anything is written, each
service is read on its own (``reading``: a bad record is skipped and listed, not a reason
to refuse the feed), and the source and the directory are swapped in only when complete.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from coventry_directory.exchange.documents import Items
from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.feed_client import DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.importing import ImportResult, check_feed_url, result_of, utc_now
from coventry_directory.exchange.oruk1 import looks_like_oruk1
from coventry_directory.exchange.reading import ReadResult, StoreSink, oruk1_services, read_services
from coventry_directory.exchange.source_changes import put_source
from coventry_directory.exchange.sources import Home, check_name, derive_name, find_source, list_sources

DEFAULT_PER_PAGE = 100
SYNC_OVERLAP_SECONDS = 600
SYNC_KEY = "source_feed_since"  # the source's own record of where its next delta starts


def feed_base(url: str) -> str:
    """The API root of a feed URL (``https://x/api/services`` -> ``https://x/api``)."""
    parts = urllib.parse.urlsplit(url.strip())
    path = parts.path.rstrip("/")
    path = path.removesuffix("/services")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def sync_key(base: str) -> str:
    """The directory_info key a feed's last good pull time was kept under by earlier releases."""
    return f"feed_last_sync:{base}"


def _existing(home: Home, name: str):
    for source in list_sources(home):
        if source.name.casefold() == name.casefold():
            return source
    return None


def sync_feed(
    url: str,
    target: Path,
    *,
    full: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    per_page: int = DEFAULT_PER_PAGE,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    name: str | None = None,
    replace: bool = False,
    strict: bool = False,
    allow_shrink: bool = False,
    shipped: Path | None = None,
    progress=None,
) -> ImportResult:
    """Pull a feed into its source of the directory at ``target`` (whole, or the changes since the last pull).

    ``timeout`` is the most any one request may take, body included; ``total_timeout`` the
    most the whole pull may take. Either running out is a FeedError, nothing changed.
    """
    from coventry_directory.exchange.feed_pull import pull_services

    base = feed_base(check_feed_url(url))  # an address that is not one (http://[::1) is bad input
    home = Home(Path(target), shipped)
    name = check_name(name) if name else derive_name(base)
    existing = _existing(home, name)
    if existing is not None and existing.kind != "feed":
        find_source(home, name)  # exists: say plainly it is not a feed
        from coventry_directory.exchange.sources import SourceError

        raise SourceError(f"the source {existing.name!r} is a {existing.kind}, not a feed; choose another --source")
    # The next delta asks for changes since this moment, less an overlap: a feed whose clock
    # runs a little behind ours must not lose changes, and fetching a few twice is harmless.
    started = utc_now(-SYNC_OVERLAP_SECONDS)
    since = None if (full or replace or existing is None) else existing.info.get(SYNC_KEY)
    pull = pull_services(
        base,
        since=since,
        timeout=timeout,
        total_timeout=total_timeout,
        per_page=per_page,
        known_count=existing.held if existing else None,
        progress=progress,
    )
    delta = since is not None and not pull.ignored_since
    pairs = [(f"{base}/services/{svc.get('id')}", svc) for svc in pull.services]
    items = Items(services=pairs)
    items.warnings = [Problem(base, w) for w in pull.warnings]
    oruk1 = looks_like_oruk1(pull.services[:5])  # most live UK council feeds are still ORUK 1.0

    def read(store):
        if oruk1:
            converted = ReadResult(FlatData())
            items.services = list(oruk1_services(pairs, converted))
        # prepared here, in this process: handing parsed services to worker processes costs
        # more than preparing them (``prepare.prepared``), and a feed's pull is bound by the network
        result = read_services(items, name, strict=strict, progress=progress, sink=None if delta else StoreSink(store))
        if oruk1:
            result.problems = [*converted.problems, *result.problems]
            result.skipped += converted.skipped
            result.repairs.update(converted.repairs)
        result.problems = [*pull.problems, *result.problems]
        result.skipped += len(pull.problems)
        return result

    info = {SYNC_KEY: started, "source_pulled": utc_now(), "publisher": f"Open Referral feed {base}"}
    if pull.root:
        info["source_feed_version"] = str(pull.root.get("version") or "")
    change, read_result = put_source(
        home,
        name,
        "feed",
        base,
        "oruk-api",
        read,
        replace=replace,
        allow_shrink=allow_shrink,
        merge=delta,
        extra_info=info,
        progress=progress,
    )
    result = result_of(change, read_result, base, "oruk1-api" if oruk1 else "oruk-api")
    if delta:
        result.mode = "merged"
    result.notes += pull.warnings
    return result
