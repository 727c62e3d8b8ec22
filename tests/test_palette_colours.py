"""Result rows stay readable in light, dark and high-contrast themes (colours from the palette, not fixed)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from coventry_directory.core.eligibility import Eligibility, Verdict
from coventry_directory.core.schedules import OpenState
from coventry_directory.core.search import Hit
from coventry_directory.ui.palette_colours import (
    MIN_CONTRAST,
    MUTED_CONTRAST,
    caution_colour,
    contrast,
    muted_colour,
    open_colour,
)
from coventry_directory.ui.results_model import _status_colour


def palette(base: str, text: str, disabled_text: str | None = None) -> QPalette:
    """A palette as a theme sets it; many dark themes give disabled text the normal text colour."""
    pal = QPalette()
    for group in (QPalette.Active, QPalette.Inactive, QPalette.Disabled):
        pal.setColor(group, QPalette.Base, QColor(base))
        pal.setColor(group, QPalette.Window, QColor(base))
        pal.setColor(group, QPalette.Text, QColor(text))
        pal.setColor(group, QPalette.WindowText, QColor(text))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor(disabled_text or text))
    return pal


THEMES = {
    "light": palette("#ffffff", "#1a1a1a", "#a0a0a0"),
    "dark": palette("#1e1e1e", "#e8e8e8"),  # disabled text = text, as in many dark themes
    "high contrast black": palette("#000000", "#ffffff"),
    "high contrast white": palette("#ffffff", "#000000"),
    "dark blue": palette("#0b1f3a", "#dfe8f5"),
}


def _hit(**changes) -> Hit:
    fields = dict(
        id="i",
        key="k",
        name="A service",
        organization="An organisation",
        categories=(),
        verification=None,
        assured_date=None,
        evidence_date=None,
        score=1.0,
        distance_km=None,
        open_state=OpenState.UNKNOWN,
        open_reason="",
    )
    fields.update(changes)
    return Hit(**fields)


def test_the_contrast_ratio_is_wcags():
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#777777")) == pytest.approx(1.0)


@pytest.mark.parametrize("theme", THEMES)
def test_open_and_caution_colours_read_on_every_theme(theme):
    pal = THEMES[theme]
    base = pal.color(QPalette.Base)
    for colour in (open_colour(pal), caution_colour(pal)):
        assert contrast(colour, base) >= MIN_CONTRAST, (theme, colour.name())
    # the fixed dark green of the first version fails on a dark background: the check means something
    if theme == "dark":
        assert contrast(QColor("#1b6e20"), base) < MIN_CONTRAST
        assert open_colour(pal) != QColor("#1b6e20")


@pytest.mark.parametrize("theme", THEMES)
def test_an_excluded_service_is_greyed_on_every_theme_yet_legible(theme):
    pal = THEMES[theme]
    base, text = pal.color(QPalette.Base), pal.color(QPalette.Text)
    muted = muted_colour(pal)
    assert muted != text  # greyed, even where the theme's disabled text is the normal text
    assert contrast(muted, base) >= MUTED_CONTRAST
    assert contrast(muted, base) < contrast(text, base)


def test_each_row_status_takes_the_palettes_colour():
    dark = THEMES["dark"]
    excluded = _hit(verdict=Verdict(Eligibility.EXCLUDED, ["Ages 18+ only"]), open_state=OpenState.OPEN)
    assert _status_colour(excluded, dark, False) == muted_colour(dark)
    assert _status_colour(_hit(open_state=OpenState.OPEN), dark, False) == open_colour(dark)
    assert _status_colour(_hit(verification="historic"), dark, False) == caution_colour(dark)
    assert _status_colour(_hit(), dark, True) == dark.color(QPalette.HighlightedText)
