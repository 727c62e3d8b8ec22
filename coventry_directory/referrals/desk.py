"""The referral desk: the few calls the CLI and the wizard make (prepare, print, send, retry).

Sending always queues first and then tries once, so whatever happens on the wire the
referral ends either sent or waiting in the outbox. The mail password is asked for (or
read from the keyring) once per pass and kept only in memory for that pass.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from coventry_directory.core.models import Service
from coventry_directory.referrals import credentials
from coventry_directory.referrals.forms import FormDefinition
from coventry_directory.referrals.log import log_printed, log_row
from coventry_directory.referrals.message import build_referral_email, new_message_id
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.outbox import FlushResult, Outbox, Sender, utc_now
from coventry_directory.referrals.pdf import render_referral_pdf, write_referral_pdf
from coventry_directory.referrals.prepare import PreparedReferral, prepare
from coventry_directory.referrals.smtp import SendError, SmtpConfig, deliver, load_config
from coventry_directory.store.user import UserStore

PLACEHOLDER_SENDER = "referrals@coventry-directory.invalid"


@dataclass
class Outcome:
    """What became of one referral: 'sent', 'queued' (with the reason) or 'cannot-email'."""

    referral_id: str
    status: str
    message: str


def _with_from(message: bytes, sender: str) -> bytes:
    """The same message with a new From header (the Message-ID and everything else unchanged)."""
    msg = BytesParser(policy=policy.SMTP).parsebytes(message)
    msg.replace_header("From", sender)
    return msg.as_bytes()


class ReferralDesk:
    """Prepare, print, queue and send referrals for one user."""

    def __init__(
        self,
        user_store: UserStore,
        outbox: Outbox | None = None,
        *,
        ask_password: credentials.Ask | None = None,
        forms: dict[str, FormDefinition] | None = None,
        remember_password: bool = True,
    ):
        self.user_store = user_store
        self.outbox = outbox
        self.ask_password = ask_password
        self.forms = forms
        self.remember_password = remember_password

    def prepare(self, form: ReferralForm, service: Service, today: dt.date | None = None) -> PreparedReferral:
        """Check a referral to one service (see ``prepare.prepare``)."""
        return prepare(form, service, forms=self.forms, today=today)

    def save_pdf(self, ref: PreparedReferral, path: Path | str) -> Path:
        """Print the referral to a PDF file (atomically, private) and log it as printed."""
        written = write_referral_pdf(path, render_referral_pdf(ref))
        log_printed(self.user_store, ref)
        return written

    def smtp_config(self) -> SmtpConfig:
        """The mail settings as saved now."""
        return load_config(self.user_store)

    def queue(self, ref: PreparedReferral, now: dt.datetime | None = None) -> str:
        """Seal the referral email into the outbox (the Message-ID is fixed here, once)."""
        problem = ref.email_problem()
        if problem:
            raise ValueError(problem)
        if self.outbox is None or self.outbox.locked:
            raise RuntimeError("the outbox is not open")
        cfg = self.smtp_config()
        sender = cfg.sender or ref.form.referrer.email or PLACEHOLDER_SENDER
        message_id = new_message_id(sender)
        email = build_referral_email(ref, render_referral_pdf(ref), sender=sender, message_id=message_id)
        row = log_row(ref, delivery="email", message_id=message_id)
        payload = {
            "version": 1,
            "id": ref.id,
            "service_id": ref.service.id,
            "service_name": ref.service.name,
            "to": ref.service.email,
            "from": sender,
            "message_id": message_id,
            "queued_at": (now or utc_now()).isoformat(timespec="seconds"),
            "log": row,
            "message": base64.b64encode(email.as_bytes(policy=policy.SMTP)).decode("ascii"),
        }
        return self.outbox.enqueue(payload, row, now)

    def submit(self, ref: PreparedReferral, now: dt.datetime | None = None) -> Outcome:
        """Queue the referral and try to send it now; it ends sent or waiting in the outbox."""
        ref.require_ok()
        problem = ref.email_problem()
        if problem:
            return Outcome(ref.id, "cannot-email", problem)
        self.queue(ref, now)
        result = self.flush(force=True, only=[ref.id], now=now)
        if ref.id in result.sent:
            return Outcome(ref.id, "sent", f"Sent to {ref.service.name} ({ref.service.email}).")
        reason = dict(result.failed).get(ref.id, "not sent")
        return Outcome(
            ref.id,
            "queued",
            f"Not sent yet: {reason}. The referral is safe in the outbox (encrypted) and will be tried again.",
        )

    def sender(self, cfg: SmtpConfig, password: str | None) -> Sender:
        """A function that sends one message through the configured relay."""

        def send(envelope_from: str, to: str, message: bytes) -> None:
            if cfg.sender and envelope_from != cfg.sender:
                # Queued before the relay was set up (or it changed): send as the relay's user.
                message, envelope_from = _with_from(message, cfg.sender), cfg.sender
            deliver(cfg, envelope_from, to, message, password=password)

        return send

    def flush(
        self, *, force: bool = False, only: list[str] | None = None, now: dt.datetime | None = None
    ) -> FlushResult:
        """Try the queued referrals that are due (all with ``force``)."""
        if self.outbox is None:
            raise RuntimeError("the outbox is not open")
        due = [r for r in self.outbox.items() if only is None or r["id"] in only]
        if not due:
            return FlushResult()
        cfg = self.smtp_config()
        password = None
        if cfg.configured and cfg.username:
            password = credentials.smtp_password(cfg.username, self.ask_password, host=cfg.host)
        result = self.outbox.flush(self.sender(cfg, password), force=force, only=only, now=now)
        if result.sent and password and self.remember_password:
            credentials.remember_smtp_password(cfg.username, password, host=cfg.host)
        return result


__all__ = ["Outcome", "ReferralDesk", "SendError"]
