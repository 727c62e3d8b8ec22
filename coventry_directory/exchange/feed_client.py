"""The feed's HTTP client: GET JSON from one API root, within deadlines, redirects kept at home.

Used by the Open Referral sync (``oruk_sync``, through :class:`FeedClient`) and the feed puller
(``feed_pull``, through :class:`FeedSession`). Three limits hold whatever the server does:

- **Each request** (connect, any redirects, the headers and the whole body) has ``timeout``
  seconds in total, and **the whole sync** has ``total_timeout`` (:mod:`coventry_directory.deadline`):
  a feed that trickles its answer one byte at a time is cut off at the deadline, where a
  per-read socket timeout would wait for ever.
- **Redirects** are followed only to the same scheme, host and port as the request. A
  redirect elsewhere - another host, another port, or https to http - is refused: the
  directory would otherwise be replaced by whatever that other server says, and a
  downgrade to http would let anyone on the network say it. A session made with
  ``allow_other_hosts`` follows a redirect to another host or port, never to plain http.
- **Size:** no answer may be larger than ``MAX_RESPONSE``.

A :class:`FeedSession` keeps its connections open (one per thread and origin), because a
national feed is thousands of requests and a new TCP and TLS handshake for each would be most
of the time; ``feed_pull`` retries what it answers. :class:`FeedClient` is the sequential
client the sync has always used: a connection per request, any answer but 2xx a FeedError.

Requests honour the system proxy settings (``https_proxy``..., or the Windows/macOS settings,
as urllib reads them). Every failure is a FeedError that ends "nothing was changed".
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import string
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from coventry_directory import __version__
from coventry_directory.deadline import Deadline
from coventry_directory.exchange.errors import FeedError
from coventry_directory.exchange.json_stream import int_or_text

DEFAULT_TIMEOUT = 30.0  # seconds for each request, body included
DEFAULT_TOTAL_TIMEOUT = 3600.0  # seconds for a whole sync: a national feed is thousands of requests
MAX_RESPONSE = 256 << 20  # bytes; no page or service is anywhere near this
MAX_REDIRECTS = 10  # as urllib: more is a loop
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HEADERS = {"Accept": "application/json", "User-Agent": f"coventry-directory/{__version__}"}
_CHUNK = 1 << 16
# A kept-alive connection the server closed while it was idle fails like this on its next use.
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in from the scheme when not given."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number (or out of range)
        port = -1
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


@dataclass(frozen=True)
class Answer:
    """One HTTP answer to a GET of ``url`` (redirects followed): status, reason, headers, the whole body."""

    url: str
    status: int
    reason: str
    headers: Message
    body: bytes
    attempts: int = 1  # more than one when 429 or 503 was retried

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    def error(self) -> FeedError:
        """The FeedError for an answer that is not a success."""
        times = f" {self.attempts} times" if self.attempts > 1 else ""
        return FeedError(f"{self.url} answered HTTP {self.status} {self.reason}{times}; nothing was changed")


def read_json(body: bytes) -> Any:
    """The JSON in ``body``; ValueError when there is none, its text saying why ("did not send JSON (...)")."""
    try:
        # an integer no field could hold is kept as its text, for the repair to leave out
        return json.loads(body, parse_int=int_or_text)
    except RecursionError:  # JSON nested deeper than Python can read
        raise ValueError("sent JSON nested too deeply to read") from None
    except ValueError as exc:  # not UTF-8, or not JSON
        raise ValueError(f"did not send JSON ({exc})") from None


class _Deadline(Deadline):
    """A request's deadline that the session can also end early, when another request has failed."""

    def end_now(self) -> None:
        self._fire()  # the watchdog's own work: shut the request's connections down


class _Unreachable(Exception):
    """The request could not be sent (connecting, TLS, the proxy): urllib's URLError, kept for its words."""

    def __init__(self, reason: OSError):
        super().__init__(reason)
        self.reason = reason


class _HttpConnection(http.client.HTTPConnection):
    def __init__(self, *args, connect, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect  # http.client's hook for opening the socket


class _HttpsConnection(http.client.HTTPSConnection):
    def __init__(self, *args, connect, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect  # TLS is then set up on the watched socket


class _Connection:
    """One connection to one origin (directly or through the proxy), used by one thread at a time."""

    def __init__(
        self, scheme: str, host: str, port: int, proxy: tuple[str, int, dict[str, str]] | None, timeout: float
    ):
        self.deadline: Deadline | None = None
        self.timeout = timeout
        where = (proxy[0], proxy[1]) if proxy else (host, port)
        self.http: http.client.HTTPConnection
        self.extra: dict[str, str] = {}
        self.absolute = False  # a plain-http proxy is asked for the whole URL
        if scheme == "https":
            self.http = _HttpsConnection(*where, timeout=timeout, connect=self._open)
            if proxy:  # CONNECT through the proxy; TLS then runs end to end with the feed
                self.http.set_tunnel(host, port, headers=proxy[2])
        else:
            self.http = _HttpConnection(*where, timeout=timeout, connect=self._open)
            if proxy:
                self.extra, self.absolute = proxy[2], True

    def _open(self, address, timeout=None, source_address=None) -> socket.socket:
        if self.deadline is None:  # only get() opens connections, and it sets one
            raise RuntimeError("a feed connection was opened outside a request")
        try:
            return self.deadline.connect(address, timeout, source_address)
        except TimeoutError:
            raise
        except OSError as exc:
            raise _Unreachable(exc) from exc

    def get(self, url: str, deadline: Deadline, headers: dict[str, str]) -> tuple[int, str, Message, bytes]:
        """GET ``url`` within ``deadline``: status, reason, headers and body (MAX_RESPONSE + 1 bytes at most)."""
        self.deadline = deadline
        parts = urllib.parse.urlsplit(url)
        target = url if self.absolute else urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        while True:
            reused = self.http.sock is not None
            if reused:
                _watch_again(deadline, self.http.sock, self.timeout)
            try:
                try:
                    self.http.request("GET", target, headers={**headers, **self.extra})
                except OSError as exc:
                    if isinstance(exc, TimeoutError) or deadline.expired or (reused and isinstance(exc, _STALE)):
                        raise
                    raise _Unreachable(exc) from exc
                resp = self.http.getresponse()
                body = _read_body(resp)
            except _STALE:
                self.close()
                if reused and not deadline.expired:
                    continue  # the server had closed it while idle: once more, on a new connection
                raise
            except BaseException:
                self.close()
                raise
            if not resp.isclosed():  # too large: the rest unread would be taken for the next answer
                self.close()
            return resp.status, resp.reason, resp.msg, body

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        self.http.close()


def _watch_again(deadline: Deadline, sock: socket.socket, timeout: float) -> None:
    """Put a kept-alive socket under this request's deadline, as a new one is when it connects."""
    sock.settimeout(deadline.per_read(timeout))
    # The watchdog dups what it watches, and a TLS socket cannot be dup'ed: watch a plain
    # socket on a duplicate descriptor instead (shutting any of them down ends the connection).
    probe = socket.fromfd(sock.fileno(), sock.family, sock.type, sock.proto)
    with probe:
        deadline.watch(probe)


def _read_body(resp: http.client.HTTPResponse) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_RESPONSE:
        chunk = resp.read(_CHUNK)  # in pieces: one read of MAX_RESPONSE would allocate it all
        if not chunk:
            if resp.length:  # closed before the end its Content-Length announced (or cut off)
                raise http.client.IncompleteRead(b"".join(chunks), resp.length)
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class FeedSession:
    """GETs from one feed for any number of threads: kept-alive connections, redirects, deadlines.

    ``get`` may be called from several threads at once; each thread gets its own connection
    to each origin. ``stop`` ends every request in progress and refuses new ones (another
    request failed and the result is lost anyway); ``close`` closes the connections once no
    request is running.
    """

    def __init__(
        self,
        base: str,
        timeout: float = DEFAULT_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        *,
        allow_other_hosts: bool = False,
        keep_alive: bool = True,
    ):
        self.base = base
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.allow_other_hosts = allow_other_hosts
        self.keep_alive = keep_alive
        self.headers = _HEADERS if keep_alive else {**_HEADERS, "Connection": "close"}
        self.sync = Deadline(total_timeout)  # no watchdog of its own: each request's deadline ends by it
        self._proxies = urllib.request.getproxies()  # read once, as urllib's ProxyHandler does
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[_Connection] = []
        self._running: set[_Deadline] = set()
        self.stopped = threading.Event()  # set by stop(); a wait between retries ends on it

    def timed_out(self, url: str, whole_sync: bool) -> FeedError:
        """The FeedError for ``url`` running out of its own time, or the sync running out of its."""
        if whole_sync:
            return FeedError(
                f"reading the feed {self.base} timed out after {self.total_timeout:g} s; nothing was changed"
            )
        return FeedError(f"{url} timed out after {self.timeout:g} s; nothing was changed")

    def get(self, url: str) -> Answer:
        """The answer to GET ``url`` (redirects followed), whatever its status; FeedError when there is none."""
        # The sync's time left, when shorter, is this request's limit (and the message says so).
        whole_sync = self.sync.remaining() < self.timeout
        if self.sync.expired:
            raise self.timed_out(url, True)
        deadline = _Deadline(min(self.timeout, self.sync.remaining()))
        with self._lock:
            if self.stopped.is_set():
                raise FeedError(f"{url} was not read: the sync stopped; nothing was changed")
            self._running.add(deadline)
        try:
            with deadline:
                status, reason, headers, body = self._follow(url, deadline)
        except FeedError:
            raise
        except Exception as exc:
            if deadline.expired or _is_timeout(exc):
                raise self.timed_out(url, whole_sync) from None
            raise _failure(url, exc) from exc
        finally:
            with self._lock:
                self._running.discard(deadline)
            if not self.keep_alive:  # nothing is left open between requests
                for conn in self._local.__dict__.get("connections", {}).values():
                    conn.close()
        if len(body) > MAX_RESPONSE:
            raise FeedError(f"{url} sent more than {MAX_RESPONSE >> 20} MB; nothing was changed")
        return Answer(url, status, reason, headers, body)

    def _follow(self, url: str, deadline: Deadline) -> tuple[int, str, Message, bytes]:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, reason, headers, body = self._connection(current).get(current, deadline, self.headers)
            deadline.check()  # a body cut short by the watchdog is no body
            location = headers.get("Location")
            if status not in _REDIRECTS or not location:
                return status, reason, headers, body
            current = self._redirect(current, location)
        raise FeedError(f"{url} redirected more than {MAX_REDIRECTS} times; nothing was changed")

    def _redirect(self, current: str, location: str) -> str:
        # As urllib does: relative to the request, fragment dropped, unsafe characters quoted.
        newurl = urllib.parse.urldefrag(urllib.parse.urljoin(current, location)).url
        newurl = urllib.parse.quote(newurl, encoding="iso-8859-1", safe=string.punctuation)
        here, there = origin(current), origin(newurl)
        if there == here:
            return newurl
        if not self.allow_other_hosts:
            raise FeedError(
                f"{current} redirected to {newurl}: the feed is read only from its own scheme, host and "
                "port (a redirect to another server, another port or from https to http is refused). Use the "
                "feed's final address if it has moved; nothing was changed."
            )
        if there[0] not in _DEFAULT_PORTS or (here[0] == "https" and there[0] != "https"):
            raise FeedError(
                f"{current} redirected to {newurl}: a feed read over https is never followed to another "
                "scheme (anyone on the network could answer plain http); nothing was changed"
            )
        return newurl

    def _connection(self, url: str) -> _Connection:
        scheme, host, port = origin(url)
        if scheme not in _DEFAULT_PORTS or not host or port is None or port <= 0:
            raise FeedError(f"{url} is not an http(s) address with a host; nothing was changed")
        mine: dict[tuple[str, str, int], _Connection] = self._local.__dict__.setdefault("connections", {})
        conn = mine.get((scheme, host, port))
        if conn is None:
            conn = _Connection(scheme, host, port, self._proxy(url, scheme), self.timeout)
            mine[scheme, host, port] = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _proxy(self, url: str, scheme: str) -> tuple[str, int, dict[str, str]] | None:
        """The system proxy for ``url`` (host, port, the headers it needs), or None to connect directly."""
        proxy = self._proxies.get(scheme)
        netloc = urllib.parse.urlsplit(url).netloc.rpartition("@")[2]
        if not proxy or urllib.request.proxy_bypass(netloc):
            return None
        parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
        headers = {}
        if parts.username is not None:
            login = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(login.encode()).decode("ascii")
        return parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 80), headers

    def stop(self) -> None:
        """End every request in progress now, and refuse any more (from any thread)."""
        with self._lock:
            self.stopped.set()
            running = list(self._running)
        for deadline in running:
            deadline.end_now()

    def close(self) -> None:
        """Close every thread's connections; call it once no request is running."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()


class FeedClient:
    """GETs JSON from one API root within its deadlines, turning every failure into FeedError.

    One request at a time, each on a connection of its own, and no retries: an answer that
    is not a success is a FeedError at once.
    """

    def __init__(self, base: str, timeout: float = DEFAULT_TIMEOUT, total_timeout: float = DEFAULT_TOTAL_TIMEOUT):
        self.base = base
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.session = FeedSession(base, timeout, total_timeout, keep_alive=False)
        self.sync = self.session.sync

    def get(self, path: str, params: dict | None = None):
        """The decoded JSON at ``base + path``."""
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        answer = self.session.get(url)
        if not answer.ok:
            raise answer.error()
        try:
            return read_json(answer.body)
        except ValueError as exc:
            raise FeedError(f"{url} {exc}; nothing was changed") from exc


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or (isinstance(exc, _Unreachable) and isinstance(exc.reason, TimeoutError))


def _failure(url: str, exc: Exception) -> FeedError:
    """The FeedError for a request that failed before its deadline."""
    if isinstance(exc, _Unreachable):
        return FeedError(f"cannot reach {url}: {exc.reason}; nothing was changed")
    if isinstance(exc, OSError | http.client.HTTPException):
        return FeedError(f"reading {url} failed: {exc}; nothing was changed")
    return FeedError(f"reading {url} failed ({type(exc).__name__}); nothing was changed")
