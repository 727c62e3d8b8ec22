"""Real mail to real SMTP servers on loopback (aiosmtpd, certificates from trustme).

Whatever the server does — down, hung, 4xx then OK, 5xx, a certificate we must not trust, no
STARTTLS — every referral ends either sent (once, with the Message-ID fixed when it was queued)
or still waiting in the outbox. Nothing is lost; nothing goes twice under different ids.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import pytest
import trustme
from test_referral_support import (  # noqa: F401 - fixtures
    PASSPHRASE,
    SENDER,
    SERVICE_EMAIL,
    Inbox,
    SilentServer,
    configure_relay,
    desk,
    form_data,
    free_port,
    headless_keyring,
    make_service,
    message_ids,
    parsed,
    smtp_servers,
    tls_ca,
    user_store,
)

from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.log import entries
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.outbox import Outbox


def submit(desk, n=1):
    outcomes = []
    for _ in range(n):
        ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
        assert ref.ok, ref.errors
        outcomes.append(desk.submit(ref))
    return outcomes


def assert_nothing_lost(desk, inboxes, ids):
    """Each referral is sent (exactly one Message-ID, the one it was queued with) or waiting."""
    waiting = {r["id"] for r in desk.outbox.items()}
    log = {r["id"]: r for r in entries(desk.user_store)}
    delivered = [mid for inbox in inboxes for mid in message_ids(inbox)]
    for item_id in ids:
        row = log[item_id]
        if row["status"] == "sent":
            assert item_id not in waiting
            assert row["message_id"] in delivered
        else:
            assert row["status"] == "queued" and item_id in waiting
        # whatever was delivered more than once carried the same id each time
        assert len({m for m in delivered if m == row["message_id"]}) <= 1
    assert set(delivered) <= {log[i]["message_id"] for i in ids}


def test_starttls_delivery(desk, smtp_servers, tls_ca):
    server = smtp_servers()
    configure_relay(desk.user_store, server.port, tls_ca[1])
    [outcome] = submit(desk)
    assert outcome.status == "sent", outcome.message
    [envelope] = server.messages
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == [SERVICE_EMAIL]
    msg = parsed(envelope)
    assert msg["To"] == SERVICE_EMAIL and msg["Message-ID"] == entries(desk.user_store)[0]["message_id"]
    assert [a.get_content_type() for a in msg.iter_attachments()] == ["application/pdf"]
    assert_nothing_lost(desk, [server], [outcome.referral_id])


def test_implicit_tls_delivery(desk, smtp_servers, tls_ca):
    server = smtp_servers(mode="tls")
    configure_relay(desk.user_store, server.port, tls_ca[1], security="tls")
    [outcome] = submit(desk)
    assert outcome.status == "sent", outcome.message
    assert len(server.messages) == 1


def test_server_down_then_up(desk, smtp_servers, tls_ca):
    port = free_port()
    configure_relay(desk.user_store, port, tls_ca[1])
    outcomes = submit(desk, 2)
    assert [o.status for o in outcomes] == ["queued", "queued"]
    assert "could not reach" in outcomes[0].message and "safe in the outbox" in outcomes[0].message
    ids = [o.referral_id for o in outcomes]
    assert_nothing_lost(desk, [], ids)
    server = smtp_servers(port=port)
    result = desk.flush(force=True)
    assert sorted(result.sent) == sorted(ids) and not result.failed
    assert len(server.messages) == 2 and len(set(message_ids(server))) == 2
    assert_nothing_lost(desk, [server], ids)


def test_4xx_then_accepted_carries_the_same_message_id(desk, smtp_servers, tls_ca):
    server = smtp_servers(Inbox(replies=["451 4.3.0 Try again later", "421 4.4.5 Too busy"]))
    configure_relay(desk.user_store, server.port, tls_ca[1])
    [outcome] = submit(desk)
    assert outcome.status == "queued" and "451" in outcome.message
    queued_id = entries(desk.user_store)[0]["message_id"]
    assert desk.flush(force=True).failed  # 421: still busy
    row = desk.outbox.items()[0]
    assert row["attempts"] == 2 and row["needs_attention"] == 0
    assert desk.flush(force=True).sent == [outcome.referral_id]
    assert server.attempts == 3 and message_ids(server) == [queued_id]
    assert_nothing_lost(desk, [server], [outcome.referral_id])


def test_5xx_keeps_it_in_the_outbox_for_a_person_to_look_at(desk, smtp_servers, tls_ca):
    server = smtp_servers(Inbox(replies=["550 5.7.1 Relaying denied"]))
    configure_relay(desk.user_store, server.port, tls_ca[1])
    [outcome] = submit(desk)
    assert outcome.status == "queued" and "550" in outcome.message
    row = desk.outbox.items()[0]
    assert row["needs_attention"] == 1 and "550" in row["last_error"]
    assert desk.flush(force=True).sent == [outcome.referral_id]  # fixed at the relay: goes on retry
    assert_nothing_lost(desk, [server], [outcome.referral_id])


@pytest.mark.parametrize("bad", ["other-ca", "wrong-host"])
def test_a_certificate_we_cannot_verify_is_refused(desk, smtp_servers, tls_ca, bad):
    _ca, pem, server_context = tls_ca
    context = server_context(issuer=trustme.CA()) if bad == "other-ca" else server_context(names=("mail.example.org",))
    server = smtp_servers(context=context)
    configure_relay(desk.user_store, server.port, pem)
    [outcome] = submit(desk)
    assert outcome.status == "queued" and "certificate" in outcome.message
    assert server.messages == [] and server.attempts == 0
    assert desk.outbox.items()[0]["needs_attention"] == 1
    # the relay gets a proper certificate: the same referral goes, once
    good = smtp_servers()
    configure_relay(desk.user_store, good.port, pem)
    assert desk.flush(force=True).sent == [outcome.referral_id]
    assert_nothing_lost(desk, [server, good], [outcome.referral_id])


def test_a_server_without_starttls_is_never_used(desk, smtp_servers, tls_ca):
    server = smtp_servers(mode="plain")
    configure_relay(desk.user_store, server.port, tls_ca[1])
    [outcome] = submit(desk)
    assert outcome.status == "queued" and "does not offer STARTTLS" in outcome.message
    assert server.messages == [] and server.attempts == 0


def test_a_hung_server_times_out_and_the_referral_waits(desk, tls_ca):
    silent = SilentServer()
    try:
        configure_relay(desk.user_store, silent.port, tls_ca[1], timeout=1.0)
        [outcome] = submit(desk)
    finally:
        silent.close()
    assert outcome.status == "queued" and "did not answer in time" in outcome.message
    assert desk.outbox.items()[0]["needs_attention"] == 0


def test_no_mail_server_set_up_yet(desk):
    [outcome] = submit(desk)
    assert outcome.status == "queued" and "no mail server is set up" in outcome.message


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"worker", b"s3cret-pw")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def test_without_a_keyring_the_password_is_asked_for_each_time(user_store, smtp_servers, tls_ca, user_home):
    server = smtp_servers(auth=_authenticator)
    configure_relay(user_store, server.port, tls_ca[1], username="worker")
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return "s3cret-pw"

    desk = ReferralDesk(user_store, Outbox.open(user_store, PASSPHRASE), ask_password=ask)
    assert [o.status for o in submit(desk, 2)] == ["sent", "sent"]
    assert len(asked) == 2 and "worker" in asked[0]  # nowhere to keep it, so asked again
    assert len(server.messages) == 2
    written = [p for p in user_home.rglob("*") if p.is_file()]
    assert written and not [p for p in written if b"s3cret-pw" in p.read_bytes()]  # never in a file


def test_a_cancelled_or_wrong_password_keeps_the_referral(user_store, smtp_servers, tls_ca):
    server = smtp_servers(auth=_authenticator)
    configure_relay(user_store, server.port, tls_ca[1], username="worker")
    outbox = Outbox.open(user_store, PASSPHRASE)
    [cancelled] = submit(ReferralDesk(user_store, outbox, ask_password=lambda prompt: None))
    assert cancelled.status == "queued" and "no password" in cancelled.message
    [wrong] = submit(ReferralDesk(user_store, outbox, ask_password=lambda prompt: "guess"))
    assert wrong.status == "queued" and "did not accept" in wrong.message
    assert server.messages == []
    result = ReferralDesk(user_store, outbox, ask_password=lambda prompt: "s3cret-pw").flush(force=True)
    assert sorted(result.sent) == sorted([cancelled.referral_id, wrong.referral_id])


# every test here runs as on a headless Linux box: no keyring backend
pytestmark = pytest.mark.usefixtures("headless_keyring")
