"""What every leaflet shares: the renderer base class, text helpers, page frame and footer.

A renderer is like pretix's invoice renderer: it holds the fonts and named styles for
one language, builds a story of flowables, and returns PDF bytes. It never writes files;
:func:`write_pdf` does that atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from abc import ABC, abstractmethod
from pathlib import Path

from babel.dates import format_date
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table, TableStyle

from coventry_directory import __version__
from coventry_directory.atomic_write import SHARED, write_bytes_atomic
from coventry_directory.core.describe import not_known
from coventry_directory.core.fallbacks import RouteBook, WayToFindOut, ways_to_find_out
from coventry_directory.core.models import Service
from coventry_directory.i18n import _
from coventry_directory.i18n.bidi import starts_rtl
from coventry_directory.i18n.catalogs import in_language
from coventry_directory.i18n.languages import Language, get_language
from coventry_directory.leaflets import wording
from coventry_directory.leaflets.styles import RULE, Styles, make_styles
from coventry_directory.typeset.shaped_text import ShapedText

PAGE_SIZES = {"A4": A4, "A5": A5}


class LeafletError(ValueError):
    """Bad input for a leaflet (unknown service, category, language or size)."""


class Kit:
    """Builds flowables in one language: translated text, English content, tables, boxes."""

    def __init__(self, styles: Styles, width: float, routes: RouteBook | None = None):
        self.styles = styles
        self.lang = styles.lang
        self.width = width  # frame width, for tables and the QR code
        self.routes = routes  # where a record with no contact route finds its next steps (core.fallbacks)

    def t(self, text: str, style=None, bullet: str | None = None) -> ShapedText:
        """Translated (already ``_()``-ed) text: the language's font and direction."""
        style = style or self.styles.body
        fonts = self.styles.fonts
        primary, fallback = (
            (fonts.bold, fonts.latin_bold) if style.fontName == fonts.bold else (fonts.regular, fonts.latin)
        )
        return ShapedText(text, style, primary, fallback, rtl=self.lang.rtl, bullet=bullet)

    def c(self, text: str, style=None, bullet: str | None = None) -> ShapedText:
        """Directory content (usually English): Latin font first, direction of its first letter."""
        style = style or self.styles.body
        fonts = self.styles.fonts
        bold = style.fontName == fonts.bold
        primary, fallback = (fonts.latin_bold, fonts.bold) if bold else (fonts.latin, fonts.regular)
        return ShapedText(text, style, primary, fallback, rtl=starts_rtl(text), bullet=bullet)

    def bullets(self, lines, content: bool = False) -> list[ShapedText]:
        """One bulleted paragraph per line."""
        make = self.c if content else self.t
        return [make(line, self.styles.bullet, bullet="•") for line in lines]

    def facts(self, rows: list[tuple[str, list[Flowable]]], label_width: float | None = None) -> Table:
        """A label/value table; for right-to-left languages the label column is on the right."""
        label_width = label_width or self.width * (0.30 if self.styles.variant == "standard" else 0.36)
        data, widths = [], [label_width, self.width - label_width]
        for label, values in rows:
            row = [[self.t(label, self.styles.label)], values or [self.t(not_known())]]
            data.append(list(reversed(row)) if self.lang.rtl else row)
        if self.lang.rtl:
            widths.reverse()
        # splitInRow: a long answer (a service's own referral words in large print on A5)
        # may be taller than a page, so a row may continue on the next page.
        table = Table(data, colWidths=widths, hAlign="RIGHT" if self.lang.rtl else "LEFT", splitInRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    # cells hold flowables, but reportlab sets the cell font anyway: a bundled
                    # one, or an unembedded Helvetica is listed in the file and fails a preflight
                    ("FONT", (0, 0), (-1, -1), self.styles.fonts.latin),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    # QR codes and other narrow flowables sit on the start side of their cell.
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT" if self.lang.rtl else "LEFT"),
                ]
            )
        )
        return table

    def box(self, content: list[Flowable], fill, edge) -> Table:
        """A shaded box round some flowables (crisis lines, privacy statement)."""
        # splitInRow: a long warning in large print on A5 can be taller than a page
        table = Table([[content]], colWidths=[self.width], splitInRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), fill),
                    ("FONT", (0, 0), (-1, -1), self.styles.fonts.latin),  # as in facts(): no Helvetica
                    ("BOX", (0, 0), (-1, -1), 1, edge),
                    ("LEFTPADDING", (0, 0), (-1, -1), 7),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return table

    def qr(self, url: str, size: float) -> Drawing:
        """A QR code for a web address, drawn as vectors (sharp at any print size)."""
        widget = QrCodeWidget(url, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.hAlign = "RIGHT" if self.lang.rtl else "LEFT"
        return drawing


def format_day(value: str | None, lang: Language) -> str:
    """An ISO date as '24 November 2026' in the language; 'not known' when absent."""
    if not value:
        return not_known()
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value  # an unusual but present date is printed as the source gave it
    return format_date(day, format="d MMMM y", locale="en_GB" if lang.code == "en" else lang.code)


def source_years(dates) -> str:
    """'2022' or '2018–2024': the years of some evidence dates ('2022-09', '2018'); '' when none is dated."""
    years = sorted({int(d[:4]) for d in dates if d and d[:4].isdigit()})
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def earliest(dates) -> str | None:
    """The oldest of some ISO dates (a sheet is only as current as its oldest record)."""
    known = sorted(d for d in dates if d)
    return known[0] if known else None


class LeafletRenderer(ABC):
    """Base class: fonts, named styles, a story, a footer, bytes out.

    Subclasses implement :meth:`story` and :meth:`assured_dates`. ``variant`` is
    'standard', 'large' (large print) or 'easy' (Easy Read).
    """

    variant = "standard"
    document_title = "Coventry Directory leaflet"
    footer_lines: tuple[str, ...] = ()  # extra (untranslated msgid) lines, e.g. no personal details

    def __init__(
        self,
        lang: Language | str = "en",
        *,
        size: str = "A4",
        large_print: bool = False,
        routes: RouteBook | None = None,
    ):
        self.lang = lang if isinstance(lang, Language) else get_language(lang)
        if size not in PAGE_SIZES:
            raise LeafletError(f"unknown page size {size!r}; choose A4 or A5")
        self.size = size
        if large_print and self.variant == "standard":
            self.variant = "large"
        self.pagesize = PAGE_SIZES[size]
        self.margin = (16 if size == "A4" else 11) * mm
        self.footer_height = (18 if self.variant == "standard" else 26) * mm
        self.styles = make_styles(self.lang, self.variant)
        # ``routes`` (the directory store): the next steps printed for an entry with no contact route
        self.kit = Kit(self.styles, self.pagesize[0] - 2 * self.margin, routes)

    # --- for subclasses ----------------------------------------------------------------
    @abstractmethod
    def story(self) -> list[Flowable]:
        """The flowables of the leaflet, built in the leaflet's language."""

    def services_printed(self) -> list[Service] | None:
        """The services whose records the leaflet prints (None: a sheet of other records, which dates itself)."""
        return None

    def _records_printed(self) -> list[Service | WayToFindOut] | None:
        """The services printed and, for one with no contact route, each record its next steps come from.

        A step ("call FRANK on ...") prints another record's number, so the footer's dates
        must cover that record too, or a leaflet could print an old number under a new date.
        """
        services = self.services_printed()
        if services is None:
            return None
        out: list[Service | WayToFindOut] = []
        for svc in services:
            out.append(svc)
            out += [way for way in ways_to_find_out(svc, self.kit.routes) if way.assured_date or way.evidence_date]
        return out

    def assured_dates(self) -> list[str | None]:
        """The assured dates of every record printed."""
        return [r.assured_date for r in self._records_printed() or []]

    # --- rendering ---------------------------------------------------------------------
    def render(self) -> bytes:
        """The finished PDF as bytes."""
        buf = io.BytesIO()
        with in_language(self.lang.code):
            footer = self._footer_flowables()
            # the footer's own height: 16 pt lines in large print take more room than 7.5 pt
            page_line = self._page_line(999)
            needed = sum(f.wrap(self.kit.width, self.pagesize[1])[1] for f in [*footer, page_line]) + 5 * mm
            self.footer_height = max(self.footer_height, needed)
            doc = BaseDocTemplate(
                buf,
                pagesize=self.pagesize,
                leftMargin=self.margin,
                rightMargin=self.margin,
                topMargin=self.margin,
                bottomMargin=self.margin + self.footer_height,
                title=self.document_title,
                author="Coventry Directory",
                subject="",
                creator=f"Coventry Directory {__version__}",
                lang=self.lang.code,
                # the canvas's first font: a bundled one, so no unembedded Helvetica is listed
                initialFontName=self.styles.fonts.latin,
                initialFontSize=self.styles.body.fontSize,
            )
            frame = Frame(
                doc.leftMargin,
                doc.bottomMargin,
                doc.width,
                doc.height,
                id="body",
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
            doc.addPageTemplates(
                # onPageEnd: the footer is drawn after the page's body, so a screen reader or a
                # copy that follows the file's order meets the title first and the footer last
                [PageTemplate(id="page", frames=[frame], onPageEnd=lambda canv, d: self._draw_footer(canv, d, footer))]
            )
            doc.build(self.story())
        return buf.getvalue()

    def evidence_dates(self) -> list[str | None] | None:
        """The evidence dates of every record printed (None: the sheet's records carry none)."""
        records = self._records_printed()
        return None if records is None else [r.evidence_date for r in records]

    def _footer_flowables(self) -> list[Flowable]:
        lines = [self.kit.t(self.currency(), self.styles.footer)]
        lines += [self.kit.t(_(msg), self.styles.footer) for msg in self.footer_lines]
        if not self.lang.reviewed:
            lines.append(self.kit.c(wording.UNREVIEWED_NOTICE, self.styles.notice))
        return lines

    def _page_line(self, number: int) -> Flowable:
        return self.kit.t(_(wording.PAGE).format(number=number) + "  ·  Coventry Directory", self.styles.footer)

    def currency(self) -> str:
        """'Information checked on D, from sources dated Y': the footer's honest date, translated."""
        day = format_day(earliest(self.assured_dates()), self.lang)
        evidence = self.evidence_dates()
        if evidence is None:
            return _(wording.CHECKED_ON).format(date=day)
        years = source_years(evidence)
        if not years:
            return _(wording.CHECKED_UNDATED_SOURCES).format(date=day)
        if any(not source_years([d]) for d in evidence):  # "2022" alone would date them all
            return _(wording.CHECKED_PARTLY_DATED_SOURCES).format(date=day, years=years)
        return _(wording.CHECKED_FROM_SOURCES).format(date=day, years=years)

    def _draw_footer(self, canv, doc, lines: list[Flowable]) -> None:
        width = doc.width
        y = self.margin + self.footer_height - 3 * mm
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(doc.leftMargin, y + 1.5 * mm, doc.leftMargin + width, y + 1.5 * mm)
        canv.restoreState()
        for flowable in [*lines, self._page_line(canv.getPageNumber())]:
            h = flowable.wrap(width, self.footer_height)[1]
            y -= h
            flowable.drawOn(canv, doc.leftMargin, y)


def write_pdf(path: Path | str, data: bytes) -> Path:
    """Write a PDF atomically (0644: a leaflet is for sharing); returns its path.

    A reader (a printer queue, a volunteer opening the folder) never sees half a file.
    Raises NotARegularFile (an OSError) when ``path`` is a folder, device, pipe or socket.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes_atomic(path, data, mode=SHARED)
