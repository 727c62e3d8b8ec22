"""Input widgets shared by the filter panel, client profile and referral wizard.

Checkable code lists (a tick per taxonomy code or risk), reading and writing a form's
inputs whatever their kind, and a guard that makes a double click on a button one click.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from coventry_directory.i18n import _
from coventry_directory.ui.fitted_list import FittedList


def check_list(
    items: dict[str, str],
    accessible_name: str,
    rows: int = 5,
    tooltips: dict[str, str] | None = None,
    *,
    fit: bool = False,
) -> QListWidget:
    """A list of tick boxes (Space ticks the current one), one per code.

    ``fit`` shows every row whole (``ui.fitted_list``: labels wrap, no scroll bars, as tall as
    its rows) for a panel that scrolls as a whole; otherwise the list shows ``rows`` rows and scrolls.
    """
    widget = FittedList() if fit else QListWidget()
    widget.setAccessibleName(accessible_name)
    for code, text in items.items():
        item = QListWidgetItem(text)
        item.setData(Qt.UserRole, code)
        item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        item.setCheckState(Qt.Unchecked)
        if tooltips and tooltips.get(code):
            item.setToolTip(tooltips[code])
        widget.addItem(item)
    if not fit:
        widget.setMaximumHeight(widget.sizeHintForRow(0) * min(rows, max(len(items), 1)) + 6 if items else 80)
    return widget


def checked_codes(widget: QListWidget) -> tuple[str, ...]:
    """Codes of the ticked items."""
    return tuple(
        widget.item(i).data(Qt.UserRole) for i in range(widget.count()) if widget.item(i).checkState() == Qt.Checked
    )


def clear_checks(widget: QListWidget) -> None:
    """Untick everything."""
    for i in range(widget.count()):
        widget.item(i).setCheckState(Qt.Unchecked)


def is_empty(widget: QWidget) -> bool:
    """True when an input holds nothing yet (a choice list always holds its choice; a box unticked is empty)."""
    if isinstance(widget, QCheckBox):
        return not widget.isChecked()
    if isinstance(widget, QComboBox):
        return False
    return not field_value(widget)


def field_value(widget) -> object:
    """What an input holds: text, the chosen code, or the ticked codes."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData() or ""
    if isinstance(widget, QListWidget):
        return list(checked_codes(widget))
    return ""


def set_field_value(widget, value) -> None:
    """Put a value back into an input (the reverse of :func:`field_value`)."""
    if isinstance(widget, QLineEdit):
        widget.setText(str(value))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(widget.findData(value), 0))
    elif isinstance(widget, QListWidget):
        for i in range(widget.count()):
            item = widget.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in value else Qt.Unchecked)


def make_field(kind: str, label: str) -> QWidget:
    """A labelled input of one kind, with its accessible name set to its label."""
    if kind in ("multiline",):
        widget = QPlainTextEdit()
        widget.setTabChangesFocus(True)  # Tab moves on, as in every other field
        widget.setMaximumHeight(60)
    elif kind == "yesno":
        widget = QComboBox()
        for text, data in ((_("Not asked"), ""), (_("Yes"), "yes"), (_("No"), "no")):
            widget.addItem(text, data)
    else:
        widget = QLineEdit()
        if kind == "date":
            widget.setPlaceholderText(_("DD/MM/YYYY"))
    widget.setAccessibleName(label)
    return widget


def field_form(fields: dict[str, QWidget], labels: dict[str, str]) -> QFormLayout:
    """A form with each input labelled (the label is its buddy, for Alt+letter and screen readers)."""
    layout = QFormLayout()
    for name, widget in fields.items():
        label = QLabel(labels[name])
        label.setBuddy(widget)
        layout.addRow(label, widget)
    return layout


class SingleClicks(QObject):
    """Makes a double click on a button count as one click.

    A button emits ``clicked`` on every press and release, so a double click (the habit of
    many users) would press it twice: Next would skip a step unseen, Print would print twice.
    The second press of a double click arrives as a ``MouseButtonDblClick`` event, which is
    dropped here; the keyboard (Space, Enter) is untouched.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        """Drop the second press of a double click."""
        return event.type() == QEvent.MouseButtonDblClick

    def guard(self, *buttons: QAbstractButton) -> None:
        """Watch these buttons (keep this object alive as long as they are)."""
        for button in buttons:
            button.installEventFilter(self)
