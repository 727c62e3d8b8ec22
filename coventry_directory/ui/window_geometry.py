"""Where the main window opens: on a screen, no bigger than it, where the user left it; dialogs no bigger either.

The first time, the window takes at most :data:`SCREEN_SHARE` of the screen's available
area (without the task bar or dock), up to :data:`DEFAULT_SIZE`, centred: 1280×800 does
not fit a 1366×768 laptop screen at 150 % (911×512 points with room for the task bar).
After that it opens where it was closed (a user setting), but a remembered place that is
off every screen now (a second monitor unplugged, a projector gone) or bigger than the
screen is brought back onto the screen the window opens on.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = QSize(1280, 800)
SCREEN_SHARE = 0.92  # leaves a margin, so the window's edges are seen
MIN_VISIBLE = 120  # pixels of a window that must be on a screen to count as on it


def fitted(available: QRect, wanted: QSize = DEFAULT_SIZE) -> QRect:
    """A rectangle of ``wanted`` size or smaller that fits ``available``, centred in it."""
    width = min(wanted.width(), int(available.width() * SCREEN_SHARE))
    height = min(wanted.height(), int(available.height() * SCREEN_SHARE))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def on_a_screen(frame: QRect, screens: list[QRect]) -> bool:
    """True when enough of ``frame`` (its title bar's row included) lies on one of ``screens``."""
    for area in screens:
        seen = area.intersected(frame)
        enough = seen.width() >= min(MIN_VISIBLE, frame.width()) and seen.height() >= min(MIN_VISIBLE, frame.height())
        # the top edge (where the title bar is) must be reachable, or the window cannot be moved
        if enough and area.top() <= frame.top() <= area.bottom():
            return True
    return False


def brought_back(frame: QRect, available: QRect) -> QRect:
    """``frame`` made to fit ``available``: shrunk if bigger, moved inside it if off it."""
    size = QSize(min(frame.width(), available.width()), min(frame.height(), available.height()))
    rect = QRect(frame.topLeft(), size)
    x = min(max(rect.left(), available.left()), available.right() - rect.width() + 1)
    y = min(max(rect.top(), available.top()), available.bottom() - rect.height() + 1)
    rect.moveTopLeft(QPoint(x, y))
    return rect


def place_window(window: QWidget, saved: str | None) -> None:
    """Give ``window`` its remembered geometry (base64 of ``saveGeometry``), or a fitting one, on a screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    if not (saved and window.restoreGeometry(QByteArray.fromBase64(saved.encode()))):
        window.setGeometry(fitted(available))
        return
    areas = [s.availableGeometry() for s in QGuiApplication.screens()]
    frame = window.frameGeometry()
    if not on_a_screen(frame, areas) or frame.width() > available.width() or frame.height() > available.height():
        inner = window.geometry()
        # the frame (title bar, borders) is added by the system around the geometry
        margins = (frame.width() - inner.width(), frame.height() - inner.height())
        target = brought_back(frame, available)
        window.setGeometry(
            target.left() + (inner.left() - frame.left()),
            target.top() + (inner.top() - frame.top()),
            target.width() - margins[0],
            target.height() - margins[1],
        )


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Size a dialog or window ``width`` × ``height``, or smaller to fit the screen it opens on.

    A dialog sized for a 1080p screen runs off a laptop at 150% (933×600 points): the
    referral wizard's Next button was below the screen's edge. Dialogs scroll or wrap
    their contents, so a smaller size still shows all of it.
    """
    anchor = widget.parentWidget() or widget
    screen = anchor.screen() or QGuiApplication.primaryScreen()
    size = fitted(screen.availableGeometry(), QSize(width, height)).size()
    widget.resize(size.expandedTo(widget.minimumSize()))


def saved_geometry(window: QWidget) -> str:
    """The window's geometry as text for the user's settings."""
    return bytes(window.saveGeometry().toBase64()).decode()
