"""The review step's text: per service, what will be shared, how it will go, what is wrong.

Plain HTML for a Qt text browser (the wizard shows it; it holds no Qt itself), so the
review reads the same wherever it is shown and can be tested without a display.
"""

from __future__ import annotations

from html import escape

from coventry_directory.referrals.consent import CONSENT_METHODS
from coventry_directory.referrals.prepare import PreparedReferral


def _rows(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table cellspacing='0' cellpadding='3'>{cells}</table>"


def review_html(referrals: list[PreparedReferral], skipped: list[str] | None = None) -> str:
    """The review page: one section per service, then services left out for lack of consent."""
    parts = []
    for ref in referrals:
        svc, consent = ref.service, ref.form.consent
        parts.append(f"<h3>{escape(svc.name)} <small>({escape(svc.organization.name)})</small></h3>")
        parts.append(
            f"<p><i>{escape(ref.definition.title)} — Coventry Directory's default form, not one "
            f"published by {escape(svc.name)}.</i></p>"
        )
        if ref.can_email:
            parts.append(f"<p><b>Will be emailed</b> over a secure (TLS) connection to {escape(svc.email)}.</p>")
        else:
            parts.append(f"<p><b>Cannot be emailed.</b> {escape(ref.email_problem() or '')}</p>")
        parts.append(_rows(ref.client_rows() + ref.answer_rows()))
        parts.append(
            f"<p>Consent: {'given' if consent.given else '<b>NOT given</b>'} "
            f"({escape(CONSENT_METHODS.get(consent.method, consent.method))}), recorded by "
            f"{escape(consent.recorded_by)}.</p>"
        )
        if ref.errors:
            items = "".join(f"<li>{escape(e.message)}</li>" for e in ref.errors)
            parts.append(f"<p style='color:#8b0000'><b>To fix before it can go:</b></p><ul>{items}</ul>")
    for name in skipped or []:
        parts.append(f"<p><b>{escape(name)}:</b> no consent to share with this service, so no referral.</p>")
    return "\n".join(parts)
