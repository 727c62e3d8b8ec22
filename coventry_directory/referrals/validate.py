"""Checking a referral: NHS number, postcode, phone, date of birth, age range, consent.

Everything here returns a list of :class:`FieldError` and never raises on what a person
typed, so a form with mistakes keeps every value and just shows what to fix. Messages never
repeat the value itself: they may be read out, shown on a shared screen or pasted in a ticket.
They are in the language ``_()`` speaks (English on the command line).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coventry_directory.core.clock import uk_today
from coventry_directory.core.models import Service
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import format_list, format_number
from coventry_directory.referrals.forms import FormDefinition
from coventry_directory.referrals.models import (
    MESSAGE_CHOICES,
    REFERRER_LABELS,
    RISKS,
    ClientSummary,
    ReferralForm,
    Referrer,
)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field (``field`` is a summary field, question, ``referrer.*`` or ``consent``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


# UK postcode (GOV.UK / Royal Mail shape): outward code, optional space, inward code.
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
# The most any one typed field may hold: about 1,500 words, several printed pages. The wizard
# shows a count against it; a FORM.json over it is refused field by field, never cut short.
MAX_TEXT = 10_000
# The worker's own case reference: it is kept unencrypted in the referral log, so it is short
# and must not be the person's name, date of birth or NHS number (see reference_errors).
MAX_REFERENCE = 40
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y")


def nhs_number_digits(text: str) -> str | None:
    """The ten digits of an NHS number written with or without spaces/hyphens, else None."""
    digits = re.sub(r"[\s-]", "", text or "")
    return digits if re.fullmatch(r"\d{10}", digits) else None


def nhs_number_valid(text: str) -> bool:
    """True when the NHS number has ten digits and passes the Modulus 11 check digit."""
    digits = nhs_number_digits(text)
    if digits is None:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A check value of 10 means no valid number has these first nine digits.
    return check != 10 and check == int(digits[9])


def normalise_postcode(text: str) -> str | None:
    """A postcode in its standard form ('CV1 2AB'), or None when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    if not 5 <= len(compact) <= 7 or not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_phone(text: str) -> str | None:
    """A UK phone number as national digits ('07700900123'), or None when it is not one."""
    raw = re.sub(r"[\s\-().]", "", text or "")
    if raw.startswith("+44"):
        raw = "0" + raw[3:].removeprefix("0")  # "+44 (0)7700 ..." is common on letterheads
    elif raw.startswith("0044"):
        raw = "0" + raw[4:].removeprefix("0")
    if not re.fullmatch(r"0[1235789]\d{8,9}", raw):
        return None
    if raw[1] == "7" and len(raw) != 11:  # mobiles always have 11 digits
        return None
    return raw


def parse_date(text: str) -> dt.date | None:
    """A date written as YYYY-MM-DD, DD/MM/YYYY (also - . or space) or DDMMYYYY, else None.

    Eight digits in a row are read the UK way, day first ("01021990": 1 February 1990), as a
    form's date box is often typed; fewer cannot be read one way only ("1121990").
    """
    text = (text or "").strip()
    formats = (*_DATE_FORMATS, "%d%m%Y") if re.fullmatch(r"\d{8}", text) else _DATE_FORMATS
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year >= 1000:  # strptime accepts 2-digit years as year 0090 and the like
            return parsed
    return None


def age_on(born: dt.date, today: dt.date) -> int:
    """Whole years of age on ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def too_long(field: str, label: str, value: object) -> FieldError | None:
    """An error when a typed value is longer than :data:`MAX_TEXT` characters (the value is not repeated)."""
    if not isinstance(value, str) or len(value) <= MAX_TEXT:
        return None
    return FieldError(
        field,
        _("{label}: at most {limit} characters (this has {length}). Shorten it.").format(
            label=label, limit=format_number(MAX_TEXT), length=format_number(len(value))
        ),
    )


def _length_errors(summary: ClientSummary, taken: set[str]) -> list[FieldError]:
    from coventry_directory.referrals.models import SUMMARY_FIELDS

    found = (too_long(name, _(SUMMARY_FIELDS.get(name, name)), summary.value(name)) for name in sorted(taken))
    return [e for e in found if e is not None]


def _summary_formats(summary: ClientSummary, taken: set[str], today: dt.date) -> list[FieldError]:
    errors = _length_errors(summary, taken)
    if "date_of_birth" in taken and summary.date_of_birth:
        born = parse_date(summary.date_of_birth)
        if born is None:
            errors.append(FieldError("date_of_birth", _("Date of birth: write it as DD/MM/YYYY, e.g. 01/02/1990.")))
        elif born > today:
            errors.append(FieldError("date_of_birth", _("Date of birth is in the future.")))
        elif age_on(born, today) > 120:
            errors.append(FieldError("date_of_birth", _("Date of birth is more than 120 years ago.")))
    if "nhs_number" in taken and summary.nhs_number and not nhs_number_valid(summary.nhs_number):
        errors.append(
            FieldError(
                "nhs_number",
                _(
                    "NHS number is not valid: it needs 10 digits and the last digit "
                    "must match the others (Modulus 11 check). Leave it empty if unsure."
                ),
            )
        )
    if "postcode" in taken and summary.postcode and normalise_postcode(summary.postcode) is None:
        errors.append(FieldError("postcode", _("Postcode is not a UK postcode (e.g. CV1 2AB).")))
    if "phone" in taken and summary.phone and normalise_phone(summary.phone) is None:
        errors.append(FieldError("phone", _("Phone is not a UK phone number (e.g. 024 7600 0000 or 07700 900000).")))
    if "email" in taken and summary.email and not _EMAIL.match(summary.email):
        errors.append(FieldError("email", _("Email address does not look right (e.g. name@example.org).")))
    if "may_leave_message" in taken and summary.may_leave_message not in MESSAGE_CHOICES:
        errors.append(FieldError("may_leave_message", _("May we leave a message: answer yes or no (or leave empty).")))
    if "substances" in taken:
        known = vocabularies()["substance"].codes()
        if any(code not in known for code in summary.substances):
            codes = ", ".join(known)
            errors.append(
                FieldError("substances", _("Substances: use the directory's codes ({codes}).").format(codes=codes))
            )
    if "risks" in taken and any(code not in RISKS for code in summary.risks):
        errors.append(FieldError("risks", _("Risks: use these codes ({codes}).").format(codes=", ".join(RISKS))))
    return errors


def validate_summary(summary: ClientSummary, today: dt.date | None = None) -> list[FieldError]:
    """Format checks on whatever the summary holds (no required fields: forms decide those)."""
    from coventry_directory.referrals.models import SUMMARY_FIELDS

    return _summary_formats(summary, set(SUMMARY_FIELDS), today or uk_today())


def age_range_errors(summary: ClientSummary, service: Service, today: dt.date) -> list[FieldError]:
    """An error when the date of birth puts the person outside the service's age range."""
    born = parse_date(summary.date_of_birth)
    if born is None or born > today:
        return []
    age = age_on(born, today)
    lo, hi = service.minimum_age, service.maximum_age
    if (lo is not None and age < lo) or (hi is not None and age > hi):
        if lo is not None and hi is not None:
            span = f"{lo}–{hi}"
        else:
            span = f"{lo}+" if lo is not None else _("up to {age}").format(age=hi)
        return [
            FieldError(
                "date_of_birth",
                _("{service} is for ages {span}; by the date of birth given this person is {age}.").format(
                    service=service.name, span=span, age=age
                ),
            )
        ]
    return []


def referrer_errors(referrer: Referrer) -> list[FieldError]:
    """The referrer must be someone the service can call back."""
    errors = [
        e
        for e in (too_long(f"referrer.{k}", _(REFERRER_LABELS[k]), v) for k, v in referrer.to_dict().items())
        if e is not None
    ]
    if not referrer.name:
        errors.append(FieldError("referrer.name", _("Referrer: your name is needed.")))
    if not referrer.organisation:
        errors.append(FieldError("referrer.organisation", _("Referrer: your organisation is needed.")))
    if not (referrer.phone or referrer.email):
        errors.append(
            FieldError("referrer.phone", _("Referrer: give a phone number or email the service can reply to."))
        )
    if referrer.phone and normalise_phone(referrer.phone) is None:
        errors.append(FieldError("referrer.phone", _("Referrer phone is not a UK phone number.")))
    if referrer.email and not _EMAIL.match(referrer.email):
        errors.append(FieldError("referrer.email", _("Referrer email address does not look right.")))
    return errors


def reference_errors(form: ReferralForm) -> list[FieldError]:
    """The worker's own case reference: short, and never the person's name, date of birth or NHS number.

    It is the one identifier the referral log keeps, unencrypted, so it must mean something
    only to the worker's own records.
    """
    reference = form.local_reference
    if not reference:
        return []
    if len(reference) > MAX_REFERENCE:
        return [
            FieldError(
                "local_reference",
                _("Your case reference: at most {limit} characters.").format(limit=format_number(MAX_REFERENCE)),
            )
        ]
    folded = re.sub(r"[\s\-/.]", "", reference).casefold()
    summary = form.summary
    born = parse_date(summary.date_of_birth)
    personal = [
        re.sub(r"\s", "", summary.name).casefold(),
        nhs_number_digits(summary.nhs_number) or "",
        *(born.strftime(f) for f in ("%d%m%Y", "%Y%m%d", "%d%m%y") if born),
    ]
    # Whole words of the name count too ("CASE-SMITH"), but not letters inside another word.
    words = {w.casefold() for w in re.findall(r"\w+", reference)}
    named = {w.casefold() for w in re.findall(r"\w+", summary.name) if len(w) >= 2}
    if words & named or any(len(p) >= 4 and p in folded for p in personal):
        return [
            FieldError(
                "local_reference",
                _(
                    "Your case reference must not hold the person's name, date of birth or NHS number: "
                    "the referral log on this computer keeps it unencrypted. Use your own case number."
                ),
            )
        ]
    return []


def _answer_errors(form: ReferralForm, definition: FormDefinition) -> list[FieldError]:
    errors = []
    for q in definition.questions:
        value = form.answers.get(q.name, "")
        label = _(q.label)
        long_value = too_long(q.name, label, value)
        if long_value is not None:
            errors.append(long_value)
        elif q.required and not value:
            errors.append(FieldError(q.name, _("{label}: this service's form needs an answer.").format(label=label)))
        elif value and q.kind == "yesno" and value.lower() not in ("yes", "no"):
            errors.append(FieldError(q.name, _("{label}: answer yes or no.").format(label=label)))
        elif value and q.kind == "date" and parse_date(value) is None:
            errors.append(FieldError(q.name, _("{label}: write the date as DD/MM/YYYY.").format(label=label)))
    return errors


def validate_fields(
    form: ReferralForm, service: Service, definition: FormDefinition, today: dt.date | None = None
) -> list[FieldError]:
    """Everything but consent: the fields this service's form takes, its questions, the referrer."""
    today = today or uk_today()
    summary, taken = form.summary, set(definition.fields)
    errors = _required_errors(summary, definition, service.name)
    errors += _summary_formats(summary, taken, today)
    if "date_of_birth" in taken:
        errors += age_range_errors(summary, service, today)
    errors += _answer_errors(form, definition)
    errors += referrer_errors(form.referrer)
    errors += reference_errors(form)
    return errors


def _required_message(label: str, services: list[str]) -> str:
    names = format_list(services)
    if len(services) == 1:
        return _("{label}: the form for {service} needs this.").format(label=label, service=names)
    return _("{label}: the forms for {services} need this.").format(label=label, services=names)


def _contact_error(definition: FormDefinition, group: tuple[str, ...]) -> FieldError:
    # TRANSLATORS: joins the ways of contact a form accepts, e.g. "phone or email or address".
    labels = _(" or ").join(definition.label(n).lower() for n in group)
    return FieldError(group[0], _("Give a way to make contact: {fields}.").format(fields=labels))


def _required_errors(summary: ClientSummary, definition: FormDefinition, service: str) -> list[FieldError]:
    """The summary fields a form requires that are empty, and its ways of contact with none given."""
    errors = [
        FieldError(name, _required_message(definition.label(name), [service]))
        for name in definition.required
        if name in definition.fields and not summary.has(name)
    ]
    return errors + [_contact_error(definition, g) for g in definition.one_of if not any(summary.has(n) for n in g)]


def summary_requirements(
    summary: ClientSummary, services: list[tuple[Service, FormDefinition]], today: dt.date | None = None
) -> list[FieldError]:
    """What the services' forms require of the client summary itself, one error per field.

    The wizard checks this on the summary step, so a missing name or date of birth is
    reported where it is typed, not a step later. A field several forms need is named once,
    with every service that needs it; an age outside a service's range is reported per service.
    """
    today = today or uk_today()
    needed: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    contact: dict[tuple[str, ...], FieldError] = {}
    for service, definition in services:
        for name in definition.required:
            if name in definition.fields and not summary.has(name):
                needed.setdefault(name, []).append(service.name)
                labels[name] = definition.label(name)
        for group in definition.one_of:
            if not any(summary.has(n) for n in group):
                contact.setdefault(group, _contact_error(definition, group))
    errors = [FieldError(name, _required_message(labels[name], names)) for name, names in needed.items()]
    errors += list(contact.values())
    for service, definition in services:
        if "date_of_birth" in definition.fields:
            errors += age_range_errors(summary, service, today)
    return errors


def validate_referral(
    form: ReferralForm, service: Service, definition: FormDefinition, today: dt.date | None = None
) -> list[FieldError]:
    """Every problem with a referral to ``service``, consent included; [] when it can go."""
    from coventry_directory.referrals.consent import consent_errors

    return validate_fields(form, service, definition, today) + consent_errors(form.consent)
