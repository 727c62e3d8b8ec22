"""The filters / client / shortlist tabs keep their whole names however narrow the column is pushed.

Squeezed, Qt's tab bar elides ("Fi…", "Who can I r…", "Shortlis…" at 150% scaling on a
laptop screen; in Arabic even at full width) and the tabs can no longer be told apart. Checked by Qt's own measures (each
tab's drawn width against the width its name needs), never by pixel sizes, so the font
the machine has does not matter.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.usefixtures("english_afterwards")  # the app is back in English for the next test


def _squeeze(qtbot, window) -> None:
    """Drag the tabs column as narrow as the splitter lets it go."""
    window.splitter.setSizes([1, 4000, 4000])
    qtbot.waitUntil(lambda: window.tabs.width() < 4000, timeout=2_000)


def _whole(window) -> list[tuple[str, int, int]]:
    """(name, drawn width, width the name needs) for each tab drawn narrower than its name.

    With room for every name the bar must not elide at all: Qt elides a right-to-left name
    a few pixels short of the width it asked for, so a tab as wide as its hint is not enough.
    """
    bar = window.tabs.tabBar()
    if bar.elideMode() != Qt.TextElideMode.ElideNone:
        return [("elide mode", 0, 0)]
    return [
        (bar.tabText(i), bar.tabRect(i).width(), bar.tabSizeHint(i).width())
        for i in range(bar.count())
        if bar.tabRect(i).width() < bar.tabSizeHint(i).width()
    ]


@pytest.mark.parametrize("lang", ["en", "pl", "ar"])
def test_the_tabs_keep_their_whole_names_when_the_column_is_squeezed(qtbot, hosts, lang):
    window = hosts(lang).window
    window.resize(900, 600)  # a laptop screen at 150%, in Qt's own pixels
    _squeeze(qtbot, window)
    assert window.tabs.width() >= window.tabs.names_width()
    assert _whole(window) == []
    # bigger text needs more room, and gets it (Ctrl+= twice)
    before = window.tabs.names_width()
    for _ in range(2):
        qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.tabs.names_width() > before, timeout=2_000)
    window.resize(max(900, window.minimumSizeHint().width()), 600)  # as wide as the window can be made
    _squeeze(qtbot, window)
    assert _whole(window) == []
    # the whole name is the tooltip too, without its Alt-key mark
    assert window.tabs.tabToolTip(0) == window.tabs.tabText(0).replace("&", "")


def test_sizes_saved_in_english_do_not_squeeze_the_names_in_arabic(qtbot, hosts):
    english = hosts("en").window
    english.resize(1400, 860)
    english.splitter.setSizes([1, 4000, 4000])  # as narrow as English names allow
    english.close()  # the sizes are saved, and the next window restores them
    arabic = hosts("ar").window
    arabic.resize(1400, 860)
    arabic.show()
    qtbot.waitUntil(lambda: arabic.tabs.width() > 0, timeout=2_000)
    assert arabic.tabs.names_width() > english.tabs.names_width()  # the names are longer: the test means something
    assert _whole(arabic) == []
