"""Colours worked out from the theme's palette, so they read in light, dark and high-contrast themes.

A fixed colour picked for a white page (dark green for "Open now") is unreadable on a dark
one. Each colour here is chosen for the palette it is drawn on: a hue is kept only when
it stands out from the background as well as normal text must (WCAG's 4.5:1); otherwise
the theme's own text colour is used, and the words still say what the colour would.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

MIN_CONTRAST = 4.5  # WCAG AA for normal text
MUTED_CONTRAST = 3.0  # greyed (excluded) rows: fainter than text, still legible
# (on a light background, on a dark one): the same meaning, each readable on its own side
_GREEN = (QColor("#1b6e20"), QColor("#8fd694"))
_AMBER = (QColor("#8a4b00"), QColor("#f2b766"))


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_dark(pal: QPalette) -> bool:
    """True when the palette's text background is darker than its text."""
    return _luminance(pal.color(QPalette.ColorRole.Base)) < _luminance(pal.color(QPalette.ColorRole.Text))


def blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    """``a`` moved ``share_of_b`` of the way towards ``b``."""
    t = share_of_b
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def _readable(pair: tuple[QColor, QColor], pal: QPalette) -> QColor:
    colour = pair[1] if is_dark(pal) else pair[0]
    base = pal.color(QPalette.ColorRole.Base)
    return QColor(colour) if contrast(colour, base) >= MIN_CONTRAST else pal.color(QPalette.ColorRole.Text)


def open_colour(pal: QPalette) -> QColor:
    """Green for "Open now", readable on this palette's background (else the text colour)."""
    return _readable(_GREEN, pal)


def caution_colour(pal: QPalette) -> QColor:
    """Amber for "Provider may have changed" and old records, readable on this background (else the text colour)."""
    return _readable(_AMBER, pal)


def muted_colour(pal: QPalette) -> QColor:
    """Text greyed towards the background: plainly fainter than text, in any theme, yet still legible.

    Not the palette's disabled text colour: many dark and high-contrast palettes set it to
    the normal text colour, and an excluded service then looks like any other.
    """
    text, base = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
    for share in (0.5, 0.4, 0.3, 0.2):
        muted = blend(text, base, share)
        if contrast(muted, base) >= MUTED_CONTRAST:
            return muted
    return QColor(text)
