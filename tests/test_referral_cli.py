"""`referral render|send|statement|log|mark|settings` and `outbox list|flush` from the command line."""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest
from test_referral_support import (  # noqa: F401 - fixtures
    NAME,
    PASSPHRASE,
    SECRETS,
    configure_relay,
    form_data,
    free_port,
    headless_keyring,
    headless_terminal,
    message_ids,
    referral_directory,
    smtp_servers,
    tls_ca,
)

from coventry_directory.cli import main
from coventry_directory.cli.referrals import PASSPHRASE_ENV
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import user_database_path


@pytest.fixture(autouse=True)
def headless(headless_terminal):
    """Every test here runs as under cron or CI: no keyring backend and no terminal."""


@pytest.fixture
def form_file(tmp_path):
    def write(data=None, name="form.json"):
        path = tmp_path / name
        path.write_text(json.dumps(form_data() if data is None else data), encoding="utf-8")
        return str(path)

    return write


def relay(port, pem):
    store = UserStore(user_database_path())
    try:
        configure_relay(store, port, pem)
    finally:
        store.close()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_a_private_pdf_and_logs_it_as_printed(referral_directory, form_file, tmp_path, capsys):
    out_pdf = tmp_path / "out" / "referral.pdf"
    code, out, err = run(capsys, "referral", "render", form_file(), "-o", str(out_pdf))
    assert code == 0, err
    assert "holds personal data" in out and NAME not in out
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out_pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert NAME in text and "Consent record" in text
    if os.name == "posix":
        assert stat.S_IMODE(out_pdf.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "referral", "log", "--json")
    [row] = json.loads(out)
    assert row["status"] == "printed" and row["delivery"] == "pdf" and row["service_name"] == "Example Recovery Hub"
    assert not any(s in out for s in SECRETS)


def test_send_offline_queues_then_flush_sends(referral_directory, form_file, tls_ca, smtp_servers, capsys, monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    port = free_port()
    relay(port, tls_ca[1])
    code, out, err = run(capsys, "referral", "send", form_file())
    assert code == 0, err
    assert "Information-sharing statement" in out and "safe in the outbox" in out and "outbox flush" in out
    code, out, _ = run(capsys, "outbox", "list", "--json")
    [row] = json.loads(out)
    assert row["service_name"] == "Example Recovery Hub" and row["attempts"] == 1
    assert not any(s in out for s in SECRETS)
    code, out, err = run(capsys, "outbox", "flush")
    assert code == 1 and "still waiting" in err  # still offline: a failure, and it stays queued
    server = smtp_servers(port=port)
    code, out, err = run(capsys, "outbox", "flush")
    assert code == 0 and "sent" in out, err
    assert message_ids(server) == [row["message_id"]]
    assert run(capsys, "outbox", "list")[1].strip() == "The outbox is empty."
    code, out, _ = run(capsys, "referral", "log", "--follow-ups")
    assert "sent" in out and "Example Recovery Hub" in out and "[CASE-0001]" in out


def test_send_without_a_passphrase_or_terminal_is_a_clear_error(referral_directory, form_file, capsys):
    code, _, err = run(capsys, "referral", "send", form_file())
    assert code == 2 and PASSPHRASE_ENV in err and "terminal" in err
    assert err.count("\n") == 1


def test_wrong_passphrase_is_bad_input(referral_directory, form_file, tls_ca, capsys, monkeypatch):
    relay(free_port(), tls_ca[1])
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert run(capsys, "referral", "send", form_file())[0] == 0
    monkeypatch.setenv(PASSPHRASE_ENV, "something else entirely")
    code, _, err = run(capsys, "outbox", "flush")
    assert code == 2 and "does not open the outbox" in err


def test_a_service_without_email_says_so_and_offers_the_pdf(referral_directory, form_file, capsys, monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    data = form_data(service="example-youth", date_of_birth="2012-03-04")
    code, _, err = run(capsys, "referral", "send", form_file(data))
    assert code == 2
    assert "no referral email address" in err and "referral render" in err


@pytest.mark.parametrize(
    "content,needle",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"summary": {}}), "names no service"),
        (json.dumps(form_data(service="no-such-service")), "no service with id or key"),
        (json.dumps(form_data(nhs_number="1234567890", postcode="nowhere")), "Modulus 11"),
    ],
)
def test_bad_forms_are_one_line_errors(referral_directory, tmp_path, capsys, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    for action in (["render", str(path), "-o", str(tmp_path / "x.pdf")], ["send", str(path)]):
        code, _, err = run(capsys, "referral", *action)
        assert code == 2 and needle in err and err.count("\n") == 1
        assert "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


def test_missing_form_file(referral_directory, tmp_path, capsys):
    code, _, err = run(capsys, "referral", "render", str(tmp_path / "nope.json"), "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and "the referral form" in err and "does not exist" in err


def test_statement_shows_our_default_form(referral_directory, capsys):
    code, out, _ = run(capsys, "referral", "statement", "example-adult")
    assert code == 0
    assert "Coventry Directory's default wording" in out and "our default, not a form published by" in out
    assert "referrals@example.org" in out


def test_mark_records_what_happened(referral_directory, form_file, tmp_path, capsys):
    run(capsys, "referral", "render", form_file(), "-o", str(tmp_path / "r.pdf"))
    [row] = json.loads(run(capsys, "referral", "log", "--json")[1])
    code, out, _ = run(capsys, "referral", "mark", row["id"][:8], "accepted")
    assert code == 0 and "accepted" in out
    code, _, err = run(capsys, "referral", "mark", row["id"][:8], "lost")
    assert code == 2 and "unknown status" in err
    code, _, err = run(capsys, "referral", "mark", row["id"], "follow-up")
    assert code == 2 and "needs a date" in err
    code, out, _ = run(capsys, "referral", "mark", row["id"], "follow-up", "--follow-up-by", "2030-01-31")
    assert code == 0 and "2030-01-31" in out


def test_settings_are_saved_without_any_password(tls_ca, capsys):
    code, out, _ = run(
        capsys,
        "referral",
        "settings",
        "--host",
        "relay.example.org",
        "--port",
        "465",
        "--security",
        "tls",
        "--sender",
        "team@example.net",
        "--username",
        "team",
        "--ca-file",
        str(tls_ca[1]),
    )
    assert code == 0 and "relay.example.org:465 (TLS)" in out
    store = UserStore(user_database_path())
    try:
        keys = [r[0] for r in store._db.execute("SELECT key FROM setting")]
    finally:
        store.close()
    assert "referrals.smtp.username" in keys and not any("pass" in k for k in keys)
    assert run(capsys, "referral", "settings", "--port", "0")[0] == 2
    assert run(capsys, "referral", "settings", "--remember-password")[0] == 2  # no terminal to type it in


def test_flushing_an_empty_outbox_needs_no_passphrase(capsys):
    code, out, _ = run(capsys, "outbox", "flush")
    assert code == 0 and "empty" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["referral", "--help"],
        ["referral", "send", "--help"],
        ["outbox", "--help"],
        ["outbox", "flush", "--help"],
        ["referral", "render", "--help"],
    ],
)
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
