"""A visible character count under a free-text box, against the most a referral field may hold.

Nothing typed or pasted is ever cut short: past the limit the count says by how much, the
box is marked, and the step's checks (``referrals/validate.py``, the same limit the command
line applies) stop the referral going on until it is shortened.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QPlainTextEdit

from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import format_number


class CharacterCount(QLabel):
    """'120 of 10,000 characters' under one box; past the limit, by how much it is over."""

    def __init__(self, edit: QPlainTextEdit, limit: int):
        super().__init__()
        self.edit, self.limit = edit, limit
        self.setAccessibleName(_("Characters used in {field}").format(field=edit.accessibleName()))
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        self.setFont(font)
        edit.textChanged.connect(self.update_count)
        self.update_count()

    @property
    def over(self) -> int:
        """How many characters past the limit the box holds (0 when within it)."""
        return max(len(self.edit.toPlainText()) - self.limit, 0)

    def update_count(self) -> None:
        """Show the count now (called on every change)."""
        used = len(self.edit.toPlainText())
        if self.over:
            self.setText(
                _("{used} of {limit} characters: {over} too many. Shorten it before going on.").format(
                    used=format_number(used), limit=format_number(self.limit), over=format_number(self.over)
                )
            )
        else:
            self.setText(
                _("{used} of {limit} characters").format(used=format_number(used), limit=format_number(self.limit))
            )
        font = self.font()
        font.setBold(bool(self.over))  # weight, not colour: readable in every theme
        self.setFont(font)


def add_counts(form: QFormLayout, edits: list[QPlainTextEdit], limit: int) -> list[CharacterCount]:
    """Put a :class:`CharacterCount` on the row under each box in ``form``."""
    counts = []
    for edit in edits:
        row, _role = form.getWidgetPosition(edit)
        count = CharacterCount(edit, limit)
        form.insertRow(row + 1, "", count)
        counts.append(count)
    return counts
