"""The service shown, as plain text to paste into notes or an email ("Copy details").

Name, phone, address, opening hours, web, email and how to refer, one fact a line with the
app's own labels in the app's language; what the directory does not know says so, as in the
details pane. The hours use the same words as the details and the leaflets
(:mod:`coventry_directory.core.describe`), so "24 hours" never comes out as "00:00–23:59".
Only directory facts go in: nothing about a client. Qt-free, so it is tested without a window.
"""

from __future__ import annotations

from coventry_directory.core import describe
from coventry_directory.core.models import Service
from coventry_directory.i18n import _
from coventry_directory.ui.service_html import english_marker


def _line(label: str, value: str) -> str:
    return f"{label}: {value}"


def _in_english(text: str) -> str:
    """Directory free text, marked as English when the app speaks another language (as the details do)."""
    marker = english_marker()
    return f"{text} {marker}" if marker else text


def _hours(svc: Service) -> list[str]:
    if not svc.schedules:
        return [_line(_("Opening hours"), describe.not_known())]
    lines = [_line(_("Opening hours"), describe.describe_schedule(s)) for s in svc.schedules]
    if svc.verification == "historic":
        when = svc.evidence_date or _("an undated source")
        lines.append(_("These hours are from {when}; current hours are not known.").format(when=when))
    note = describe.bank_holidays_note(svc.schedules)
    if note:
        lines.append(note)
    return lines


def details_text(svc: Service) -> str:
    """The plain text "Copy details" puts on the clipboard for ``svc``."""
    lines = [svc.name]
    if svc.organization.name and svc.organization.name != svc.name:
        lines.append(svc.organization.name)
    phone = _("Phone")
    lines += [_line(phone, f"{p.number} — {p.description}" if p.description else p.number) for p in svc.phones] or [
        _line(phone, describe.not_known())
    ]
    address = _("Address")
    lines += [_line(address, describe.describe_location(loc)) for loc in svc.locations] or [
        _line(address, describe.not_known())
    ]
    lines += _hours(svc)
    lines.append(_line(_("Web"), svc.url or describe.not_known()))
    lines.append(_line(_("Email"), svc.email or describe.not_known()))
    refer = _in_english(svc.application_process) if svc.application_process else describe.not_known()
    lines.append(_line(_("How to refer"), refer))
    checked = svc.assured_date or describe.not_known()
    lines.append(_("From the Coventry Directory: checked against its sources on {date}.").format(date=checked))
    return "\n".join(lines)
