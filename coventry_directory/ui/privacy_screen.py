"""The privacy screen: one key (Ctrl+Shift+H) or one button hides what is on screen about a client.

For when a client, or the next one, can see the screen. It covers the whole work area of
the main window: the search box (it may hold "alcohol 16 year old pregnant"), the client
profile ("Who can I refer?"), the results (their verdicts say what the client is not),
the details of the service being read and the shortlist's names. Covering the area, not
each widget, leaves nothing to forget when a panel is added. The crisis numbers above it,
the menus and the status bar stay. While it is on, the keys that act on the hidden
service (shortlist, print, refer) and the language switch (which rebuilds the window,
uncovered) do nothing. The same key or button shows everything again, as it was, with the
keyboard back where it was.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from coventry_directory.i18n import _
from coventry_directory.ui.shortcuts import keys_text


class PrivacyCover(QWidget):
    """What the work area shows while the privacy screen is on."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Privacy screen"))
        # a heading in rich text grows with the app's font (a font set here would not follow zoom)
        title = QLabel("<h2>" + escape(_("Privacy screen")) + "</h2>")
        self.message = QLabel(
            _("The search, the client's details, the results and the service shown are hidden.")
            + " "
            + _("Press {keys}, or the button, to show them again.").format(keys=keys_text("privacy"))
        )
        self.message.setWordWrap(True)
        self.button = QPushButton(_("Show a&gain"))
        self.button.setAccessibleDescription(_("Show the search, the client's details and the service again"))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, self.message, self.button):
            layout.addWidget(widget, 0, Qt.AlignHCenter)
        self.message.setAlignment(Qt.AlignHCenter)
        layout.addStretch(2)


class PrivacyScreen(QObject):
    """Switches a stacked work area between what it holds and the cover; ``action`` is the checkable toggle."""

    toggled = Signal(bool)  # on

    def __init__(self, stack: QStackedWidget, work: QWidget, action: QAction, guarded: list[QAction]):
        super().__init__(stack)
        self.stack, self.work, self.action, self.guarded = stack, work, action, guarded
        self.cover = PrivacyCover()
        stack.addWidget(self.cover)
        self._focus: QWidget | None = None
        self._enabled: dict[QAction, bool] = {}
        action.setCheckable(True)
        action.toggled.connect(self._set)
        self.cover.button.clicked.connect(lambda: action.setChecked(False))

    def is_on(self) -> bool:
        """True while the work area is covered."""
        return self.stack.currentWidget() is self.cover

    def set_on(self, on: bool) -> None:
        """Cover the work area (True) or show it again (False)."""
        self.action.setChecked(on)

    def _set(self, on: bool) -> None:
        if on == self.is_on():
            return
        window = self.stack.window()
        if on:
            focus = window.focusWidget()
            self._focus = focus if focus is not None and self.work.isAncestorOf(focus) else None
            self._enabled = {a: a.isEnabled() for a in self.guarded}
            for guarded in self.guarded:
                guarded.setEnabled(False)
            self.stack.setCurrentWidget(self.cover)
            self.cover.button.setFocus()
        else:
            for guarded, was in self._enabled.items():
                guarded.setEnabled(was)
            self.stack.setCurrentWidget(self.work)
            if self._focus is not None:
                self._focus.setFocus()
        self.toggled.emit(on)
