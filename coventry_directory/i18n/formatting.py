"""Numbers and dates in the app's language, formatted by babel (CLDR data).

"1,5 km" in Polish, "piątek, 27 listopada" for a day of the week ahead, "24 listopada 2026"
for the directory edition. Digits stay Western (0-9) in every language, as babel gives
them: they match the phone numbers, times and postcodes in the directory.

In the pseudo-locale, dates come out pseudo-translated ("[Ƒŕîðåý, 27 Ñövéɱƀéŕ ~~]"), so a
date that bypassed these functions shows up as plain English.
"""

from __future__ import annotations

import re
from datetime import date

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal as _format_decimal

from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.languages import PSEUDO_CODE
from coventry_directory.i18n.pseudo import pseudo_text


def babel_locale() -> Locale:
    """The CLDR locale for the app's language (British English for English and the pseudo-locale)."""
    code = current_language().code
    return Locale.parse("en_GB" if code in ("en", PSEUDO_CODE) else code)


def _words(text: str) -> str:
    return pseudo_text(text) if current_language().code == PSEUDO_CODE else text


def format_number(value: int) -> str:
    """A whole number, with the locale's grouping."""
    return _format_decimal(value, format="#,##0", locale=babel_locale())


def format_decimal(value: float, places: int = 1) -> str:
    """A number with ``places`` decimals and the locale's decimal sign (1.5 / 1,5)."""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return _format_decimal(value, format=pattern, locale=babel_locale())


def format_weekday_date(day: date) -> str:
    """A day in the week ahead: 'Friday 27 November', 'piątek, 27 listopada'."""
    locale = babel_locale()
    # The locale's full date without its year keeps the whole weekday name; CLDR's
    # skeletons abbreviate it in some languages ("pt." for piątek).
    pattern = re.sub(r"[\s,،]*y+\W*$", "", locale.date_formats["full"].pattern)
    if "y" in pattern:  # year not at the end: let CLDR pick
        return _words(format_skeleton("MMMMEEEEd", day, locale=locale))
    return _words(_format_date(day, format=pattern, locale=locale))


def format_long_date(value: date | str) -> str:
    """A date in full ('24 November 2026'); an ISO string that is not a date is returned as it is."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    return _words(_format_date(day, format="long", locale=babel_locale()))
