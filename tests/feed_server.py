"""Loopback servers for the feed tests: an HSDS 3.0 API feed, a trickler and a redirector.

Imported by the feed test modules (pytest also collects it; it has no tests). Each server
binds 127.0.0.1 on a free port, runs in daemon threads and records what it was asked.

- :class:`Feed` (served by :func:`serving`): ``/services`` pages, ``/services/{id}`` and the
  API root, over HTTP/1.1 keep-alive as real feeds answer. It counts the connections it
  accepts and the most requests it was answering at once, and can answer slowly, trickle,
  or give scripted answers (429, 503, 404...) before its own.
- :class:`Trickler`: a raw socket server that writes its answer one byte at a time.
- :class:`Redirector`: an HTTP(S) server that redirects every request.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

ONE_TO_ONE = ("id", "name", "description", "status", "organization_id", "last_modified")
POLL = 0.05  # seconds between the servers' checks for shutdown: each test waits for one at its end
Reply = tuple[int, dict, Any]  # status, headers, body (JSON, or bytes sent as they are)
DROP: Reply = (0, {}, None)  # close the connection without answering


def one_to_one(service: dict) -> dict:
    """A service as a list page may give it in brief: its one-to-one fields only."""
    return {k: service[k] for k in ONE_TO_ONE if k in service}


class Feed:
    """What a loopback HSDS 3.0 API feed serves, and what it was asked.

    ``services`` are the full services (``/services/{id}``); the list pages give each as
    ``list_item(service)``, or whole when ``full_list``. ``script(key, reply...)`` answers
    requests with ``key`` - "root", "page 2", "detail {id}" - with those replies first.
    """

    def __init__(self, services: list[dict], *, root: dict | None = None):
        self.services = services
        self.root = root  # what GET {prefix}/ answers; 404 when None
        self.full_list = False
        self.list_item: Callable[[dict], dict] = one_to_one
        self.honour_modified_after = True
        self.fail_page: int | None = None
        self.slow_seconds = 0.0  # before every answer
        self.detail_seconds = 0.0  # before each detail's answer
        self.trickle: set[str] = set()  # ids whose detail trickles, a byte at a time, for ever
        self.replies: dict[str, Iterator[Reply]] = {}
        self.requests: list[tuple[str, dict]] = []
        self.times: list[float] = []  # time.monotonic() of each request, as ``requests``
        self.lock = threading.Lock()
        self.connections = 0
        self.active: dict[str, int] = {}  # requests being answered now, by kind: root, page, detail
        self.most_at_once: dict[str, int] = {}  # the most of each kind answered at one moment
        self.stop = threading.Event()
        self.url = ""
        self.port = 0

    def script(self, key: str, *replies: Reply, forever: bool = False) -> None:
        """Answer requests with ``key`` with ``replies`` first (or with the one reply, for ever)."""
        self.replies[key] = itertools.repeat(replies[0]) if forever else iter(replies)

    def asked(self, key: str) -> list[float]:
        """When the requests with ``key`` came (monotonic seconds)."""
        with self.lock:
            return [t for (path, query), t in zip(self.requests, self.times, strict=True) if _key(path) == key]

    def page(self, query: dict) -> tuple[int, dict]:
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
        if page == self.fail_page:
            return 500, {"error": "database went away"}
        since = query.get("modified_after", "") if self.honour_modified_after else ""
        chosen = [s for s in self.services if s.get("last_modified", "") >= since]
        total_pages = max(1, -(-len(chosen) // per_page))
        items = chosen[(page - 1) * per_page : page * per_page]
        if not self.full_list:
            items = [self.list_item(s) for s in items]
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

    def answer(self, path: str, query: dict) -> Reply:
        key = _key(path, query)
        scripted = next(self.replies.get(key, iter(())), None)
        if scripted is not None:
            return scripted
        if key == "root":
            return (200, {}, self.root) if self.root is not None else (404, {}, {"error": "no API root here"})
        if key.startswith("page "):
            status, body = self.page(query)
            return status, {}, body
        sid = key.removeprefix("detail ")
        if self.detail_seconds:
            time.sleep(self.detail_seconds)
        match = [s for s in self.services if s["id"] == sid]
        return (200, {}, match[0]) if match else (404, {}, {"error": "no such service"})


def _key(path: str, query: dict | None = None) -> str:
    parts = urllib.parse.urlsplit(path)  # an absolute URL when the server is the proxy
    if parts.path.endswith("/services"):
        query = query if query is not None else dict(urllib.parse.parse_qsl(parts.query))
        return f"page {query.get('page', 1)}"
    if parts.path.endswith("/"):
        return "root"
    return "detail " + urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])


def _feed_handler(feed: Feed) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real feeds: a client may reuse the connection

        def log_message(self, *args):  # keep the test output clean
            pass

        def setup(self):
            super().setup()
            with feed.lock:
                feed.connections += 1

        def do_GET(self):
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            key = _key(self.path, query)
            kind = key.split(" ")[0]
            with feed.lock:
                feed.requests.append((self.path, query))
                feed.times.append(time.monotonic())
                feed.active[kind] = feed.active.get(kind, 0) + 1
                feed.most_at_once[kind] = max(feed.most_at_once.get(kind, 0), feed.active[kind])
            try:
                if feed.slow_seconds:
                    time.sleep(feed.slow_seconds)
                if key.startswith("detail ") and key.removeprefix("detail ") in feed.trickle:
                    self._trickle()
                elif (reply := feed.answer(parts.path, query)) is DROP:
                    self.close_connection = True
                else:
                    self._send(*reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (the time-out tests)
            finally:
                with feed.lock:
                    feed.active[kind] -= 1

        def _send(self, status: int, headers: dict, body: Any) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _trickle(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"{")
            while not feed.stop.wait(0.1):
                self.wfile.write(b" ")
                self.wfile.flush()
            self.close_connection = True

    return Handler


@contextlib.contextmanager
def serving(feed: Feed, context: ssl.SSLContext | None = None) -> Iterator[Feed]:
    """Serve ``feed`` on loopback (over TLS with a server ``context``); ``feed.url`` is its API root."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _feed_handler(feed))
    server.daemon_threads = True
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True).start()
    feed.port = server.server_address[1]
    feed.url = f"{'https' if context else 'http'}://127.0.0.1:{feed.port}/api"
    try:
        yield feed
    finally:
        feed.stop.set()
        server.shutdown()
        server.server_close()


class Trickler:
    """Accepts connections, writes ``head`` at once, then ``payload`` one byte every ``interval`` seconds, for ever.

    ``tls``: a server context; the bytes then trickle inside TLS (after a normal handshake).
    ``wait_for_request``: read the client's request first (HTTP) before answering.
    """

    def __init__(
        self, payload: bytes, *, head=b"", interval=0.3, tls: ssl.SSLContext | None = None, wait_for_request=False
    ):
        self.payload, self.head, self.interval = payload, head, interval
        self.tls, self.wait_for_request = tls, wait_for_request
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        with contextlib.suppress(OSError):
            conn.settimeout(30)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            if self.wait_for_request:
                conn.recv(65536)
            conn.sendall(self.head)
            data = self.payload + b"x" * 100_000
            for i in range(len(data)):
                if self.stop.is_set():
                    break
                conn.sendall(data[i : i + 1])
                time.sleep(self.interval)
        with contextlib.suppress(OSError):
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.fixture
def trickler():
    """Start :class:`Trickler` servers: ``trickler(payload, ...)``; all closed after the test."""
    made = []

    def start(*args, **kwargs):
        server = Trickler(*args, **kwargs)
        made.append(server)
        return server

    yield start
    for server in made:
        server.close()


class Redirector:
    """An HTTP(S) server that answers every request with a redirect to ``target(path)``.

    When ``target`` gives None it answers an empty HSDS page instead.
    """

    def __init__(self, target, context: ssl.SSLContext | None = None):
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append(self.path)
                location = target(self.path)
                if location is None:
                    body = json.dumps({"contents": [], "total_pages": 1}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(POLL,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def redirector():
    """Start :class:`Redirector` servers: ``redirector(target, context=None)``; all closed after the test."""
    made = []

    def start(target, context=None):
        server = Redirector(target, context)
        made.append(server)
        return server

    yield start
    for server in made:
        server.close()
