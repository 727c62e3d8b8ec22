"""The referral data: one client summary, the referrer, the consent record, the whole form.

A summary is written once and reused for several services; each service's form then takes
only the fields it needs (see ``forms.py``). Reading a FORM.json (``ReferralForm.from_dict``)
never raises on what a person typed: odd types become text, unknown keys are ignored, and
``validate.py`` then says, field by field, what is wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from coventry_directory.i18n import N_

FORMAT = "coventry-directory-referral"

# Risks a worker can tick on the summary (codes are ours; labels are what people read).
# Labels are English msgids: the wizard shows them through ``_()``; the PDF and email print
# them in English, for the service.
RISKS: dict[str, str] = {
    "overdose": N_("Overdose risk"),
    "injecting": N_("Injecting"),
    "pregnancy": N_("Pregnant"),
    "children-in-household": N_("Children in the household"),
    "domestic-abuse": N_("Domestic abuse"),
    "mental-health": N_("Mental health concerns"),
    "housing": N_("Housing problems or homeless"),
}

# Summary fields in the order a form shows them, with the label each one prints under
# (English msgids, translated where they are shown, as the risks are).
SUMMARY_FIELDS: dict[str, str] = {
    "name": N_("Full name"),
    "date_of_birth": N_("Date of birth"),
    "nhs_number": N_("NHS number"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "may_leave_message": N_("May we leave a message?"),
    "safe_times": N_("Safe times to contact"),
    "contact_notes": N_("Other safe-contact notes"),
    "address": N_("Address"),
    "postcode": N_("Postcode"),
    "substances": N_("Substances"),
    "pattern_of_use": N_("Pattern of use"),
    "risks": N_("Current risks"),
    "risk_notes": N_("Notes on risks"),
    "wants": N_("What the person wants"),
}

# The referrer's fields, labelled as the worker reads them on the consent step.
REFERRER_LABELS: dict[str, str] = {
    "name": N_("Your name"),
    "role": N_("Your role"),
    "organisation": N_("Your organisation"),
    "phone": N_("Your phone"),
    "email": N_("Your email"),
}

MESSAGE_CHOICES = ("", "yes", "no")  # "" = not asked


def _text(value: Any) -> str:
    """Whatever was typed, as stripped text (None and non-text become text, never an error)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _codes(value: Any) -> tuple[str, ...]:
    """A list of codes from a list or a comma-separated string."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [value]
    return tuple(c for c in (_text(i).lower() for i in items) if c)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass
class ClientSummary:
    """What a person tells once: identity, safe contact, use, risks and what they want."""

    name: str = ""
    date_of_birth: str = ""
    nhs_number: str = ""
    phone: str = ""
    email: str = ""
    may_leave_message: str = ""  # "yes" | "no" | "" (not asked)
    safe_times: str = ""
    contact_notes: str = ""
    address: str = ""
    postcode: str = ""
    substances: tuple[str, ...] = ()  # core taxonomy codes
    pattern_of_use: str = ""
    risks: tuple[str, ...] = ()  # RISKS codes
    risk_notes: str = ""
    wants: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> ClientSummary:
        """Read a summary leniently: never raises on user data."""
        data = _mapping(data)
        text_fields = [n for n in SUMMARY_FIELDS if n not in ("substances", "risks")]
        values: dict[str, Any] = {n: _text(data.get(n)) for n in text_fields}
        values["may_leave_message"] = values["may_leave_message"].lower()
        values["substances"] = _codes(data.get("substances"))
        values["risks"] = _codes(data.get("risks"))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (tuples become lists)."""
        data = asdict(self)
        data["substances"], data["risks"] = list(self.substances), list(self.risks)
        return data

    def value(self, name: str) -> Any:
        """A summary field by name ("" for an unknown name)."""
        return getattr(self, name, "") if name in SUMMARY_FIELDS else ""

    def has(self, name: str) -> bool:
        """True when the field holds something."""
        return bool(self.value(name))


@dataclass
class Referrer:
    """The professional making the referral (the service calls them back)."""

    name: str = ""
    role: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> Referrer:
        """Read leniently: never raises on user data."""
        data = _mapping(data)
        return cls(**{k: _text(data.get(k)) for k in REFERRER_LABELS})

    def to_dict(self) -> dict[str, str]:
        """JSON-ready."""
        return asdict(self)


@dataclass
class Consent:
    """The person's explicit consent: that they agreed, how, when, who recorded it, to what.

    ``shared_fields`` (what) and ``recipient`` (with whom) are filled in from the service's
    form when the referral is prepared, so the record always matches what is sent.
    """

    given: bool = False
    method: str = "verbal"  # "verbal" | "written"
    recorded_at: str = ""  # ISO date-time
    recorded_by: str = ""  # the referrer's name
    statement_shown: bool = False  # the service's information-sharing statement was shown first
    shared_fields: tuple[str, ...] = ()
    recipient: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> Consent:
        """Read leniently: only a real ``true`` counts as consent (never "yes"-ish guesses)."""
        data = _mapping(data)
        return cls(
            given=data.get("given") is True,
            method=_text(data.get("method")).lower() or "verbal",
            recorded_at=_text(data.get("recorded_at")),
            recorded_by=_text(data.get("recorded_by")),
            statement_shown=data.get("statement_shown") is True,
            shared_fields=_codes(data.get("shared_fields")),
            recipient=_text(data.get("recipient")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        data = asdict(self)
        data["shared_fields"] = list(self.shared_fields)
        return data


@dataclass
class ReferralForm:
    """One referral to one service: FORM.json's contents (see docs/referrals.md)."""

    service: str = ""  # service id or directory key
    summary: ClientSummary = field(default_factory=ClientSummary)
    referrer: Referrer = field(default_factory=Referrer)
    consent: Consent = field(default_factory=Consent)
    answers: dict[str, str] = field(default_factory=dict)  # the service form's own questions
    local_reference: str = ""  # optional; the only identifier the referral log keeps

    @classmethod
    def from_dict(cls, data: Any) -> ReferralForm:
        """Read a FORM.json document leniently: never raises on user data."""
        data = _mapping(data)
        answers = {_text(k): _text(v) for k, v in _mapping(data.get("answers")).items() if _text(k)}
        return cls(
            service=_text(data.get("service")),
            summary=ClientSummary.from_dict(data.get("summary")),
            referrer=Referrer.from_dict(data.get("referrer")),
            consent=Consent.from_dict(data.get("consent")),
            answers=answers,
            local_reference=_text(data.get("local_reference")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in FORM.json's shape."""
        return {
            "format": FORMAT,
            "version": 1,
            "service": self.service,
            "referrer": self.referrer.to_dict(),
            "summary": self.summary.to_dict(),
            "answers": dict(self.answers),
            "consent": self.consent.to_dict(),
            "local_reference": self.local_reference,
        }
