"""Translation functions: ``_()`` translates now, ``N_()`` marks a string for later.

The active catalog is plain gettext; ``set_translation`` swaps it when the user picks a
language. Until then strings are English as written.

Printing a leaflet in another language must not change the language of the window the
worker is looking at, nor leak into another thread. So :func:`use_translation` sets a
context-local override (a ``contextvars.ContextVar``) that ``_()`` prefers while it is set;
``set_translation`` still sets the application-wide default.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_active: _gettext.NullTranslations = _gettext.NullTranslations()
_override: ContextVar[_gettext.NullTranslations | None] = ContextVar("coventry_directory_translation", default=None)
# The language code of that override, so numbers, dates and lists (i18n.formatting) follow
# the leaflet's language too, not the window's.
_override_code: ContextVar[str | None] = ContextVar("coventry_directory_language", default=None)


def set_translation(translation: _gettext.NullTranslations) -> None:
    """Make ``translation`` the catalog every ``_()`` call uses from now on."""
    global _active
    _active = translation


def active_translation() -> _gettext.NullTranslations:
    """The catalog ``_()`` uses here and now."""
    return _override.get() or _active


@contextmanager
def use_translation(translation: _gettext.NullTranslations, code: str | None = None) -> Iterator[None]:
    """Translate with ``translation`` inside the block (this thread/context only).

    ``code`` is that catalog's language, for the locale's number, date and list formats.
    """
    token, code_token = _override.set(translation), _override_code.set(code)
    try:
        yield
    finally:
        _override_code.reset(code_token)
        _override.reset(token)


def override_language_code() -> str | None:
    """The language of :func:`use_translation`'s block here, or None outside one."""
    return _override_code.get()


def _(message: str) -> str:
    """Translate ``message`` with the active catalog."""
    return active_translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form."""
    return active_translation().ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext name every extractor knows
    """Mark ``message`` for extraction without translating it yet (translated at display)."""
    return message
