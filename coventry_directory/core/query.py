"""Turns what a worker types into a structured query.

"needle exchange bedworth" becomes one term group (needle exchange, with its synonyms) and
a place (Bedworth); "alcohol 16 year old leamington" becomes a term group, an age and a
place; "nalaxone" becomes naloxone by typo correction. Any text is safe: the parser only
ever produces plain words, which the search quotes before they reach FTS5.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from coventry_directory.core.places import Place, lookup_place
from coventry_directory.core.text import edit_distance, words
from coventry_directory.resources import resource_path

SYNONYM_WEIGHT = 0.7
TYPO_WEIGHT = 0.75
STEM_WEIGHT = 0.9

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

    @property
    def is_empty(self) -> bool:
        """True when nothing searchable was typed (a place or age alone)."""
        return not self.groups


@lru_cache(maxsize=1)
def _synonym_data() -> dict:
    with open(resource_path("search", "synonyms.toml"), "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def substance_index() -> dict[str, str]:
    """Folded term -> substance code, for every term in a substance's synonym group."""
    index = synonym_index()
    out: dict[str, str] = {}
    for code, head in _synonym_data()["substances"].items():
        for term in index.get(" ".join(words(head)), []):
            out.setdefault(term, code)
    return out


@lru_cache(maxsize=1)
def synonym_index() -> dict[str, list[str]]:
    """Folded phrase -> every term equivalent to it (from resources/search/synonyms.toml)."""
    groups = _synonym_data()["groups"]
    index: dict[str, list[str]] = defaultdict(list)
    for group in groups:
        folded = [" ".join(words(term)) for term in group]
        for term in folded:
            for other in folded:
                if other not in index[term]:
                    index[term].append(other)
    return dict(index)


class Vocabulary:
    """The directory's own words, for prefix checks and typo correction (SymSpell-style)."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts
        self.sorted = sorted(counts)
        self._deletes: dict[str, list[str]] | None = None

    def knows(self, word: str) -> bool:
        """True when some directory word is ``word`` or starts with it."""
        i = bisect.bisect_left(self.sorted, word)
        return i < len(self.sorted) and self.sorted[i].startswith(word)

    def _delete_index(self) -> dict[str, list[str]]:
        if self._deletes is None:
            index: dict[str, list[str]] = defaultdict(list)
            for term in self.sorted:
                if len(term) >= 3 and not term.isdigit():
                    for variant in _deletes(term, 2):
                        index[variant].append(term)
            self._deletes = dict(index)
        return self._deletes

    def corrections(self, word: str, limit: int = 3) -> list[str]:
        """Directory words within edit distance 1 (short words) or 2 of ``word``, best first."""
        if len(word) < 4 or word.isdigit():
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
                    scored.append((d, -self.counts.get(term, 0), term))
        scored.sort()
        return [t for _, _, t in scored[:limit]]


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
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
    tokens = words(text if isinstance(text, str) else "")
    parsed = ParsedQuery()
    parsed.age, tokens = _take_age(tokens)
    if find_place:
        parsed.place, parsed.place_text, tokens = _take_place(tokens)
    synonyms = synonym_index()
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2, 1):
            phrase = " ".join(tokens[i : i + n])
            if len(tokens) - i >= n and phrase in synonyms:
                # a known term is a whole word already: no prefix ("nsp" must not find "nspcc")
                terms = [Term(t, 1.0 if t == phrase else SYNONYM_WEIGHT) for t in synonyms[phrase]]
                parsed.groups.append(TermGroup(phrase, terms, substance_index().get(phrase)))
                i += n
                break
        else:
            word = tokens[i]
            i += 1
            if word in STOP_WORDS:
                continue
            group = TermGroup(word, [Term(word, 1.0, prefix=True)])
            stem = _stem(word)
            if stem != word:
                group.terms.append(Term(stem, STEM_WEIGHT, prefix=True))
            if vocabulary is not None and not vocabulary.knows(word):
                fixes = vocabulary.corrections(word)
                for fix in fixes:
                    group.terms.append(Term(fix, TYPO_WEIGHT))
                    for syn in synonyms.get(fix, []):
                        if syn != fix:
                            group.terms.append(Term(syn, TYPO_WEIGHT * SYNONYM_WEIGHT))
                if fixes:
                    parsed.corrections[word] = fixes[0]
                    group.substance = substance_index().get(fixes[0])
            parsed.groups.append(group)
    return parsed
