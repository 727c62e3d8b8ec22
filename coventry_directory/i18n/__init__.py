"""Translation functions: ``_()`` translates now, ``N_()`` marks a string for later.

The active catalog is plain gettext; ``set_translation`` swaps it when the user picks a
language. Until then strings are English as written.
"""

from __future__ import annotations

import gettext as _gettext

_active: _gettext.NullTranslations = _gettext.NullTranslations()


def set_translation(translation: _gettext.NullTranslations) -> None:
    """Make ``translation`` the catalog every ``_()`` call uses from now on."""
    global _active
    _active = translation


def _(message: str) -> str:
    """Translate ``message`` with the active catalog."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form."""
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (translated at display)."""
    return message
