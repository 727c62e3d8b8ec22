"""Shared pieces for the referral tests: invented client data, services, real SMTP servers.

Imported by the referral/outbox/SMTP test modules (pytest also collects it; it has no tests).
All personal data here is invented and obviously fake: "Test Person", NHS number 999 999 9999
(the NHS test range; it passes Modulus 11), an Ofcom drama-range mobile number.
"""

from __future__ import annotations

import contextlib
import email
import shutil
import socket
import ssl
import threading
from email import policy
from pathlib import Path

import keyring.backend
import pytest

from coventry_directory.core.models import Organization, Service
from coventry_directory.referrals.smtp import SmtpConfig, save_config
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import installed_directory_path, user_database_path

NAME = "Test Person"
DOB = "1990-02-01"
NHS = "999 999 9999"
PASSPHRASE = "correct horse battery staple"
SERVICE_EMAIL = "referrals@example.org"
SENDER = "outreach-team@example.net"

# Every way the client's identifiers could be written out in plain text.
SECRETS = [
    NAME,
    NAME.upper(),
    "Test%20Person",
    DOB,
    "01/02/1990",
    "01-02-1990",
    "19900201",
    "9999999999",
    NHS,
    "999-999-9999",
]


def make_service(
    *,
    email: str | None = SERVICE_EMAIL,
    categories=("treatment-adult",),
    minimum_age=18,
    maximum_age=None,
    key="example-adult",
    name="Example Recovery Hub",
) -> Service:
    """A service built directly from the models (as a directory would load it)."""
    org = Organization(
        id="00000000-0000-4000-8000-000000000001",
        key="example-org",
        name="Example Organisation",
        description="Invented for the tests.",
    )
    return Service(
        id="00000000-0000-4000-8000-0000000000a1",
        key=key,
        name=name,
        organization=org,
        email=email,
        categories=tuple(categories),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
    )


def form_data(service: str = "example-adult", **summary_overrides) -> dict:
    """A complete FORM.json document for a fake client."""
    summary = {
        "name": NAME,
        "date_of_birth": DOB,
        "nhs_number": NHS,
        "phone": "07700 900123",
        "may_leave_message": "no",
        "safe_times": "Weekday mornings",
        "postcode": "CV1 9ZZ",
        "substances": ["alcohol", "opiates"],
        "pattern_of_use": "Daily",
        "risks": ["overdose"],
        "wants": "Help to cut down",
    }
    summary.update(summary_overrides)
    return {
        "format": "coventry-directory-referral",
        "version": 1,
        "service": service,
        "referrer": {
            "name": "Alex Example",
            "role": "Outreach worker",
            "organisation": "Example Outreach Team",
            "phone": "024 7600 0000",
            "email": SENDER,
        },
        "summary": summary,
        "answers": {"gp_practice": "Example Surgery"},
        "consent": {"given": True, "method": "verbal", "statement_shown": True},
        "local_reference": "CASE-0001",
    }


def message_ids(inbox) -> list[str]:
    """The Message-ID of every message a server accepted."""
    return [email.message_from_bytes(env.content, policy=policy.default)["Message-ID"] for env in inbox.messages]


def parsed(envelope):
    """An accepted message, parsed."""
    return email.message_from_bytes(envelope.content, policy=policy.default)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working keyring backend kept in memory (stands in for the desktop's Secret Service)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


class Inbox:
    """aiosmtpd handler: answers DATA with the queued ``replies`` first, then accepts and keeps."""

    def __init__(self, replies=()):
        self.replies = list(replies)
        self.messages = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.attempts += 1
        if self.replies:
            return self.replies.pop(0)
        self.messages.append(envelope)
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SilentServer:
    """Accepts TCP connections and never says a word (a hung relay)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def tls_ca(tmp_path):
    """A test CA (trustme), its certificate as a PEM file the client trusts, and a server context maker."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    pem = tmp_path / "certs" / "relay-ca.pem"
    pem.parent.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(pem))

    def server_context(issuer=None, names=("127.0.0.1", "localhost")):
        cert = (issuer or ca).issue_cert(*names)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        return ctx

    return ca, pem, server_context


@pytest.fixture
def smtp_servers(tls_ca):
    """Start real aiosmtpd servers on loopback: ``start(handler, mode=..., port=..., context=..., auth=...)``."""
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    _, _, server_context = tls_ca
    running = []

    def start(handler=None, *, mode="starttls", port=None, context=None, auth=None):
        handler = handler or Inbox()
        port = port or free_port()
        ctx = context or server_context()
        kwargs = {"hostname": "127.0.0.1", "port": port}
        if mode == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        elif mode == "tls":
            kwargs.update(ssl_context=ctx)
        if auth:
            kwargs.update(authenticator=auth, auth_required=True)
        controller = controller_mod.Controller(handler, **kwargs)
        controller.start()
        running.append(controller)
        handler.port = port
        handler.controller = controller
        return handler

    yield start
    for controller in running:
        with contextlib.suppress(AssertionError):  # already stopped by the test
            controller.stop()


def configure_relay(user_store: UserStore, port: int, ca_pem: Path, **overrides) -> SmtpConfig:
    """Point the saved mail settings at a loopback relay that trusts only the test CA."""
    cfg = SmtpConfig(host="127.0.0.1", port=port, sender=SENDER, ca_file=str(ca_pem), timeout=5.0)
    for key, value in overrides.items():
        setattr(cfg, key, value)
    save_config(user_store, cfg)
    return cfg


@pytest.fixture
def headless_keyring():
    """As on a headless Linux box: no keyring backend, so the outbox uses its passphrase."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def headless_terminal(headless_keyring, monkeypatch):
    """No keyring backend and no terminal (nothing to type a password into), as under cron or CI."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO())


@pytest.fixture
def desk(user_store):
    """A referral desk with its outbox opened by passphrase."""
    from coventry_directory.referrals.desk import ReferralDesk
    from coventry_directory.referrals.outbox import Outbox

    return ReferralDesk(user_store, Outbox.open(user_store, PASSPHRASE))


@pytest.fixture
def user_store(user_home):
    """The user's real database file in this test's home."""
    store = UserStore(user_database_path())
    yield store
    store.close()


@pytest.fixture
def referral_directory(tmp_path, user_home):
    """Install a small directory (the test sample, plus a referral email cited from its source)."""
    from coventry_directory.core.build import build_database

    src = tmp_path / "sources"
    shutil.copytree(Path(__file__).parent / "fixtures" / "sample_directory", src)
    with open(src / "sources" / "sample.txt", "a", encoding="utf-8") as fh:
        fh.write(f"Professionals can refer to the Example Recovery Hub by secure email to {SERVICE_EMAIL}.\n")
    services = src / "services" / "sample.toml"
    text = services.read_text(encoding="utf-8")
    text = text.replace('source = ["sample L2"]', f'source = ["sample L2", "sample L6"]\nemail = "{SERVICE_EMAIL}"', 1)
    services.write_text(text, encoding="utf-8")
    build_database(installed_directory_path(), src)
    return installed_directory_path()
