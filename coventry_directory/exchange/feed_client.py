"""The feed's HTTP client: GET JSON from one API root, within deadlines, redirects kept at home.

Used by the Open Referral sync (``oruk_sync``). Three limits hold whatever the server does:

- **Each request** (connect, any redirects, the headers and the whole body) has ``timeout``
  seconds in total, and **the whole sync** has ``total_timeout`` (:mod:`coventry_directory.deadline`):
  a feed that trickles its answer one byte at a time is cut off at the deadline, where a
  per-read socket timeout would wait for ever.
- **Redirects** are followed only to the same scheme, host and port as the request. A
  redirect elsewhere - another host, another port, or https to http - is refused: the
  directory would otherwise be replaced by whatever that other server says, and a
  downgrade to http would let anyone on the network say it.
- **Size:** no answer may be larger than ``MAX_RESPONSE``.

Requests go through urllib's opener with its ProxyHandler, which honours the system proxy
settings (``https_proxy``..., or the Windows/macOS settings). Every failure is a FeedError
that ends "nothing was changed".
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

from coventry_directory import __version__
from coventry_directory.deadline import Deadline
from coventry_directory.exchange.errors import FeedError

DEFAULT_TIMEOUT = 30.0  # seconds for each request, body included
DEFAULT_TOTAL_TIMEOUT = 3600.0  # seconds for a whole sync: a national feed is thousands of requests
MAX_RESPONSE = 256 << 20  # bytes; no page or service is anywhere near this
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in from the scheme when not given."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number (or out of range)
        port = -1
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


class _RequestDeadline:
    """The deadline of the request in progress, read by the connection classes below."""

    def __init__(self) -> None:
        self.current: Deadline | None = None

    def get(self) -> Deadline:
        if self.current is None:  # only FeedClient.get opens connections, and it sets one
            raise RuntimeError("a feed connection was opened outside a request")
        return self.current


class _HttpConnection(http.client.HTTPConnection):
    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = deadline.connect  # http.client's hook for opening the socket


class _HttpsConnection(http.client.HTTPSConnection):
    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = deadline.connect  # TLS is then set up on the watched socket


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _RequestDeadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):  # urllib's name for it
        def connection(*args, **kwargs):
            return _HttpConnection(*args, deadline=self.deadline.get(), **kwargs)

        return self.do_open(connection, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _RequestDeadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):  # urllib's name for it
        def connection(*args, **kwargs):
            return _HttpsConnection(*args, deadline=self.deadline.get(), **kwargs)

        return self.do_open(connection, req, context=self._context)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme, host and port; refuses any other."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # urllib's hook
        """The request for ``newurl``, or FeedError when it leaves the feed's scheme, host and port."""
        if origin(newurl) != origin(req.full_url):
            fp.close()
            raise FeedError(
                f"{req.full_url} redirected to {newurl}: the feed is read only from its own scheme, host and "
                "port (a redirect to another server, another port or from https to http is refused). Use the "
                "feed's final address if it has moved; nothing was changed"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class FeedClient:
    """GETs JSON from one API root within its deadlines, turning every failure into FeedError."""

    def __init__(self, base: str, timeout: float = DEFAULT_TIMEOUT, total_timeout: float = DEFAULT_TOTAL_TIMEOUT):
        self.base = base
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.sync = Deadline(total_timeout)  # no watchdog of its own: each request's deadline ends by it
        self._request = _RequestDeadline()
        # build_opener puts these in place of its defaults; ProxyHandler() stays: the system proxy.
        self.opener = urllib.request.build_opener(
            _HttpHandler(self._request), _HttpsHandler(self._request), _SameOriginRedirects()
        )

    def _timed_out(self, url: str, whole_sync: bool) -> FeedError:
        if whole_sync:
            return FeedError(
                f"reading the feed {self.base} timed out after {self.total_timeout:g} s; nothing was changed"
            )
        return FeedError(f"{url} timed out after {self.timeout:g} s; nothing was changed")

    def get(self, path: str, params: dict | None = None):
        """The decoded JSON at ``base + path``."""
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        # The sync's time left, when shorter, is this request's limit (and the message says so).
        whole_sync = self.sync.remaining() < self.timeout
        if self.sync.expired:
            raise self._timed_out(url, True)
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": f"coventry-directory/{__version__}"}
        )
        deadline = Deadline(min(self.timeout, self.sync.remaining()))
        self._request.current = deadline
        try:
            with deadline, self.opener.open(request, timeout=self.timeout) as resp:
                body = resp.read(MAX_RESPONSE + 1)
            deadline.check()  # a body cut short by the watchdog is no body
        except FeedError:
            raise
        except Exception as exc:
            if deadline.expired or _is_timeout(exc):
                raise self._timed_out(url, whole_sync) from None
            raise _failure(url, exc) from exc
        finally:
            self._request.current = None
        if len(body) > MAX_RESPONSE:
            raise FeedError(f"{url} sent more than {MAX_RESPONSE >> 20} MB; nothing was changed")
        try:
            return json.loads(body)
        except RecursionError as exc:  # JSON nested deeper than Python can read
            raise FeedError(f"{url} sent JSON nested too deeply to read; nothing was changed") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise FeedError(f"{url} did not send JSON ({exc}); nothing was changed") from exc


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or (
        isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)
    )


def _failure(url: str, exc: Exception) -> FeedError:
    """The FeedError for a request that failed before its deadline."""
    if isinstance(exc, urllib.error.HTTPError):
        return FeedError(f"{url} answered HTTP {exc.code} {exc.reason}; nothing was changed")
    if isinstance(exc, urllib.error.URLError):
        return FeedError(f"cannot reach {url}: {exc.reason}; nothing was changed")
    if isinstance(exc, OSError | http.client.HTTPException):
        return FeedError(f"reading {url} failed: {exc}; nothing was changed")
    return FeedError(f"reading {url} failed ({type(exc).__name__}); nothing was changed")
