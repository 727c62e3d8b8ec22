"""Right-to-left safety for interpolated values: each ``{placeholder}`` becomes a Unicode isolate.

In an Urdu or Arabic sentence a phone number such as "01926 811702" is two runs of digits
with a space between; the bidi algorithm then lays them out right to left and shows
"811702 01926". A name in Latin letters next to a number groups with it the wrong way
("NHS 111 · Samaritans" reads as "Samaritans · NHS 111"). Wrapping every placeholder in
FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069) keeps each value in its
own order, whatever it is: digits and English stay left-to-right, an Urdu value stays
right-to-left. Fixed Latin runs inside a translation (the crisis numbers) carry their own
isolates in the ``.po`` file.

Only the app's own catalog is wrapped (see :func:`choice.activate`); leaflets use the
plain catalogs, as their renderer does its own bidi layout.
"""

from __future__ import annotations

import gettext
import re

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
_PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def isolate(text: str) -> str:
    """``text`` with every ``{placeholder}`` wrapped in a first-strong isolate."""
    return _PLACEHOLDER.sub(lambda m: f"{FSI}{m.group()}{PDI}", text)


class IsolatingTranslations(gettext.NullTranslations):
    """A catalog whose translations come back with their placeholders isolated."""

    def __init__(self, inner: gettext.NullTranslations):
        super().__init__()
        self.inner = inner

    def gettext(self, message):  # gettext API
        """The translation, with right-to-left isolation marks where it needs them."""
        return isolate(self.inner.gettext(message))

    def ngettext(self, msgid1, msgid2, n):  # gettext API
        """The plural-aware translation, isolated like :meth:`gettext`."""
        return isolate(self.inner.ngettext(msgid1, msgid2, n))

    def info(self):  # gettext API
        """The catalog's header fields (gettext API)."""
        return self.inner.info()
