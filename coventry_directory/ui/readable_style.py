"""Tick boxes and radio buttons that show in a dark theme: the app's style, with a visible edge on them.

Qt's Fusion style (which Qt itself uses for Windows' dark mode, and most Linux desktops use)
draws an empty tick box as an edge a shade darker than the window on the text background:
on a dark palette the two are nearly the same colour (about 1.1:1), so an unticked filter
or a "Free" box cannot be seen at all. WCAG asks 3:1 of what shows a control's state.
:class:`ReadableStyle` wraps the style the app would use anyway and, only where the edge
it drew is fainter than that, draws the edge again in a colour between the text
background and the text that is. Every other style draws its own edges and is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from coventry_directory.ui.palette_colours import blend, contrast

EDGE_CONTRAST = 3.0  # WCAG 1.4.11: what shows a control's state, against what is next to it
EDGE_SHARE = 0.6  # how far the edge moves from the background towards the text colour
_TICKS = (
    QStyle.PrimitiveElement.PE_IndicatorCheckBox,
    QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck,
)
_RADIO = QStyle.PrimitiveElement.PE_IndicatorRadioButton


def fusion_edge(palette: QPalette) -> QColor:
    """The colour Fusion draws a tick box's edge in (its "outline": the window colour, darker)."""
    return palette.color(QPalette.ColorRole.Window).darker(140).lighter(110)


def edge_colour(palette: QPalette) -> QColor | None:
    """A tick box edge readable on ``palette``'s text background, or None when Fusion's own already is."""
    base = palette.color(QPalette.ColorRole.Base)
    if contrast(fusion_edge(palette), base) >= EDGE_CONTRAST:
        return None
    text = palette.color(QPalette.ColorRole.Text)
    edge = blend(base, text, EDGE_SHARE)
    return edge if contrast(edge, base) >= EDGE_CONTRAST else text


class ReadableStyle(QProxyStyle):
    """The app's style, with tick boxes and radio buttons whose edges show on a dark background."""

    def drawPrimitive(  # Qt API
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Draw as the style does; then, for a faint tick box or radio button in Fusion, its edge again."""
        super().drawPrimitive(element, option, painter, widget)
        if element not in (*_TICKS, _RADIO) or self.baseStyle().name().lower() != "fusion":
            return
        edge = edge_colour(option.palette)
        if edge is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, element == _RADIO)
        painter.setPen(QPen(edge, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        box = option.rect.adjusted(0, 0, -1, -1)
        if element == _RADIO:
            painter.drawEllipse(box.adjusted(1, 1, -1, -1))
        else:
            painter.drawRect(box)
        painter.restore()


def install(app: QApplication) -> ReadableStyle:
    """Wrap the app's present style in :class:`ReadableStyle` (once); returns the style in use."""
    current = app.style()
    if isinstance(current, ReadableStyle):
        return current
    style = ReadableStyle(current.name())
    app.setStyle(style)
    return style
