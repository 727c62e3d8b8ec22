"""Consent: the information-sharing statement shown first, and the record of the person's answer.

The statement is ours (no service in the directory publishes one we could quote), and it
says so. The consent record holds what the person agreed to share, with whom, how they said
so, when, and who recorded it; it travels inside the referral (PDF and email) and its time
and field names (never values) stay in the referral log.

The statement is recorded in English, the language of the services that receive it (its
fingerprint is of that text); :func:`sharing_statement` with ``translated=True`` gives the
same statement in the language the app speaks, for the worker to show or read out beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from coventry_directory.core.models import Service
from coventry_directory.i18n import N_, _
from coventry_directory.referrals.forms import FormDefinition
from coventry_directory.referrals.models import Consent, ReferralForm

# English msgids: the wizard shows them translated, the PDF in English.
CONSENT_METHODS = {"verbal": N_("Verbal"), "written": N_("Written (signed)")}

DEFAULT_STATEMENT = N_(
    "Information-sharing statement (Coventry Directory's default wording; {service} has not "
    "published its own):\n\n"
    "With your agreement, {referrer_org} will send {service} ({organisation}) the details listed "
    "on this referral, and only those, so that they can contact you and offer you support. "
    "This includes health information, such as your drug or alcohol use and any current risks, "
    "which the law treats as especially sensitive.\n\n"
    "It will be sent by secure email or handed over on paper. {service} will keep it under its own "
    "confidentiality and data protection policy; ask them how long they keep it. You do not have to "
    "agree, and saying no will not stop you getting help: you can contact {service} yourself. You "
    "can change your mind at any time by telling us or {service}.\n\n"
    "We will not share it with anyone else unless the law requires it or someone is at serious risk "
    "of harm."
)


def sharing_statement(
    service: Service, definition: FormDefinition, referrer_org: str = "", *, translated: bool = False
) -> str:
    """The information-sharing statement to show (and read out) before anything is sent.

    In English, as it is recorded with the referral; ``translated`` gives it in the language
    ``_()`` speaks here (a help for explaining it; the English stays the record).
    """
    template = definition.statement or DEFAULT_STATEMENT
    # TRANSLATORS: stands in for the referrer's organisation in the statement ("we will send ...").
    we = _("we") if translated else "we"
    return (_(template) if translated else template).format(
        service=service.name, organisation=service.organization.name, referrer_org=referrer_org or we
    )


def statement_digest(text: str) -> str:
    """A short fingerprint of the exact statement shown, kept with the consent record."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def now_iso() -> str:
    """The local time now, to the second, with its UTC offset."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def record_consent(
    given: bool, *, method: str, referrer_name: str, statement_shown: bool, when: str | None = None
) -> Consent:
    """A consent record made now (or at ``when``) by the referrer."""
    return Consent(
        given=given,
        method=method,
        recorded_at=when or now_iso(),
        recorded_by=referrer_name,
        statement_shown=statement_shown,
    )


def complete_consent(form: ReferralForm, service: Service, definition: FormDefinition) -> Consent:
    """The consent record with 'what' and 'with whom' filled in from this service's form.

    What is shared is worked out here, from the form and the fields that hold something,
    so the record can never claim less than the referral actually carries.
    """
    filled = {name for name in definition.fields if form.summary.has(name)}
    filled |= {q.name for q in definition.questions if form.answers.get(q.name)}
    consent = form.consent
    return Consent(
        # No time in the form: consent is being confirmed now, as the referral is made.
        given=consent.given,
        method=consent.method,
        recorded_at=consent.recorded_at or now_iso(),
        recorded_by=consent.recorded_by or form.referrer.name,
        statement_shown=consent.statement_shown,
        shared_fields=definition.shared_fields(filled),
        recipient=f"{service.name} ({service.organization.name})",
    )


def consent_errors(consent: Consent) -> list:
    """What is missing from the consent record (an empty list when it is complete)."""
    from coventry_directory.referrals.validate import FieldError  # validate imports us for validate_referral

    errors = []
    if not consent.given:
        errors.append(
            FieldError(
                "consent", _("Consent: the person must explicitly agree to this referral before it is sent or printed.")
            )
        )
    if not consent.statement_shown:
        errors.append(
            FieldError("consent", _("Consent: show (or read out) the service's information-sharing statement first."))
        )
    if consent.method not in CONSENT_METHODS:
        methods = ", ".join(CONSENT_METHODS)
        errors.append(FieldError("consent", _("Consent: how was it given? ({methods})").format(methods=methods)))
    if consent.recorded_at and _parse_time(consent.recorded_at) is None:
        errors.append(FieldError("consent", _("Consent: the time it was recorded is not a date and time.")))
    elif consent.recorded_at and _parse_time(consent.recorded_at) > dt.datetime.now().astimezone() + dt.timedelta(
        minutes=5
    ):
        errors.append(FieldError("consent", _("Consent: the time it was recorded is in the future.")))
    return errors


def _parse_time(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # Naive times are taken as local time so they compare with "now".
    return value if value.tzinfo else value.astimezone()
