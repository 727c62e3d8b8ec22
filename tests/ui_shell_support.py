"""Helpers for the UI tests of the main window's shell: answering a modal box, reading mnemonics."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QMenu, QMessageBox, QWidget

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def answer_modal(button, kind=QMessageBox) -> list[str]:
    """Press ``button`` on the next modal ``kind`` to open, as a user would; returns its text once it has."""
    seen: list[str] = []
    tries = [250]  # 5 seconds at 20 ms

    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, kind):
            tries[0] -= 1
            if tries[0]:
                QTimer.singleShot(20, press)  # not open yet
            return
        seen.append(box.text() if isinstance(box, QMessageBox) else box.windowTitle())
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            box.reject()

    QTimer.singleShot(0, press)
    return seen


def mnemonic(text: str) -> str | None:
    """The letter ``&`` underlines in ``text`` (lower case), or None."""
    found = _MNEMONIC.search(text)
    return found.group(1).lower() if found else None


def live_mnemonics(window) -> dict[str, list[str]]:
    """Letter -> the places that use it, for every mnemonic reachable in ``window`` as it is now.

    The menu bar's menus, the tabs (a window with ``tabs``), and every visible button,
    group box and label with a buddy; a control that is hidden (another tab's) takes no
    key press, so it is left out. A dialog has no menu bar: its controls alone count.
    """
    found: dict[str, list[str]] = {}

    def add(where: str, text: str) -> None:
        letter = mnemonic(text)
        if letter:
            found.setdefault(letter, []).append(f"{where}: {text}")

    bar = window.menuBar() if hasattr(window, "menuBar") else None
    if bar is not None:
        for menu in bar.findChildren(QMenu):
            if menu.parent() is bar:
                add("menu", menu.title())
    tabs = getattr(window, "tabs", None)
    if tabs is not None:
        for i in range(tabs.count()):
            add("tab", tabs.tabBar().tabText(i))
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QAbstractButton):
            add(type(widget).__name__, widget.text())
        elif isinstance(widget, QGroupBox):
            add("group", widget.title())
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add("label", widget.text())
    return found


def clashes(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """The letters of ``found`` (from live_mnemonics or menu_mnemonics) that more than one place uses."""
    return {letter: places for letter, places in found.items() if len(places) > 1}


def menu_mnemonics(menu: QMenu) -> dict[str, list[str]]:
    """Letter -> the actions of one open menu that use it (a menu's own letters are its own keyspace)."""
    found: dict[str, list[str]] = {}
    for action in menu.actions():
        letter = mnemonic(action.text())
        if letter:
            found.setdefault(letter, []).append(action.text())
    return found
