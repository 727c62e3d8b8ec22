"""Tick boxes and radio buttons show in a dark theme (ui/readable_style.py).

Each indicator is drawn by the style itself into an image, unticked, on a dark palette and
a light one, and its edge measured against the text background: WCAG asks 3:1 of what
shows a control's state. Plain Fusion is measured too, so the check is seen to fail
where the app would otherwise draw a box nobody can see.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleFactory, QStyleOptionButton, QStyleOptionViewItem

from coventry_directory.ui.palette_colours import contrast
from coventry_directory.ui.readable_style import ReadableStyle, install

DARK = {"Window": "#2b2b2b", "Base": "#1e1e1e", "Text": "#e8e8e8", "WindowText": "#e8e8e8", "Button": "#3a3a3a"}
LIGHT = {"Window": "#efefef", "Base": "#ffffff", "Text": "#000000", "WindowText": "#000000", "Button": "#efefef"}
ELEMENTS = {
    "tick box": (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyleOptionButton),
    "list tick": (QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, QStyleOptionViewItem),
    "radio button": (QStyle.PrimitiveElement.PE_IndicatorRadioButton, QStyleOptionButton),
}
BOX = QRect(4, 4, 14, 14)


def _palette(colours: dict[str, str]) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    return palette


def edge_contrast(style: QStyle, element: str, colours: dict[str, str]) -> float:
    """The strongest contrast with the text background of any pixel the style draws for an unticked ``element``."""
    primitive, option_type = ELEMENTS[element]
    option = option_type()
    option.rect = BOX
    option.palette = _palette(colours)
    option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Off
    base = QColor(colours["Base"])
    image = QImage(24, 24, QImage.Format.Format_ARGB32)
    image.fill(base)
    painter = QPainter(image)
    style.drawPrimitive(primitive, option, painter, None)
    painter.end()
    return max(contrast(image.pixelColor(x, y), base) for x in range(24) for y in range(24))


@pytest.fixture
def fusion():
    style = QStyleFactory.create("Fusion")
    assert style is not None
    return style


@pytest.mark.parametrize("element", list(ELEMENTS))
@pytest.mark.parametrize("colours", [DARK, LIGHT], ids=["dark", "light"])
def test_an_unticked_box_shows_on_the_background(qapp, fusion, element, colours):
    readable = ReadableStyle(QStyleFactory.create("Fusion"))
    assert edge_contrast(readable, element, colours) >= 3.0


@pytest.mark.parametrize("element", list(ELEMENTS))
def test_plain_fusion_on_a_dark_palette_is_what_the_fix_is_for(qapp, fusion, element):
    assert edge_contrast(fusion, element, DARK) < 1.5  # the box cannot be seen


def test_other_styles_draw_their_own_edges(qapp):
    windows = QStyleFactory.create("Windows")
    readable = ReadableStyle(QStyleFactory.create("Windows"))
    for element in ELEMENTS:
        assert edge_contrast(readable, element, DARK) == edge_contrast(windows, element, DARK)


def test_the_app_wraps_its_style_once(qapp):
    present = qapp.style()
    before = present.baseStyle().name() if isinstance(present, ReadableStyle) else present.name()
    qapp.setStyle(QStyleFactory.create(before))  # as a new app starts: its style, not yet wrapped
    try:
        style = install(qapp)
        assert qapp.style() is style and style.baseStyle().name() == before
        assert install(qapp) is style
    finally:
        qapp.setStyle(QStyleFactory.create(before))
