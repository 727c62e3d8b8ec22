"""No referral is ever lost on the send path: double Send, a lost key file, long text, slow servers, retries.

Real wizard and follow-up list (pytest-qt, offscreen), real aiosmtpd servers on loopback with
trustme certificates, real PDFs read back with pdfinfo and pdftotext.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
import subprocess

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QInputDialog, QMessageBox
from test_referral_support import (  # noqa: F401 - fixtures
    NAME,
    PASSPHRASE,
    SERVICE_EMAIL,
    MemoryKeyring,
    SilentServer,
    configure_relay,
    desk,
    form_data,
    free_port,
    headless_keyring,
    make_service,
    message_ids,
    smtp_servers,
    tls_ca,
    user_store,
)
from test_referral_wizard import REFERRER, fill_summary, tick

from coventry_directory.cli import main
from coventry_directory.cli.referrals import PASSPHRASE_ENV
from coventry_directory.referrals import crypto
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.log import entries
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.outbox import Outbox, utc_now
from coventry_directory.referrals.pdf import render_referral_pdf
from coventry_directory.referrals.prepare import prepare
from coventry_directory.referrals.smtp import SETTING_PREFIX
from coventry_directory.referrals.validate import MAX_TEXT
from coventry_directory.ui import send_worker
from coventry_directory.ui.followups_dialog import FollowUpDialog
from coventry_directory.ui.outbox_access import desk_for
from coventry_directory.ui.outbox_retry import OutboxRetry
from coventry_directory.ui.referral_wizard import ReferralWizard

# every test here runs as on a headless Linux box (no keyring) unless it sets one itself
pytestmark = pytest.mark.usefixtures("headless_keyring", "sends_finished")


@pytest.fixture
def sends_finished(qtbot):
    """After each test, wait until no send is running, so none outlives the test's database."""
    yield
    send_worker.cancel_all()
    qtbot.waitUntil(lambda: not send_worker.busy(), timeout=30_000)


@pytest.fixture
def no_dialogs(monkeypatch):
    """Fail the test if anything asks the person a question."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a dialog was opened")

    monkeypatch.setattr(QInputDialog, "getText", refuse)
    monkeypatch.setattr(QMessageBox, "warning", refuse)


def wizard_at_review(qtbot, desk, **summary) -> ReferralWizard:
    """A wizard for the emailable test service, filled in by keyboard and at its review step."""
    wizard = ReferralWizard([make_service()], desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    wizard.show()
    values = dict(name=NAME, date_of_birth="01/02/1990", phone="07700 900123", postcode="CV1 9ZZ", wants="Support")
    fill_summary(qtbot, wizard, **values)
    for name, text in summary.items():
        wizard.summary_fields[name].setPlainText(text)
    tick(qtbot, wizard.summary_fields["substances"], {"alcohol"})
    wizard.go_next()
    wizard.answer_fields[make_service().id]["gp_practice"].setText("Example Surgery")
    wizard.go_next()
    wizard.statement_shown.setChecked(True)
    next(iter(wizard.consent_boxes.values())).setChecked(True)
    wizard.go_next()
    assert wizard.stack.currentIndex() == 3, wizard.errors.text()
    assert wizard.send_button.isEnabled()
    return wizard


def sealed_ids(outbox: Outbox) -> set[str]:
    """Ids whose sealed copy a freshly opened outbox can read (a real check, not just a file name)."""
    fresh = Outbox.open(outbox.user_store, PASSPHRASE, outbox.folder)
    return {r["id"] for r in fresh.items() if fresh.read(r["id"])["message_id"] == r["message_id"]}


# --- 1. a second Send never destroys the sealed copy -----------------------------------------
@pytest.mark.parametrize("fault", ["ca-file-not-a-certificate", "server-down"])
def test_double_send_after_a_failed_send_keeps_the_referral_sealed_and_it_goes_later(
    qtbot, desk, smtp_servers, tls_ca, tmp_path, fault
):
    server = smtp_servers()
    if fault == "ca-file-not-a-certificate":
        configure_relay(desk.user_store, server.port, tls_ca[1])
        # Written as a hand-edited setting would be, past any checks on saving.
        bogus = tmp_path / "not-a-cert.pem"
        bogus.write_text("this is not a certificate\n")
        desk.user_store.set_setting(SETTING_PREFIX + "ca_file", str(bogus))
    else:
        configure_relay(desk.user_store, free_port(), tls_ca[1])  # nothing listens there
    wizard = wizard_at_review(qtbot, desk)

    with qtbot.waitSignal(wizard.sent, timeout=20_000) as sending:
        qtbot.mouseClick(wizard.send_button, Qt.LeftButton)
        assert not wizard.send_button.isEnabled()  # off the moment it is pressed
    [outcome] = sending.args[0]
    assert outcome.status == "queued"  # the send failed after queueing
    ref_id = outcome.referral_id
    path = desk.outbox.folder / f"{ref_id}.ref"
    sealed = path.read_bytes()
    row = dict(desk.outbox.items()[0])

    # The second click: the button is off, and Send itself refuses to queue it again.
    assert not wizard.send_button.isEnabled() and wizard.send_button.text() == "Queued"
    assert "queued — will be sent when the server can be reached" in wizard.results.text()
    assert not wizard.back_button.isEnabled()  # what is queued cannot be changed under it
    qtbot.mouseClick(wizard.send_button, Qt.LeftButton)
    assert wizard.send_all() is None
    # And queueing the same referral again, straight through the desk, is a no-op.
    assert desk.queue(wizard.prepared[0]) == ref_id
    assert path.read_bytes() == sealed and desk.outbox.items()[0]["message_id"] == row["message_id"]
    assert sealed_ids(desk.outbox) == {ref_id}
    assert [r["status"] for r in entries(desk.user_store)] == ["queued"]
    assert server.messages == []

    # Fixed settings: "Send now" in the follow-up list sends it, once, with its own Message-ID.
    configure_relay(desk.user_store, server.port, tls_ca[1])
    dialog = FollowUpDialog(desk)
    qtbot.addWidget(dialog)
    assert "1 referral is waiting" in dialog.outbox_label.text() and dialog.send_now_button.isEnabled()
    with qtbot.waitSignal(send_worker.hub().send_ended, timeout=20_000):
        qtbot.mouseClick(dialog.send_now_button, Qt.LeftButton)
        assert not dialog.send_now_button.isEnabled()
    assert message_ids(server) == [row["message_id"]]
    assert desk.outbox.items() == [] and not path.exists()
    assert [r["status"] for r in entries(desk.user_store)] == ["sent"]
    assert "Sent 1." in dialog.message.text() and "Nothing is waiting" in dialog.outbox_label.text()


def test_a_fault_that_is_not_a_send_error_keeps_the_referral_queued(desk):
    # A sender that fails in a way smtp_client does not translate (as a broken CA file did).
    ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
    desk.queue(ref)

    def broken(_from, _to, _message):
        raise ValueError("Timeout value must be non-negative")

    result = desk.outbox.flush(broken, force=True)
    assert [i for i, _ in result.failed] == [ref.id] and not result.sent
    [row] = desk.outbox.items()
    assert row["needs_attention"] == 1 and "check the mail settings" in row["last_error"]
    assert sealed_ids(desk.outbox) == {ref.id}


def test_printed_first_then_sent_is_one_referral(desk, smtp_servers, tls_ca, tmp_path):
    server = smtp_servers()
    configure_relay(desk.user_store, server.port, tls_ca[1])
    ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
    desk.save_pdf(ref, tmp_path / "r.pdf")  # logged as printed under the same id
    assert desk.submit(ref).status == "sent"
    assert desk.submit(ref).status == "sent"  # again: already sent, not sent twice
    [row] = entries(desk.user_store)
    assert row["status"] == "sent" and row["delivery"] == "email"
    assert message_ids(server) == [row["message_id"]]


# --- 2. a missing key file is reported, never replaced -------------------------------------------
def test_a_missing_key_file_with_queued_referrals_is_reported_and_nothing_is_replaced(
    qtbot, desk, tls_ca, capsys, monkeypatch
):
    configure_relay(desk.user_store, free_port(), tls_ca[1])
    refs = [desk.prepare(ReferralForm.from_dict(form_data()), make_service()) for _ in range(2)]
    for ref in refs:
        desk.queue(ref)
    folder = desk.outbox.folder
    before = {p.name: p.read_bytes() for p in folder.glob("*.ref")}
    (folder / crypto.KEY_FILE).unlink()

    for passphrase in (PASSPHRASE, "any other passphrase", None):
        with pytest.raises(crypto.OutboxKeyLost, match="missing.*2 sealed referral"):
            Outbox.open(desk.user_store, passphrase)
    assert not (folder / crypto.KEY_FILE).exists()  # no new key was made
    assert {p.name: p.read_bytes() for p in folder.glob("*.ref")} == before
    assert len(Outbox(desk.user_store).items()) == 2

    # The command line: exit 1, said plainly, with or without a passphrase to hand.
    for env in (PASSPHRASE, None):
        if env:
            monkeypatch.setenv(PASSPHRASE_ENV, env)
        else:
            monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
        code = main(["outbox", "flush"])
        err = capsys.readouterr().err
        assert code == 1 and "key.json" in err and "missing" in err and "Traceback" not in err
    assert not (folder / crypto.KEY_FILE).exists()

    # The app: the follow-up list says so, and offers no Send now.
    dialog = FollowUpDialog(ReferralDesk(desk.user_store))
    qtbot.addWidget(dialog)
    assert "cannot be opened" in dialog.outbox_label.text() and "restore" in dialog.outbox_label.text()
    assert not dialog.send_now_button.isEnabled()
    assert {p.name: p.read_bytes() for p in folder.glob("*.ref")} == before


def test_a_keyring_key_that_does_not_match_the_key_file_is_reported(user_store):
    keyring.set_keyring(MemoryKeyring())  # restored by the headless_keyring fixture
    outbox = Outbox.open(user_store, None)
    ReferralDesk(user_store, outbox).queue(
        ReferralDesk(user_store).prepare(ReferralForm.from_dict(form_data()), make_service())
    )
    backend = keyring.get_keyring()
    (service, name), _key = next(iter(backend.secrets.items()))
    backend.secrets[(service, name)] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="  # another 32-byte key
    with pytest.raises(crypto.OutboxKeyLost, match="does not match"):
        Outbox.open(user_store, None)


# --- 3. long free text prints over pages; the limit is checked, never cut ---------------------------
def pdf_pages_and_text(tmp_path, data: bytes) -> tuple[int, str]:
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, "".join(text.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None, reason="needs poppler")
def test_twenty_thousand_characters_of_risk_notes_flow_over_pages(tmp_path):
    words = [f"risk{i:05d}" for i in range(2000)]  # each word once, so every part can be found
    notes = " ".join(words)[:20_000]
    ref = prepare(ReferralForm.from_dict(form_data(risk_notes=notes)), make_service())
    assert [e.field for e in ref.errors] == ["risk_notes"]  # over the limit for sending ...
    printable = dataclasses.replace(ref, errors=[])  # ... but the PDF itself never breaks on length
    pages, text = pdf_pages_and_text(tmp_path, render_referral_pdf(printable))
    assert pages >= 4
    positions = [text.find(word) for word in notes.split()]  # page footers come between pages
    assert -1 not in positions and positions == sorted(positions)  # all of it, in order
    assert "Consentrecord" in text and "Information-sharingstatement" in text  # and what follows it


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None, reason="needs poppler")
def test_the_longest_allowed_notes_print_in_every_free_text_field(tmp_path):
    long = ("word " * MAX_TEXT)[:MAX_TEXT]
    form = form_data(risk_notes=long, wants=long, pattern_of_use=long, contact_notes=long)
    ref = prepare(ReferralForm.from_dict(form), make_service())
    assert ref.ok, ref.errors
    pages, text = pdf_pages_and_text(tmp_path, render_referral_pdf(ref))
    assert pages >= 6 and text.count("word") >= 4 * MAX_TEXT // 5 - 10


def test_the_wizard_counts_characters_and_stops_at_the_limit_keeping_the_text(qtbot, desk):
    wizard = ReferralWizard([make_service()], desk, referrer=REFERRER)
    qtbot.addWidget(wizard)
    notes = wizard.summary_fields["risk_notes"]
    [count] = [c for c in wizard.text_counts if c.edit is notes]
    assert count.text() == "0 of 10,000 characters" and count.isVisibleTo(wizard)
    notes.setPlainText("x" * (MAX_TEXT + 5))
    assert "5 too many" in count.text() and count.font().bold()
    wizard.go_next()
    assert wizard.stack.currentIndex() == 0  # stays, and says why
    assert "Notes on risks: at most 10,000 characters (this has 10,005)" in wizard.errors.text()
    assert len(notes.toPlainText()) == MAX_TEXT + 5  # nothing typed is cut
    notes.setPlainText("x" * MAX_TEXT)
    assert count.text() == "10,000 of 10,000 characters" and not count.font().bold()


# --- 4. the window stays responsive while a server hangs; Stop waiting works -----------------------
def test_a_hung_server_does_not_freeze_the_wizard_and_stop_waiting_keeps_it_queued(qtbot, desk, tls_ca):
    silent = SilentServer()
    try:
        configure_relay(desk.user_store, silent.port, tls_ca[1], timeout=60.0)
        wizard = wizard_at_review(qtbot, desk)
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(20)
        runner = wizard.send_all()
        assert runner is not None and wizard.progress.isVisibleTo(wizard)
        # The UI thread keeps running its timers while the worker waits on the silent server.
        qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5_000)
        qtbot.waitUntil(lambda: len(silent.held) == 1, timeout=5_000)
        assert send_worker.busy() and wizard.runner is runner and not wizard.send_button.isEnabled()
        with qtbot.waitSignal(wizard.sent, timeout=2_000) as sending:
            qtbot.mouseClick(wizard.progress.cancel_button, Qt.LeftButton)
        timer.stop()
        [outcome] = sending.args[0]
        assert outcome.status == "queued" and "you stopped waiting" in wizard.results.text()
        assert not wizard.progress.isVisibleTo(wizard) and not wizard.send_button.isEnabled()
        assert sealed_ids(desk.outbox) == {outcome.referral_id}
    finally:
        silent.close()  # the attempt on the wire ends now; its result is still recorded
    qtbot.waitUntil(lambda: not send_worker.busy(), timeout=20_000)
    [row] = desk.outbox.items()
    assert row["attempts"] == 1 and row["last_error"]
    assert [r["status"] for r in entries(desk.user_store)] == ["queued"]


# --- 5. the app retries by itself ----------------------------------------------------------------------
def test_a_queued_referral_goes_out_by_itself_when_the_server_comes_back(qtbot, open_window, smtp_servers, tls_ca):
    window = open_window()
    desk = window.desk()
    assert desk is desk_for(window.controller.user)  # the timer and the window share one desk
    port = free_port()
    configure_relay(desk.user_store, port, tls_ca[1])
    desk.outbox = Outbox.open(desk.user_store, PASSPHRASE)  # unlocked earlier, e.g. by the wizard
    ref = desk.prepare(ReferralForm.from_dict(form_data()), make_service())
    assert desk.submit(ref).status == "queued"  # the server is down
    # A clock that jumps 7 hours at each look makes every back-off (at most 6 hours) due by the next.
    hours = itertools.count(7, 7)
    retry = OutboxRetry(
        desk, first_ms=10, floor_ms=50, idle_ms=200, clock=lambda: utc_now() + dt.timedelta(hours=next(hours))
    )
    passes = []
    retry.passed.connect(passes.append)
    retry.start()
    qtbot.waitUntil(lambda: any(p.failed for p in passes), timeout=10_000)  # tried, still down
    server = smtp_servers(port=port)
    qtbot.waitUntil(lambda: any(p.sent for p in passes), timeout=10_000)
    retry.stop()
    [row] = entries(desk.user_store)
    assert message_ids(server) == [row["message_id"]] and row["status"] == "sent"
    assert desk.outbox.items() == []


def test_the_retry_timer_never_asks_for_a_passphrase(qtbot, user_store, tls_ca, no_dialogs):
    configure_relay(user_store, free_port(), tls_ca[1])
    queued = ReferralDesk(user_store, Outbox.open(user_store, PASSPHRASE))
    queued.queue(queued.prepare(ReferralForm.from_dict(form_data()), make_service()))
    desk = ReferralDesk(user_store)  # a fresh session: the outbox is locked, its passphrase unknown
    retry = OutboxRetry(desk, first_ms=10, floor_ms=50, idle_ms=100)
    retry.start()
    qtbot.waitUntil(lambda: bool(retry.problem), timeout=5_000)
    assert "passphrase" in retry.problem and desk.outbox is None and retry.runner is None
    assert Outbox(user_store).items()[0]["attempts"] == 0  # not tried, not counted as a failure
    retry.stop()


def test_the_app_starts_the_retry_timer_on_the_shared_desk(qtbot, user_store):
    from coventry_directory.ui.app import start_outbox_retry, stop_sending

    retry = start_outbox_retry(user_store)
    try:
        assert retry.timer.isActive() and retry.desk is desk_for(user_store)
    finally:
        stop_sending(retry)
    assert not retry.timer.isActive()
