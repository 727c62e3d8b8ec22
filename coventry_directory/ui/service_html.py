"""Renders one service as the HTML shown in the details pane."""

from __future__ import annotations

from html import escape

from coventry_directory.core import describe
from coventry_directory.core.models import Service
from coventry_directory.i18n import _


def _row(label: str, value: str) -> str:
    return f"<tr><th align='left' valign='top' style='padding-right:12px'>{escape(label)}</th><td>{value}</td></tr>"


def _known(value: str | None) -> str:
    if value:
        return escape(value)
    return f"<i>{escape(describe.not_known())}</i>"


def service_html(svc: Service) -> str:
    """The whole record as simple, screen-reader-friendly HTML."""
    parts = [f"<h2>{escape(svc.name)}</h2>", f"<p><b>{escape(svc.organization.name)}</b></p>"]
    if svc.alert:
        parts.append(f"<p style='background:#fff3cd;padding:6px'><b>{escape(_('Please note'))}:</b> {escape(svc.alert)}</p>")
    parts.append(f"<p>{escape(svc.description)}</p>")
    phones = "<br>".join(
        escape(p.number) + (f" — {escape(p.description)}" if p.description else "") for p in svc.phones
    )
    hours = "<br>".join(escape(describe.describe_schedule(s)) for s in svc.schedules)
    locations = "<br>".join(escape(describe.describe_location(loc)) for loc in svc.locations)
    areas = _("UK-wide") if svc.coverage == "national" else describe.labels("catchment", svc.catchment)
    rows = [
        _row(_("Who it is for"), _known(svc.eligibility_description)),
        _row(_("Ages"), escape(describe.age_range(svc))),
        _row(_("Substances"), escape(describe.labels("substance", svc.substances))),
        _row(_("Areas"), escape(areas)),
        _row(_("How to refer"), _known(svc.application_process)),
        _row(_("Referral routes"), escape(describe.labels("referral_route", svc.referral_routes))),
        _row(_("Phone"), phones or _known(None)),
        _row(_("Email"), _known(svc.email)),
        _row(_("Web"), _known(svc.url)),
        _row(_("Where"), locations or _known(None)),
        _row(_("Opening hours"), hours or _known(None)),
    ]
    parts.append("<table>" + "".join(rows) + "</table>")
    sources = "".join(f"<li>{escape(s)}</li>" for s in svc.sources)
    parts.append(
        f"<h3>{escape(_('Where this information comes from'))}</h3>"
        f"<p>{escape(describe.evidence_note(svc))} "
        f"{escape(_('Status'))}: {escape(describe.labels('verification', (svc.verification,) if svc.verification else ()))}</p>"
        f"<ul>{sources}</ul>"
    )
    return "\n".join(parts)
