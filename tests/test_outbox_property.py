"""A property of the outbox: whatever happens, no referral is lost (hypothesis, stateful).

Any sequence of queueing, sending with the server up or down, queueing the same referral
again, printing first, and crashes (the outbox re-opened from disk, including crashes in the
middle of queueing and just after a server accepted a message) leaves every referral either
delivered - one Message-ID, the one it was queued with - or sealed in the outbox, readable.
The server is a real aiosmtpd on loopback with a trustme certificate.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import keyring
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from test_referral_support import (  # noqa: F401 - fixtures
    MemoryKeyring,
    configure_relay,
    form_data,
    free_port,
    make_service,
    message_ids,
    smtp_servers,
    tls_ca,
)

from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.log import entries
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.store.referrals import ReferralStore
from coventry_directory.store.user import UserStore


class Crash(BaseException):
    """The process dies here (not an Exception: nothing on the way may catch it)."""


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # the outbox key in a keyring: re-opening costs no scrypt
    yield
    keyring.set_keyring(before)


def test_no_referral_is_ever_lost(memory_keyring, smtp_servers, tls_ca, tmp_path_factory):
    server = smtp_servers()
    down_port = free_port()  # nothing listens there

    class OutboxMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            home = tmp_path_factory.mktemp("outbox-machine")
            self.db_path, self.folder = home / "user.db", home / "outbox"
            server.messages.clear()
            self.refs = []  # every referral ever handed to the outbox (queued, or crashed while queueing)
            self.user = None
            self.reopen()

        # --- how the world can go -------------------------------------------------------
        def reopen(self) -> None:
            """Start again from what is on disk, as after a crash or a restart."""
            from coventry_directory.referrals.outbox import Outbox

            if self.user is not None:
                self.user.close()
            self.user = UserStore(self.db_path)
            self.desk = ReferralDesk(self.user, Outbox.open(self.user, None, self.folder))

        def relay(self, up: bool) -> None:
            configure_relay(self.user, server.port if up else down_port, tls_ca[1])

        @rule()
        def queue_new(self):
            ref = self.desk.prepare(ReferralForm.from_dict(form_data()), make_service())
            self.desk.queue(ref)
            self.refs.append(ref)

        @precondition(lambda self: self.refs)
        @rule(data=st.data())
        def queue_again(self, data):
            self.desk.queue(data.draw(st.sampled_from(self.refs)))  # a second click, a replayed command

        @rule()
        def print_then_queue(self):
            ref = self.desk.prepare(ReferralForm.from_dict(form_data()), make_service())
            self.desk.save_pdf(ref, self.folder.parent / "printed.pdf")
            self.desk.queue(ref)
            self.refs.append(ref)

        @rule(up=st.booleans())
        def send(self, up):
            self.relay(up)
            self.desk.flush(force=True)

        @rule()
        def crash(self):
            self.reopen()

        @rule()
        def crash_while_queueing(self):
            """Dies after the sealed file is written, before its rows are."""
            ref = self.desk.prepare(ReferralForm.from_dict(form_data()), make_service())
            self.refs.append(ref)
            original = ReferralStore.add_queued

            def die(*_args, **_kwargs):
                raise Crash

            ReferralStore.add_queued = die
            try:
                self.desk.queue(ref)
            except Crash:
                pass
            finally:
                ReferralStore.add_queued = original
            self.reopen()

        @rule()
        def crash_after_the_server_accepted(self):
            """Dies after a message was delivered, before it was marked sent: it goes again, same Message-ID."""
            self.relay(True)
            job = self.desk.begin_flush(force=True)
            if job.attempts:
                assert job.send(job.attempts[0]) is None
            self.reopen()

        # --- what must always hold ---------------------------------------------------------
        @invariant()
        def nothing_is_lost(self):
            delivered = message_ids(server)
            log = {r["id"]: r for r in entries(self.user)}
            waiting = {r["id"]: r for r in self.desk.outbox.items()}
            lost = []
            for ref in self.refs:
                row = log.get(ref.id)
                if ref.id in waiting:  # sealed, and readable with the key
                    payload = self.desk.outbox.read(ref.id)
                    assert payload["message_id"] == waiting[ref.id]["message_id"] == row["message_id"]
                    assert row["status"] == "queued"
                elif row is not None and row["status"] == "sent":
                    assert row["message_id"] in delivered
                else:
                    lost.append(ref.id)
            assert lost == []

        @invariant()
        def each_referral_went_under_one_message_id(self):
            delivered = set(message_ids(server))
            queued_with = [r["message_id"] for r in entries(self.user) if r["message_id"]]
            assert len(queued_with) == len(set(queued_with))  # no two referrals share one
            assert delivered <= set(queued_with)  # nothing went that was not queued under that id

        def teardown(self):
            if self.user is not None:
                self.user.close()

    run_state_machine_as_test(
        OutboxMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
