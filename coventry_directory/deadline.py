"""A total time limit for one network operation, kept even against a server that trickles.

A socket timeout limits each read, not the operation: a server that sends one byte every
few seconds never trips it, and a 4-second limit becomes minutes. A :class:`Deadline`
bounds the whole operation (the mail client's connect + TLS + login + send, one feed
request with its body):

- the name lookup runs in a helper thread that is waited for only until the deadline
  (``getaddrinfo`` cannot be interrupted; the thread ends on its own and only resolves);
- every socket the operation opens goes through :meth:`Deadline.connect`, which cuts its
  per-read timeout to the time left and registers it with a watchdog;
- at the deadline the watchdog shuts those connections down, which wakes any read or write
  blocked on them, even inside TLS, so the operation fails at once and :attr:`expired`
  tells the caller that the failure was the deadline;
- :meth:`Deadline.check` between steps stops an operation from starting another step once
  its time is up.

The watchdog holds a duplicate of each socket's descriptor (``socket.dup``): shutting
down a duplicate ends the connection for every descriptor of it, and a duplicate we own
can never be a descriptor number that something else has reused after the operation
closed its own. No Qt, no SQL: the mail client and the feed client both use this.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class DeadlineExpired(TimeoutError):
    """The operation's total time ran out (a TimeoutError, so callers treat it as one)."""


class Deadline:
    """The end of one network operation's time: ``with Deadline(4.0) as d: ... d.connect(...)``."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._ends = time.monotonic() + max(0.0, seconds)
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._fired = False
        self._timer: threading.Timer | None = None

    # --- the time --------------------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds left (0.0 once the deadline has passed)."""
        return max(0.0, self._ends - time.monotonic())

    @property
    def expired(self) -> bool:
        """True once the deadline has passed (whether or not the watchdog has fired yet)."""
        return self._fired or time.monotonic() >= self._ends

    def check(self) -> None:
        """Raise :class:`DeadlineExpired` when no time is left for another step."""
        if self.expired:
            raise DeadlineExpired(f"timed out after {self.seconds:g} s")

    def per_read(self, timeout: float | None) -> float:
        """A per-read socket timeout that never outlasts the deadline (at least a moment)."""
        left = self.remaining()
        return max(0.001, left if timeout is None else min(timeout, left))

    # --- the watchdog ----------------------------------------------------------------------
    def __enter__(self) -> Deadline:
        self._timer = threading.Timer(self.remaining(), self._fire)
        self._timer.daemon = True
        self._timer.name = "network-deadline"
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the watchdog and let go of the duplicates it held (the operation is over)."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            watched, self._watched = self._watched, []
        for dup in watched:
            with contextlib.suppress(OSError):
                dup.close()

    def _fire(self) -> None:
        with self._lock:
            self._fired = True
            watched = list(self._watched)
        for dup in watched:
            _shut(dup)

    def watch(self, sock: socket.socket) -> socket.socket:
        """Put ``sock`` under the watchdog and cut its per-read timeout to the time left."""
        sock.settimeout(self.per_read(sock.gettimeout()))
        dup = sock.dup()
        with self._lock:
            fired = self._fired
            self._watched.append(dup)
        if fired:  # the deadline passed while this socket was being opened
            _shut(dup)
        return sock

    # --- opening connections ---------------------------------------------------------------
    def wait_for(self, work: Callable[[], T], what: str) -> T:
        """``work()`` run in a helper thread, waited for only until the deadline.

        For blocking calls no socket timeout reaches, such as a name lookup: on time, its
        result (or its exception); too late, :class:`DeadlineExpired` naming ``what``, and
        the helper thread is left to finish on its own.
        """
        result: list[T] = []
        failed: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                result.append(work())
            except Exception as exc:
                failed.append(exc)
            done.set()

        threading.Thread(target=run, name="network-wait", daemon=True).start()
        if not done.wait(self.remaining()):
            raise DeadlineExpired(f"{what} timed out after {self.seconds:g} s")
        if failed:
            raise failed[0]
        return result[0]

    def connect(
        self, address: tuple[str, int], timeout: float | None = None, source_address: Any = None
    ) -> socket.socket:
        """A connected, watched socket: :func:`socket.create_connection` within the deadline.

        The signature matches ``create_connection``, so a client library's hook for it
        (``http.client``'s, ``smtplib``'s) can be pointed here.
        """
        host, port = address
        error: OSError | None = None
        for family, kind, proto, _name, where in self.wait_for(
            lambda: socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM), f"looking up {host}"
        ):
            self.check()
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.per_read(timeout))
                if source_address:
                    sock.bind(source_address)
                self.watch(sock)
                sock.connect(where)
                return sock
            except OSError as exc:
                sock.close()
                error = DeadlineExpired(f"timed out after {self.seconds:g} s") if self.expired else exc
        raise error or OSError(f"no address found for {host}")


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, never a TLS wrapper's (which would also drop its TLS state
    # under the feet of the thread reading through it); a connection already gone is fine.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
