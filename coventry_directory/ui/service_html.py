"""Renders one service as the HTML shown in the details pane.

Plain structure (headings, tables, lists) so a screen reader can move through it; every
fact the directory does not know says so; phone numbers are links that copy the number.
"""

from __future__ import annotations

from datetime import date
from html import escape

from coventry_directory.core import describe
from coventry_directory.core.eligibility import Verdict
from coventry_directory.core.models import Service
from coventry_directory.core.schedules import week_ahead
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import _

COPY_SCHEME = "copy"


def _row(label_text: str, value: str) -> str:
    return (f"<tr><th align='left' valign='top' style='padding:2px 12px 2px 0'>{escape(label_text)}</th>"
            f"<td style='padding:2px 0'>{value}</td></tr>")


def _known(value: str | None) -> str:
    if value:
        return escape(value)
    return f"<i>{escape(describe.not_known())}</i>"


def _hours(svc: Service, today: date) -> str:
    if not svc.schedules:
        return _known(None)
    lines = [escape(describe.describe_schedule(s)) for s in svc.schedules]
    if svc.verification == "historic":
        lines.append("<i>" + escape(_("These hours are from {when}; current hours are not known.").format(
            when=svc.evidence_date or _("an undated source"))) + "</i>")
        return "<br>".join(lines)
    rows = []
    for day in week_ahead(svc.schedules, today):
        spans = ", ".join(f"{a}–{b}" for a, b in day.intervals) or _("closed")
        if day.state == "unknown" and not day.intervals:
            spans = describe.not_known()
        note = f" <b>({escape(_('bank holiday: {name}').format(name=day.bank_holiday))} — "\
               f"{escape(_('hours not known'))})</b>" if day.bank_holiday else ""
        rows.append(f"<tr><td style='padding-right:10px'>{escape(day.weekday)} {day.date.day}</td>"
                    f"<td>{escape(spans)}{note}</td></tr>")
    return "<br>".join(lines) + "<table>" + "".join(rows) + "</table>"


def _verdict(verdict: Verdict | None) -> str:
    if verdict is None:
        return ""
    if verdict.status == "excluded":
        body = _("This client cannot use this service: {reasons}.").format(reasons="; ".join(verdict.reasons))
        colour = "#f8d7da"
    elif verdict.status == "check":
        body = _("This client may be able to use it. Check with the service: {what}.").format(
            what="; ".join(verdict.checks))
        colour = "#fff3cd"
    else:
        body = _("This client can use this service, as far as the directory knows.")
        colour = "#d1e7dd"
    return f"<p style='background:{colour};padding:6px'>{escape(body)}</p>"


def service_html(svc: Service, verdict: Verdict | None = None, today: date | None = None) -> str:
    """The whole record as simple, screen-reader-friendly HTML."""
    today = today or date.today()
    parts = [f"<h2>{escape(svc.name)}</h2>",
             f"<p><b>{escape(svc.organization.name)}</b> · "
             f"{escape(describe.labels('category', svc.categories))}</p>"]
    if svc.alert:
        parts.append(f"<p style='background:#fff3cd;padding:6px'><b>{escape(_('Please note'))}:</b> "
                     f"{escape(svc.alert)}</p>")
    parts.append(_verdict(verdict))
    parts.append(f"<p>{escape(svc.description)}</p>")
    phones = "<br>".join(
        f"<a href='{COPY_SCHEME}:{escape(p.number)}' title='{escape(_('Copy this number'))}'>{escape(p.number)}</a>"
        + (f" — {escape(p.description)}" if p.description else "")
        for p in svc.phones
    )
    if phones:
        phones += f"<br><small>{escape(_('Click a number to copy it.'))}</small>"
    locations = "<br>".join(escape(describe.describe_location(loc)) for loc in svc.locations)
    areas = _("UK-wide") if svc.coverage == "national" else describe.labels("catchment", svc.catchment)
    languages = ", ".join(escape(code) for code in svc.languages)
    groups = describe.labels("client_group", svc.client_groups)
    if svc.groups_required and svc.client_groups:
        groups += " " + _("(only these groups)")
    parts.append("<h3>" + escape(_("How to get help")) + "</h3><table>" + "".join([
        _row(_("How to refer"), _known(svc.application_process)),
        _row(_("Referral routes"), escape(describe.labels("referral_route", svc.referral_routes))),
        _row(_("Phone"), phones or _known(None)),
        _row(_("Email"), _known(svc.email)),
        _row(_("Web"), _known(svc.url)),
        _row(_("Where"), locations or _known(None)),
        _row(_("Access"), _known(None)),  # no source describes step-free access, hearing loops or the like
        _row(_("Delivered"), escape(describe.labels("delivery_mode", svc.delivery_modes))),
    ]) + "</table>")
    parts.append("<h3>" + escape(_("Who it is for")) + "</h3><table>" + "".join([
        _row(_("In words"), _known(svc.eligibility_description)),
        _row(_("Ages"), escape(describe.age_range(svc))),
        _row(_("Gender"), escape(describe.labels("gender", svc.genders))),
        _row(_("Substances"), escape(describe.labels("substance", svc.substances))),
        _row(_("Client groups"), escape(groups)),
        _row(_("Areas"), escape(areas)),
        _row(_("Languages"), languages or _known(None)),
        _row(_("Cost"), _known(svc.fees_description)),
    ]) + "</table>")
    parts.append("<h3>" + escape(_("Opening hours")) + "</h3>" + _hours(svc, today))
    sources = "".join(f"<li>{escape(s)}</li>" for s in svc.sources)
    status = label("verification", svc.verification) if svc.verification else describe.not_known()
    parts.append(
        f"<h3>{escape(_('Where this information comes from'))}</h3>"
        f"<p>{escape(describe.evidence_note(svc))} {escape(_('Status'))}: {escape(status)}.</p>"
        f"<ul>{sources}</ul>"
    )
    return "\n".join(p for p in parts if p)
