"""Turns what a worker types into a structured query.

"needle exchange bedworth" becomes one term group (needle exchange, with its synonyms) and
a place (Bedworth); "alcohol 16 year old leamington" becomes a term group, an age and a
place; "nalaxone" becomes naloxone by typo correction, but "smokes", a real English word, is
never "corrected"; "narkotyki" (Polish) and "fără adăpost" (Romanian) lead to the English
terms they mean. The word lists are :mod:`coventry_directory.core.query_words`'s. Any text is
safe: the parser only ever produces plain words, which the search quotes before they reach FTS5.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from coventry_directory.core.places import AREA, Place, lookup_place, outward_code
from coventry_directory.core.query_words import (
    SYNONYM_WEIGHT,
    Meaning,
    also_index,
    foreign_index,
    foreign_key,
    is_english,
    substance_index,
    synonym_index,
    synonym_words,
)
from coventry_directory.core.text import edit_distance, words

__all__ = [
    "SYNONYM_WEIGHT",
    "ParsedQuery",
    "Term",
    "TermGroup",
    "Vocabulary",
    "parse_query",
    "substance_index",
    "synonym_index",
]

TYPO_WEIGHT = 0.75
STEM_WEIGHT = 0.9
MIN_PREFIX = 3  # shorter typed words are not searched as prefixes

_INWARD = re.compile(r"[0-9][a-z]{2}")  # the second half of a postcode ("1aa" of "SW1A 1AA")
PLACE_MARKERS = frozenset(["near", "in", "around", "nearby", "at"])  # "naloxone near X": X is meant as a place
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "in",
        "at",
        "on",
        "to",
        "near",
        "nearby",
        "with",
        "where",
        "get",
        "getting",
        "help",
        "helps",
        "service",
        "services",
        "support",
        "find",
        "me",
        "my",
        "i",
        "im",
        "is",
        "are",
        "who",
        "can",
        "how",
        "do",
        "does",
        "need",
        "needs",
        "someone",
        "somebody",
        "person",
        "client",
        "please",
        "local",
        "around",
        "about",
        "any",
        "from",
        "by",
        "into",
        "this",
        "that",
        "it",
        "want",
        "wants",
        "looking",
        "worried",
        "worry",
        "concerned",
        "think",
        "thinks",
        "might",
        "has",
        "have",
        "had",
        "been",
        "using",
        "uses",
        "use",
    ]
)
_AGE_UNITS = frozenset({"year", "years", "yr", "yrs", "y"})
_AGE_YO = re.compile(r"^(\d{1,3})(?:yo|yrs?|y)$")


@dataclass(frozen=True)
class Term:
    """One word or phrase to look for, how much a match counts, and whether it may be a prefix."""

    text: str
    weight: float = 1.0
    prefix: bool = False


@dataclass
class TermGroup:
    """What one typed word or phrase means: the typed term plus synonyms or corrections."""

    typed: str
    terms: list[Term]
    substance: str | None = None  # a substance code when the words name one


@dataclass
class ParsedQuery:
    """The structured reading of a query."""

    groups: list[TermGroup] = field(default_factory=list)
    place: Place | None = None
    place_text: str | None = None
    age: int | None = None
    corrections: dict[str, str] = field(default_factory=dict)
    translations: dict[str, str] = field(default_factory=dict)  # typed foreign word -> its English meaning
    unchecked: set[str] = field(default_factory=set)  # typed words whose translation no fluent speaker has checked
    # typed words no service holds (nor their stem, a correction or a translation): the
    # results are for the other words, and the notes say so; those after "near" or "in"
    # were meant as a place the directory does not know
    unknown: list[str] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)
    unknown_postcode: str | None = None  # a whole postcode typed that no district here is ("SW1A 1AA")

    @property
    def is_empty(self) -> bool:
        """True when nothing searchable was typed (a place or age alone)."""
        return not self.groups


class Vocabulary:
    """The directory's own words, for prefix checks and typo correction (SymSpell-style).

    A correction is only ever offered for a word that is not English (:func:`corrections`),
    and it prefers, in this order: a word of the synonym lists (even one edit further away
    than a directory word), then at equal distance a word of ``preferred`` (the shipped
    edition's own words, when the engine passes them), then an English word, then any other
    directory word (the place and organisation names a large feed brings), most used first.
    """

    def __init__(self, counts: dict[str, int], preferred: Collection[str] = ()):
        self.counts = counts
        self.sorted = sorted(counts)
        self.preferred = frozenset(preferred)
        self._deletes: dict[str, list[str]] | None = None

    def knows(self, word: str) -> bool:
        """True when some directory word is ``word`` or starts with it."""
        i = bisect.bisect_left(self.sorted, word)
        return i < len(self.sorted) and self.sorted[i].startswith(word)

    def _delete_index(self) -> dict[str, list[str]]:
        if self._deletes is None:
            index: dict[str, list[str]] = {}
            for term in sorted(set(self.sorted) | synonym_words()):
                if len(term) >= 3 and not term.isdigit():
                    # A word of five letters or fewer is only ever one delete from a typed word
                    # it may correct to: typed words of up to five letters get one edit, and a
                    # longer typed word two, at least one of them the length it adds.
                    for variant in _deletes(term, 1 if len(term) <= 5 else 2):
                        if (terms := index.get(variant)) is None:
                            index[variant] = [term]
                        else:
                            terms.append(term)
            self._deletes = index
        return self._deletes

    def _tier(self, term: str) -> int:
        if term in synonym_words():
            return 0
        if term in self.preferred:
            return 1
        return 2 if is_english(term) else 3

    def corrections(self, word: str, limit: int = 3) -> list[str]:
        """Words within edit distance 1 (short words) or 2 of ``word``, best first; none for an English word."""
        if len(word) < 4 or word.isdigit() or is_english(word):
            return []
        max_d = 1 if len(word) <= 5 else 2
        index = self._delete_index()
        seen: set[str] = set()
        scored = []
        for variant in _deletes(word, max_d) | {word}:
            for term in index.get(variant, ()):
                if term in seen:
                    continue
                seen.add(term)
                d = edit_distance(word, term, max_d)
                if d <= max_d:
                    tier = self._tier(term)
                    # a synonym-list word counts one edit nearer than it is
                    scored.append((d - (tier == 0), tier, -self.counts.get(term, 0), term))
        scored.sort()
        return [t for *_, t in scored[:limit]]


def _deletes(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` (1 or 2) letters."""
    once = {word[:i] + word[i + 1 :] for i in range(len(word))}
    out = {word} | once
    if depth > 1:
        for shorter in once:
            out.update(shorter[:i] + shorter[i + 1 :] for i in range(len(shorter)))
    return out


def _stem(word: str) -> str:
    """A light English stem so "arrested" finds "arrest" and "syringes" finds "syringe"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _take_age(tokens: list[str]) -> tuple[int | None, list[str]]:
    """Find "16 year old", "aged 16", "16yo" and remove it from the tokens."""
    for i, tok in enumerate(tokens):
        m = _AGE_YO.match(tok)
        if m:
            return int(m.group(1)), tokens[:i] + tokens[i + 1 :]
        if tok.isdecimal() and i + 1 < len(tokens) and tokens[i + 1] in _AGE_UNITS:
            end = i + 2
            if end < len(tokens) and tokens[end] == "old":
                end += 1
            return int(tok), tokens[:i] + tokens[end:]
        if tok in ("aged", "age") and i + 1 < len(tokens) and tokens[i + 1].isdecimal():
            return int(tokens[i + 1]), tokens[:i] + tokens[i + 2 :]
    # a lone whole number a person could be ("cannabis 15 rugby") is read as an age
    for i, tok in enumerate(tokens):
        if tok.isdecimal() and 5 <= int(tok) <= 99 and len(tokens) > 1:
            return int(tok), tokens[:i] + tokens[i + 1 :]
    return None, tokens


def _take_place(tokens: list[str]) -> tuple[Place | None, str | None, list[str]]:
    """Find the longest run of words naming a place (or a postcode) and remove it."""
    for n in (4, 3, 2, 1):
        for i in range(len(tokens) - n + 1):
            phrase = " ".join(tokens[i : i + n])
            if n == 1 and (phrase in STOP_WORDS or phrase.isdigit()):
                continue
            place = lookup_place(phrase)
            if place is not None:
                return place, phrase, tokens[:i] + tokens[i + n :]
    return None, None, tokens


def parse_query(text: str, vocabulary: Vocabulary | None = None, *, find_place: bool = True) -> ParsedQuery:
    """Read a typed query into term groups, a place and an age. Never raises."""
    text = text if isinstance(text, str) else ""
    tokens = words(text)
    # a word typed with accents or in another script is no English typo: never "correct" it
    accented = {w for chunk in text[:2000].split() if not chunk.isascii() for w in words(chunk)}
    parsed = ParsedQuery()
    parsed.age, tokens = _take_age(tokens)
    if find_place:
        parsed.place, parsed.place_text, tokens = _take_place(tokens)
        if parsed.place is None:
            parsed.unknown_postcode, tokens = _take_unknown_postcode(tokens)
    synonyms = synonym_index()
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2, 1):
            if len(tokens) - i < n:
                continue
            phrase = " ".join(tokens[i : i + n])
            if phrase in synonyms:
                parsed.groups.append(_synonym_group(phrase))
                i += n
                break
            if not all(is_english(w) for w in tokens[i : i + n]) and phrase in (foreign := foreign_index()):
                # (an all-English phrase is never in the foreign index: it need not be loaded for one)
                parsed.groups.append(_foreign_group(phrase, foreign[phrase], parsed))
                i += n
                break
        else:
            word = tokens[i]
            i += 1
            if word not in STOP_WORDS:
                group = _word_group(word, vocabulary, word in accented, parsed)
                parsed.groups.append(group)
                if (
                    vocabulary is not None
                    and word not in parsed.unknown
                    and _matches_nothing(group, vocabulary, parsed)
                ):
                    parsed.unknown.append(word)
                    if i >= 2 and tokens[i - 2] in PLACE_MARKERS:
                        parsed.unknown_places.append(word)
    if find_place and parsed.place is None:
        _take_corrected_place(parsed)
    return parsed


def _matches_nothing(group: TermGroup, vocabulary: Vocabulary, parsed: ParsedQuery) -> bool:
    """True when no directory word is, or starts with, any of a plain word's terms (itself, its stem; no correction)."""
    if group.typed in parsed.corrections or group.typed in parsed.translations:
        return False
    return not any(vocabulary.knows(term.text) for term in group.terms)


def _take_unknown_postcode(tokens: list[str]) -> tuple[str | None, list[str]]:
    """A whole postcode no district here is ("sw1a 1aa"): taken out, so its halves are not searched as words."""
    for i in range(len(tokens) - 1):
        pair = f"{tokens[i]} {tokens[i + 1]}"
        if outward_code(pair) is not None and _INWARD.fullmatch(tokens[i + 1]):
            return pair.upper(), tokens[:i] + tokens[i + 2 :]
    return None, tokens


def _take_corrected_place(parsed: ParsedQuery) -> None:
    """A misspelt place ("rugbee") whose correction names a known town or village becomes the place asked about."""
    for group in parsed.groups:
        fix = parsed.corrections.get(group.typed)
        place = lookup_place(fix) if fix else None
        if place is not None and place.precision != AREA:
            parsed.place, parsed.place_text = place, group.typed
            parsed.groups.remove(group)
            return


def _synonym_group(phrase: str) -> TermGroup:
    """A known term: its synonyms, and what it also finds. A whole word already, so no prefix ("nsp" is not "nspcc")."""
    terms = [Term(t, 1.0 if t == phrase else SYNONYM_WEIGHT) for t in synonym_index()[phrase]]
    terms += [Term(t, SYNONYM_WEIGHT) for t in also_index().get(phrase, [])]
    return TermGroup(phrase, terms, substance_index().get(phrase))


def _foreign_group(typed: str, meaning: Meaning, parsed: ParsedQuery) -> TermGroup:
    """A word or phrase in another language, searched as the English terms it means (and as itself)."""
    terms = [Term(typed, 1.0)] + [Term(t, w, prefix) for t, w, prefix in meaning.terms if t != typed]
    parsed.translations[typed] = meaning.english
    if not meaning.reviewed:
        parsed.unchecked.add(typed)
    return TermGroup(typed, terms, meaning.substance)


def _word_group(word: str, vocabulary: Vocabulary | None, accented: bool, parsed: ParsedQuery) -> TermGroup:
    """A plain word: itself as a prefix, its stem, and for an unknown non-English word a translation or corrections."""
    english = is_english(word)
    known = vocabulary is not None and vocabulary.knows(word)
    if not english and not known and (key := foreign_key(word)) is not None:
        return _foreign_group(word, foreign_index()[key], parsed)
    # a word of one or two letters ("t" of "can't") is only ever itself, never every word it starts
    group = TermGroup(word, [Term(word, 1.0, prefix=len(word) >= MIN_PREFIX)])
    stem = _stem(word)
    if stem != word:
        group.terms.append(Term(stem, STEM_WEIGHT, prefix=True))
    if vocabulary is not None and not known and not accented:
        fixes = vocabulary.corrections(word)
        synonyms = synonym_index()
        for fix in fixes:
            group.terms.append(Term(fix, TYPO_WEIGHT))
            for syn in synonyms.get(fix, []):
                if syn != fix:
                    group.terms.append(Term(syn, TYPO_WEIGHT * SYNONYM_WEIGHT))
        if fixes:
            parsed.corrections[word] = fixes[0]
            group.substance = substance_index().get(fixes[0])
    return group
