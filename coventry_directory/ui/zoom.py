"""Whole-UI zoom (Ctrl+= / Ctrl+- / Ctrl+0): the application font made bigger or smaller, remembered.

Scaling the application font, rather than one widget's, reaches every window and dialog
the app opens, and every layout grows with it. The level is a user setting
(:data:`SETTING_KEY`, a percentage) in the user's database, applied when a main window is
built: so it survives a restart and a change of language (which sets the app's font
afresh, at the usual size, before the window is rebuilt).

The usual size is whatever the font is when zoom first meets it, or when someone else
(a language change, a test font) has set the font since zoom last did; zoom only ever
multiplies that.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

SETTING_KEY = "ui.zoom"
LEVELS = (70, 80, 90, 100, 110, 125, 150, 175, 200)  # percent; steps a user can tell apart
NORMAL = 100


def bold(widget: QWidget) -> None:
    """Set ``widget``'s text in bold and nothing else, so it still grows and shrinks with zoom.

    Any style sheet on a widget fixes its font at the size it had (Qt then stops passing the
    app's font on to it), and a font copied from the widget would fix its size too: this
    font holds only the weight.
    """
    font = QFont()
    font.setBold(True)
    widget.setFont(font)


class _Sizes:
    """The usual font size and the size zoom last set (so a font set by someone else is noticed)."""

    usual: float | None = None
    applied: float | None = None
    pixels: bool = False  # the font is sized in pixels, not points


def _size(font: QFont) -> tuple[float, bool]:
    if font.pointSizeF() > 0:
        return font.pointSizeF(), False
    return float(font.pixelSize()), True


def apply_zoom(percent: int) -> None:
    """Set the application font to ``percent`` of its usual size."""
    app = QApplication.instance()
    if app is None:
        return
    font = QFont(app.font())
    size, pixels = _size(font)
    if _Sizes.usual is None or _Sizes.applied is None or abs(size - _Sizes.applied) > 0.01 or pixels != _Sizes.pixels:
        _Sizes.usual, _Sizes.pixels = size, pixels  # not zoom's size: this is the usual one now
    target = _Sizes.usual * percent / NORMAL
    if pixels:
        target = float(max(1, round(target)))
    if abs(target - size) > 0.01:
        if pixels:
            font.setPixelSize(int(target))
        else:
            font.setPointSizeF(target)
        app.setFont(font)
    _Sizes.applied = target


def stored_level(text: str | None) -> int:
    """The zoom level a stored setting holds (the usual size for anything not one of :data:`LEVELS`)."""
    return int(text) if text and text.isdigit() and int(text) in LEVELS else NORMAL


class Zoom:
    """Zoom in, out and back, remembered through ``load`` / ``save`` (the user's settings)."""

    def __init__(self, load: Callable[[], str | None], save: Callable[[str], None]):
        self._save = save
        self.level = stored_level(load())

    def apply(self) -> None:
        """Apply the remembered level (when a window is built)."""
        apply_zoom(self.level)

    def set_level(self, percent: int) -> None:
        """Zoom to ``percent`` (one of :data:`LEVELS`) and remember it."""
        self.level = stored_level(str(percent))
        apply_zoom(self.level)
        self._save(str(self.level))

    def zoom_in(self) -> None:
        """One step bigger (no further than the biggest)."""
        bigger = [level for level in LEVELS if level > self.level]
        self.set_level(bigger[0] if bigger else LEVELS[-1])

    def zoom_out(self) -> None:
        """One step smaller (no further than the smallest)."""
        smaller = [level for level in LEVELS if level < self.level]
        self.set_level(smaller[-1] if smaller else LEVELS[0])

    def reset(self) -> None:
        """Back to the usual size."""
        self.set_level(NORMAL)
