"""No client details in plain text anywhere the app writes during a referral flow.

The test drives real referrals through the command line — queued while the relay is down,
refused once with a 4xx, then sent; one left waiting; one printed — with logging switched on
at DEBUG into the app's log folder, then reads every byte of every file under the test's
home and temp folders (database and its journals/backups, outbox, key file, logs, settings,
temp) looking for the client's name, date of birth and NHS number in any common spelling.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import io
import json
import logging
import sys
import tempfile

import keyring
import pytest
from keyring.backends import fail
from test_referral_support import (  # noqa: F401 - fixtures
    PASSPHRASE,
    SECRETS,
    Inbox,
    configure_relay,
    form_data,
    free_port,
    referral_directory,
    smtp_servers,
    tls_ca,
)

from coventry_directory.cli import main
from coventry_directory.cli.referrals import PASSPHRASE_ENV
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import log_dir, user_database_path


def files_under(*roots):
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path


def leaks(path, secrets):
    data = path.read_bytes()
    found = []
    for secret in secrets:
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
            if encoded in data:
                found.append(secret)
    return found


@pytest.fixture
def app_log():
    """The app's log file, at DEBUG, as a deployment might configure it."""
    handler = logging.FileHandler(log_dir() / "coventry-directory.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("coventry_directory")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield log_dir() / "coventry-directory.log"
    logger.removeHandler(handler)
    logger.setLevel(old_level)
    handler.close()


def test_no_client_details_in_any_file_the_app_wrote(
    referral_directory,
    tmp_path,
    tmp_path_factory,
    user_home,
    tls_ca,
    smtp_servers,
    app_log,
    monkeypatch,
    capsys,
    caplog,
):
    caplog.set_level(logging.DEBUG)
    keyring_before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        _run_flow(tmp_path, tmp_path_factory, tls_ca, smtp_servers, monkeypatch, capsys)
    finally:
        keyring.set_keyring(keyring_before)
    app_log_text = app_log.read_text(encoding="utf-8")
    assert "queued" in app_log_text and "sent" in app_log_text  # the log was really written

    scanned = list(files_under(user_home, tmp_path / "tmp"))
    names = {p.name for p in scanned}
    assert "user.db" in names and "key.json" in names and app_log.name in names
    assert any(p.suffix == ".ref" for p in scanned)  # the one left waiting, sealed
    # nor the outbox passphrase (only a salt and a sealed check value are kept)
    found = {str(p.relative_to(tmp_path)): leaks(p, SECRETS + [PASSPHRASE]) for p in scanned}
    assert {k: v for k, v in found.items() if v} == {}
    for secret in SECRETS:
        assert secret not in caplog.text
        assert secret not in "\n".join(r.getMessage() for r in caplog.records)


def _run_flow(tmp_path, tmp_path_factory, tls_ca, smtp_servers, monkeypatch, capsys):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # so Python picks up TMPDIR
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    inputs = tmp_path_factory.mktemp("worker-input")  # the worker's own files: FORM.json, printed PDF
    form = inputs / "form.json"
    form.write_text(json.dumps(form_data()), encoding="utf-8")

    port = free_port()
    store = UserStore(user_database_path())
    configure_relay(store, port, tls_ca[1])
    store.close()

    assert main(["referral", "send", str(form)]) == 0  # relay down: queued
    server = smtp_servers(Inbox(replies=["451 4.3.0 Try again later"]), port=port)
    assert main(["outbox", "flush"]) == 1  # 4xx: still queued
    assert main(["outbox", "flush"]) == 0  # sent, and purged at once
    assert len(server.messages) == 1
    server.controller.stop()
    assert main(["referral", "send", str(form)]) == 0  # left waiting in the outbox
    assert main(["outbox", "list"]) == 0
    assert main(["referral", "render", str(form), "-o", str(inputs / "printed.pdf")]) == 0
    assert main(["referral", "log"]) == 0
    out, err = capsys.readouterr()
    for secret in SECRETS:  # nor on the terminal (the printed PDF is the one place they belong)
        assert secret not in out and secret not in err
