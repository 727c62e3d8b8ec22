"""The main window's keyboard map: one table that the actions and Help ▸ Keyboard shortcuts both read.

Every key is written out for Windows, Linux and macOS alike. Qt's standard keys are not
used for Settings: ``QKeySequence.Preferences`` is Ctrl+, on macOS only (elsewhere it is
empty, or the rare "Settings" key), so Ctrl+, is given explicitly. On macOS Qt reads
"Ctrl" as ⌘, so the same table gives ⌘, there.

The privacy screen is Ctrl+Shift+H ("hide"): no system on the three takes it. F12 was
passed over (on a Mac and many laptops the function keys need Fn, macOS may use F12 for
the desktop, and drop-down terminals on Linux take it), Ctrl+H too (⌘H hides the whole
app on macOS before the app sees the key), and Esc clears the search box.

Keys are shown as Qt shows them next to a menu item (``QKeySequence.NativeText``: ⌘ on
macOS, Qt's own translation of "Ctrl" where Qt has one), arrows as arrows. In the
pseudo-locale they are pseudo-translated too, as dates are, so a key name shown without
:func:`key_text` stands out as plain English.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence

from coventry_directory.i18n import N_, _
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.languages import PSEUDO_CODE
from coventry_directory.i18n.pseudo import pseudo_text

# Keys whose name is better read as the symbol printed on the key.
_SYMBOLS = {"Down": "↓", "Up": "↑", "Left": "←", "Right": "→"}
# Qt turns mnemonics off on macOS (menus there have no underlined letters).
MNEMONICS = sys.platform != "darwin"


@dataclass(frozen=True)
class Shortcut:
    """One entry of the keyboard map.

    ``keys`` are portable key sequences, the first being the one a menu shows; ``action``
    is False for keys a widget handles itself (Down in the search box, Esc, Enter), which
    are listed in the help but bound to no action.
    """

    name: str
    what: str  # N_() text: what the key does, for the help
    keys: tuple[str, ...]
    action: bool = True


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("find", N_("Go to the search box"), ("Ctrl+F",)),
    Shortcut(
        "results", N_("From the search box: go to the results (Up from the first result comes back)"), ("Down",), False
    ),
    Shortcut("open", N_("Open the first result, or the selected one, and read its details"), ("Enter",), False),
    Shortcut("clear", N_("In the search box: clear the search"), ("Esc",), False),
    Shortcut("shortlist", N_("Add the service shown to the shortlist, or take it off"), ("Ctrl+D",)),
    Shortcut("print", N_("Print a leaflet about the service shown"), ("Ctrl+P",)),
    Shortcut("refer", N_("Refer the client to the service shown"), ("Ctrl+R",)),
    Shortcut(
        "privacy",
        N_("Privacy screen: hide the client's details and the service, until pressed again"),
        ("Ctrl+Shift+H",),
    ),
    Shortcut("zoom_in", N_("Make everything bigger"), ("Ctrl+=", "Ctrl++")),
    Shortcut("zoom_out", N_("Make everything smaller"), ("Ctrl+-",)),
    Shortcut("zoom_reset", N_("Everything back to its usual size"), ("Ctrl+0",)),
    Shortcut("settings", N_("Settings: the language of the app"), ("Ctrl+,",)),
    Shortcut("shortcuts", N_("This list of keyboard shortcuts"), ("F1",)),
    Shortcut("move", N_("Move to the next part of the window, or back"), ("Tab", "Shift+Tab"), False),
    *(
        (
            Shortcut(
                "mnemonic",
                N_("Open a menu or a tab, or press a button: Alt and its underlined letter"),
                ("Alt",),
                False,
            ),
        )
        if MNEMONICS
        else ()
    ),
)
BY_NAME = {s.name: s for s in SHORTCUTS}


def key_text(keys: str) -> str:
    """One key sequence as the user reads it ("Ctrl+Shift+H", "⌘⇧H" on macOS, "↓")."""
    text = _SYMBOLS.get(keys) or QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
    return pseudo_text(text) if current_language().code == PSEUDO_CODE else text


def keys_text(name: str) -> str:
    """Every key of one entry, as read ("Ctrl+= / Ctrl++")."""
    return " / ".join(key_text(k) for k in BY_NAME[name].keys)


def sequences(name: str) -> list[QKeySequence]:
    """The key sequences of one entry, for ``QAction.setShortcuts``."""
    return [QKeySequence(k) for k in BY_NAME[name].keys]


def bind(action: QAction, name: str) -> QAction:
    """Give ``action`` the keys of entry ``name`` (and name it after the entry, so tests and help can find it)."""
    entry = BY_NAME[name]
    if not entry.action:
        raise ValueError(f"{name} is handled by a widget, not an action")
    action.setShortcuts(sequences(name))
    action.setObjectName(f"shortcut-{name}")
    return action


def described(name: str) -> str:
    """What entry ``name`` does, in the app's language."""
    return _(BY_NAME[name].what)
