"""The review step's text: per service, what will be shared, how it will go, what is wrong.

Plain HTML for a Qt text browser (the wizard shows it; it holds no Qt itself), so the
review reads the same wherever it is shown and can be tested without a display. It is in
the language ``_()`` speaks (the worker's); what the service receives is the English PDF.
"""

from __future__ import annotations

from html import escape

from coventry_directory.i18n import _
from coventry_directory.referrals.consent import CONSENT_METHODS
from coventry_directory.referrals.prepare import PreparedReferral


def _rows(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table cellspacing='0' cellpadding='3'>{cells}</table>"


def _consent_line(ref: PreparedReferral) -> str:
    consent = ref.form.consent
    method = escape(_(CONSENT_METHODS[consent.method]) if consent.method in CONSENT_METHODS else consent.method)
    if consent.given:
        text = _("Consent: given ({method}), recorded by {name}.")
    else:
        text = _("Consent: <b>NOT given</b> ({method}), recorded by {name}.")
    return f"<p>{text.format(method=method, name=escape(consent.recorded_by))}</p>"


def review_html(referrals: list[PreparedReferral], skipped: list[str] | None = None) -> str:
    """The review page: one section per service, then services left out for lack of consent."""
    parts = []
    for ref in referrals:
        svc = ref.service
        parts.append(f"<h3>{escape(svc.name)} <small>({escape(svc.organization.name)})</small></h3>")
        parts.append(
            "<p><i>"
            + _("{form} — Coventry Directory's default form, not one published by {service}.").format(
                form=escape(ref.definition.heading), service=escape(svc.name)
            )
            + "</i></p>"
        )
        if ref.can_email:
            text = _("<b>Will be emailed</b> over a secure (TLS) connection to {address}.")
            parts.append(f"<p>{text.format(address=escape(svc.email or ''))}</p>")
        else:
            heading = _("Cannot be emailed.")
            parts.append(f"<p><b>{heading}</b> {escape(ref.email_problem() or '')}</p>")
        if ref.form.local_reference:
            text = _("Your case reference: {reference}").format(reference=escape(ref.form.local_reference))
            parts.append(f"<p>{text}</p>")
        parts.append(_rows(ref.client_rows() + ref.answer_rows()))
        parts.append(_consent_line(ref))
        if ref.errors:
            items = "".join(f"<li>{escape(e.message)}</li>" for e in ref.errors)
            heading = _("To fix before it can go:")
            parts.append(f"<p><b>{heading}</b></p><ul>{items}</ul>")
    for name in skipped or []:
        text = _("<b>{service}:</b> no consent to share with this service, so no referral.")
        parts.append(f"<p>{text.format(service=escape(name))}</p>")
    return "\n".join(parts)
