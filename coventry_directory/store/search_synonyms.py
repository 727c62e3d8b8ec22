"""Part of the store: one index tag per synonym set, so a set of synonyms is one posting list.

A typed term stands for its whole synonym set ("treatment" for "drug service", "substance
misuse", "addiction", "key worker" ...: ``core.query_words``). Searched term by term, that
is an ``OR`` of up to a dozen words and phrases over the whole index, and a phrase means
comparing every word's positions: at 100,000 services the "treatment" set alone takes
7 ms inside a 25 km ring, and a query may hold three such sets and run five draws. So each
service's ``tags`` column (``store.search_tags``) also holds, for every synonym set one of
whose terms its text holds, :func:`synonym_tag` of that set: once for any text column and
once for the strong columns (name, organisation, categories, keywords) that the far draws
search. Search then asks for the one tag instead of the terms (``core.candidates``).

The tag is exact, not an approximation: a service has it if and only if FTS5 itself finds
one of the set's terms in those columns. The tags are worked out in Python from the folded
text (:func:`tag_synonyms`: the same words as the index's tokenizer for ASCII text), then
checked against FTS5 set by set once the index is filled (:func:`fix_synonym_tags`), and
any row where the two differ (folding of some non-ASCII text) is written again with the
index's own answer. A tag names its set's terms by a digest, so a database built with
other synonym lists simply lacks the tags today's lists ask for, and search falls back to
the terms (``SearchQueries.has_tag``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlite_utils import Database

from coventry_directory.core.query_words import synonym_sets
from coventry_directory.core.text import fts_term
from coventry_directory.store.schema import SEARCH_COLUMNS, SEARCH_TABLE
from coventry_directory.store.search_tags import TAGS_COLUMN

# Changed whenever what a tag means changes (which text counts): a database built with
# another meaning then lacks today's tags, and search uses the terms instead.
TAG_VERSION = "1"
STRONG_COLUMNS = ("name", "organization", "categories", "keywords")  # the far draws' columns (core.candidates)
_ANY_PREFIX, _STRONG_PREFIX = "zy", "zz"  # unused by every other tag kind (store.search_tags)


@dataclass(frozen=True)
class SynonymSet:
    """One synonym set's terms (folded) and the digest its tags are named by."""

    terms: frozenset[str]
    digest: str


@lru_cache(maxsize=1)
def indexed_sets() -> tuple[SynonymSet, ...]:
    """Every synonym set of today's lists, each named by a digest of its terms."""
    out = []
    for terms in synonym_sets():
        text = TAG_VERSION + "\n" + "\n".join(sorted(set(terms)))
        out.append(SynonymSet(frozenset(terms), hashlib.sha1(text.encode()).hexdigest()[:12]))
    return tuple(out)


def synonym_tag(synonyms: SynonymSet, columns: Sequence[str]) -> str | None:
    """The tag of ``synonyms`` in ``columns`` (every text column, or the strong ones); None for other columns."""
    if tuple(columns) == SEARCH_COLUMNS:
        return _ANY_PREFIX + synonyms.digest
    if tuple(columns) == STRONG_COLUMNS:
        return _STRONG_PREFIX + synonyms.digest
    return None


def covering_sets(terms: Iterable[str]) -> list[SynonymSet]:
    """The synonym sets all of whose terms are among ``terms``: those terms can be searched as the sets' tags."""
    have = set(terms)
    return [s for s in indexed_sets() if s.terms <= have]


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, list[int]], dict[str, list[tuple[str, frozenset[str], int]]]]:
    """Single-word terms -> the sets holding them; a phrase's first word -> (" phrase ", its words, set)."""
    single: dict[str, list[int]] = {}
    phrases: dict[str, list[tuple[str, frozenset[str], int]]] = {}
    for n, synonyms in enumerate(indexed_sets()):
        for term in synonyms.terms:
            parts = term.split()
            if len(parts) == 1:
                single.setdefault(term, []).append(n)
            elif parts:
                phrases.setdefault(parts[0], []).append((f" {term} ", frozenset(parts), n))
    return single, phrases


def _sets_in(texts: Iterable[str]) -> set[int]:
    """The sets one of whose terms is in one of these folded columns (" word word "), a phrase within one column."""
    single, phrases = _lookup()
    found: set[int] = set()
    for text in texts:
        present = set(text.split())
        for word in present & single.keys():
            found.update(single[word])
        for word in present & phrases.keys():
            for needle, parts, n in phrases[word]:
                if n not in found and parts <= present and needle in text:
                    found.add(n)
    return found


def tag_synonyms(folded: Sequence[str]) -> list[str]:
    """The synonym tags of one service, from its folded text columns (in ``SEARCH_COLUMNS`` order)."""
    sets = indexed_sets()
    strong = [text for col, text in zip(SEARCH_COLUMNS, folded, strict=True) if col in STRONG_COLUMNS]
    tags = [_ANY_PREFIX + sets[n].digest for n in sorted(_sets_in(folded))]
    return tags + [_STRONG_PREFIX + sets[n].digest for n in sorted(_sets_in(strong))]


def fix_synonym_tags(db: Database, rewrite: Callable[[dict[int, str]], None]) -> int:
    """Check every synonym tag against FTS5's own matching of the set's terms; rewrite the rows that differ.

    ``rewrite`` writes the given index rows again with the given tags column (rowid ->
    tags). Returns how many rows were rewritten (nearly always none: only text whose
    folding differs from the tokenizer's).
    """
    fixed: dict[int, set[str]] = {}
    for synonyms in indexed_sets():
        terms = " OR ".join(fts_term(t) for t in sorted(synonyms.terms))
        for columns in (SEARCH_COLUMNS, STRONG_COLUMNS):
            tag = synonym_tag(synonyms, columns)
            if tag is None:
                continue
            expr = "{" + " ".join(columns) + "} : (" + terms + ")"
            truth = {r[0] for r in db.execute(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?", [expr])}
            tagged = {
                r[0]
                for r in db.execute(
                    f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?", [f"{TAGS_COLUMN} : {tag}"]
                )
            }
            for row in truth ^ tagged:
                if row not in fixed:
                    stored = db.execute(f"SELECT {TAGS_COLUMN} FROM {SEARCH_TABLE} WHERE rowid = ?", [row]).fetchone()
                    fixed[row] = set((stored[0] or "").split())
                current = fixed[row]
                if row in truth:
                    current.add(tag)
                else:
                    current.discard(tag)
    if fixed:
        rewrite({row: " ".join(tags) for row, tags in fixed.items()})
    return len(fixed)
