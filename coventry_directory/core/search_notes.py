"""What a search says about how it read the words: corrections, translations, the place and age, and what it could not use.

Shared by the command line and the desktop app (``SearchResult.notes``). A word no service
holds, a place or postcode the directory does not know, text with nothing searchable in
it: each is said, never dropped in silence (docs/architecture.md, "Reading the query").
"""

from __future__ import annotations

from coventry_directory.core.places import Place
from coventry_directory.core.query import ParsedQuery
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import format_number

MAX_UNKNOWN_NOTES = 3  # words no service holds, named one by one; past this, counted
QUOTED_CHARS = 40  # how much of a query a note quotes


def _shortened(text: str, chars: int) -> str:
    """``text`` cut to about ``chars`` characters, at a word, with "…" when cut."""
    if len(text) <= chars:
        return text
    return text[:chars].rsplit(" ", 1)[0].rstrip() + "…"


def search_notes(parsed: ParsedQuery, query: str = "", place: Place | None = None) -> list[str]:
    """What the search made of ``query``: corrections, translations, the place and age; words it could not use.

    ``place`` is the place searched near (a box's, or the words'), None for anywhere.
    """
    notes = [
        _("Showing results for “{fixed}” (you typed “{typed}”).").format(fixed=fixed, typed=typed)
        for typed, fixed in parsed.corrections.items()
    ]
    for typed, english in parsed.translations.items():
        if english:
            note = (
                _("Also searched as “{english}” (for “{typed}”: a translation not yet checked by a fluent speaker).")
                if typed in parsed.unchecked
                else _("Also searched as “{english}” (for “{typed}”).")
            )
            notes.append(note.format(english=english, typed=typed))
    if parsed.place is not None:
        notes.append(_("Near {place}.").format(place=parsed.place.name))
    if parsed.age is not None:
        notes.append(_("For age {age}.").format(age=parsed.age))
    if parsed.unknown_postcode and place is None:
        notes.append(
            _(
                "“{postcode}” is not a postcode this directory knows (it covers Coventry, Warwickshire and around), "
                "so the results are from anywhere."
            ).format(postcode=parsed.unknown_postcode)
        )
    named = parsed.unknown[:MAX_UNKNOWN_NOTES]
    for word in named:
        if word in parsed.unknown_places and place is None:  # (a place chosen in a box is used instead)
            notes.append(
                _(
                    "“{word}” is not a place the directory knows, so the results are from anywhere: try a town, village or postcode."
                ).format(word=word)
            )
        elif len(parsed.groups) > 1:
            notes.append(_("No service mentions “{word}”: the results are for your other words.").format(word=word))
        else:
            notes.append(_("No service mentions “{word}”.").format(word=word))
    if len(parsed.unknown) > len(named):  # a pasted paragraph: say how many more, not each
        more = len(parsed.unknown) - len(named)
        notes.append(
            ngettext(
                "No service mentions {n} more word typed.", "No service mentions {n} more words typed.", more
            ).format(n=format_number(more))
        )
    if (
        query.strip()
        and parsed.is_empty
        and parsed.place is None
        and parsed.age is None
        and not parsed.unknown_postcode
    ):
        notes.append(
            _(
                "Nothing in “{typed}” can be searched for, so every service is shown: try words such as “needle exchange”, or a place."
            ).format(typed=_shortened(query.strip(), QUOTED_CHARS))
        )
    return notes
