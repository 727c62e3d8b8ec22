"""Getting queued "report a correction" notes to the directory's maintainer.

Notes wait in the user's database (``UserStore.add_correction``). They leave either as a
JSON file (to hand over on a stick or attach by hand), or by email to the maintainer
address that came with the installed bundle. Email goes only when asked - ``export
--format corrections --email``, or "Send correction notes" in the app, which uses the
app's Mail settings (:func:`deliver_corrections`) - through the same SMTP client as
referrals (:mod:`coventry_directory.smtp_client`): only over TLS (STARTTLS, or implicit
TLS) with the server's certificate checked, within one deadline; a server without
STARTTLS is refused. The notes say which service and what is wrong; they never hold
client details.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from coventry_directory import APP_NAME, __version__
from coventry_directory.atomic_write import SHARED, new_folder, write_text_atomic
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.exchange.importing import utc_now
from coventry_directory.smtp_client import SendError, SmtpConfig, TlsNotOffered, deliver
from coventry_directory.store.user import UserStore

FORMAT = "coventry-directory-corrections"


@dataclass
class SmtpSettings:
    """How to reach the mail server; ``port`` 465 means implicit TLS, anything else STARTTLS."""

    host: str
    port: int = 587
    sender: str = ""
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None  # None: the system's trusted certificates (plus ca_file)
    ca_file: str = ""  # extra trusted CA certificate (PEM), for a server with a private CA

    def config(self) -> SmtpConfig:
        """These settings in the shared SMTP client's terms (the port chooses the TLS mode)."""
        return SmtpConfig(
            host=self.host,
            port=self.port,
            security="tls" if self.port == 465 else "starttls",
            sender=self.sender,
            username=self.username or "",
            ca_file=self.ca_file,
            timeout=self.timeout,
        )


def corrections_document(
    user_store: UserStore, directory_info: dict[str, str], service_names: dict[str, str] | None = None
) -> dict:
    """The unsent notes as a JSON-ready document, with the edition they were made against."""
    names = service_names or {}
    return {
        "format": FORMAT,
        "format_version": 1,
        "exported_at": utc_now(),
        "app": f"{APP_NAME} {__version__}",
        "directory": {k: directory_info.get(k) for k in ("edition", "source", "bundle_created")},
        "corrections": [
            {
                "id": c["id"],
                "service_id": c["service_id"],
                "service_name": names.get(c["service_id"]),
                "note": c["note"],
                "created_at": c["created_at"],
            }
            for c in user_store.corrections(unsent_only=True)
        ],
    }


def write_corrections(document: dict, path: Path) -> Path:
    """Save a corrections document as a JSON file, atomically (0644: it is handed to the maintainer)."""
    path = Path(path)
    with new_folder(path.parent):  # a folder made for it is removed again if the write fails
        return write_text_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n", mode=SHARED)


def build_email(document: dict, to: str, sender: str) -> EmailMessage:
    """The email to the maintainer: a readable list, with the JSON attached."""
    items = document["corrections"]
    msg = EmailMessage()
    msg["Subject"] = (
        f"{APP_NAME}: {len(items)} correction{'s' if len(items) != 1 else ''} "
        f"(edition {document['directory'].get('edition') or 'unknown'})"
    )
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="coventry-directory.invalid")
    lines = ["Corrections reported by a directory user:", ""]
    for c in items:
        lines += [f"- {c['service_name'] or c['service_id']} ({c['created_at']}):", f"  {c['note']}", ""]
    msg.set_content("\n".join(lines))
    msg.add_attachment(
        json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename="corrections.json",
    )
    return msg


def deliver_corrections(
    document: dict,
    to: str | None,
    cfg: SmtpConfig,
    *,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
) -> int:
    """Email the notes in ``document`` to ``to`` over TLS; returns how many went. Network only.

    Touches no database, so the app can run it off the UI thread and mark the notes sent
    on its own thread afterwards (:meth:`UserStore.mark_corrections_sent`). Every failure
    is an ExchangeError saying what to do; nothing is marked sent.
    """
    if not to:
        raise ExchangeError(
            "the installed directory names no maintainer email; export the corrections to a file instead"
        )
    if not document["corrections"]:
        return 0
    sender = cfg.sender or to
    msg = build_email(document, to, sender)
    try:
        deliver(
            cfg, sender, to, msg.as_bytes(policy=policy.SMTP), password=password, context=context, what="a correction"
        )
    except TlsNotOffered as exc:
        raise ExchangeError(f"{cfg.host}:{cfg.port} does not offer TLS (STARTTLS); nothing was sent") from exc
    except SendError as exc:
        raise ExchangeError(f"sending the corrections to {to} via {cfg.describe()} failed: {exc}") from exc
    return len(document["corrections"])


def send_corrections(user_store: UserStore, document: dict, to: str | None, smtp: SmtpSettings) -> int:
    """Email the notes to ``to`` over TLS and mark them sent; returns how many were sent."""
    sent = deliver_corrections(document, to, smtp.config(), password=smtp.password, context=smtp.ssl_context)
    if sent:
        user_store.mark_corrections_sent([c["id"] for c in document["corrections"]], utc_now())
    return sent
