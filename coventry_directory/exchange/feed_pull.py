"""Reading every service from an Open Referral API feed (HSDS 3.0 / ORUK 3.0): the network half of a sync.

:func:`pull_services` asks the API root what it serves, reads ``/services`` page by page and
fetches ``/services/{id}`` for each list item that is not a whole service, several at once over
kept-alive connections (``feed_client.FeedSession``). It writes nothing: the import checks all
it gives back before anything changes. What ends the pull and what does not:

- **FeedError** (nothing can be trusted): the feed unreachable or out of time, on any request;
  a list page that answers an HTTP error, is not JSON, is not an HSDS page, or only repeats
  earlier pages; a detail answering an HTTP error but 404/410; 429/503 after ``MAX_RETRIES``.
- **a problem** (that item skipped): a list item without a usable id; a detail that answers
  404 or 410, is not JSON, is not an object or is another service.
- **a warning:** an API root missing, not JSON or not HSDS 3.x; an id listed twice;
  ``modified_after`` evidently ignored (``ignored_since``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import threading
import urllib.parse
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import FeedError, Problem
from coventry_directory.exchange.feed_client import Answer, FeedSession, read_json
from coventry_directory.exchange.feed_items import count_of, detail_of, moment, unusable

DEFAULT_PER_PAGE = 100
DEFAULT_WORKERS = 4  # detail requests at once: enough to hide latency, few enough to be a polite client
MAX_PAGES = 100_000  # a guard against a feed whose paging never ends
MAX_RETRIES = 5  # per request, for the answers below
RETRY_STATUSES = frozenset({429, 503})  # "too many requests" and "busy": worth asking again later
BACKOFF_BASE = 1.0  # seconds before the first retry when the server names no time; doubled each time
RETRY_AFTER_CAP = 60.0  # the longest wait honoured; a server asking for hours is asked again sooner
# A list item is a whole service only with the lists a full service has: the official example
# list (service_list.json) nests just the organization, and taking that would lose every phone.
FULL_SERVICE_KEYS = ("service_at_locations", "phones", "schedules")
QUEUED_PER_WORKER = 8  # details waiting per worker: paging runs ahead of them, but not unbounded

Progress = Callable[[str, int, int | None], None]


@dataclass
class FeedPull:
    """What one pull of a feed gave: its services, every id it listed, and what was skipped or odd."""

    base: str  # the API root
    root: dict | None = None  # what GET {base}/ answered, when it answered a JSON object
    services: list[dict] = field(default_factory=list)  # full services, feed order, unique by id (first kept)
    listed_ids: list[str] = field(default_factory=list)  # every id the list pages named, in order, once each
    problems: list[Problem] = field(default_factory=list)  # list items first, then details, each in feed order
    warnings: list[str] = field(default_factory=list)
    ignored_since: bool = False  # a delta request (since=...) evidently returned everything


def retry_after_seconds(value: str | None, date: str | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date); None when it says nothing usable.

    An HTTP date is measured from the answer's own ``Date`` header when it has one, so a
    server whose clock is not ours is still waited for the time it meant.
    """
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    when = moment(value)
    if when is None:
        return None
    now = moment(date or "") or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(attempt: int) -> float:
    """The wait before retry ``attempt`` (0, 1, ...) when the server named none: doubling, with jitter.

    The jitter (up to half as much again) keeps workers that were refused together from all
    asking again at the same moment.
    """
    delay = min(RETRY_AFTER_CAP, BACKOFF_BASE * 2**attempt)
    return min(RETRY_AFTER_CAP, delay * (1 + random.random() / 2))


def get_with_retries(session: FeedSession, url: str) -> Answer:
    """The answer to GET ``url``, asked again after 429 or 503 up to ``MAX_RETRIES`` times.

    The last answer is returned whatever it is. A wait that would pass the session's deadline
    is a FeedError at once, and a wait ends (FeedError) when the session is stopped.
    """
    attempt = 0
    while True:
        answer = session.get(url)
        if answer.status not in RETRY_STATUSES or attempt >= MAX_RETRIES:
            return dataclasses.replace(answer, attempts=attempt + 1)
        asked = retry_after_seconds(answer.headers.get("Retry-After"), answer.headers.get("Date"))
        pause = backoff_seconds(attempt) if asked is None else min(RETRY_AFTER_CAP, asked)
        if pause >= session.sync.remaining():
            raise FeedError(
                f"{url} answered HTTP {answer.status} {answer.reason}; waiting {pause:.3g} s to ask again would "
                f"pass the {session.total_timeout:g} s the feed may take; nothing was changed"
            )
        if session.stopped.wait(pause):
            raise FeedError(f"{url} was not asked again: the sync stopped; nothing was changed")
        attempt += 1


def pull_services(
    base: str,
    *,
    since: str | None = None,
    known_count: int | None = None,
    timeout: float,
    total_timeout: float,
    per_page: int = DEFAULT_PER_PAGE,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
    allow_other_hosts: bool = False,
) -> FeedPull:
    """Every service of the feed at ``base`` (its API root), each a full object; FeedError when the feed fails.

    ``since`` is sent as ``modified_after``. ``known_count`` is how many services the caller
    holds from this feed: a delta that lists that many (and is not shown by its
    ``last_modified`` times to be all new), or lists any service last modified before
    ``since``, evidently ignored the filter - ``ignored_since`` is then set, and the caller
    treats the pull as a full one (services it holds that were not listed are gone).

    ``timeout`` bounds each request, body included; ``total_timeout`` the whole pull.
    ``allow_other_hosts`` lets a redirect go to another host or port (never https to http).

    ``progress(stage, done, total)``: stage "pages" from the calling thread after each list
    page (total: the feed's ``total_pages``, None when it gives none); stage "details" from
    the worker threads after each detail request (total None until the last page is read,
    and then reported once from the calling thread). Calls never overlap (they are made
    under one lock): keep it quick, and post to the GUI thread rather than touch widgets.
    """
    if per_page < 1 or workers < 1:
        raise ValueError("per_page and workers must be at least 1")
    base = base.rstrip("/")
    session = FeedSession(base, timeout, total_timeout, allow_other_hosts=allow_other_hosts)
    puller = _Puller(session, workers, progress)
    try:
        puller.run(since, known_count, per_page)
    except BaseException:
        session.stop()  # the workers' requests end now, not at their own deadlines
        raise
    finally:
        puller.pool.shutdown(wait=True, cancel_futures=True)
        session.close()
    return puller.result


class _Puller:
    """One pull in progress: the root and the pages read in the calling thread, details in the pool."""

    def __init__(self, session: FeedSession, workers: int, progress: Progress | None):
        self.session = session
        self.base = session.base
        self.result = FeedPull(session.base)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed-detail")
        self.slots = threading.Semaphore(workers * QUEUED_PER_WORKER)
        self.entries: list[dict | Future[dict | Problem]] = []  # a whole list item, or its detail to come
        self.seen: set[str] = set()
        self.repeats = 0
        self.total_items: int | None = None
        self.older = self.newer = 0  # listed items last modified before / since ``since``
        self.lock = threading.Lock()  # the first failure, and the progress calls
        self.failure: BaseException | None = None
        self.report = progress
        self.details_done = 0
        self.details_total: int | None = None

    def run(self, since: str | None, known_count: int | None, per_page: int) -> None:
        self._read_root()
        try:
            self._read_pages({} if since is None else {"modified_after": since}, per_page, moment(since))
        except BaseException:
            self._raise_failure()  # a detail failed and stopped the session: that is the cause
            raise
        futures = [entry for entry in self.entries if isinstance(entry, Future)]
        with self.lock:
            self.details_total = len(futures)
            self._tell("details", self.details_done, self.details_total)
        wait(futures)  # each ends by its own deadline, all by the sync's
        self._raise_failure()
        for entry in self.entries:
            got = entry.result() if isinstance(entry, Future) else entry
            if isinstance(got, Problem):
                self.result.problems.append(got)
            else:
                self.result.services.append(got)
        self.entries = []
        if self.repeats:
            self.result.warnings.append(
                f"{self.repeats} service{'s were' if self.repeats != 1 else ' was'} listed more than once "
                "(the first kept): the feed's order may have changed while it was read"
            )
        if since is not None:
            self._judge_since(since, known_count)

    def _tell(self, stage: str, done: int, total: int | None) -> None:
        if self.report is not None:
            self.report(stage, done, total)

    def _raise_failure(self) -> None:
        with self.lock:
            failure = self.failure
        if failure is not None:
            raise failure

    # --- the root ---------------------------------------------------------------------------
    def _read_root(self) -> None:
        url, warn = self.base + "/", self.result.warnings.append
        answer = get_with_retries(self.session, url)
        try:
            root = read_json(answer.body) if answer.ok else None
            why = None if answer.ok else f"answered HTTP {answer.status} {answer.reason}"
        except ValueError as exc:
            root, why = None, str(exc)
        if why is None and not isinstance(root, dict):
            why = "is not a JSON object"
        if why is not None or not isinstance(root, dict):
            warn(f"the API root {url} {why}, so the version of HSDS it serves is not known")
            return
        self.result.root = root
        version = root.get("version")
        major = re.search(r"\d+", version) if isinstance(version, str) else None
        if not isinstance(version, str):
            warn(f"the API root {url} does not say which version of HSDS it serves")
        elif major is None or int(major.group()) != 3:
            warn(
                f"the API root {url} says version {clean_text(version)!r}, not HSDS 3.x: its services may not read as HSDS 3.0"
            )

    # --- the list pages ---------------------------------------------------------------------
    def _read_pages(self, params: dict, per_page: int, since_at: dt.datetime | None) -> None:
        page, total_pages = 1, None
        previous: int | None = None
        while True:
            url = f"{self.base}/services?" + urllib.parse.urlencode({**params, "page": page, "per_page": per_page})
            body = self._page(url, page)
            if page == 1:
                # ORUK 1.0 pages say totalPages / totalElements / last (Spring's names)
                total_pages = count_of(body.get("total_pages", body.get("totalPages")))
                self.total_items = count_of(body.get("total_items", body.get("totalElements")))
            contents = body["contents"]
            ended = body.get("last_page") is True or body.get("last") is True
            last = ended or not contents or (total_pages is not None and page >= total_pages)
            del body  # only the items go on; incomplete ones only until their details are asked for
            # the same page again (a feed that ignores ``page`` and whose items are all unusable,
            # so no id repeats): without this it would be asked for page after page
            fingerprint = hash(json.dumps(contents, sort_keys=True, default=str))
            if page > 1 and fingerprint == previous:
                raise FeedError(
                    f"page {page} of {self.base}/services is the same as page {page - 1}: the feed seems to "
                    "ignore the page parameter; nothing was changed"
                )
            previous = fingerprint
            new, repeated = self._take(contents, page, since_at)
            del contents
            if page > 1 and repeated and not new:
                raise FeedError(
                    f"page {page} of {self.base}/services lists only services that earlier pages listed: the feed "
                    "seems to ignore the page parameter; nothing was changed"
                )
            with self.lock:
                self._tell("pages", page, total_pages)
            if last:
                return
            page += 1
            if page > MAX_PAGES:
                raise FeedError(f"{self.base}/services has more than {MAX_PAGES} pages; stopped; nothing was changed")

    def _page(self, url: str, page: int) -> dict:
        answer = get_with_retries(self.session, url)
        if not answer.ok:
            raise answer.error()
        try:
            body = read_json(answer.body)
        except ValueError as exc:
            raise FeedError(f"{url} {exc}; nothing was changed") from exc
        if isinstance(body, dict) and "contents" not in body and isinstance(body.get("content"), list):
            body["contents"] = body.pop("content")  # an ORUK 1.0 page
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
            raise FeedError(
                f"page {page} of {self.base}/services is not an HSDS API page (no 'contents' list); nothing was changed"
            )
        return body

    def _take(self, contents: list, page: int, since_at: dt.datetime | None) -> tuple[int, int]:
        """Queue each item of a page (kept whole, or its details asked for): how many were new, how many repeats."""
        new = repeated = 0
        for index, item in enumerate(contents):
            why = unusable(item)
            if why:
                self.result.problems.append(Problem(f"{self.base}/services?page={page} contents[{index}]", why))
                continue
            sid = item["id"]
            if sid in self.seen:
                repeated += 1
                continue
            new += 1
            self.seen.add(sid)
            self.result.listed_ids.append(sid)
            when = moment(item.get("last_modified")) if since_at is not None else None
            if when is not None and since_at is not None:
                self.older, self.newer = self.older + (when < since_at), self.newer + (when >= since_at)
            whole = all(isinstance(item.get(key), list) for key in FULL_SERVICE_KEYS)
            self.entries.append(item if whole else self._submit(sid))
        self.repeats += repeated
        return new, repeated

    def _judge_since(self, since: str, known_count: int | None) -> None:
        listed = len(self.result.listed_ids)
        if self.older:
            self.result.ignored_since = True
            self.result.warnings.append(
                f"modified_after looks ignored: {self.older} of the {listed} services that came back were last "
                f"modified before {clean_text(since)}"
            )
            return
        total = self.total_items if self.total_items is not None else listed
        all_new = listed > 0 and self.newer == listed  # every one shows it changed: an honoured filter
        if known_count and total == known_count and not all_new:
            self.result.ignored_since = True
            self.result.warnings.append(f"modified_after looks ignored: {total} of {known_count} services came back")

    # --- the details ------------------------------------------------------------------------
    def _submit(self, sid: str) -> Future[dict | Problem]:
        self.slots.acquire()  # freed as each detail ends (or fails, or is cancelled)
        self._raise_failure()
        future = self.pool.submit(self._detail, sid)
        future.add_done_callback(self._finished)
        return future

    def _detail(self, sid: str) -> dict | Problem:
        url = f"{self.base}/services/{urllib.parse.quote(sid, safe='')}"
        got = detail_of(url, sid, get_with_retries(self.session, url))
        with self.lock:
            self.details_done += 1
            self._tell("details", self.details_done, self.details_total)
        return got

    def _finished(self, future: Future[dict | Problem]) -> None:
        self.slots.release()
        failure = None if future.cancelled() else future.exception()
        if failure is None:
            return
        with self.lock:
            first = self.failure is None
            if first:
                self.failure = failure
        if first:
            self.session.stop()  # the pull has failed: end the other requests now
