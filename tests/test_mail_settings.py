"""Mail settings: one check for the command line and the app, saved all at once or not at all.

``referral settings`` refuses each bad value and then saves nothing (the stored settings are
compared before and after). The app's Mail settings dialog uses the same check, tests the
connection against a real loopback TLS relay (aiosmtpd, trustme) off the UI thread, saves,
and shows the saved values when opened again; the password reaches the keyring and never a
file in the data folder. The queued correction notes go through the same settings.
"""
# ruff: noqa: F811 - pytest fixtures imported from test_referral_support are parameters here

from __future__ import annotations

import os

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from test_referral_support import (  # noqa: F401 - fixtures
    SENDER,
    MemoryKeyring,
    headless_keyring,
    headless_terminal,
    parsed,
    smtp_servers,
    tls_ca,
)

from coventry_directory.cli import main
from coventry_directory.referrals.smtp import SettingsError, load_config, validated_config
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import user_database_path

PASSWORD = "pw-Zq81-unique"


@pytest.fixture
def headless(headless_terminal):
    """No keyring backend and no terminal, as under cron or CI."""


@pytest.fixture
def memory_keyring():
    """A working keyring (as on a desktop with a Secret Service)."""
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


def stored_settings() -> dict[str, str]:
    store = UserStore(user_database_path())
    try:
        return {k: v for k, v in store._db.execute("SELECT key, value FROM setting")}
    finally:
        store.close()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _auth(server, session, envelope, mechanism, data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"worker", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


# --- the one check, from the command line ------------------------------------------------
@pytest.fixture
def bad_files(tmp_path, tls_ca):
    not_pem = tmp_path / "not-a-cert.pem"
    not_pem.write_text("this is not a certificate\n", encoding="utf-8")
    key_only = tmp_path / "key.pem"
    key_only.write_bytes(tls_ca[0].private_key_pem.bytes())
    return {"not_pem": not_pem, "key_only": key_only, "folder": tmp_path}


@pytest.mark.parametrize(
    "argv",
    [
        ["--timeout", "nan"],
        ["--timeout", "inf"],
        ["--timeout=-inf"],
        ["--timeout=-1"],
        ["--timeout", "0"],
        ["--timeout", "0.5"],
        ["--timeout", "100000"],
        ["--port", "0"],
        ["--port", "65536"],
        ["--port=-25"],
        ["--sender", "not an address"],
        ["--sender", "team@example.net\r\nBcc: x@example.org"],
        ["--host", "relay example org"],
        ["--username", "worker\r\nRCPT TO:<x@example.org>"],
        ["--ca-file", "{not_pem}"],
        ["--ca-file", "{key_only}"],
        ["--ca-file", "{folder}"],
        ["--ca-file", "{folder}/missing.pem"],
        ["--host", "new.example.org", "--retention-days", "999"],
        ["--host", "new.example.org", "--timeout", "nan"],
        ["--host", "new.example.org", "--remember-password"],  # no terminal to type it in
    ],
)
def test_each_bad_value_is_refused_and_nothing_is_saved(headless, capsys, tls_ca, bad_files, argv):
    code, _out, _err = run(
        capsys, "referral", "settings", "--host", "relay.example.org", "--sender", SENDER, "--ca-file", str(tls_ca[1])
    )
    assert code == 0
    before = stored_settings()
    argv = [a.format(**bad_files) for a in argv]
    code, out, err = run(capsys, "referral", "settings", *argv)
    assert code == 2 and "nothing was saved" in err.lower(), err
    assert stored_settings() == before


def test_an_unreadable_ca_file_is_refused(headless, capsys, tls_ca, tmp_path):
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("root (or Windows) can read a file whatever its permissions")
    locked = tmp_path / "locked.pem"
    locked.write_bytes(tls_ca[1].read_bytes())
    os.chmod(locked, 0)
    before = stored_settings()
    code, _out, err = run(capsys, "referral", "settings", "--ca-file", str(locked))
    assert code == 2 and "cannot be read" in err
    assert stored_settings() == before


def test_good_values_are_all_saved_together(headless, capsys, tls_ca):
    code, out, err = run(
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
        SENDER,
        "--timeout",
        "12.5",
        "--ca-file",
        str(tls_ca[1]),
        "--retention-days",
        "7",
    )
    assert code == 0, err
    saved = stored_settings()
    assert saved["referrals.smtp.timeout"] == "12.5" and saved["referrals.smtp.port"] == "465"
    assert saved["referrals.smtp.ca_file"] == str(tls_ca[1].absolute())
    assert "7 days" in out


def test_the_dialog_and_the_command_line_share_one_check(tls_ca):
    cfg = validated_config({"host": " relay.example.org ", "port": "2525", "timeout": "9", "ca_file": str(tls_ca[1])})
    assert (cfg.host, cfg.port, cfg.timeout) == ("relay.example.org", 2525, 9.0)
    with pytest.raises(SettingsError) as err:
        validated_config({"port": "25.5", "timeout": "NaN", "security": "plain"})
    assert set(err.value.problems) == {"port", "timeout", "security"}


def test_a_hand_edited_saved_value_falls_back_to_the_default(headless):
    store = UserStore(user_database_path())
    try:
        store.set_settings({"referrals.smtp.timeout": "nan", "referrals.smtp.port": "99999"})
        cfg = load_config(store)
    finally:
        store.close()
    assert cfg.timeout == 30.0 and cfg.port == 587


# --- the dialog ---------------------------------------------------------------------------
def _fill(dialog, port, pem, *, password=PASSWORD):
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentIndex(dialog.security.findData("starttls"))
    dialog.port.setValue(port)
    dialog.sender.setText(SENDER)
    dialog.username.setText("worker")
    dialog.password.setText(password)
    dialog.ca_file.setText(str(pem))
    dialog.timeout.setValue(10)


def _no_password_in_files(home) -> None:
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files and not [p for p in files if PASSWORD.encode() in p.read_bytes()]


def test_the_dialog_tests_saves_and_reopens_with_the_values(qtbot, memory_keyring, smtp_servers, tls_ca, user_home):
    from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog

    server = smtp_servers(auth=_auth)
    store = UserStore(user_database_path())
    try:
        dialog = MailSettingsDialog(store)
        qtbot.addWidget(dialog)
        assert "system keyring" in dialog.password_note.text()
        _fill(dialog, server.port, tls_ca[1])
        with qtbot.waitSignal(dialog.tested, timeout=15_000) as outcome:
            qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
        ok, text = outcome.args
        assert ok, text
        assert "login was accepted" in text and "Nothing was sent" in text and dialog.test_result.text() == text
        assert server.messages == []

        dialog.password.setText("wrong-password")
        with qtbot.waitSignal(dialog.tested, timeout=15_000) as outcome:
            dialog.test_connection()
        assert outcome.args[0] is False and "did not accept the user name or password" in outcome.args[1]

        dialog.password.setText(PASSWORD)
        dialog.save()
        assert dialog.result() == QDialog.Accepted

        again = MailSettingsDialog(store)
        qtbot.addWidget(again)
        assert again.values() == {
            "host": "127.0.0.1",
            "port": server.port,
            "security": "starttls",
            "sender": SENDER,
            "username": "worker",
            "ca_file": str(tls_ca[1].absolute()),
            "timeout": 10,
        }
        assert again.password.text() == ""  # never shown again; the keyring has it
        with qtbot.waitSignal(again.tested, timeout=15_000) as outcome:
            again.test_connection()  # with the password from the keyring
        assert outcome.args[0] is True, outcome.args[1]
    finally:
        store.close()
    assert PASSWORD in memory_keyring.secrets.values()
    assert not any("pass" in k for k in stored_settings())
    _no_password_in_files(user_home)


def test_without_a_keyring_the_dialog_says_the_password_is_asked_each_time(qtbot, headless, tls_ca, user_home):
    from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog

    store = UserStore(user_database_path())
    try:
        dialog = MailSettingsDialog(store)
        qtbot.addWidget(dialog)
        assert "asks for it each time" in dialog.password_note.text()
        _fill(dialog, 2525, tls_ca[1])
        dialog.save()
        assert load_config(store).username == "worker"
    finally:
        store.close()
    _no_password_in_files(user_home)


def test_the_dialog_refuses_a_bad_value_and_saves_nothing(qtbot, headless, tmp_path):
    from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog

    bad = tmp_path / "bad.pem"
    bad.write_text("nope\n", encoding="utf-8")
    store = UserStore(user_database_path())
    try:
        before = dict(store._db.execute("SELECT key, value FROM setting").fetchall())
        dialog = MailSettingsDialog(store)
        qtbot.addWidget(dialog)
        dialog.host.setText("relay.example.org")
        dialog.sender.setText("not an address")
        dialog.ca_file.setText(str(bad))
        dialog.save()
        assert dialog.result() != QDialog.Accepted
        assert "PEM" in dialog.problem.text() and "From address" in dialog.problem.text()
        assert dict(store._db.execute("SELECT key, value FROM setting").fetchall()) == before
    finally:
        store.close()


def test_the_connection_test_does_not_hold_up_the_window(qtbot, headless, tls_ca):
    """A relay that never answers: the UI thread keeps running while the test waits for it."""
    from test_referral_support import SilentServer

    from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog

    silent = SilentServer()
    store = UserStore(user_database_path())
    try:
        dialog = MailSettingsDialog(store)
        qtbot.addWidget(dialog)
        _fill(dialog, silent.port, tls_ca[1])
        dialog.username.setText("")
        dialog.timeout.setValue(2)
        dialog.test_connection()
        assert not dialog.test_button.isEnabled() and "Testing" in dialog.test_result.text()  # returned at once
        with qtbot.waitSignal(dialog.tested, timeout=15_000) as outcome:
            pass
        assert outcome.args[0] is False and "timed out after 2 s" in outcome.args[1]
        assert dialog.test_button.isEnabled()
    finally:
        store.close()
        silent.close()


# --- correction notes through the same settings ----------------------------------------------
def test_queued_correction_notes_are_sent_from_the_app(
    qtbot, open_window, directory_db, headless, smtp_servers, tls_ca, monkeypatch
):
    from PySide6.QtWidgets import QMenu, QMessageBox

    from coventry_directory.store import hsds_rows
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog

    store = DirectoryStore.open(directory_db)
    try:
        hsds_rows.set_info(store, {"maintainer_email": "keeper@example.org"})
    finally:
        store.close()
    server = smtp_servers()
    window = open_window()
    window.start_page.browse_button.click()  # the start page shows no service until one is chosen
    service_id = window._current_id
    assert service_id is not None
    window.controller.report_correction(service_id, "The phone number changed in 2026.")

    told = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: told.append(text))

    # No mail settings yet: the action offers the dialog; it is filled and saved there.
    def fill_and_save(dialog):
        dialog.host.setText("127.0.0.1")
        dialog.port.setValue(server.port)
        dialog.sender.setText(SENDER)
        dialog.ca_file.setText(str(tls_ca[1]))
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(MailSettingsDialog, "exec", fill_and_save)
    [settings_menu] = [m for m in window.findChildren(QMenu) if m.title() == "&Settings"]
    entries = {a.text(): a for a in settings_menu.actions()}
    assert "&Mail settings…" in entries
    with qtbot.waitSignal(window.correction_mail.finished, timeout=15_000) as outcome:
        entries["Send &correction notes…"].trigger()
    assert outcome.args[0] is True, outcome.args[1]
    [envelope] = server.messages
    assert envelope.rcpt_tos == ["keeper@example.org"]
    assert "The phone number changed in 2026." in parsed(envelope).get_body(("plain",)).get_content()
    assert window.controller.user.corrections(unsent_only=True) == []
    assert told and "1 correction note was sent" in told[-1]

    with qtbot.waitSignal(window.correction_mail.finished, timeout=5_000) as outcome:
        entries["Send &correction notes…"].trigger()  # nothing left: says so, sends nothing
    assert "No correction notes are waiting" in outcome.args[1] and len(server.messages) == 1
