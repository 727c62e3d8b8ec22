"""Every network operation has a total deadline, kept even against a server that trickles.

Real servers on loopback (``feed_server``): a plain socket server that writes its answer one
byte at a time (in the clear, or inside TLS), aiosmtpd with trustme certificates, and HTTP
feed servers that trickle, redirect to another port, or downgrade https to http. The time bounds are
generous (a loaded 2-core machine): what they catch is a limit per read, which a trickling
server stretches to minutes.
"""
# ruff: noqa: F811 - pytest fixtures imported from the support modules are parameters here

from __future__ import annotations

import time

import pytest
from feed_server import redirector, trickler  # noqa: F401 - fixtures
from test_referral_support import (  # noqa: F401 - fixtures
    PASSPHRASE,
    SENDER,
    Inbox,
    configure_relay,
    form_data,
    headless_keyring,
    make_service,
    smtp_servers,
    tls_ca,
    user_store,
)
from test_sync_oruk import feed_server  # noqa: F401 - fixture

from coventry_directory.exchange.errors import FeedError
from coventry_directory.exchange.feed_client import FeedClient
from coventry_directory.exchange.oruk_sync import sync_feed
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.outbox import Outbox
from coventry_directory.smtp_client import SendError, SmtpConfig, check_connection, deliver

DEADLINE = 2.0
WITHIN = 6.0  # seconds: the deadline plus room for a busy machine, far below what trickling takes


def _relay(port, ca_pem, **overrides) -> SmtpConfig:
    cfg = SmtpConfig(host="127.0.0.1", port=port, sender=SENDER, ca_file=str(ca_pem), timeout=DEADLINE)
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg


def _timed(fn):
    started = time.monotonic()
    with pytest.raises((SendError, FeedError)) as err:
        fn()
    return err.value, time.monotonic() - started


# --- mail ---------------------------------------------------------------------------------
def test_a_trickling_greeting_is_cut_off_at_the_deadline(trickler, tls_ca):
    server = trickler(b"220 ")
    cfg = _relay(server.port, tls_ca[1])
    error, took = _timed(lambda: deliver(cfg, SENDER, "x@example.org", b"Subject: t\r\n\r\nhi\r\n"))
    assert took < WITHIN
    assert "timed out after 2 s" in str(error) and error.temporary


def test_trickling_inside_implicit_tls_is_cut_off_too(trickler, tls_ca):
    _ca, pem, server_context = tls_ca
    server = trickler(b"220 ", tls=server_context())
    cfg = _relay(server.port, pem, security="tls")
    error, took = _timed(lambda: check_connection(cfg))
    assert took < WITHIN
    assert "timed out after 2 s" in str(error) and error.temporary


def test_a_referral_sent_to_a_trickling_relay_waits_in_the_outbox(trickler, tls_ca, user_store):
    server = trickler(b"220 ")
    configure_relay(user_store, server.port, tls_ca[1], timeout=DEADLINE)
    desk = ReferralDesk(user_store, Outbox.open(user_store, PASSPHRASE))
    ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
    started = time.monotonic()
    outcome = desk.submit(ref)
    assert time.monotonic() - started < WITHIN
    assert outcome.status == "queued" and "timed out after 2 s" in outcome.message


def test_the_connection_test_logs_in_and_sends_nothing(smtp_servers, tls_ca):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def auth(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"worker", b"pw-1")
        return AuthResult(success=ok, handled=False)

    server = smtp_servers(Inbox(), auth=auth)
    cfg = _relay(server.port, tls_ca[1], username="worker", timeout=10.0)
    check_connection(cfg, password="pw-1")
    with pytest.raises(SendError, match="did not accept the user name or password"):
        check_connection(cfg, password="wrong")
    assert server.messages == [] and server.attempts == 0


# --- the feed -----------------------------------------------------------------------------
def test_a_feed_that_trickles_its_body_times_out(trickler, installed_directory):
    before = installed_directory.read_bytes()
    # the headers arrive at once, then the body one byte at a time
    server = trickler(b" ", head=b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n", wait_for_request=True)
    error, took = _timed(
        lambda: sync_feed(f"http://127.0.0.1:{server.port}/api", installed_directory, timeout=DEADLINE)
    )
    assert took < WITHIN
    assert "timed out after 2 s" in str(error) and "nothing was changed" in str(error)
    assert installed_directory.read_bytes() == before


def test_a_feed_that_trickles_its_status_line_times_out(trickler, installed_directory):
    server = trickler(b"HTTP/1.0 200 OK\r\n", wait_for_request=True)
    error, took = _timed(
        lambda: sync_feed(f"http://127.0.0.1:{server.port}/api", installed_directory, timeout=DEADLINE)
    )
    assert took < WITHIN and "timed out after 2 s" in str(error)


def test_the_whole_sync_has_a_deadline_of_its_own(feed_server, installed_directory):
    before = installed_directory.read_bytes()
    feed_server.slow_seconds = 0.3  # each request is well within its own limit; there are many
    started = time.monotonic()
    with pytest.raises(FeedError, match="timed out after 2 s") as err:
        sync_feed(feed_server.url, installed_directory, timeout=10, per_page=1, total_timeout=DEADLINE)
    assert time.monotonic() - started < WITHIN
    assert "reading the feed" in str(err.value) and len(feed_server.requests) > 2
    assert installed_directory.read_bytes() == before


# --- redirects ------------------------------------------------------------------------------
def test_a_redirect_to_another_port_is_refused(redirector, feed_server, installed_directory):
    before = installed_directory.read_bytes()
    moved = redirector(lambda path: f"http://127.0.0.1:{feed_server.port}{path}")
    with pytest.raises(FeedError, match="redirected to") as err:
        sync_feed(f"http://127.0.0.1:{moved.port}/api", installed_directory, timeout=5)
    assert "nothing was changed" in str(err.value)
    assert moved.requests and feed_server.requests == []  # the other server was never asked
    assert installed_directory.read_bytes() == before


def test_a_redirect_to_another_host_is_refused(redirector):
    moved = redirector(lambda path: f"http://localhost:1{path}")
    with pytest.raises(FeedError, match="redirected to http://localhost"):
        FeedClient(f"http://127.0.0.1:{moved.port}/api", timeout=5).get("/services")


def test_https_is_never_downgraded_to_http(redirector, tls_ca, monkeypatch):
    _ca, pem, server_context = tls_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))  # the default https context trusts the test CA
    feed = redirector(lambda path: None, context=server_context())
    assert FeedClient(f"https://127.0.0.1:{feed.port}/api", timeout=5).get("/services")["contents"] == []
    ports = []  # the same host and port, only the scheme changed
    down = redirector(lambda path: f"http://127.0.0.1:{ports[0]}{path}", context=server_context())
    ports.append(down.port)
    with pytest.raises(FeedError, match=f"redirected to http://127.0.0.1:{down.port}/api/services"):
        FeedClient(f"https://127.0.0.1:{down.port}/api", timeout=5).get("/services")


def test_a_redirect_within_the_feed_is_followed(redirector):
    feed = redirector(lambda path: "/api/services?page=1" if path.startswith("/old") else None)
    body = FeedClient(f"http://127.0.0.1:{feed.port}/old", timeout=5).get("/services")
    assert body == {"contents": [], "total_pages": 1}
    assert feed.requests == ["/old/services", "/api/services?page=1"]


pytestmark = pytest.mark.usefixtures("headless_keyring")
