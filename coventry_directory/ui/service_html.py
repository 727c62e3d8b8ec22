"""Renders one service as the HTML shown in the details pane.

Plain structure (headings, tables, lists) so a screen reader can move through it; every
fact the directory does not know says so; phone numbers are links that copy the number, web
and email addresses links that open them (the window opens what is clicked), and a
"Copy details" link puts the record's essentials on the clipboard as plain text.

In another language the app's own words and the taxonomy labels are translated; what the
directory holds as free text (names, descriptions, how to refer) stays as written, marked
"(in English)". When the app is right-to-left, Qt's rich text does not mirror tables, so
rows are written in mirrored order; numbers, addresses and English text are wrapped in
Unicode isolates (LRI … PDI) so "01926 811702" never comes out as "811702 01926".
"""

from __future__ import annotations

from datetime import date
from html import escape
from urllib.parse import quote, urlencode

from coventry_directory.core import describe
from coventry_directory.core.clock import uk_today
from coventry_directory.core.directory_source import WEB_ADDRESS
from coventry_directory.core.eligibility import Eligibility, Verdict
from coventry_directory.core.fallbacks import WayToFindOut
from coventry_directory.core.models import Service
from coventry_directory.core.schedules import OpenState, week_ahead
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import _
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.formatting import babel_locale, format_weekday_date
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.ui.source_titles import Citation, citations, cite

COPY_SCHEME = "copy"
COPY_DETAILS_SCHEME = "copy-details"  # the "Copy details" link: the window copies the service shown
WEB_SCHEMES = ("http", "https", "mailto")  # links the window opens with the desktop's own program
SOURCE_SCHEME = "source"  # "source:DOC?line=N[&find=WORDS]": a source document, opened in the app (ui.source_viewer)


_LRI, _PDI = "\u2066", "\u2069"  # left-to-right isolate: keeps a number or English text in its own order


def _rtl() -> bool:
    return current_language().rtl


def _ltr(html: str) -> str:
    """Left-to-right text (numbers, emails, English) kept in its order inside right-to-left text."""
    return f"{_LRI}{html}{_PDI}" if _rtl() and html else html


def _tr(*cells: str) -> str:
    """A table row whose cells read from the start side (reversed when right-to-left)."""
    return "<tr>" + "".join(reversed(cells) if _rtl() else cells) + "</tr>"


def _table() -> str:
    return "<table width='100%'>" if _rtl() else "<table>"


def _row(label_text: str, value: str) -> str:
    align = "right" if _rtl() else "left"
    return _tr(
        f"<th align='{align}' valign='top' style='padding:2px 12px'>{escape(label_text)}</th>",
        f"<td align='{align}' style='padding:2px 0'>{value}</td>",
    )


def _section(heading: str, *rows: str) -> str:
    """A titled table of label/value rows (see :func:`_row`)."""
    return f"<h3>{escape(heading)}</h3>{_table()}{''.join(rows)}</table>"


def english_marker() -> str:
    """'(in English)' in the app's language, for directory free text; '' while the app speaks English."""
    return "" if current_language().code == "en" else _("(in English)")


def _in_english(html: str) -> str:
    """Directory free text: marked as English when the app speaks another language."""
    marker = english_marker()
    return f"{_ltr(html)} <small>{escape(marker)}</small>" if marker else html


def _known(value: str | None, free_text: bool = False) -> str:
    if value:
        return _in_english(escape(value)) if free_text else _ltr(escape(value))
    return f"<i>{escape(describe.not_known())}</i>"


def _hours(svc: Service, today: date) -> str:
    if not svc.schedules:
        return _known(None)
    lines = [escape(describe.describe_schedule(s)) for s in svc.schedules]
    if svc.verification == "historic":
        lines.append(
            "<i>"
            + escape(
                _("These hours are from {when}; current hours are not known.").format(
                    when=svc.evidence_date or _("an undated source")
                )
            )
            + "</i>"
        )
        return "<br>".join(lines)
    rows = []
    for day in week_ahead(svc.schedules, today):
        spans = ", ".join(_ltr(escape(describe.span(a, b))) for a, b in day.intervals) or escape(_("closed"))
        if day.state == OpenState.UNKNOWN and day.bank_holiday:
            # the usual hours may not apply: no time range that would read as this day's hours
            spans = f"<b>{escape(describe.bank_holiday(day.bank_holiday, known=False))}</b>"
        elif day.state == OpenState.UNKNOWN and not day.intervals:
            spans = escape(describe.not_known())
        elif day.bank_holiday:  # open all day every day, or closed as usual: the hours stand
            spans += " — " + escape(describe.bank_holiday(day.bank_holiday, known=True))
        rows.append(
            _tr(f"<td style='padding:0 10px'>{escape(format_weekday_date(day.date))}</td>", f"<td>{spans}</td>")
        )
    return "<br>".join(lines) + "<table>" + "".join(rows) + "</table>"


def _box(inner: str, colours: tuple[str, str] | None) -> str:
    """A framed box: a one-cell table, in the theme's colours (background, frame) when given.

    No fixed colour: a light background would be unreadable in a dark or high-contrast
    theme. The words say what the box is; the frame only sets it apart.
    """
    if colours is None:
        return f"<table border='1' cellspacing='0' cellpadding='6' width='100%'><tr><td>{inner}</td></tr></table>"
    background, frame = colours
    return (
        f"<table border='1' cellspacing='0' cellpadding='6' width='100%' style='border-color:{frame}'>"
        f"<tr><td style='background-color:{background}'>{inner}</td></tr></table>"
    )


def _verdict(verdict: Verdict | None, colours: tuple[str, str] | None = None) -> str:
    if verdict is None:
        return ""
    if verdict.status == Eligibility.EXCLUDED:
        body = _("This client cannot use this service: {reasons}.").format(reasons="; ".join(verdict.reasons))
    elif verdict.status == Eligibility.CHECK:
        body = _("This client may be able to use it. Check with the service: {what}.").format(
            what="; ".join(verdict.checks)
        )
    else:
        body = _("This client can use this service, as far as the directory knows.")
    return _box(escape(body), colours)


def _ways(ways: list[WayToFindOut]) -> str:
    """'How to find out': the next steps for a record with no phone, email, web page or address."""
    if not ways:
        return ""
    heading = _("How to find out")
    intro = _("The directory has no phone, email, web page or address for this service. Try these:")
    items = []
    for way in ways:
        before, after = way.around()
        contact = _ltr(escape(way.contact)) if way.contact else ""
        if contact and any(ch.isdigit() for ch in way.contact) and not any(ch.isalpha() for ch in way.contact):
            copy_tip = _("Copy this number")
            contact = f"<a href='{COPY_SCHEME}:{escape(way.contact)}' title='{escape(copy_tip)}'>{contact}</a>"
        elif way.contact and WEB_ADDRESS.fullmatch(way.contact):
            contact = _web_link(way.contact)  # a site opens in the browser, as the Web row's does
        contact = f"<b>{contact}</b>" if contact else ""
        note = f" {escape(way.note)}" if way.note else ""
        source_word = _("Source")
        source = f"<br><small>{escape(source_word)}: {_source_ref(way.source)}</small>" if way.source else ""
        items.append(f"<li>{escape(before)}{contact}{escape(after)}{note}{source}</li>")
    report = _("If you find a way to reach them, use Report a correction so the directory can say so.")
    return f"<h3>{escape(heading)}</h3><p>{escape(intro)}</p><ul>{''.join(items)}</ul><p><small>{escape(report)}</small></p>"


def _source_ref(raw: str) -> str:
    """A citation in a line: a web page as a link, a document line as its title and line, opening it in the app."""
    found = cite(raw)
    if found.url:
        return _page_link(found.url)
    return _document_line(found) or _ltr(escape(found.raw))


def _page_link(url: str) -> str:
    """A cited web page, as a link to it."""
    return f"<a href='{escape(url)}'>{_ltr(escape(url))}</a>"


def _document_line(found: Citation) -> str | None:
    """A cited document line as "title, line N", a link that opens it in the app; None when it is no known line."""
    if found.title is None or found.document is None or found.line is None:
        return None
    where = escape(_("{title}, line {line}")).format(title=_ltr(escape(found.title)), line=found.line)
    return f"<a href='{source_link(found.document, found.line)}'>{where}</a>"


def _web_link(url: str | None) -> str:
    """The web address as a link (a bare site name opens as https); anything else as text."""
    if not url or not WEB_ADDRESS.fullmatch(url):
        return _known(url)
    href = url if "://" in url else f"https://{url}"
    return f"<a href='{escape(href)}'>{_ltr(escape(url))}</a>"


def _email_link(email: str | None) -> str:
    if not email or any(ch.isspace() or ch in "?&#" for ch in email) or "@" not in email:
        return _known(email)  # not an address a mail program could take: shown as written
    return f"<a href='mailto:{escape(email)}'>{_ltr(escape(email))}</a>"


def source_link(document: str, line: int, find: str = "") -> str:
    """The address of a source document's line for the details pane (``SOURCE_SCHEME``).

    Every character but letters, digits and ``%=&-._~`` is percent-encoded, so the address
    goes into an attribute as it is: Qt's HTML reader would keep an escaped "&amp;" as written.
    """
    query = urlencode({"line": line, **({"find": find} if find else {})}, quote_via=quote, safe="")
    return f"{SOURCE_SCHEME}:{quote(document, safe='')}?{query}"


def _citation(cite: Citation) -> str:
    """One source: a web page as a link; a document line by its title, the words quoted and, small, the citation.

    A document line's title opens the document there, in the app; a web page the facts
    sheet records gets a second link, to read what the page said without the web.
    """
    if cite.url:
        web = _page_link(cite.url)
        if cite.document is None or cite.line is None:
            return f"<li>{web}</li>"
        recorded = escape(_("what it said, as recorded in {title}, line {line}")).format(
            title=_ltr(escape(cite.title or "")), line=cite.line
        )
        href = source_link(cite.document, cite.line, find=f"[{cite.url}]")
        return f"<li>{web}<br><small><a href='{href}'>{recorded}</a></small></li>"
    where = _document_line(cite)
    if where is None:
        return f"<li>{_ltr(escape(cite.raw))}</li>"
    raw = f"<small>({_ltr(escape(cite.raw))})</small>"
    quote_html = ""
    if cite.quote:
        # TRANSLATORS: words quoted from a source document; use your language's quotation marks.
        quoted = escape(_("“{quote}”")).format(quote=escape(cite.quote))
        quote_html = f"<br><i>{_in_english(quoted)}</i>"
    return f"<li>{where} {raw}{quote_html}</li>"


def _language_name(code: str) -> str:
    """A language a service speaks, named in the app's language ('Polish', 'polski'); else its code."""
    if code in LANGUAGES:
        return _(LANGUAGES[code].english_name)
    return babel_locale().languages.get(code, code)


def service_html(
    svc: Service,
    verdict: Verdict | None = None,
    today: date | None = None,
    distance: str | None = None,
    box_colours: tuple[str, str] | None = None,
    ways: list[WayToFindOut] | None = None,
) -> str:
    """The whole record as simple, screen-reader-friendly HTML.

    ``distance`` is how far it is from the place searched near, worded by
    :func:`core.distance_words.distance_text` (with the note that says how approximate).
    ``ways`` are the next steps for a record with no contact route (``core.fallbacks``),
    shown before the empty contact rows.
    """
    today = today or uk_today()
    copy_words = _("Copy details")
    copy_tip = _("Copy the name, phone, address, hours, web and how to refer, to paste into notes or an email")
    parts = [
        f"<h2>{escape(svc.name)}</h2>",
        f"<p><b>{escape(svc.organization.name)}</b> · {escape(describe.labels('category', svc.categories))}</p>",
        f"<p><a href='{COPY_DETAILS_SCHEME}:' title='{escape(copy_tip)}'>{escape(copy_words)}</a></p>",
    ]
    if svc.alert:
        please_note = _("Please note")
        parts.append(_box(f"<b>{escape(please_note)}:</b> {_in_english(escape(svc.alert))}", box_colours))
    parts.append(_verdict(verdict, box_colours))
    parts.append(f"<p>{_in_english(escape(svc.description))}</p>")
    parts.append(_ways(ways or []))
    copy_tip = _("Copy this number")
    phones = "<br>".join(
        f"<a href='{COPY_SCHEME}:{escape(p.number)}' title='{escape(copy_tip)}'>"
        f"{_ltr(escape(p.number))}</a>" + (f" — {_ltr(escape(p.description))}" if p.description else "")
        for p in svc.phones
    )
    if phones:
        phones += "<br><small>" + escape(_("Click a number to copy it.")) + "</small>"
    locations = "<br>".join(escape(describe.describe_location(loc)) for loc in svc.locations)
    areas = _("UK-wide") if svc.coverage == "national" else describe.labels("catchment", svc.catchment)
    languages = ", ".join(escape(_language_name(code)) for code in svc.languages)
    groups = describe.labels("client_group", svc.client_groups)
    if svc.groups_required and svc.client_groups:
        groups += " " + _("(only these groups)")
    parts.append(
        _section(
            _("How to get help"),
            _row(_("How to refer"), _known(svc.application_process, free_text=True)),
            _row(_("Referral routes"), escape(describe.labels("referral_route", svc.referral_routes))),
            _row(_("Phone"), phones or _known(None)),
            _row(_("Email"), _email_link(svc.email)),
            _row(_("Web"), _web_link(svc.url)),
            _row(_("Where"), locations or _known(None)),
            *([_row(_("Distance"), escape(distance))] if distance else []),
            _row(_("Access"), _known(None)),  # no source describes step-free access, hearing loops or the like
            _row(_("Delivered"), escape(describe.labels("delivery_mode", svc.delivery_modes))),
        )
    )
    parts.append(
        _section(
            _("Who it is for"),
            _row(_("In words"), _known(svc.eligibility_description, free_text=True)),
            _row(_("Ages"), escape(describe.age_range(svc))),
            _row(_("Gender"), escape(describe.labels("gender", svc.genders))),
            _row(_("Substances"), escape(describe.labels("substance", svc.substances))),
            _row(_("Client groups"), escape(groups)),
            _row(_("Areas"), escape(areas)),
            _row(_("Languages"), languages or _known(None)),
            _row(_("Cost"), _known(svc.fees_description, free_text=True)),
        )
    )
    parts.append("<h3>" + escape(_("Opening hours")) + "</h3>" + _hours(svc, today))
    sources = "".join(_citation(c) for c in citations(svc.sources))
    status = label("verification", svc.verification) if svc.verification else describe.not_known()
    heading, status_word = _("Where this information comes from"), _("Status")
    listed = ""
    if any(name != "edition" for name in svc.listed_by):  # only worth saying once other sources are in
        listed = "<p>" + escape(_("Listed by: {sources}.").format(sources=", ".join(svc.listed_by))) + "</p>"
    parts.append(
        f"<h3>{escape(heading)}</h3>"
        f"<p>{escape(describe.evidence_note(svc))} {escape(status_word)}: {escape(status)}.</p>"
        f"{listed}<ul>{sources}</ul>"
    )
    return "\n".join(p for p in parts if p)
