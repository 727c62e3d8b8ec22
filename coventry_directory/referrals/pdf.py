"""The printable referral PDF: referrer, the fields this service's form takes, the consent record.

Rendered to bytes in memory (no temp file holds a client's details); ``write_referral_pdf``
then writes it atomically and privately. The PDF's metadata names the service, never the
client, because file managers and print queues show it. Any amount of free text prints:
a long answer flows on over as many pages as it needs. It is always in English, whatever
language the app speaks: it is for the service that receives it. What the worker typed
may not be: a name, an address or a note in Gurmukhi, Arabic or Bengali letters is set
in the bundled font for its script and shaped (``typeset``), and copies out as typed.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from coventry_directory import APP_NAME
from coventry_directory.i18n.bidi import starts_rtl
from coventry_directory.i18n.catalogs import in_language
from coventry_directory.i18n.languages import LATIN_BOLD_FONT, LATIN_FONT
from coventry_directory.referrals.consent import CONSENT_METHODS, statement_digest
from coventry_directory.referrals.files import write_private
from coventry_directory.referrals.prepare import PreparedReferral
from coventry_directory.typeset.fonts import FontError, covered, register_font, script_fonts, spell_out_missing
from coventry_directory.typeset.shaped_text import ShapedText

_HELVETICA = ("Helvetica", "Helvetica-Bold")
_INK, _SHADE, _WARN = colors.HexColor("#1a1a1a"), colors.HexColor("#eef2f6"), colors.HexColor("#8b0000")


def _fonts() -> tuple[str, str]:
    """The bundled Noto Sans (wide Latin, Greek and Cyrillic coverage); Helvetica if it is missing."""
    try:
        return register_font(LATIN_FONT), register_font(LATIN_BOLD_FONT)
    except FontError:  # a broken install should still print a referral
        return _HELVETICA


def _styles():
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, textColor=_INK)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "label": ParagraphStyle("label", parent=body, fontName=bold),
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4, keepWithNext=1
        ),
        "banner": ParagraphStyle(
            "banner",
            parent=body,
            fontName=bold,
            textColor=colors.white,
            backColor=_WARN,
            borderPadding=(4, 6, 4, 6),
            spaceAfter=10,
        ),
    }


def _para(text: str, style) -> Flowable:
    """One paragraph of ``text``: reportlab's own where its font has every letter, else shaped per script."""
    text = text or ""
    if style.fontName not in _HELVETICA and not covered(text, style.fontName):
        try:
            fallbacks = script_fonts(bold=style.fontName == _fonts()[1])
            # what no bundled font draws (an emoji) is named, never a box: "[syringe]"
            text = spell_out_missing(text, (style.fontName, *fallbacks))
            if covered(text, style.fontName):
                return Paragraph(escape(text).replace("\n", "<br/>"), style)
            return ShapedText(text, style, style.fontName, fallbacks, rtl=starts_rtl(text))
        except FontError:  # a script's font missing: the letters it has not print as boxes, the rest does
            pass
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table(rows: list[tuple[str, str]], st) -> Table:
    data = [[_para(k, st["label"]), _para(v or "—", st["body"])] for k, v in rows]
    # splitInRow: a cell taller than a page (pages of risk notes) flows on over pages, its
    # paragraph broken between lines; without it reportlab raises LayoutError and prints nothing.
    table = Table(data, colWidths=[52 * mm, 118 * mm], splitByRow=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), _SHADE),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _section(title: str, rows: list[tuple[str, str]], st) -> list:
    # The heading keeps with its table (h2 has keepWithNext); a long table may split by rows.
    return [_para(title, st["h2"]), _table(rows, st)]


def _story(ref: PreparedReferral, st) -> list:
    svc, form, consent = ref.service, ref.form, ref.form.consent
    delivery = f"Email to {svc.email}" if ref.can_email else "Printed / secure upload (no email referral route)"
    story = [
        _para(
            "CONFIDENTIAL — personal and health information (special category data). "
            "Keep it secure; do not leave it on a printer.",
            st["banner"],
        ),
        _para(f"{ref.definition.title}: {svc.name}", st["title"]),
        _para(
            f"{svc.organization.name} · referral {ref.short_id} · prepared {ref.created_at[:16].replace('T', ' ')}",
            st["body"],
        ),
    ]
    story += _section(
        "Referral",
        [
            ("To", f"{svc.name} ({svc.organization.name})"),
            ("Delivery", delivery),
            ("Referral id", ref.id),
            ("Local reference", form.local_reference),
            ("Form", f"{APP_NAME} default form for this kind of service — not a form published by {svc.name}"),
        ],
        st,
    )
    # Consent comes before the person's details: the receiving service checks it first.
    story += _section(
        "Consent record",
        [
            ("Consent given", "Yes — explicit consent to this referral" if consent.given else "NO"),
            ("How", CONSENT_METHODS.get(consent.method, consent.method)),
            ("Recorded", consent.recorded_at.replace("T", " ")),
            ("Recorded by", consent.recorded_by),
            ("Information shared", ", ".join(ref.shared_labels())),
            ("Shared with", consent.recipient),
            (
                "Statement shown first",
                ("Yes" if consent.statement_shown else "No") + f" (text fingerprint {statement_digest(ref.statement)})",
            ),
        ],
        st,
    )
    story += _section("The person referred", ref.client_rows(), st)
    answers = ref.answer_rows()
    if answers:
        story += _section(f"Questions for {svc.name}", answers, st)
    r = form.referrer
    story += _section(
        "Referrer",
        [("Name", r.name), ("Role", r.role), ("Organisation", r.organisation), ("Phone", r.phone), ("Email", r.email)],
        st,
    )
    story += [_para("Information-sharing statement shown to the person", st["h2"]), _para(ref.statement, st["small"])]
    return story


def render_referral_pdf(ref: PreparedReferral) -> bytes:
    """The referral as PDF bytes (A4). Call only for a referral with no errors."""
    ref.require_ok()
    st = _styles()
    buf = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(st["small"].fontName, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(20 * mm, 10 * mm, f"Confidential · referral {ref.short_id} to {ref.service.name}")
        canvas.drawRightString(190 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Referral to {ref.service.name}",
        author=APP_NAME,
        subject="Referral",
        creator=APP_NAME,
    )
    with in_language("en"):  # labels, risks and answers as the service reads them
        story = _story(ref, st)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def write_referral_pdf(path: Path | str, data: bytes) -> Path:
    """Write a rendered referral atomically, readable by this user only."""
    return write_private(path, data)
