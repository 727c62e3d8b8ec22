"""A filter option with what choosing it would keep: "Alcohol (4 + 3 to check)", and the same in words for its tooltip.

The counts come with each of the app's searches (``SearchResult.option_counts``); an
option keeps its own words in :data:`LABEL_ROLE`, so a chip or a profile summary names
the option without them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import format_number

LABEL_ROLE = Qt.ItemDataRole.UserRole + 1  # an option's own words, without the counts after them
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2  # what the option means (the start of its tooltip)


def option_text(label: str, counts: tuple[int, int] | None) -> str:
    """An option with what ticking it would keep: 'Alcohol (4 + 3 to check)', 'Naloxone (5)'; no counts: the label."""
    if counts is None:
        return label
    known, unknown = counts
    if unknown:
        return _("{option} ({known} + {unknown} to check)").format(
            option=label, known=format_number(known), unknown=format_number(unknown)
        )
    return _("{option} ({known})").format(option=label, known=format_number(known))


def option_tip(description: str, counts: tuple[int, int] | None) -> str:
    """An option's tooltip: what it means, then its counts in words."""
    if counts is None:
        return description
    known, unknown = counts
    words = _(
        "Of the services that match the words and serve the place (with no place: Coventry and "
        "Warwickshire), and that the other filters keep: {known} known to fit, {unknown} whose record "
        "does not say (kept, marked “check”)."
    ).format(known=format_number(known), unknown=format_number(unknown))
    return f"{description}\n\n{words}" if description else words
