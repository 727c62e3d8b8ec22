"""Which language the app speaks: the user's choice, never a guess from the operating system.

Precedence, highest first: ``gui --lang CODE`` (this run only), the language chosen in
Settings (stored in the user's database under :data:`SETTING_KEY`), English. The OS
locale is deliberately ignored: on a shared workstation, or a PC whose second language is
Polish, the app must not switch language because of a setting the worker never chose.
"""

from __future__ import annotations

import logging

from coventry_directory.i18n import set_translation
from coventry_directory.i18n.bidi import IsolatingTranslations
from coventry_directory.i18n.catalogs import CatalogError, translation_for
from coventry_directory.i18n.languages import LANGUAGES, Language, UnknownLanguage, get_language, ui_languages

SETTING_KEY = "ui.language"
DEFAULT = "en"

log = logging.getLogger("coventry_directory")
_current: Language = LANGUAGES[DEFAULT]


class NotAUiLanguage(UnknownLanguage):
    """A language code that the app itself cannot speak (it may still print leaflets)."""


def ui_language(code: str) -> Language:
    """The UI language for ``code``; NotAUiLanguage (a ValueError) lists the valid codes."""
    lang = get_language(code)
    if not lang.ui:
        codes = ", ".join(lang.code for lang in ui_languages())
        raise NotAUiLanguage(
            f"the app cannot be shown in {lang.english_name} yet (leaflets only); choose one of: {codes}"
        )
    return lang


def resolve(requested: str | None, stored: str | None) -> Language:
    """The language to start in: ``--lang`` if given (must be valid), else the stored choice, else English.

    A stored value that is no longer a UI language (an old or hand-edited setting) falls
    back to English rather than stopping the app from opening.
    """
    if requested:
        return ui_language(requested)
    if stored:
        try:
            return ui_language(stored)
        except UnknownLanguage:
            log.warning("ignoring stored interface language %r", stored)
    return LANGUAGES[DEFAULT]


def activate(code: str) -> Language:
    """Make ``code`` the language every ``_()`` speaks (app-wide); returns the language.

    A missing or broken catalog leaves the app in English (logged) instead of failing.
    """
    global _current
    lang = ui_language(code)
    try:
        translation = translation_for(lang.code)
    except CatalogError as exc:
        log.error("interface language %s unavailable: %s", lang.code, exc)
        lang, translation = LANGUAGES[DEFAULT], translation_for(DEFAULT)
    if lang.rtl:
        # interpolated numbers and names keep their own order inside right-to-left text
        translation = IsolatingTranslations(translation)
    set_translation(translation)
    _current = lang
    return lang


def current_language() -> Language:
    """The language the app speaks now."""
    return _current
