"""The pseudo-locale ``x-pseudo``: every message of the .pot accented, stretched and bracketed.

"Search services" becomes "[Ŝéåŕçĥ šéŕvîçéš ~~~~]". Running the app in it shows at a
glance which text never went through the catalog (plain ASCII, no brackets) and which
widget clips a longer translation (the closing bracket is cut off). Placeholders
(``{name}``, ``%(name)s``, ``%s``), HTML tags, entities and ``&`` mnemonics are kept
exactly, so every format call still works.

Only messages in the .pot are pseudo-translated: a string passed to ``_()`` that
extraction cannot see (``_(variable)`` with no ``N_`` anywhere) stays plain, which is
the point.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

# Accented look-alikes: still readable, clearly not English, and wider (as many
# translations are).
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûvŵxýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# Things that must survive untouched: placeholders, printf conversions, tags, entities, mnemonics.
_KEEP = re.compile(
    r"\{[^{}]*\}|%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|"
    r"<[^<>]*>|&[a-zA-Z]+;|&#\d+;|&&?"
)
STRETCH = 0.35  # how much longer than English; many languages run 30-40% longer


def pseudo_text(message: str) -> str:
    """One message in the pseudo-locale (placeholders, tags and ``&`` kept as they are)."""
    if not message:
        return message
    out, pos = [], 0
    for match in _KEEP.finditer(message):
        out.append(message[pos : match.start()].translate(_ACCENTS))
        keep = match.group()
        out.append(keep)
        pos = match.end()
    out.append(message[pos:].translate(_ACCENTS))
    padding = "~" * max(1, round(len(message) * STRETCH))
    return "[" + "".join(out) + " " + padding + "]"


def pseudo_catalog(template: Path) -> Catalog:
    """A catalog with every message of ``template`` (the .pot) pseudo-translated."""
    with open(template, "rb") as fh:
        pot = read_po(fh)
    # English plural rules: form 0 for one, form 1 otherwise.
    catalog = Catalog(locale="en", domain=pot.domain, project=pot.project, version=pot.version)
    for message in pot:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            catalog.add(message.id, tuple(pseudo_text(m) for m in message.id), flags=message.flags)
        else:
            catalog.add(message.id, pseudo_text(message.id), flags=message.flags)
    return catalog
