"""Correction notes leave as a JSON file, or by email over TLS to a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from coventry_directory.cli import main
from coventry_directory.exchange.corrections import SmtpSettings, corrections_document, send_corrections
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.store import hsds_rows
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import user_database_path

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd (a test dependency) is not installed")


def self_signed(tmp_path):
    """A certificate for 127.0.0.1, and a client context that trusts only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    return server, client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(tmp_path):
    server_ctx, client_ctx = self_signed(tmp_path)
    inbox, port = Inbox(), free_port()
    controller = aiosmtpd.Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_ctx, require_starttls=True
    )
    controller.start()
    yield inbox, port, client_ctx
    controller.stop()


@pytest.fixture
def notes(installed_directory):
    """Two queued notes, and an installed directory whose bundle named a maintainer."""
    store = DirectoryStore.open(installed_directory)
    hsds_rows.set_info(store, {"maintainer_email": "maintainer@example.org"})
    sid = store.service_ids()[0]
    info, name = store.info(), store.get_service(sid).name
    store.close()
    user = UserStore(user_database_path())
    user.add_correction(sid, "The phone number has changed to 024 7600 1234.")
    user.add_correction(sid, "Now open on Saturdays.")
    yield user, info, {sid: name}
    user.close()


def test_export_corrections_as_json(notes, tmp_path, capsys):
    assert main(["export", "--format", "corrections", "-o", str(tmp_path / "c.json")]) == 0
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert doc["format"] == "coventry-directory-corrections" and len(doc["corrections"]) == 2
    first = doc["corrections"][0]
    assert first["note"].startswith("The phone number") and first["service_name"] == next(iter(notes[2].values()))
    assert doc["directory"]["edition"] == notes[1]["edition"]


def test_email_goes_to_the_maintainer_over_starttls(notes, smtp):
    user, info, names = notes
    inbox, port, client_ctx = smtp
    doc = corrections_document(user, info, names)
    sent = send_corrections(
        user,
        doc,
        info["maintainer_email"],
        SmtpSettings("127.0.0.1", port, "worker@example.org", ssl_context=client_ctx, timeout=10),
    )
    assert sent == 2 and len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["maintainer@example.org"]
    body = envelope.content.decode("utf-8", "replace")
    assert "2 corrections" in body and "corrections.json" in body
    assert user.corrections(unsent_only=True) == []  # marked sent, so not sent twice


def test_no_tls_means_no_email(notes, tmp_path):
    user, info, names = notes
    plain, port = Inbox(), free_port()
    controller = aiosmtpd.Controller(plain, hostname="127.0.0.1", port=port)  # offers no STARTTLS
    controller.start()
    try:
        with pytest.raises(ExchangeError, match="does not offer TLS"):
            send_corrections(
                user,
                corrections_document(user, info, names),
                info["maintainer_email"],
                SmtpSettings("127.0.0.1", port, timeout=10),
            )
    finally:
        controller.stop()
    assert plain.messages == [] and len(user.corrections(unsent_only=True)) == 2


def test_without_a_maintainer_address_it_says_so(notes):
    user, info, names = notes
    with pytest.raises(ExchangeError, match="no maintainer email"):
        send_corrections(user, corrections_document(user, info, names), None, SmtpSettings("127.0.0.1"))
