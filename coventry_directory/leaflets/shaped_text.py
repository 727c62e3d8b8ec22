"""ShapedText: a paragraph flowable that shapes every run with HarfBuzz and lays out RTL.

Why not reportlab's Paragraph: in reportlab 5.1 a word that mixes two fonts (an Ethiopic
word with a Latin full stop, Arabic next to a Latin name) is shaped with the first font
only and prints as empty boxes, and right-to-left word order needs the optional
``rlbidi`` package, which is not on PyPI. So this flowable breaks lines itself, shapes
each same-font run through reportlab's HarfBuzz binding (the style says ``shaping=1``),
and for right-to-left lines reverses the word order while keeping runs of Latin words and
numbers (names, phone numbers) left-to-right, which is how a reader expects them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.platypus import Flowable

from coventry_directory.leaflets.fonts import font_runs

# Brackets swap shape when they sit in right-to-left text (Unicode bidi mirroring).
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


def _is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


@lru_cache(maxsize=8192)
def shaped_run(text: str, font: str, size: float) -> tuple[str, float]:
    """``text`` shaped in ``font`` at ``size``: (string to draw, width in points).

    Cached: leaflets repeat the same words (labels, day names) many times.
    """
    if pdfmetrics.getFont(font).shapable:
        shaped = shapeStr(text, font, size)
        if isinstance(shaped, ShapedStr) and shaped.__shapeData__:
            width = sum(d.x_advance for d in shaped.__shapeData__) * size / 1000
            return shaped, width
        text = shaped
    return text, pdfmetrics.stringWidth(text, font, size)


@dataclass
class _Word:
    runs: list[tuple[str, str, float]]  # (font, drawable text, width), logical order
    width: float
    kind: str  # "R" right-to-left letters, "L" other letters, "D" digits, "N" punctuation only
    text: str
    # Punctuation at the edges of a Latin word or number inside RTL text (e.g. the full
    # stop of "... NHS 111.") belongs to the RTL sentence, so it is drawn on the far side.
    lead: list[tuple[str, str, float]] = field(default_factory=list)
    core: list[tuple[str, str, float]] = field(default_factory=list)
    trail: list[tuple[str, str, float]] = field(default_factory=list)


def _edge_punctuation(text: str) -> tuple[str, str, str]:
    """Split leading and trailing punctuation off a word: ('(', 'NHS', ').')."""
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return text[:start], text[start:end], text[end:]


def _kind(text: str) -> str:
    if any(_is_rtl_char(c) for c in text):
        return "R"
    if any(unicodedata.category(c).startswith("L") for c in text):
        return "L"
    if any(c.isdigit() for c in text):
        return "D"
    return "N"


class ShapedText(Flowable):
    """A paragraph of plain text (no markup) in one style, shaped and wrapped.

    ``primary``/``fallback`` are font names: each character is set in ``primary`` when it
    has the glyph, else in ``fallback``. ``rtl`` lays the lines out right to left.
    ``style.leftIndent`` is the indent on the *start* side (the right, for RTL text).
    A ``bullet`` is drawn in the indent on the start side.
    """

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        primary: str,
        fallback: str,
        *,
        rtl: bool = False,
        bullet: str | None = None,
        _lines=None,
    ):
        super().__init__()
        self.text = text
        self.style = style
        self.primary, self.fallback = primary, fallback
        self.rtl = rtl
        self.bullet = bullet
        self._lines: list[list[_Word]] | None = _lines
        self._prebroken = _lines is not None  # a piece of a split keeps its line breaks
        self._wrap_width: float | None = None

    # --- measuring -------------------------------------------------------------------
    def _runs(self, text: str, mirror: bool = False) -> list[tuple[str, str, float]]:
        size = self.style.fontSize
        runs = []
        for font, part in font_runs(text, self.primary, self.fallback):
            if mirror and _kind(part) == "N":
                part = part.translate(_MIRROR)
            drawn, width = shaped_run(part, font, size)
            runs.append((font, drawn, width))
        return runs

    def _word(self, text: str) -> _Word:
        kind = _kind(text)
        opposite = kind in ("L", "D") if self.rtl else kind == "R"
        if not opposite:
            runs = self._runs(text, mirror=self.rtl)
            return _Word(runs, sum(r[2] for r in runs), kind, text, core=runs)
        lead, core, trail = _edge_punctuation(text)
        lead_runs, trail_runs = self._runs(lead, self.rtl), self._runs(trail, self.rtl)
        core_runs = self._runs(core)
        runs = self._runs(text)
        return _Word(runs, sum(r[2] for r in runs), kind, text, lead_runs, core_runs, trail_runs)

    def _space(self) -> float:
        return shaped_run(" ", self.primary, self.style.fontSize)[1]

    def _split_long(self, word: _Word, width: float) -> list[_Word]:
        """Cut a word wider than the line (a long web address) into pieces that fit."""
        pieces, current = [], ""
        for ch in word.text:
            if current and self._word(current + ch).width > width:
                pieces.append(current)
                current = ""
            current += ch
        if current:
            pieces.append(current)
        return [self._word(p) for p in pieces]

    def _break(self, width: float) -> list[list[_Word]]:
        space = self._space()
        lines: list[list[_Word]] = []
        for hard_line in self.text.split("\n"):
            line: list[_Word] = []
            used = 0.0
            words = [self._word(w) for w in hard_line.split(" ") if w]
            while words:
                word = words.pop(0)
                if word.width > width and word.kind != "R":
                    words[0:0] = self._split_long(word, width)
                    word = words.pop(0)
                extra = word.width + (space if line else 0)
                if line and used + extra > width:
                    lines.append(line)
                    line, used = [word], word.width
                else:
                    line.append(word)
                    used += extra
            lines.append(line)
        return lines

    def _text_width(self, aw: float) -> float:
        return max(aw - self.style.leftIndent - self.style.rightIndent, 1.0)

    def wrap(self, availWidth, availHeight):
        """Lay out the lines for this width (reportlab Flowable API); returns (width, height)."""
        if self._lines is None or (self._wrap_width != availWidth and not self._prebroken):
            self._lines = self._break(self._text_width(availWidth))
        self._wrap_width = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        """Split into what fits in ``availHeight`` and the rest (reportlab Flowable API)."""
        if self._lines is None:
            self.wrap(availWidth, availHeight)
        # else keep the lines of the last wrap: a table splitting a row passes the cell's
        # width without its padding (250 pt, having wrapped at 244), and lines re-broken
        # wider would all fit after all; reportlab's row split then fails on one part.
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit >= len(self._lines):
            return [self]
        if fit <= 0:
            return []
        first, rest = self._lines[:fit], self._lines[fit:]
        parts = []
        for i, lines in enumerate((first, rest)):
            part = ShapedText(
                self.text,
                self.style,
                self.primary,
                self.fallback,
                rtl=self.rtl,
                bullet=self.bullet if i == 0 else None,
                _lines=lines,
            )
            part._space_before = self.style.spaceBefore if i == 0 else 0
            part._space_after = self.style.spaceAfter if i == 1 else 0
            parts.append(part)
        return parts

    def getSpaceBefore(self):
        """Space above the paragraph, from its style (reportlab Flowable API)."""
        return getattr(self, "_space_before", self.style.spaceBefore)

    def getSpaceAfter(self):
        """Space below the paragraph, from its style (reportlab Flowable API)."""
        return getattr(self, "_space_after", self.style.spaceAfter)

    # --- drawing ---------------------------------------------------------------------
    def _groups(self, line: list[_Word]) -> list[tuple[bool, list[_Word]]]:
        """Split a line into (opposite-direction?, words) groups in logical order.

        Opposite-direction words are Latin words and numbers in RTL text, or RTL words in
        LTR text; punctuation between them joins their group, punctuation at a group's
        edge belongs to the text around it.
        """
        joins = ("L", "D", "N") if self.rtl else ("R", "N")
        groups: list[tuple[bool, list[_Word]]] = []
        run: list[_Word] = []
        for word in line + [None]:
            if word is not None and word.kind in joins:
                run.append(word)
                continue
            head, tail = [], []
            while run and run[0].kind == "N":
                head.append(run.pop(0))
            while run and run[-1].kind == "N":
                tail.insert(0, run.pop())
            groups += [(False, [w]) for w in head] + ([(True, run)] if run else []) + [(False, [w]) for w in tail]
            run = []
            if word is not None:
                groups.append((False, [word]))
        return groups

    def _line_runs(self, line: list[_Word]) -> list[tuple[str, str, float]]:
        """The line's runs in left-to-right drawing order (a simple bidi reordering)."""
        space = ("", " ", self._space())
        runs: list[tuple[str, str, float]] = []
        groups = self._groups(line)
        for opposite, words in reversed(groups) if self.rtl else groups:
            if runs:
                runs.append(space)
            if not opposite:
                # Base-direction word: an RTL word's runs are drawn last-first.
                runs.extend(reversed(words[0].runs) if self.rtl else words[0].runs)
                continue
            # An opposite-direction group keeps its own order inside; the punctuation on
            # its edges goes to the sides where the surrounding text reads it.
            first, last = words[0], words[-1]
            inner = words if self.rtl else list(reversed(words))
            runs.extend(last.trail if self.rtl else first.lead)
            for i, word in enumerate(inner):
                if i:
                    runs.append(space)
                core = word.core if self.rtl else list(reversed(word.core))
                before = word.lead if word is not first else []
                after = word.trail if word is not last else []
                runs.extend(
                    before + core + after if self.rtl else list(reversed(after)) + core + list(reversed(before))
                )
            runs.extend(first.lead if self.rtl else last.trail)
        return runs

    def draw(self):
        """Draw the laid-out lines on the canvas (reportlab Flowable API)."""
        canv = self.canv
        style = self.style
        size = style.fontSize
        ascent, descent = pdfmetrics.getAscentDescent(self.primary, size)
        # Centre the glyph box in the line: tall Arabic and Bengali marks stay inside it.
        baseline_drop = (style.leading - (ascent - descent)) / 2 + ascent
        start_indent, end_indent = style.leftIndent, style.rightIndent
        left, right = (end_indent, self.width - start_indent) if self.rtl else (start_indent, self.width - end_indent)
        canv.saveState()
        canv.setFillColor(style.textColor)
        for i, line in enumerate(self._lines):
            y = self.height - i * style.leading - baseline_drop
            runs = self._line_runs(line)
            width = sum(r[2] for r in runs)
            if style.alignment == TA_RIGHT:
                x = right - width
            elif style.alignment == TA_CENTER:
                x = left + (right - left - width) / 2
            else:
                x = left
            for font, text, w in runs:
                if font and text.strip():
                    canv.setFont(font, size)
                    canv.drawString(x, y, text)
                x += w
            if i == 0 and self.bullet:
                # The bullet sits on the start side: the right edge for RTL text.
                font, mark = font_runs(self.bullet, self.primary, self.fallback)[0]
                canv.setFont(font, size)
                if self.rtl:
                    canv.drawRightString(self.width - style.bulletIndent, y, mark)
                else:
                    canv.drawString(style.bulletIndent, y, mark)
        canv.restoreState()
