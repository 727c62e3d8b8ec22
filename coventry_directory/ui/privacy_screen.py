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

The key works from every window of the app, and covers each dialog open at the time too:
the referral wizard holds the client's name and story, and the print and follow-up
dialogs name the service. A dialog is covered, not hidden: hiding one that is running
would end it, and the referral being typed would be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

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
        layout.addWidget(title, 0, Qt.AlignHCenter)
        # the whole width, its lines centred: a wrapped label given only its own width in the
        # layout is cut after its first line (the key to press again was never shown)
        layout.addWidget(self.message)
        self.message.setAlignment(Qt.AlignHCenter)
        layout.addWidget(self.button, 0, Qt.AlignHCenter)
        layout.addStretch(2)


class _DialogPrivacyCover(PrivacyCover):
    """A cover over a whole dialog, kept its size as the dialog is resized."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        """Follow the dialog's size (the cover is its child, not in its layout)."""
        if watched is self.parent() and event.type() == QEvent.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False


class DialogCover:
    """Covers one open dialog while the privacy screen is on: its controls are disabled under a cover."""

    def __init__(self, dialog: QWidget, show_again: Callable[[], None]):
        self.dialog = dialog
        self._focus = dialog.focusWidget()
        self.cover = _DialogPrivacyCover(dialog)
        self.cover.setAutoFillBackground(True)  # the palette's window colour: nothing shows through
        self.cover.button.clicked.connect(show_again)
        # disabled as well as covered, so Tab cannot reach a hidden field and typing lands nowhere
        self._controls = [
            (w, w.isEnabled())
            for w in dialog.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
            if w is not self.cover and not w.isWindow()
        ]
        for widget, _was in self._controls:
            widget.setEnabled(False)
        self.cover.setGeometry(dialog.rect())
        self.cover.show()
        self.cover.raise_()
        self.cover.button.setFocus()
        dialog.installEventFilter(self.cover)

    def remove(self) -> None:
        """Give the dialog back as it was, the keyboard where it was."""
        self.dialog.removeEventFilter(self.cover)
        for widget, was in self._controls:
            widget.setEnabled(was)
        self.cover.hide()
        self.cover.deleteLater()
        if self._focus is not None:
            self._focus.setFocus()


def owned_by(dialog: QWidget, main: QWidget) -> bool:
    """True when ``dialog`` was opened from ``main`` (its parent, or its parent's, and so on)."""
    owner = dialog.parentWidget()
    while owner is not None and owner is not main:
        owner = owner.parentWidget()
    return owner is main


def open_dialogs(main: QWidget) -> list[QWidget]:
    """The dialogs opened from ``main`` that are on screen now (the wizard, a message box over it)."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible() and owned_by(w, main)]


class _DialogKeys(QObject):
    """Gives each dialog opened from ``main`` the privacy action, as Qt first polishes it."""

    def __init__(self, main: QWidget, action: QAction):
        super().__init__(main)  # a child of the window: removed with it, filter and all
        self.action = action
        main.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        """A dialog made with the window as its parent: the key works in it (one action per key: never ambiguous)."""
        if event.type() == QEvent.ChildPolished:
            child = event.child()
            if isinstance(child, QDialog) and self.action not in child.actions():
                child.addAction(self.action)
        return False


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
        self._dialogs: list[DialogCover] = []
        action.setCheckable(True)
        # The key in a dialog: a modal one blocks the main window's shortcuts, so each dialog
        # opened from this window gets the action itself. Watched on the window, not the app:
        # the watcher goes with the window (an app-wide signal outlived it, and crashed).
        self._keys = _DialogKeys(stack.window(), action)
        action.toggled.connect(self._set)
        self.cover.button.clicked.connect(lambda: action.setChecked(False))

    def is_on(self) -> bool:
        """True while the work area is covered."""
        return self.stack.currentWidget() is self.cover

    def covered_dialogs(self) -> list[QWidget]:
        """The dialogs covered along with the work area (while it is on)."""
        return [c.dialog for c in self._dialogs]

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
            show_again = lambda: self.action.setChecked(False)  # noqa: E731 - one slot for every cover
            self._dialogs = [DialogCover(d, show_again) for d in open_dialogs(window)]
        else:
            for cover in self._dialogs:
                cover.remove()
            self._dialogs = []
            for guarded, was in self._enabled.items():
                guarded.setEnabled(was)
            self.stack.setCurrentWidget(self.work)
            if self._focus is not None:
                self._focus.setFocus()
        self.toggled.emit(on)
