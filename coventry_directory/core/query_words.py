"""The word lists the query parser reads: synonyms, English words, and words in other languages.

- ``resources/search/synonyms.toml``: groups of equivalent English terms (with slang and
  abbreviations), which substance each names, and whether each group has been reviewed;
- ``resources/search/english-words.txt``: SCOWL's English words, so that typo correction
  never turns one real word into another ("smokes" into "makes");
- ``resources/search/synonyms-multilingual.toml`` and the taxonomy labels already translated
  in the catalogs: what a client types in Polish, Romanian, Punjabi, Urdu, Arabic and the
  other leaflet languages, each leading to English terms the directory uses.

Everything is folded with :func:`coventry_directory.core.text.words`, as the index is, and
read once, on first use.
"""

from __future__ import annotations

import bisect
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from os.path import commonprefix

from coventry_directory.core.text import words
from coventry_directory.resources import resource_path

SYNONYM_WEIGHT = 0.7
# Vocabularies whose translated labels a client might type. Catchment labels are place
# names (places are found by the place parser), and gender and verification are not needs.
SEARCHED_VOCABULARIES = ("category", "substance", "client_group", "referral_route", "delivery_mode")
_ARABIC_ARTICLE = "\u0627\u0644"  # "al-": "الكحول" is "كحول" with the article
_INFLECTION_MIN = 5  # a word and a listed word share at least this many letters,
_INFLECTION_ENDING = 3  # the typed word goes on for at most this many after what they share,
_LISTED_ENDING = 2  # and the listed word for at most this many ("narkoza" is not "narkotyk")


class SynonymFileError(ValueError):
    """A search word file is malformed (a group without ``reviewed``, an unknown ``extends``)."""


def phrase(text: str) -> str:
    """``text`` folded into the form the index and the parser compare: "Fără  adăpost" -> "fara adapost"."""
    return " ".join(words(text, bounded=False))


# --- English ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """SCOWL's common English words (size 50, British and American), lower case."""
    with open(resource_path("search", "english-words.txt"), encoding="ascii") as fh:
        return frozenset(fh.read().split())


def is_english(word: str) -> bool:
    """True when ``word`` (folded) is a real English word, which correction must leave alone."""
    return word in english_words()


# --- synonyms.toml ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SynonymGroup:
    """One ``[[group]]`` of synonyms.toml, folded."""

    terms: tuple[str, ...]
    reviewed: bool
    extends: str | None = None
    also: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _synonym_data() -> dict:
    with open(resource_path("search", "synonyms.toml"), "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[SynonymGroup, ...]:
    """Every group as written (an extension is its own group here), checked."""
    out = []
    for n, raw in enumerate(_synonym_data().get("group", []), 1):
        if not isinstance(raw.get("reviewed"), bool):
            raise SynonymFileError(f"synonyms.toml group {n} ({raw.get('terms')}) has no reviewed = true/false")
        terms = tuple(p for p in (phrase(t) for t in raw.get("terms", [])) if p)
        if not terms:
            raise SynonymFileError(f"synonyms.toml group {n} has no terms")
        extends = phrase(raw["extends"]) if raw.get("extends") else None
        also = tuple(p for p in (phrase(t) for t in raw.get("also", [])) if p)
        out.append(SynonymGroup(terms, raw["reviewed"], extends, also))
    return tuple(out)


@lru_cache(maxsize=1)
def _merged_groups() -> tuple[tuple[list[str], list[str]], ...]:
    """(terms, one-way terms) per group, with each extension's terms joined to the group it extends."""
    merged: list[tuple[list[str], list[str]]] = []
    by_head: dict[str, tuple[list[str], list[str]]] = {}
    for group in synonym_groups():
        if group.extends is None:
            entry = (list(group.terms), list(group.also))
            merged.append(entry)
            by_head.setdefault(group.terms[0], entry)
    for group in synonym_groups():
        if group.extends is not None:
            if group.extends not in by_head:
                raise SynonymFileError(f"synonyms.toml: extends = {group.extends!r} names no group's first term")
            terms, also = by_head[group.extends]
            terms.extend(t for t in group.terms if t not in terms)
            also.extend(t for t in group.also if t not in also)
    return tuple(merged)


@lru_cache(maxsize=1)
def synonym_sets() -> tuple[tuple[str, ...], ...]:
    """Each group's terms (extensions joined), as the index tags them: one tag per set (``store.search_synonyms``).

    A typed term's synonyms (:func:`synonym_index`) are the union of the sets holding it.
    """
    return tuple(tuple(terms) for terms, _ in _merged_groups())


@lru_cache(maxsize=1)
def synonym_index() -> dict[str, list[str]]:
    """Folded phrase -> every term equivalent to it (itself first among its group's terms)."""
    index: dict[str, list[str]] = defaultdict(list)
    for terms, _ in _merged_groups():
        for term in terms:
            for other in terms:
                if other not in index[term]:
                    index[term].append(other)
    return dict(index)


@lru_cache(maxsize=1)
def also_index() -> dict[str, list[str]]:
    """Folded phrase -> terms it also finds, one way only ("pregnant" -> "treatment adult")."""
    index: dict[str, list[str]] = defaultdict(list)
    for terms, also in _merged_groups():
        for term in terms:
            index[term].extend(t for t in also if t not in index[term])
    return {k: v for k, v in index.items() if v}


@lru_cache(maxsize=1)
def substance_index() -> dict[str, str]:
    """Folded term -> substance code, for every term in a substance's synonym group(s)."""
    index = synonym_index()
    out: dict[str, str] = {}
    for code, heads in _synonym_data()["substances"].items():
        for head in [heads] if isinstance(heads, str) else heads:
            for term in index.get(phrase(head), []):
                out.setdefault(term, code)
    return out


@lru_cache(maxsize=1)
def synonym_words() -> frozenset[str]:
    """Every word of an English synonym term: typo correction prefers these ("nalaxone" -> "naloxone")."""
    return frozenset(w for term in synonym_index() for w in term.split() if len(w) >= 3 and not w.isdigit())


def unreviewed_synonyms() -> list[tuple[str, ...]]:
    """The synonym groups still waiting for a worker's review (their terms)."""
    return [g.terms for g in synonym_groups() if not g.reviewed]


# --- other languages --------------------------------------------------------------------------
@dataclass(frozen=True)
class Meaning:
    """What a word in another language leads to: English (term, weight, prefix) triples."""

    terms: tuple[tuple[str, float, bool], ...]
    substance: str | None = None
    english: str = ""  # a short English gloss, for "searched for" hints
    reviewed: bool = True  # False while a fluent speaker has not checked the translation


def english_meaning(text: str, weight: float = 1.0) -> Meaning:
    """The search terms an English term or word stands for: its synonym group, or the word itself."""
    head = phrase(text)
    synonyms = synonym_index()
    if head in synonyms:
        terms = [(head, weight, False)]
        terms += [(t, SYNONYM_WEIGHT * weight, False) for t in synonyms[head] if t != head]
        terms += [(t, SYNONYM_WEIGHT * weight, False) for t in also_index().get(head, [])]
        return Meaning(tuple(terms), substance_index().get(head), head)
    return Meaning(((head, weight, " " not in head),), None, head)


def _merge(a: Meaning | None, b: Meaning) -> Meaning:
    if a is None:
        return b
    seen = {t for t, _, _ in a.terms}
    terms = a.terms + tuple(t for t in b.terms if t[0] not in seen)
    return Meaning(terms, a.substance or b.substance, a.english or b.english, a.reviewed and b.reviewed)


@lru_cache(maxsize=1)
def _multilingual_data() -> dict:
    with open(resource_path("search", "synonyms-multilingual.toml"), "rb") as fh:
        return tomllib.load(fh)


def multilingual_entries() -> list[dict]:
    """The entries of synonyms-multilingual.toml, checked (each has lang, means, words, reviewed)."""
    entries = _multilingual_data().get("entry", [])
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry.get("reviewed"), bool):
            raise SynonymFileError(f"synonyms-multilingual.toml entry {n} has no reviewed = true/false")
        if not entry.get("lang") or not entry.get("means") or not entry.get("words"):
            raise SynonymFileError(f"synonyms-multilingual.toml entry {n} needs lang, means and words")
    return entries


def _label_meaning(vocabulary: str, code: str, label: str) -> Meaning | None:
    """What a translated taxonomy label means in English: its code's words and their synonyms."""
    if vocabulary == "substance" and code == "any":
        return None  # "any substance" names no drug
    code_words = phrase(code)
    meaning = Meaning(((code_words, 1.0, False),), code if vocabulary == "substance" else None, code_words)
    heads = _synonym_data()["substances"].get(code, []) if vocabulary == "substance" else []
    for head in [heads] if isinstance(heads, str) else heads:
        meaning = _merge(meaning, english_meaning(head))
    for candidate in (code_words, phrase(label), *code_words.split()):
        if candidate in synonym_index():
            meaning = _merge(meaning, english_meaning(candidate, SYNONYM_WEIGHT))
    return _merge(meaning, Meaning(((phrase(label), 1.0, False),)))


def _translated_labels() -> Iterable[tuple[str, str, Meaning]]:
    """(language code, translated label, meaning) for every taxonomy label a catalog translates."""
    from coventry_directory.core.taxonomy import vocabularies
    from coventry_directory.i18n.catalogs import CatalogError, translated_codes, translation_for
    from coventry_directory.i18n.languages import LANGUAGES

    labels = [
        (m, term.name)
        for name in SEARCHED_VOCABULARIES
        for term in vocabularies()[name].terms
        if (m := _label_meaning(name, term.code, term.name)) is not None
    ]
    for lang in translated_codes():
        try:
            catalog = translation_for(lang)
        except (CatalogError, OSError):
            continue  # a missing catalog costs that language its labels, never the search
        reviewed = lang in LANGUAGES and LANGUAGES[lang].reviewed  # a catalog is as checked as its language
        for meaning, label in labels:
            translated = catalog.gettext(label)
            if translated and translated != label:
                yield lang, translated, replace(meaning, reviewed=reviewed)


def _variants(key: str) -> set[str]:
    """A folded key and how it is typed without the language's own letters ("igły" -> "igly")."""
    return {key, key.replace("ł", "l")}


@lru_cache(maxsize=1)
def foreign_index() -> dict[str, Meaning]:
    """Folded word or phrase in another language -> its English meaning (never an English word)."""
    index: dict[str, Meaning] = {}
    english, synonyms = english_words(), synonym_index()

    def add(key: str, meaning: Meaning) -> None:
        for variant in _variants(key):
            # never an English term or a phrase of English words ("crack", "drop in")
            if variant and variant not in synonyms and not all(w in english for w in variant.split()):
                index[variant] = _merge(index.get(variant), meaning)

    for entry in multilingual_entries():
        meaning = replace(english_meaning(entry["means"]), reviewed=entry["reviewed"])
        for text in entry["words"]:
            add(phrase(text), meaning)
    # A label's single words count too ("marihuana", "bezdomnością"), unless the word is short
    # or shared by more than two labels of its language ("osoby", people, is in three).
    single: dict[tuple[str, str], list[Meaning]] = defaultdict(list)
    for lang, label, meaning in _translated_labels():
        folded = words(label, bounded=False)
        add(" ".join(folded), meaning)
        for word in set(folded):
            if len(word) >= 4 and not word.isdigit():
                single[(lang, word)].append(meaning)
    for (_, word), meanings in single.items():
        if len(meanings) <= 2:
            for meaning in meanings:
                add(word, meaning)
    return index


@lru_cache(maxsize=1)
def _foreign_words() -> list[str]:
    return sorted(k for k in foreign_index() if " " not in k)


def foreign_key(word: str) -> str | None:
    """The listed foreign word ``word`` is a form of, if any.

    Exact first; then without the Arabic article; then another ending of the same word, as
    Polish and Romanian inflect ("narkotyków" -> "narkotyki", "marihuanę" -> "marihuana"):
    the two share at least five letters, after which the typed word goes on for at most three
    and the listed one for at most two.
    """
    index = foreign_index()
    if word in index:
        return word
    if word.startswith(_ARABIC_ARTICLE) and word[2:] in index:
        return word[2:]
    if len(word) < _INFLECTION_MIN:
        return None
    keys = _foreign_words()
    start = word[:_INFLECTION_MIN]
    best: tuple[int, int, str] | None = None
    for key in keys[bisect.bisect_left(keys, start) :]:
        if not key.startswith(start):
            break
        shared = len(commonprefix([word, key]))
        if len(word) - shared <= _INFLECTION_ENDING and len(key) - shared <= _LISTED_ENDING:
            rank = (-shared, len(key), key)
            best = rank if best is None or rank < best else best
    return best[2] if best else None
