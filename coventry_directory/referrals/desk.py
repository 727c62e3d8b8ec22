"""The referral desk: the few calls the CLI and the wizard make (prepare, print, send, retry).

Sending always queues first and then tries once, so whatever happens on the wire the
referral ends either sent or waiting in the outbox. Queueing is idempotent by referral id:
a second Send of the same referral keeps the one sealed copy and its Message-ID. The mail
password is asked for (or read from the keyring) once per pass and kept only in memory for
that pass.

A pass can run in three steps for a worker thread (:meth:`ReferralDesk.begin_flush` and
:meth:`ReferralDesk.finish_attempt` on the caller's thread, :meth:`SendPass.send` on any
thread); :meth:`ReferralDesk.flush` is the same three steps in a row.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path

from coventry_directory.core.models import Service
from coventry_directory.i18n import _
from coventry_directory.referrals import credentials
from coventry_directory.referrals.forms import FormDefinition
from coventry_directory.referrals.log import log_printed, log_row
from coventry_directory.referrals.message import build_referral_email, new_message_id
from coventry_directory.referrals.models import ReferralForm
from coventry_directory.referrals.outbox import Attempt, FlushResult, Outbox, Sender, try_send, utc_now
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


@dataclass
class SendPass:
    """One pass over the outbox: what to send, how, and what has happened so far.

    ``attempts`` hold the exact message bytes; :meth:`send` touches only the network, so a
    worker thread may call it. ``password_missing`` is set when the relay needs a login and
    no password could be had without asking: nothing was tried.
    """

    attempts: list[Attempt]
    sender: Sender
    result: FlushResult
    password: str | None = field(default=None, repr=False)
    password_missing: bool = False

    def send(self, attempt: Attempt) -> Exception | None:
        """Send one attempt; the error, or None when the server accepted it (any thread)."""
        return try_send(self.sender, attempt)


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

    def prepare(
        self, form: ReferralForm, service: Service, today: dt.date | None = None, referral_id: str | None = None
    ) -> PreparedReferral:
        """Check a referral to one service (see ``prepare.prepare``); ``referral_id`` keeps an id across edits."""
        return prepare(form, service, forms=self.forms, today=today, referral_id=referral_id)

    def save_pdf(self, ref: PreparedReferral, path: Path | str) -> Path:
        """Print the referral to a PDF file (atomically, private) and log it as printed."""
        written = write_referral_pdf(path, render_referral_pdf(ref))
        log_printed(self.user_store, ref)
        return written

    def pdf_bytes(self, ref: PreparedReferral) -> bytes:
        """The referral PDF in memory, to preview or send to a printer (no file is written)."""
        return render_referral_pdf(ref)

    def mark_printed(self, ref: PreparedReferral) -> str:
        """Log a referral sent to a printer (once: printing it again is not another referral)."""
        return log_printed(self.user_store, ref)

    def smtp_config(self) -> SmtpConfig:
        """The mail settings as saved now."""
        return load_config(self.user_store)

    def queue(self, ref: PreparedReferral, now: dt.datetime | None = None) -> str:
        """Seal the referral email into the outbox (the Message-ID is fixed here, once).

        Queueing a referral already sealed (or sent) changes nothing: it is one referral.
        """
        problem = ref.email_problem()
        if problem:
            raise ValueError(problem)
        if self.outbox is None or self.outbox.locked:
            raise RuntimeError("the outbox is not open")
        if self.outbox.sealed(ref.id):
            return ref.id
        cfg = self.smtp_config()
        sender = cfg.sender or ref.form.referrer.email or PLACEHOLDER_SENDER
        message_id = self.outbox.message_id(ref.id) or new_message_id(sender)
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
        return self.outcome(ref, result)

    def outcome(self, ref: PreparedReferral, result: FlushResult) -> Outcome:
        """What a pass did to one queued referral, in words for the person who sent it."""
        name, address = ref.service.name, ref.service.email
        if ref.id in result.sent:
            return Outcome(ref.id, "sent", _("Sent to {service} ({address}).").format(service=name, address=address))
        if self.outbox is not None and ref.id not in {r["id"] for r in self.outbox.items()}:
            logged = self.outbox.store.log_row(ref.id) or {}
            if logged.get("status") == "sent":
                return Outcome(ref.id, "sent", _("Already sent to {service}; not sent again.").format(service=name))
            return Outcome(ref.id, "cannot-email", _("Already recorded as answered in the referral log; not emailed."))
        reason = dict(result.failed).get(ref.id, _("not sent"))
        return Outcome(
            ref.id,
            "queued",
            _("Not sent yet: {reason}. The referral is safe in the outbox (encrypted) and will be tried again.").format(
                reason=reason
            ),
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
        job = self.begin_flush(force=force, only=only, now=now)
        for attempt in job.attempts:
            self.finish_attempt(job, attempt, job.send(attempt), now)
        return self.end_flush(job, now)

    def begin_flush(
        self,
        *,
        force: bool = False,
        only: list[str] | None = None,
        now: dt.datetime | None = None,
        ask: bool | credentials.Ask = True,
        exclude: set[str] | frozenset[str] = frozenset(),
    ) -> SendPass:
        """Step 1 of a pass (caller's thread): the password, and the due referrals decrypted.

        ``ask`` is how to ask for the mail password: True for the desk's own ``ask_password``,
        or a function. With ``ask`` False nobody is asked for anything (a timer): when the
        relay needs a password that the keyring does not hold, nothing is tried.
        """
        if self.outbox is None:
            raise RuntimeError("the outbox is not open")
        cfg = self.smtp_config()
        if not any(only is None or r["id"] in only for r in self.outbox.items()):
            return SendPass([], self.sender(cfg, None), FlushResult())
        password = None
        if cfg.configured and cfg.username:
            asker = ask if callable(ask) else self.ask_password if ask else None
            password = credentials.smtp_password(cfg.username, asker, host=cfg.host)
            if password is None and not ask:
                return SendPass([], self.sender(cfg, None), FlushResult(), password_missing=True)
        attempts, result = self.outbox.due(now=now, force=force, only=only, exclude=exclude)
        return SendPass(attempts, self.sender(cfg, password), result, password)

    def finish_attempt(
        self, job: SendPass, attempt: Attempt, error: Exception | None, now: dt.datetime | None = None
    ) -> None:
        """Step 2 of a pass (caller's thread): record how one attempt went."""
        if self.outbox is None:
            raise RuntimeError("the outbox is not open")
        self.outbox.record(attempt, error, now, job.result)

    def end_flush(self, job: SendPass, now: dt.datetime | None = None) -> FlushResult:
        """Step 3 of a pass (caller's thread): purge what may go, remember a password that worked."""
        if self.outbox is None:
            raise RuntimeError("the outbox is not open")
        self.outbox.purge_expired(now)
        cfg = self.smtp_config()
        if job.result.sent and job.password and self.remember_password:
            credentials.remember_smtp_password(cfg.username, job.password, host=cfg.host)
        return job.result


__all__ = ["Outcome", "ReferralDesk", "SendError", "SendPass"]
