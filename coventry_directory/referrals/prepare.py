"""One referral made ready for one service: its form, completed consent, checks and wording.

``prepare`` is the one place that pairs a summary with a service. What comes out says what
the service's form takes, what is wrong (a list, never an exception), the statement to show,
and whether it can go by email; the PDF, the email, the CLI and the wizard all read it.

Words come out in the language ``_()`` speaks where they are read (the wizard's), except the
statement, which is recorded in English (``consent.sharing_statement``); the PDF and the
email are made in English.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace

from coventry_directory.core.models import Service
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import list_separator
from coventry_directory.referrals.consent import complete_consent, now_iso, sharing_statement
from coventry_directory.referrals.forms import FormDefinition, form_for
from coventry_directory.referrals.models import RISKS, ReferralForm
from coventry_directory.referrals.validate import (
    FieldError,
    nhs_number_digits,
    normalise_postcode,
    parse_date,
    validate_referral,
)


class ReferralNotReady(ValueError):
    """The referral has problems (``errors``) and cannot be sent or printed yet."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass
class PreparedReferral:
    """A referral to one service, checked, with its consent record completed."""

    id: str
    form: ReferralForm
    service: Service
    definition: FormDefinition
    statement: str
    created_at: str
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing stops it being sent or printed."""
        return not self.errors

    @property
    def short_id(self) -> str:
        """The first 8 characters of the id: what people read out on the phone."""
        return self.id[:8]

    @property
    def can_email(self) -> bool:
        """True when the directory gives an address and this kind of service takes email referrals."""
        return bool(self.service.email) and self.definition.email

    def email_problem(self) -> str | None:
        """Why it cannot be emailed, in plain words (None when it can)."""
        if not self.service.email:
            return _(
                "{service} has no referral email address in the directory (its sources do not "
                "give one), so this referral cannot be emailed. Print the PDF and hand it over, or upload "
                "it through the service's own secure route."
            ).format(service=self.service.name)
        if not self.definition.email:
            return _(
                "{service} is a kind of service that does not take referrals by email "
                "({form}). Give the person its details, or print the PDF for them."
            ).format(service=self.service.name, form=self.definition.heading)
        return None

    def require_ok(self) -> None:
        """Raise ReferralNotReady when there are problems."""
        if self.errors:
            raise ReferralNotReady(self.errors)

    def client_rows(self) -> list[tuple[str, str]]:
        """(label, value) for each summary field this referral shares, as printed."""
        summary = self.form.summary
        return [
            (self.definition.label(n), display_value(n, summary.value(n)))
            for n in self.definition.fields
            if n in self.form.consent.shared_fields
        ]

    def answer_rows(self) -> list[tuple[str, str]]:
        """(label, value) for each of the form's own questions that was answered."""
        return [
            (_(q.label), display_value(q.name, self.form.answers.get(q.name, "")))
            for q in self.definition.questions
            if q.name in self.form.consent.shared_fields
        ]

    def shared_labels(self) -> list[str]:
        """Labels of everything shared (for the consent record)."""
        return [self.definition.label(n) for n in self.form.consent.shared_fields]


def display_value(name: str, value) -> str:
    """A field's value as a person reads it (codes become labels, dates become DD/MM/YYYY)."""
    if name == "substances":
        return list_separator().join(label("substance", c) for c in value)
    if name == "risks":
        return list_separator().join(_(RISKS[c]) if c in RISKS else c for c in value)
    if name == "may_leave_message":
        return {"yes": _("Yes"), "no": _("No — do not leave a message")}.get(value, _("Not asked"))
    if name == "date_of_birth":
        born = parse_date(value)
        return born.strftime("%d/%m/%Y") if born else value
    if name == "nhs_number":
        digits = nhs_number_digits(value)
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if digits else value
    if name == "postcode":
        return normalise_postcode(value) or value
    return str(value)


def prepare(
    form: ReferralForm,
    service: Service,
    *,
    forms: dict[str, FormDefinition] | None = None,
    today: dt.date | None = None,
    referral_id: str | None = None,
) -> PreparedReferral:
    """Pair a referral form with its service: form, checks, completed consent, statement."""
    definition = form_for(service, forms)
    statement = sharing_statement(service, definition, form.referrer.organisation)
    completed = replace(form, consent=complete_consent(form, service, definition))
    return PreparedReferral(
        id=referral_id or str(uuid.uuid4()),
        form=completed,
        service=service,
        definition=definition,
        statement=statement,
        created_at=now_iso(),
        errors=validate_referral(completed, service, definition, today),
    )
