"""The PDF fonts: registered once from resources/fonts, and per-character fallback.

Only the bundled Noto fonts are used (never a system font), so a leaflet prints the same
on every workstation. None of the non-Latin Noto fonts has Latin letters, and Ethiopic has
no digits, so text is cut into runs by which font has each character; a service name or
phone number inside Punjabi or Arabic text is set in Noto Sans.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from coventry_directory.i18n.languages import LANGUAGES, LATIN_BOLD_FONT, LATIN_FONT, Language
from coventry_directory.resources import resource_path

_lock = threading.Lock()

# Characters that are invisible or layout controls: they stay in whatever run they are in.
_NEUTRAL = {" ", "\u200c", "\u200d", "\u200e", "\u200f", "\u00a0", "\u2009", "\u202f"}


class FontError(RuntimeError):
    """A bundled font file is missing or unreadable."""


def font_name(filename: str) -> str:
    """The reportlab font name we register a file under (its stem, e.g. 'NotoSans-Bold')."""
    return filename.rsplit(".", 1)[0]


def register_font(filename: str) -> str:
    """Register one bundled font (once; thread-safe) and return its reportlab name."""
    name = font_name(filename)
    with _lock:
        if name in pdfmetrics.getRegisteredFontNames():
            return name
        path = resource_path("fonts", filename)
        if not path.is_file():
            raise FontError(f"font file {path} is missing; reinstall the app")
        try:
            font = TTFont(name, str(path))
        except Exception as exc:  # reportlab raises TTFError and friends
            raise FontError(f"cannot load font {path}: {exc}") from exc
        font.shapable = True  # text goes through HarfBuzz (uharfbuzz) when a style asks
        pdfmetrics.registerFont(font)
    return name


@dataclass(frozen=True)
class FontSet:
    """The fonts one language prints with: its own script plus Latin for fallback."""

    regular: str
    bold: str
    latin: str
    latin_bold: str


def fonts_for(lang: Language) -> FontSet:
    """Register (if needed) and return the fonts for ``lang``."""
    regular, bold = register_font(lang.font), register_font(lang.bold_font)
    latin, latin_bold = register_font(LATIN_FONT), register_font(LATIN_BOLD_FONT)
    # A family mapping lets <b> in a Paragraph find the bold face.
    for face, is_bold in ((regular, False), (bold, True)):
        addMapping(regular, int(is_bold), 0, face)
        addMapping(regular, int(is_bold), 1, face)
    return FontSet(regular, bold, latin, latin_bold)


def register_all() -> list[str]:
    """Register every bundled leaflet font; returns their names (self-test uses this)."""
    names: list[str] = []
    for lang in LANGUAGES.values():
        for filename in lang.font_files():
            name = register_font(filename)
            if name not in names:
                names.append(name)
    return names


@lru_cache(maxsize=64)
def _coverage(name: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def has_char(name: str, char: str) -> bool:
    """True when the registered font ``name`` has a glyph for ``char``."""
    return ord(char) in _coverage(name)


def font_runs(text: str, primary: str, fallback: str | Sequence[str]) -> list[tuple[str, str]]:
    """Cut ``text`` into (font, text) runs: ``primary`` where it has the glyph, else the first fallback that has.

    ``fallback`` is one font (a leaflet: its script's font and Latin) or several in order
    (a referral: Latin first, then every bundled script, for a name in any of them); a
    character no font has stays in ``primary``. Spaces and joiners stay with the run they
    are in, so words are not split needlessly.
    """
    fallbacks = (fallback,) if isinstance(fallback, str) else tuple(fallback)
    runs: list[tuple[str, str]] = []
    current, buf = primary, []
    for ch in text:
        if ch in _NEUTRAL:
            buf.append(ch)
            continue
        want = primary
        if not has_char(primary, ch):
            want = next((font for font in fallbacks if has_char(font, ch)), primary)
        if want != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = want
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    return runs


# Presentation only (emoji or text style, a skin tone): nothing is lost when the character
# they modify is spelled out instead of drawn
_PRESENTATION = frozenset([*range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400), *range(0xE0100, 0xE01F0)])


def spell_out_missing(text: str, fonts: Sequence[str]) -> str:
    """``text`` with each character none of ``fonts`` can draw written as its Unicode name: "[slightly smiling face]".

    A box says nothing to the service reading a referral; the character's name says what
    was typed (an emoji, a script no bundled font covers). Characters that only change
    how another is shown (variation selectors, skin tones) go with it.
    """
    out = []
    for ch in text:
        if ch in _NEUTRAL or ch in "\n\t" or any(has_char(font, ch) for font in fonts):
            out.append(ch)
        elif ord(ch) not in _PRESENTATION:
            out.append("[" + unicodedata.name(ch, f"U+{ord(ch):04X}").lower() + "]")
    return "".join(out)


def covered(text: str, font: str) -> bool:
    """True when the registered font ``font`` has every character of ``text`` (spaces and joiners aside)."""
    return all(ch in _NEUTRAL or ch in "\n\t" or has_char(font, ch) for ch in text)


@cache
def script_fonts(bold: bool = False) -> tuple[str, ...]:
    """Every bundled non-Latin font (regular or bold), registered: the fallbacks for text in any script.

    Registered once and remembered (a failure is not: the next call tries again).
    """
    names: list[str] = []
    for lang in LANGUAGES.values():
        if lang.script == "Latin":
            continue
        name = register_font(lang.bold_font if bold else lang.font)
        if name not in names:
            names.append(name)
    return tuple(names)
