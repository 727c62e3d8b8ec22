"""The encrypted outbox: sealing, passphrase and keyring keys, tampering, crash recovery, retention, back-off."""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import datetime as dt
import json
import shutil

import keyring
import pytest
from keyring.backends import fail
from test_referral_support import (  # noqa: F401 - fixtures
    NAME,
    PASSPHRASE,
    SECRETS,
    MemoryKeyring,
    configure_relay,
    form_data,
    make_service,
    message_ids,
    smtp_servers,
    tls_ca,
    user_store,
)

from coventry_directory.referrals import credentials, crypto
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.log import entries
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.outbox import RETENTION_SETTING, Outbox, retry_delay, utc_now
from coventry_directory.store.user import UserStore


@pytest.fixture
def no_keyring():
    """Headless Linux: no keyring backend at all (keyring's own 'fail' backend)."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def queue_one(outbox, user_store, **summary):
    desk = ReferralDesk(user_store, outbox)
    ref = desk.prepare(ReferralForm.from_dict(form_data(**summary)), make_service())
    assert ref.ok, ref.errors
    desk.queue(ref)
    return ref


def test_passphrase_outbox_seals_the_referral(no_keyring, user_store):
    assert not credentials.keyring_usable()
    outbox = Outbox.open(user_store, PASSPHRASE)
    ref = queue_one(outbox, user_store)
    meta = json.loads((outbox.folder / "key.json").read_text())
    assert meta["mode"] == "passphrase" and meta["kdf"] == "scrypt" and "key" not in meta
    sealed = (outbox.folder / f"{ref.id}.ref").read_bytes()
    assert sealed.startswith(crypto.MAGIC)
    for secret in SECRETS + ["Example Surgery", "CV1 9ZZ", "Message-ID"]:
        assert secret.encode() not in sealed
    payload = outbox.read(ref.id)
    assert payload["message_id"].encode() in payload["message"]
    assert [r["id"] for r in outbox.items()] == [ref.id]


def test_outbox_needs_the_right_passphrase(no_keyring, user_store):
    Outbox.open(user_store, PASSPHRASE)
    with pytest.raises(crypto.WrongPassphrase):
        Outbox.open(user_store, "not the passphrase")
    with pytest.raises(crypto.PassphraseNeeded):
        Outbox.open(user_store, None)


def test_a_new_outbox_refuses_a_short_passphrase_and_asks_for_one(no_keyring, user_store):
    with pytest.raises(crypto.OutboxKeyError, match="at least 8"):
        Outbox.open(user_store, "short")
    with pytest.raises(crypto.PassphraseNeeded, match="no system keyring"):
        Outbox.open(user_store, None)


def test_listing_works_locked_but_reading_needs_the_key(no_keyring, user_store):
    ref = queue_one(Outbox.open(user_store, PASSPHRASE), user_store)
    locked = Outbox(user_store)
    assert locked.locked and [r["id"] for r in locked.items()] == [ref.id]
    with pytest.raises(crypto.PassphraseNeeded):
        locked.read(ref.id)


def test_keyring_keeps_the_outbox_key_when_there_is_one(memory_keyring, user_store):
    outbox = Outbox.open(user_store, None)
    meta = json.loads((outbox.folder / "key.json").read_text())
    assert meta["mode"] == "keyring" and "salt" not in meta
    ref = queue_one(outbox, user_store)
    # the key lives only in the keyring: reopening needs no passphrase
    assert Outbox.open(user_store, None).read(ref.id)["id"] == ref.id
    assert next(iter(memory_keyring.secrets))[0] == crypto.KEYRING_SERVICE
    # keyring gone later (e.g. another session): a clear error, nothing decrypted
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(crypto.OutboxKeyError, match="system keyring"):
        Outbox.open(user_store, None)


def test_a_changed_file_is_detected_and_kept_for_a_person_to_see(no_keyring, user_store, tls_ca):
    outbox = Outbox.open(user_store, PASSPHRASE)
    a, b = queue_one(outbox, user_store), queue_one(outbox, user_store)
    path_a, path_b = outbox.folder / f"{a.id}.ref", outbox.folder / f"{b.id}.ref"
    data = bytearray(path_a.read_bytes())
    data[-5] ^= 0x01
    path_a.write_bytes(bytes(data))
    shutil.copyfile(outbox.folder / f"{a.id}.ref", outbox.folder / "copy")
    path_b.write_bytes((outbox.folder / "copy").read_bytes())  # a sealed file moved under another id
    (outbox.folder / "copy").unlink()
    configure_relay(user_store, 9, tls_ca[1])
    result = ReferralDesk(user_store, outbox).flush(force=True)
    assert {i for i, _ in result.failed} == {a.id, b.id} and not result.sent
    rows = {r["id"]: r for r in outbox.items()}
    assert all(rows[i]["needs_attention"] == 1 and "cannot be read" in rows[i]["last_error"] for i in (a.id, b.id))


def test_a_sealed_file_without_rows_is_adopted(no_keyring, user_store, tmp_path, monkeypatch):
    """A crash between writing the sealed file and the database rows (or a restored backup)."""
    outbox = Outbox.open(user_store, PASSPHRASE)
    ref = queue_one(outbox, user_store)
    other_home = tmp_path / "other-home"
    shutil.copytree(outbox.folder, other_home / "outbox")
    monkeypatch.setenv("COVENTRY_DIRECTORY_HOME", str(other_home))
    fresh = UserStore(other_home / "user.db")
    try:
        reopened = Outbox.open(fresh, PASSPHRASE)
        assert [r["id"] for r in reopened.items()] == [ref.id]
        assert entries(fresh)[0]["status"] == "queued"
        assert reopened.items()[0]["message_id"] == outbox.items()[0]["message_id"]
    finally:
        fresh.close()


def test_sent_referrals_are_purged_at_once_by_default(no_keyring, user_store, smtp_servers, tls_ca):
    server = smtp_servers()
    configure_relay(user_store, server.port, tls_ca[1])
    outbox = Outbox.open(user_store, PASSPHRASE)
    ref = ReferralDesk(user_store, outbox).prepare(ReferralForm.from_dict(form_data()), make_service())
    outcome = ReferralDesk(user_store, outbox).submit(ref)
    assert outcome.status == "sent"
    assert outbox.items() == [] and outbox.store.outbox(include_sent=True) == []
    assert list(outbox.folder.glob("*.ref")) == []
    row = entries(user_store)[0]
    assert row["status"] == "sent" and row["follow_up_by"] and row["local_reference"] == "CASE-0001"
    assert set(row["shared_fields"].split(",")) >= {"name", "date_of_birth"}  # names of fields, not values


def test_retention_keeps_a_sent_copy_until_it_runs_out(no_keyring, user_store, smtp_servers, tls_ca):
    server = smtp_servers()
    configure_relay(user_store, server.port, tls_ca[1])
    user_store.set_setting(RETENTION_SETTING, "2")
    outbox = Outbox.open(user_store, PASSPHRASE)
    desk = ReferralDesk(user_store, outbox)
    ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
    assert desk.submit(ref).status == "sent"
    assert (outbox.folder / f"{ref.id}.ref").exists() and outbox.items() == []  # kept, but not waiting
    assert outbox.purge_expired(utc_now() + dt.timedelta(days=1)) == []
    assert outbox.purge_expired(utc_now() + dt.timedelta(days=3)) == [ref.id]
    assert not (outbox.folder / f"{ref.id}.ref").exists()


def test_retries_back_off_and_wait_until_due(no_keyring, user_store, smtp_servers, tls_ca):
    assert [retry_delay(n, True) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(20, True) == retry_delay(4, False) == 6 * 3600
    from test_referral_support import free_port

    port = free_port()  # nothing listens yet
    configure_relay(user_store, port, tls_ca[1])
    outbox = Outbox.open(user_store, PASSPHRASE)
    desk = ReferralDesk(user_store, outbox)
    start = utc_now()
    ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
    assert desk.submit(ref, now=start).status == "queued"
    row = outbox.items()[0]
    assert row["attempts"] == 1 and row["needs_attention"] == 0
    assert row["next_attempt_at"] == (start + dt.timedelta(seconds=60)).isoformat()
    server = smtp_servers(port=port)
    assert desk.flush(now=start + dt.timedelta(seconds=30)).not_due == [ref.id]  # backing off
    assert desk.flush(now=start + dt.timedelta(seconds=61)).sent == [ref.id]
    assert len(server.messages) == 1 and outbox.items() == []
    assert message_ids(server) == [entries(user_store)[0]["message_id"]]
