"""ShapedText: a paragraph flowable that breaks lines, orders them by UAX #9 and draws shaped runs.

Why not reportlab's Paragraph: in reportlab 5.1 a word that mixes two fonts (an Ethiopic
word with a Latin full stop, Arabic next to a Latin name) is shaped with the first font
only and prints as empty boxes, and right-to-left word order needs the optional
``rlbidi`` package, which is not on PyPI. So this flowable:

1. resolves the bidi level of every character of each paragraph with the Unicode
   Bidirectional Algorithm (:mod:`coventry_directory.i18n.bidi`, python-bidi);
2. cuts words into runs of one font and one level, and shapes each run with HarfBuzz in
   its own direction (:mod:`glyph_runs`: mirrored brackets, joined Arabic letters);
3. breaks lines on the logical text, then puts each line's runs in drawing order by rule
   L2, so brackets, numbers and Latin names inside Arabic text sit where a reader
   expects them;
4. draws every glyph cluster with the characters it came from (ActualText), so the PDF's
   text copies, searches and reads aloud as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from coventry_directory.i18n.bidi import embedding_levels, mirrored, visual_order
from coventry_directory.typeset.fonts import font_runs
from coventry_directory.typeset.glyph_runs import GlyphRun, draw_runs, shape

_WORD = re.compile(r"[^ ]+")


@dataclass
class _Word:
    """A word of a paragraph: its runs (level, shaped run) in logical order."""

    text: str
    runs: list[tuple[int, GlyphRun]]
    width: float
    space_level: int  # level of the space before it, which orders it on a line among its neighbours
    rtl_letters: bool  # has right-to-left letters (never cut to fit a line)


class ShapedText(Flowable):
    """A paragraph of plain text (no markup) in one style, shaped and wrapped.

    ``primary``/``fallback`` are font names: each character is set in ``primary`` when it
    has the glyph, else in ``fallback`` (or the first of several fallbacks that has it). ``rtl`` is the paragraph direction (lines then
    start on the right). ``style.leftIndent`` is the indent on the *start* side (the
    right, for RTL text). A ``bullet`` is drawn in the indent on the start side.
    """

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        primary: str,
        fallback: str | Sequence[str],
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
    def _word(self, line: str, levels: tuple[int, ...], start: int, end: int) -> _Word:
        """The word ``line[start:end]``, cut into runs of one font and one level, shaped."""
        size = self.style.fontSize
        runs: list[tuple[int, GlyphRun]] = []
        pos = start
        for font, part in font_runs(line[start:end], self.primary, self.fallback):
            i = 0
            while i < len(part):
                level = levels[pos + i]
                j = i + 1
                while j < len(part) and levels[pos + j] == level:
                    j += 1
                runs.append((level, shape(part[i:j], font, size, bool(level % 2))))
                i = j
            pos += len(part)
        text = line[start:end]
        space_level = levels[start - 1] if start else (1 if self.rtl else 0)
        rtl_letters = any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
        return _Word(text, runs, sum(r.width for _, r in runs), space_level, rtl_letters)

    def _space(self) -> float:
        return shape(" ", self.primary, self.style.fontSize, False).width

    def _split_long(self, line: str, levels: tuple[int, ...], start: int, end: int, width: float) -> list[_Word]:
        """Cut a word wider than the line (a long web address) into pieces that fit."""
        pieces, first = [], start
        for i in range(start + 1, end):
            if self._word(line, levels, first, i + 1).width > width:
                pieces.append(self._word(line, levels, first, i))
                first = i
        pieces.append(self._word(line, levels, first, end))
        return pieces

    def _break(self, width: float) -> list[list[_Word]]:
        """Lines of words, broken on the logical text (each hard line is a bidi paragraph)."""
        space = self._space()
        lines: list[list[_Word]] = []
        for hard_line in self.text.split("\n"):
            levels = embedding_levels(hard_line, self.rtl)
            line: list[_Word] = []
            used = 0.0
            for match in _WORD.finditer(hard_line):
                word = self._word(hard_line, levels, match.start(), match.end())
                pieces = [word]
                if word.width > width and not word.rtl_letters:
                    pieces = self._split_long(hard_line, levels, match.start(), match.end(), width)
                for piece in pieces:
                    extra = piece.width + (space if line else 0)
                    if line and used + extra > width:
                        lines.append(line)
                        line, used = [piece], piece.width
                    else:
                        line.append(piece)
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
        assert self._lines is not None
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

    # --- ordering --------------------------------------------------------------------
    def _line_runs(self, line: list[_Word]) -> list[tuple[int, GlyphRun | None, float]]:
        """The line's runs and spaces as (level, run or None for a space, width), in drawing order.

        Rule L2 of the bidi algorithm on the line's own pieces: levels were resolved on
        the whole paragraph, the line was broken on the logical text, and only now is it
        reordered, so a line break never moves words between lines.
        """
        space = self._space()
        pieces: list[tuple[int, GlyphRun | None, float]] = []
        for n, word in enumerate(line):
            if n:
                pieces.append((word.space_level, None, space))
            pieces += [(level, run, run.width) for level, run in word.runs]
        order = visual_order([p[0] for p in pieces])
        return [pieces[i] for i in order]

    def visual_lines(self) -> list[str]:
        """Each laid-out line as it reads left to right on paper (after :meth:`wrap`).

        Right-to-left runs reversed and mirrored: what the glyphs show, in characters.
        """
        out = []
        for line in self._lines or []:
            text = ""
            for level, run, _width in self._line_runs(line):
                if run is None:
                    text += " "
                else:
                    text += mirrored(run.text[::-1]) if level % 2 else run.text
            out.append(text)
        return out

    # --- drawing ---------------------------------------------------------------------
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
        for i, line in enumerate(self._lines or []):
            y = self.height - i * style.leading - baseline_drop
            pieces = self._line_runs(line)
            width = sum(p[2] for p in pieces)
            if style.alignment == TA_RIGHT:
                x = right - width
            elif style.alignment == TA_CENTER:
                x = left + (right - left - width) / 2
            else:
                x = left
            placed = []
            for _level, run, w in pieces:
                if run is not None and run.text.strip():
                    placed.append((x, run))
                x += w
            if placed:
                draw_runs(canv, y, placed)
            if i == 0 and self.bullet:
                # The bullet sits on the start side: the right edge for RTL text.
                font, mark = font_runs(self.bullet, self.primary, self.fallback)[0]
                canv.setFont(font, size)
                if self.rtl:
                    canv.drawRightString(self.width - style.bulletIndent, y, mark)
                else:
                    canv.drawString(style.bulletIndent, y, mark)
        canv.restoreState()
