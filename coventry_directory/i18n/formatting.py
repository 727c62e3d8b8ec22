"""Numbers and dates in the app's language, formatted by babel (CLDR data).

"1,5 km" in Polish, "piątek, 27 listopada" for a day of the week ahead, "24 listopada 2026"
for the directory edition. Digits stay Western (0-9) in every language, as babel gives
them: they match the phone numbers, times and postcodes in the directory.

In the pseudo-locale, dates come out pseudo-translated ("[Ƒŕîðåý, 27 Ñövéɱƀéŕ ~~]"), so a
date that bypassed these functions shows up as plain English.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal as _format_decimal

from coventry_directory.i18n import override_language_code
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.languages import PSEUDO_CODE
from coventry_directory.i18n.pseudo import pseudo_text


def _code() -> str:
    """The language speaking here: a leaflet's inside ``in_language``, else the app's."""
    return override_language_code() or current_language().code


def babel_locale() -> Locale:
    """The CLDR locale for the language speaking here (British English for English and the pseudo-locale)."""
    code = _code()
    return Locale.parse("en_GB" if code in ("en", PSEUDO_CODE) else code)


def _words(text: str) -> str:
    return pseudo_text(text) if _code() == PSEUDO_CODE else text


def format_number(value: int) -> str:
    """A whole number, with the locale's grouping."""
    return _format_decimal(value, format="#,##0", locale=babel_locale())


def format_decimal(value: float, places: int = 1) -> str:
    """A number with ``places`` decimals and the locale's decimal sign (1.5 / 1,5)."""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return _format_decimal(value, format=pattern, locale=babel_locale())


def format_measure(value: float) -> str:
    """A measure as few decimals as it has ('5', '2.5'; '2,5' in Polish), the locale's decimal sign."""
    return _format_decimal(value, format="#,##0.##", locale=babel_locale())


# Sorani Kurdish: CLDR's list patterns use the Latin comma; Sorani text uses the Arabic
# comma (U+060C) and "و" (and), as the leaflets' own Sorani sentences do.
_LIST_PATTERNS = {"ckb": {"start": "{0}، {1}", "middle": "{0}، {1}", "end": "{0} و {1}", "2": "{0} و {1}"}}


def _list_patterns() -> dict[str, str]:
    own = _LIST_PATTERNS.get(_code())
    patterns = own if own else dict(babel_locale().list_patterns["standard"])
    if _code() == PSEUDO_CODE:  # the pattern's words show as translated, as every other word does
        patterns = {k: re.sub(r"[^\W\d_]+", lambda m: pseudo_text(m.group()), v) for k, v in patterns.items()}
    return patterns


def format_list(items: Sequence[str]) -> str:
    """Items joined as the language joins a list: 'A, B and C', 'A, B i C', 'A، B، اور C', 'A وB وC'."""
    items = [i for i in items if i]
    if len(items) < 2:
        return items[0] if items else ""
    patterns = _list_patterns()
    if len(items) == 2:
        return patterns["2"].format(*items)
    text = patterns["start"].format(items[0], items[1])
    for item in items[2:-1]:
        text = patterns["middle"].format(text, item)
    return patterns["end"].format(text, items[-1])


def list_separator() -> str:
    """The language's comma between list items: ', ', '، ' (Arabic script), '፣ ' (Tigrinya).

    Arabic's CLDR lists join every item with "و" (and); between items that are not a
    list (days, then hours) Arabic writes its own comma.
    """
    between = _list_patterns()["middle"].replace("{0}", "").replace("{1}", "")
    if any(unicodedata.category(c).startswith("P") for c in between):
        return between
    return "، " if babel_locale().character_order == "right-to-left" else ", "


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
