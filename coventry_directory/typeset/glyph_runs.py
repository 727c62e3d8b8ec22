"""Glyph runs: one font, one direction, shaped by HarfBuzz, drawn with a text layer that reads back.

Shaping turns characters into glyphs that are not one-to-one with them: Arabic letters
take joining forms, lam + alef and conjuncts get glyphs of their own, a Bengali, Gujarati
or Gurmukhi vowel sign such as ি is drawn *before* the consonant it follows. reportlab
encodes a glyph by one character (a private-use one when the glyph has none), so copy,
search and read-aloud lost or reordered those words.

So every glyph cluster whose glyphs are not simply its one character is drawn inside a
marked-content span ``/Span <</ActualText (its characters)>> BDC … EMC`` (ISO 32000-1
§14.9.4): a reader (poppler's pdftotext and viewers, Acrobat, PDFBox) takes the span's
text in place of the glyphs. Why not a better ToUnicode map: it maps a glyph to fixed
text wherever it is drawn, so it cannot put a pre-base vowel back after its consonant,
nor say which letters a glyph shared by several words stands for.

Two rules make poppler read each span right (measured: bench/leaflet_text_layer.py):

- A span's characters are given in the order they lie on the page, left to right, like
  every other character of a PDF's text: the reader turns right-to-left stretches back
  into writing order itself. So a right-to-left cluster of several characters (a letter
  with its harakat) is written reversed, and comes back in writing order.
- A reader spreads a span's text from its first glyph's origin to its last glyph's end.
  A mark drawn first or last sits inside its letter, so a blank zero-width glyph is drawn
  at each true edge of such a cluster; otherwise the mark's text reads as a word apart.

The PDF operators are written here rather than by reportlab's text object because that
cannot put marked content between the glyphs of one string (and fails on a run that
starts with a mark set off the baseline).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import uharfbuzz  # the HarfBuzz binding reportlab loads for its own shaping

# The features reportlab's own shaping uses (kerning and ligatures, as the fonts intend).
_FEATURES = {"kern": True, "liga": True, "dlig": True}


@dataclass(frozen=True)
class Glyph:
    """One shaped glyph. Sizes are in 1/1000 of the font size."""

    code: str  # the character reportlab's font subset encodes this glyph by (private use when it has none)
    width: float  # the glyph's width in the PDF font: where a viewer's pen goes after it
    advance: float  # where HarfBuzz puts the next glyph
    dx: float
    dy: float
    cluster: int  # index in the run's text of the first character this glyph comes from


@dataclass(frozen=True)
class GlyphRun:
    """Text in one font and one direction, shaped: glyphs in drawing (left-to-right) order."""

    font: str
    size: float
    text: str  # logical order
    rtl: bool
    glyphs: tuple[Glyph, ...]
    width: float  # points

    def clusters(self) -> Iterator[tuple[int, int, str]]:
        """(first glyph, glyph after the last, source characters) for each cluster, in drawing order."""
        starts = sorted({g.cluster for g in self.glyphs})
        ends = dict(zip(starts, [*starts[1:], len(self.text)], strict=True))
        i, glyphs = 0, self.glyphs
        while i < len(glyphs):
            j = i + 1
            while j < len(glyphs) and glyphs[j].cluster == glyphs[i].cluster:
                j += 1
            yield i, j, self.text[glyphs[i].cluster : ends[glyphs[i].cluster]]
            i = j

    def drawn_text(self) -> str:
        """The characters the glyphs are encoded by, left to right (what a ToUnicode map alone says)."""
        return "".join(g.code for g in self.glyphs)


@lru_cache(maxsize=16384)
def shape(text: str, font: str, size: float, rtl: bool) -> GlyphRun:
    """``text`` shaped in ``font`` at ``size`` in the given direction.

    The direction comes from the bidi algorithm, not from guessing: a bracket or a comma
    in a right-to-left run is shaped right to left, so HarfBuzz mirrors the bracket.
    Cached: leaflets repeat the same words (labels, day names) many times.
    """
    ttf = pdfmetrics.getFont(font)
    hb_font = ttf.hbFont(size)  # also gives ttf its hbAddPrivate (a code for a glyph with no character)
    buf = uharfbuzz.Buffer()
    # A cluster is a letter with its marks (a shadda, a vowel sign): a mark drawn alone
    # would read back as a word of its own.
    buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_GRAPHEMES
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    uharfbuzz.shape(hb_font, buf, _FEATURES)
    face, scale = ttf.face, ttf.pdfScale
    glyphs = []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        gid = info.codepoint
        chars = face.glyphToChar.get(gid)
        code = chars[0] if chars else ttf.hbAddPrivate(hb_font.glyph_to_string(gid), gid, pos.x_advance)
        glyphs.append(
            Glyph(
                chr(code),
                face.charWidths.get(code, 0),
                scale(pos.x_advance),
                scale(pos.x_offset),
                scale(pos.y_offset),
                info.cluster,
            )
        )
    width = sum(g.advance for g in glyphs) * size / 1000
    return GlyphRun(font, size, text, rtl, tuple(glyphs), width)


def _actual_text(text: str) -> str:
    """A PDF text string in UTF-16BE hex (with its byte-order mark)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _plain(run: GlyphRun, first: int, end: int, source: str) -> bool:
    """True when the cluster is one glyph that is its one character, so the font's own map reads it."""
    return end - first == 1 and run.glyphs[first].code == source


class _Writer:
    """Collects the operators of one text object: fonts, positions, TJ arrays and spans."""

    def __init__(self, doc):
        self.doc = doc
        self.ops = ["BT"]
        self.tj: list[str] = []
        self.font: tuple[str, int] | None = None
        self.pos: tuple[float, float] | None = None  # where the PDF's pen is after the last glyph

    def flush(self) -> None:
        if self.tj:
            self.ops.append(f"[{' '.join(self.tj)}] TJ")
            self.tj = []

    def glyph(self, font, subset: int, byte: int, size: float, x: float, y: float, width: float) -> None:
        if self.font != (font.fontName, subset):
            self.flush()
            self.ops.append(f"{font.getSubsetInternalName(subset, self.doc)} {fp_str(size)} Tf")
            self.font = (font.fontName, subset)
        if self.pos is None or abs(self.pos[1] - y) > 1e-4:
            self.flush()
            self.ops.append(f"1 0 0 1 {fp_str(x)} {fp_str(y)} Tm")
        elif abs(self.pos[0] - x) > 1e-4:
            self.tj.append(fp_str((self.pos[0] - x) * 1000 / size))  # TJ numbers move the pen left
        self.tj.append(f"<{byte:02X}>")
        self.pos = (x + width * size / 1000, y)

    def marked(self, operator: str) -> None:
        self.flush()
        self.ops.append(operator)

    def code(self) -> str:
        self.flush()
        return " ".join([*self.ops, "ET"])


def draw_runs(canv, y: float, placed: Sequence[tuple[float, GlyphRun]]) -> None:
    """Draw glyph runs on one baseline ``y``, each starting at its x (left edge), as one text object."""
    doc = canv._doc  # reportlab's document: font subsets are kept per document
    out = _Writer(doc)
    for x, run in placed:
        font = pdfmetrics.getFont(run.font)
        anchor = _anchor(run.font)
        # The code (subset, byte) of each glyph, then of the blank anchor glyph.
        codes = [
            (subset, byte)
            for subset, chunk in font.splitString(run.drawn_text() + (anchor or ""), doc)
            for byte in chunk
        ]
        pen, size = x, run.size
        for first, end, source in run.clusters():
            glyphs = []
            for glyph, code in zip(run.glyphs[first:end], codes[first:end], strict=True):
                glyphs.append((pen + glyph.dx * size / 1000, y + glyph.dy * size / 1000, code, glyph.width))
                pen += glyph.advance * size / 1000
            if _plain(run, first, end, source):
                x0, y0, code, width = glyphs[0]
                out.glyph(font, *code, size, x0, y0, width)
                continue
            out.marked(f"/Span <</ActualText {_actual_text(source[::-1] if run.rtl else source)}>> BDC")
            left = pen - sum(g.advance for g in run.glyphs[first:end]) * size / 1000
            last_end = glyphs[-1][0] + glyphs[-1][3] * size / 1000
            edges = anchor is not None and (abs(glyphs[0][0] - left) > 0.01 or abs(last_end - pen) > 0.01)
            if edges:
                out.glyph(font, *codes[-1], size, left, y, 0)
            for gx, gy, code, width in glyphs:
                out.glyph(font, *code, size, gx, gy, width)
            if edges:
                out.glyph(font, *codes[-1], size, pen, y, 0)
            out.marked("EMC")
    canv._code.append(out.code())


@lru_cache(maxsize=64)
def _anchor(font: str) -> str | None:
    """A character whose glyph in ``font`` is blank and zero-width (ZERO WIDTH SPACE), or None.

    Not ZWNJ: the Noto Arabic and Indic fonts draw it as a visible bar for editors.
    """
    face = pdfmetrics.getFont(font).face
    for code in (0x200B, 0xFEFF):
        gid = face.charToGlyph.get(code)
        if gid is not None and face.charWidths.get(code) == 0 and face.glyphPos[gid] == face.glyphPos[gid + 1]:
            return chr(code)
    return None
