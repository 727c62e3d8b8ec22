"""The referral email: a short covering note with the referral PDF attached.

The subject and body name the service, the referrer and the referral id, never the client
(subjects show up in mail logs and notification pop-ups): the client's details travel only
in the attachment. The Message-ID is made once, when the referral is queued, so any resend
is recognisably the same message.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from coventry_directory import APP_NAME, __version__
from coventry_directory.referrals.prepare import PreparedReferral


def new_message_id(sender: str) -> str:
    """A fresh Message-ID in the sender's domain (not the workstation's host name)."""
    domain = sender.rpartition("@")[2].strip() or "coventry-directory.invalid"
    return make_msgid(idstring="referral", domain=domain)


def build_referral_email(ref: PreparedReferral, pdf: bytes, *, sender: str, message_id: str) -> EmailMessage:
    """The email to the service's referral address, with the PDF attached.

    Raises ValueError when the referral cannot be emailed (see ``PreparedReferral.email_problem``).
    """
    problem = ref.email_problem()
    if problem:
        raise ValueError(problem)
    ref.require_ok()
    r = ref.form.referrer
    msg = EmailMessage()
    msg["Subject"] = f"Referral {ref.short_id} to {ref.service.name} from {r.organisation}"
    msg["From"] = sender
    msg["To"] = ref.service.email
    if r.email and r.email != sender:
        msg["Reply-To"] = r.email
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id
    msg["X-Mailer"] = f"{APP_NAME} {__version__}"
    lines = [
        f"Dear {ref.service.name} team,",
        "",
        f"Please find attached a referral to {ref.service.name}, made with the person's explicit consent.",
        "It contains special category personal data: please handle it under your information",
        "governance policy and do not forward it outside your service.",
        "",
        f"Referral id: {ref.id}",
        "",
        "Referrer:",
        f"  {r.name}" + (f", {r.role}" if r.role else ""),
        f"  {r.organisation}",
    ]
    lines += [f"  Phone: {r.phone}"] if r.phone else []
    lines += [f"  Email: {r.email}"] if r.email else []
    lines += [
        "",
        "Please let the referrer know whether you can accept this referral.",
        "",
        f"Sent by {APP_NAME}, an offline directory of drug and alcohol services in Coventry and Warwickshire.",
    ]
    msg.set_content("\n".join(lines))
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"referral-{ref.short_id}.pdf")
    return msg
