"""The provider check form as a PDF: "this is what we list about you - please correct", for one organisation.

A4, in English (it is for providers), built like the leaflets (``leaflets.base``): the
organisation's name, a short instruction naming where to send it back, the directory
edition, then one table per record (the organisation, then each service): the field, what
we list ("not known" where we list nothing), a yes/no to tick and a box to write the
correction in. Page numbers and the edition are in the footer of every page.

Every piece of text is set by the leaflets' shaped-text machinery with the bundled fonts
only; a name in another script (Arabic, Gurmukhi ...) is set in the bundled font that has
its letters, so nothing prints as empty boxes.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from coventry_directory.core.check_forms import NOT_KNOWN, CheckForm, CheckRecord
from coventry_directory.core.correction_queue import ORGANIZATION
from coventry_directory.i18n.bidi import starts_rtl
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets.base import Kit, LeafletRenderer, format_day
from coventry_directory.leaflets.styles import INK, RULE
from coventry_directory.typeset.fonts import has_char, register_font
from coventry_directory.typeset.shaped_text import ShapedText

DIRECTORY = "Coventry and Warwickshire drug and alcohol directory"
INSTRUCTION = (
    "This is what the Coventry and Warwickshire drug and alcohol directory lists about you. "
    "Please correct anything wrong or missing and return it to {return_to}."
)
NOBODY_NAMED = "the team that sent it to you"
HOW_TO = (
    "For each line, tick yes if what we list is right. If it is wrong, out of date or missing, tick no "
    "and write what it should say in the box. Where we write 'not known', no source we have says it: "
    "please tell us if you can. Everything we list is public, so please write nothing about clients "
    "or staff who have not agreed to be named."
)
SOURCES_SHOWN = 6  # a record citing 20 pages lists the first few here (the CSV form has them all)
BOX_HEIGHT = 13 * mm  # room to write a correction by hand
RECORD_START = 70 * mm  # a record starts on a new page unless its heading and first rows fit here


class CheckFormKit(Kit):
    """The leaflet kit, with directory text in whichever bundled font has its letters."""

    def c(self, text: str, style=None, bullet: str | None = None) -> ShapedText:
        """Directory content: Latin first, then the bundled font of the script it is written in."""
        style = style or self.styles.body
        fonts = self.styles.fonts
        bold = style.fontName == fonts.bold
        latin = fonts.latin_bold if bold else fonts.latin
        fallback = _script_font(text, latin, bold) or (fonts.bold if bold else fonts.regular)
        return ShapedText(text, style, latin, fallback, rtl=starts_rtl(text), bullet=bullet)


def _script_font(text: str, latin: str, bold: bool) -> str | None:
    """The bundled font for the first letter of ``text`` the Latin font lacks, or None."""
    for ch in text:
        if ch.isspace() or has_char(latin, ch):
            continue
        for lang in LANGUAGES.values():
            name = register_font(lang.bold_font if bold else lang.font)
            if has_char(name, ch):
                return name
    return None

    return False


class TickBoxes(Flowable):
    """Two boxes to tick, 'yes' above 'no', for the "correct?" column."""

    def __init__(self, kit: Kit):
        super().__init__()
        self.words = [kit.t(word, kit.styles.small) for word in ("yes", "no")]
        self.box = 3.4 * mm
        self.line = max(kit.styles.small.leading, self.box) + 1.5 * mm

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's Flowable API
        """Two lines of box and word."""
        self.width = availWidth
        self.height = 2 * self.line
        for word in self.words:
            word.wrap(max(availWidth - self.box - 2 * mm, 1), self.line)
        return self.width, self.height

    def draw(self):
        """Each box, then its word beside it."""
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.7)
        for i, word in enumerate(self.words):
            top = self.height - i * self.line
            canv.rect(0, top - self.box - 0.5 * mm, self.box, self.box, stroke=1, fill=0)
            word.drawOn(canv, self.box + 1.5 * mm, top - word.height)
        canv.restoreState()


class CheckFormRenderer(LeafletRenderer):
    """The check form of one organisation: its record and each of its services, field by field."""

    document_title = "Provider check form"

    def __init__(self, form: CheckForm, return_to: str | None = None):
        super().__init__("en", size="A4")
        self.form = form
        self.return_to = (return_to or "").strip() or NOBODY_NAMED
        self.kit = CheckFormKit(self.styles, self.kit.width)

    def assured_dates(self) -> list[str | None]:
        """The assured dates of the services on the form."""
        return [r.last_checked for r in self.form.records if r.kind != ORGANIZATION and r.last_checked != NOT_KNOWN]

    def story(self) -> list[Flowable]:
        """Title, instruction, edition, then one table per record."""
        kit, s = self.kit, self.styles
        story: list[Flowable] = [
            kit.c(self.form.organization_name, s.title),
            kit.t(f"Provider check form: {DIRECTORY}", s.subtitle),
            kit.c(INSTRUCTION.format(return_to=self.return_to), s.label),
            Spacer(1, 3),
            kit.t(HOW_TO),
            kit.t(f"Directory edition: {self._edition()}", s.small),
        ]
        for record in self.form.records:
            story += self._record(record)
        return story

    def _edition(self) -> str:
        return format_day(self.form.edition, self.lang) if self.form.edition else NOT_KNOWN

    def _record(self, record: CheckRecord) -> list[Flowable]:
        kit, s = self.kit, self.styles
        what = "Organisation" if record.kind == ORGANIZATION else "Service"
        checked = format_day(record.last_checked, self.lang) if record.last_checked != NOT_KNOWN else NOT_KNOWN
        shown = list(record.sources[:SOURCES_SHOWN])
        if len(record.sources) > SOURCES_SHOWN:
            shown.append(f"and {len(record.sources) - SOURCES_SHOWN} more")
        head = [
            kit.c(record.name, s.heading),
            kit.c(f"{what} · key {record.key} · last checked against its sources: {checked}", s.small),
            kit.c(f"Where it comes from: {'; '.join(shown) or NOT_KNOWN}", s.small),
            Spacer(1, 3),
        ]
        # a heading never ends a page alone: its first rows come with it; the table may run over pages
        return [CondPageBreak(RECORD_START), KeepTogether(head), self._table(record), Spacer(1, 4)]

    def _table(self, record: CheckRecord) -> Table:
        kit, s = self.kit, self.styles
        width = kit.width
        widths = [width * 0.19, width * 0.41, width * 0.12, width * 0.28]
        data: list[list] = [[kit.t(h, s.label) for h in ("Field", "What we list", "Correct?", "Correction")]]
        for row in record.rows:
            listed = kit.c(row.we_list, s.body if row.known else s.small)
            data.append([kit.t(row.label, s.label), listed, TickBoxes(kit), Spacer(1, BOX_HEIGHT)])
        table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONT", (0, 0), (-1, -1), self.styles.fonts.latin),  # no unembedded Helvetica (see Kit.facts)
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                    ("BOX", (3, 1), (3, -1), 0.9, INK),  # the writing boxes stand out
                    ("LINEBELOW", (0, 0), (-1, 0), 0.9, INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def _footer_flowables(self) -> list[Flowable]:
        """The form's own footer: whose form it is and the edition (the page number follows)."""
        line = f"Provider check form for {self.form.organization_name} · directory edition {self._edition()}"
        return [self.kit.c(line, self.styles.footer)]


def render_check_form(form: CheckForm, return_to: str | None = None) -> bytes:
    """The check form PDF of ``form``, asking for it back at ``return_to``."""
    return CheckFormRenderer(form, return_to).render()
