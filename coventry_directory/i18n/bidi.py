"""Bidi: isolates for interpolated values (the app), and the Unicode Bidirectional Algorithm (leaflets).

**Isolates.** Each ``{placeholder}`` of the app's own catalog becomes a Unicode isolate.

In an Urdu or Arabic sentence a phone number such as "01926 811702" is two runs of digits
with a space between; the bidi algorithm then lays them out right to left and shows
"811702 01926". A name in Latin letters next to a number groups with it the wrong way
("NHS 111 · Samaritans" reads as "Samaritans · NHS 111"). Wrapping every placeholder in
FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069) keeps each value in its
own order, whatever it is: digits and English stay left-to-right, an Urdu value stays
right-to-left. Only the app's own catalog is wrapped (see :func:`choice.activate`).

**Levels and order.** Leaflets use the plain catalogs: their renderer
(``typeset/shaped_text.py``) resolves each paragraph with :func:`embedding_levels`
(UAX #9 through python-bidi, numbers kept whole), breaks lines on the logical text, and
orders each line with :func:`visual_order`.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache

from bidi import get_display  # python-bidi: the Rust unicode-bidi crate's UAX #9
from bidi.mirror import MIRRORED

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


# --- The Unicode Bidirectional Algorithm for laid-out text (leaflets) ---------------------
# python-bidi wraps the Rust ``unicode-bidi`` crate, a complete UAX #9: isolates, and the
# bracket-pair rule N0 that keeps "(GP)" and "Alcoholics Anonymous (Great Britain)" whole
# inside Arabic text. Its Python API returns only the reordered string (and no mirroring);
# a renderer that shapes runs and breaks lines needs each character's level, so we read
# the levels from the crate's own description of its result (``debug=True``), a form that
# tests/test_leaflet_bidi.py pins for the locked version.
_LEVELS_START, _LEVELS_END = "\n    levels: [\n", "\n    ],"
_LEVEL = re.compile(r"Level\(\s*(\d+)")
# Higher-level protocol HL3 (UAX #9 §4.3): digit groups joined by single spaces are one
# number (a phone number, "116 123"), and so are a time range or a year range
# ("18:00–19:30", "2018–2022"). Inside Arabic text the algorithm alone would set the
# groups right to left ("123 116", "19:30–18:00"): a wrong number to dial, and a copied
# or read-aloud range that starts at its end. Each such number is isolated left to right,
# as an LRI … PDI pair in the text would, so the paper, the clipboard and a screen reader
# all say what the English says.
_NUMBER = re.compile(r"\+?\d+(?:(?:[ \u00a0]|[:.]|[ \u00a0]?[–-][ \u00a0]?)\d+)+")
_STRONG_RTL = {"R", "AL", "AN", "RLE", "RLO", "RLI"}
_REMOVED = {"BN", "LRE", "RLE", "LRO", "RLO", "PDF"}  # rule X9: take the level of the text they sit in


def _crate_levels(text: str, rtl: bool) -> list[int]:
    """Resolved levels per character of one paragraph, from python-bidi's UAX #9."""
    info = str(get_display(text, base_dir="R" if rtl else "L", debug=True))
    start = info.index(_LEVELS_START)
    per_byte = [int(n) for n in _LEVEL.findall(info, start, info.index(_LEVELS_END, start))]
    levels, offset = [], 0
    for ch in text:  # the crate gives one level per UTF-8 byte
        levels.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    if offset != len(per_byte):
        raise RuntimeError("python-bidi described its levels in an unexpected form")
    return levels


@lru_cache(maxsize=4096)
def embedding_levels(text: str, rtl: bool) -> tuple[int, ...]:
    """The UAX #9 embedding level of each character of one paragraph (even: left to right).

    ``rtl`` is the paragraph direction (the language's, or that of the text's first letter).
    Break lines on the logical text first, then put each line in order with
    :func:`visual_order`.
    """
    if not text:
        return ()
    if not rtl and not any(unicodedata.bidirectional(c) in _STRONG_RTL for c in text):
        return (0,) * len(text)  # nothing right to left: the whole paragraph is level 0
    isolated = ""  # the text with each number between LRI and PDI
    where: list[int] = []  # where each character of ``text`` went in it
    last = 0
    for match in (*_NUMBER.finditer(text), None):
        stop = match.start() if match else len(text)
        where += range(len(isolated), len(isolated) + stop - last)
        isolated += text[last:stop]
        if match:
            where += range(len(isolated) + 1, len(isolated) + 1 + len(match.group()))
            isolated += LRI + match.group() + PDI
            last = match.end()
    levels = _crate_levels(isolated, rtl)
    out = [levels[i] for i in where]
    for i, ch in enumerate(text):
        if unicodedata.bidirectional(ch) in _REMOVED:
            out[i] = out[i - 1] if i else (1 if rtl else 0)
    return tuple(out)


def visual_order(levels: list[int]) -> list[int]:
    """Rule L2: the indexes of items (runs of one level each) in left-to-right drawing order.

    From the highest level down to the lowest odd one, every stretch of items at that
    level or above is reversed.
    """
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min(lv for lv in levels if lv % 2) if any(lv % 2 for lv in levels) else max(levels) + 1
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


def mirrored(text: str) -> str:
    """``text`` with each bracket-like character swapped for its mirror (rule L4, for odd levels)."""
    return "".join(MIRRORED.get(c, c) for c in text)


def display(text: str, rtl: bool, start: int = 0, end: int | None = None) -> str:
    """The line ``text[start:end]`` of a paragraph as it reads left to right on paper.

    Levels come from the whole paragraph (a bracket opened on the line before still pairs),
    the order from the line alone; right-to-left runs are mirrored (rule L4).
    """
    levels = embedding_levels(text, rtl)[start:end]
    runs: list[tuple[int, str]] = []
    for ch, level in zip(text[start:end], levels, strict=True):
        if runs and runs[-1][0] == level:
            runs[-1] = (level, runs[-1][1] + ch)
        else:
            runs.append((level, ch))
    return "".join(
        mirrored(runs[i][1][::-1]) if runs[i][0] % 2 else runs[i][1] for i in visual_order([lv for lv, _ in runs])
    )


def starts_rtl(text: str) -> bool:
    """True when the first strongly directional letter of ``text`` is right to left (an Arabic name, an Urdu note)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
