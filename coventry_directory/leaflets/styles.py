"""Named paragraph styles for leaflets, per language and print variant.

Sizes are in points. Scripts with tall marks (Arabic, Bengali, Gurmukhi, Gujarati) get
more line spacing so marks never touch the line above. Right-to-left languages align
to the right. Every style asks for shaping (``shaping=1``): text goes through HarfBuzz.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from coventry_directory.i18n.languages import Language
from coventry_directory.typeset.fonts import FontSet, fonts_for

# Line spacing as a multiple of the font size, by script.
_LEADING = {"Latin": 1.32, "Arabic": 1.75, "Gurmukhi": 1.6, "Bengali": 1.6, "Gujarati": 1.6, "Ethiopic": 1.5}

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#0b5394")  # headings and rules: dark blue, prints well in grey
CRISIS_FILL = colors.HexColor("#fde9e7")
CRISIS_EDGE = colors.HexColor("#b3261e")
PRIVACY_FILL = colors.HexColor("#e8f0fa")
RULE = colors.HexColor("#b7c3d0")

# Body size and heading sizes for each variant: standard, large print (>= 16 pt, as RNIB's
# clear print guidance asks: every glyph, footer and warnings included), Easy Read (bigger
# still, one idea per line).
VARIANTS = {
    "standard": {"body": 10.5, "small": 8.5, "label": 9.5, "h2": 13, "title": 20, "footer": 7.5},
    "large": {"body": 16, "small": 16, "label": 16, "h2": 20, "title": 28, "footer": 16},
    "easy": {"body": 18, "small": 16, "label": 18, "h2": 22, "title": 30, "footer": 16},
}


@dataclass
class Styles:
    """The named styles of one leaflet, with the fonts and direction they belong to."""

    lang: Language
    fonts: FontSet
    variant: str
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    bullet: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    footer: ParagraphStyle
    box_heading: ParagraphStyle
    notice: ParagraphStyle

    @property
    def rtl(self) -> bool:
        """True when the language is written right to left."""
        return self.lang.rtl


def make_styles(lang: Language, variant: str = "standard") -> Styles:
    """Build the named styles for ``lang`` in a variant: 'standard', 'large' or 'easy'."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown leaflet variant {variant!r}")
    fonts = fonts_for(lang)
    sizes = VARIANTS[variant]
    factor = _LEADING.get(lang.script, 1.5)
    align = TA_RIGHT if lang.rtl else TA_LEFT

    def style(name: str, size: float, bold: bool = False, **extra) -> ParagraphStyle:
        return ParagraphStyle(
            f"{lang.code}-{variant}-{name}",
            fontName=fonts.bold if bold else fonts.regular,
            fontSize=size,
            leading=round(size * factor, 2),
            alignment=extra.pop("alignment", align),
            textColor=extra.pop("textColor", INK),
            shaping=1,
            **extra,
        )

    body = sizes["body"]
    return Styles(
        lang=lang,
        fonts=fonts,
        variant=variant,
        title=style("title", sizes["title"], True, textColor=ACCENT, spaceAfter=2),
        subtitle=style("subtitle", sizes["body"] + 1, spaceAfter=6),
        # keepWithNext: a heading never ends a page apart from what it heads
        heading=style("heading", sizes["h2"], True, textColor=ACCENT, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        body=style("body", body, spaceAfter=3),
        bullet=style("bullet", body, spaceAfter=2, leftIndent=body * 1.3, bulletIndent=body * 0.2),
        label=style("label", sizes["label"], True),
        small=style("small", sizes["small"]),
        footer=style("footer", sizes["footer"]),
        box_heading=style("box-heading", sizes["h2"] - 1, True, spaceAfter=3),
        notice=style("notice", sizes["small"], True, textColor=CRISIS_EDGE),
    )
