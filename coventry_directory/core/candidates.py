"""Search's candidates: which services a query looks at, drawn by place and filter first.

Part of :mod:`coventry_directory.core.search` (which scores and orders what comes back).
Every service that may serve the place and matches is drawn, never capped; services only
near it come next, nearest first; far ones only fill a short page (``core.locality``; the
rules in docs/architecture.md, "Search"). Words, place and code filters are one FTS5
``MATCH`` (``store.search_tags``), so the index intersects them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from dataclasses import replace

from coventry_directory.core.locality import CLOSE_KM, LOCAL_KM, RINGS_KM, SERVES, Locality
from coventry_directory.core.places import Place
from coventry_directory.core.query import STOP_WORDS, ParsedQuery, TermGroup
from coventry_directory.core.text import fts_term
from coventry_directory.store.schema import SEARCH_COLUMNS
from coventry_directory.store.search_filters import FacetFilter
from coventry_directory.store.search_queries import SearchQueries
from coventry_directory.store.search_synonyms import STRONG_COLUMNS, covering_sets, synonym_tag
from coventry_directory.store.search_tags import UNPLACED_TAG, any_tag, substance_tag

# Local candidates are never capped. Further services only fill a page: each ring (and
# then the rest of the country) gives at most this many (or a page), only while it is short.
FAR_CANDIDATES = 80
NAMED_CANDIDATES = 20  # services whose names hold every typed word, looked at wherever they are
NEAR_CANDIDATES = 40  # tier 1 is drawn as this many nearest matches, whatever the page size
PREFIX_WORDS = 12  # a typed prefix is searched as the words it stands for, when no more than this
# The nearest N within a ring are looked for in smaller rings first: when a smaller circle
# holds N matches, they are the N nearest, found in an index walk over far fewer cells.
INNER_RINGS_KM = (CLOSE_KM, 15.0)


def typed_words(parsed: ParsedQuery) -> set[str]:
    """The words typed for the term groups, stop words aside (what a service's whole name is compared with)."""
    return {w for g in parsed.groups for w in g.typed.split()} - STOP_WORDS


def candidate_ids(
    queries: SearchQueries,
    parsed: ParsedQuery,
    place: Place | None,
    locality: Locality,
    facet: FacetFilter,
    limit: int,
    profile: bool,
) -> list[str]:
    """Ids that pass the filters, tier by tier: all that serve the place, near ones ring by ring, then far.

    The code filters are tags in the same FTS5 query as the words and the place
    (filtered first, in the index); age, status and "open at" are SQL beside it.
    """
    where = facet.where(tagged=False)
    filters = facet.tags()
    # A capped draw (the nearest N, the first N) first takes what is known to fit every
    # filter, then what is known or not stated: a known fit is never crowded out of the cap
    # by nearer services that do not say (it ranks before them, core.ranking.rank_key).
    passes = [facet]
    if facet.outcome_tests():
        passes.insert(0, replace(facet, known_only=True))
    # When the strict pass differs only in its SQL (age, gender, substances: no tags), both
    # come from one query (SearchQueries.matching_known): the same lists, one FTS5 search.
    known = passes[0].where(tagged=False) if len(passes) > 1 and passes[0].tags() == filters else None
    page = limit * 3 if profile else limit  # client mode reorders by eligibility: it needs more
    here = (
        (place.latitude, place.longitude)
        if place and place.latitude is not None and place.longitude is not None
        else None
    )

    def combine(*parts: str, tags: str = filters) -> str:
        return " AND ".join(f"({p})" for p in (*parts, tags) if p)

    def capped(draw: Callable[[FacetFilter], list[str]], cap: int) -> list[str]:
        """A capped draw as kept; and when it filled its cap, strictly filtered too, known fits first.

        Under its cap the draw holds every match, the known fits among them: a strict pass
        then could only find them again.
        """
        kept = draw(passes[-1])
        if len(passes) == 1 or len(kept) < cap:
            return kept
        return list(dict.fromkeys([*draw(passes[0]), *kept]))

    def nearest(text: str, km: float, limit: int, inner: Sequence[float] = INNER_RINGS_KM) -> list[str]:
        """The ``limit`` matches of ``text`` nearest the place within the ring of ``km``, nearest first.

        The ``inner`` rings are looked in first, only to be quicker: when one holds ``limit``
        matches they are the nearest in the whole ring, so the answer is the same whichever
        are tried. A caller leaves out those it knows cannot hold that many.
        """
        rings = (*(r for r in inner if r < km), km)

        def draw(f: FacetFilter) -> list[str]:
            found: list[str] = []
            for r in rings:
                ring = locality.ring(r)
                if not ring:
                    return []
                inner = None if r == km else r  # the last ring as the cells cover it, as always
                expr = combine(text, ring, tags=f.tags())
                found = queries.matching(expr, f.where(tagged=False), limit, locality.centres, within_km=inner)
                if len(found) >= limit:
                    break
            return found

        if known is None:
            return capped(draw, limit)
        kept = sure = None
        firsts: list[str] = []
        fits: list[str] = []
        for r in rings:
            ring = locality.ring(r)
            if not ring:
                return []
            within = None if r == km else r
            firsts, fits = queries.matching_known(
                combine(text, ring), where, known, limit, locality.centres, within_km=within
            )
            kept = firsts if kept is None and len(firsts) >= limit else kept
            sure = fits if sure is None and len(fits) >= limit else sure
            if kept is not None and sure is not None:
                break
        kept, sure = (firsts if kept is None else kept), (fits if sure is None else sure)
        return kept if len(kept) < limit else list(dict.fromkeys([*sure, *kept]))

    def first(cap: int, *parts: str) -> list[str]:
        """The first ``cap`` matches of ``parts`` in index order; with no words or tags at all, the nearest."""

        def draw(f: FacetFilter) -> list[str]:
            expr = combine(*parts, tags=f.tags())
            if not expr:
                return queries.filtered_ids(f.where(), cap, here)
            return queries.matching(expr, f.where(tagged=False), cap)

        expr = combine(*parts)
        if known is None or not expr:
            return capped(draw, cap)
        kept, sure = queries.matching_known(expr, where, known, cap)
        return kept if len(kept) < cap else list(dict.fromkeys([*sure, *kept]))

    def retrieve(text: str, strong: str, serving_only: bool = False) -> list[str]:
        """Every tier-0 match (never capped); then, unless those fill the page, the nearest others.

        First the services that may serve the place (its areas, national, close by):
        all of them, each placed in its tier. A page of tier-0 matches is a page no other
        service can enter (core.ranking.rank_class). Otherwise tier 1: the
        :data:`NEAR_CANDIDATES` nearest matches within :data:`~core.locality.LOCAL_KM`
        and as many whose place is not known, a fixed number, so the order never
        depends on the page size. Only while the page is still short, far ones: within
        the wider ring by name, category or keyword, nearest first, then anywhere.
        """
        # words that match nowhere (with the code filters) match in no draw: one cheap look
        # instead of every draw finding nothing (several milliseconds each at 100k)
        found = not text or queries.any_match(combine(text))
        rows = queries.placed_matches(combine(text, locality.serving()), where, locality.centres) if found else []
        ids = dict.fromkeys(
            r[0] for r in rows if locality.tier_of(r[1], bool(r[2]), bool(r[3]), bool(r[4]), r[5]) == SERVES
        )
        if serving_only or len(ids) >= page:
            return list(ids)
        ids.update(dict.fromkeys(r[0] for r in rows))  # close by, but serving other areas only
        near: list[str] = []
        asked = 0
        if found:
            ids.update(dict.fromkeys(first(NEAR_CANDIDATES, text, any_tag([UNPLACED_TAG]))))
            asked = NEAR_CANDIDATES + len(ids)
            # Every match within CLOSE_KM is among the rows above (the serving expression holds
            # that ring), fewer than asked for: that ring cannot fill. A wider inner ring is
            # worth a look only when the matches close by are dense enough to fill it.
            close = sum(1 for r in rows if r[5] is not None and r[5] <= CLOSE_KM)
            inner = [r for r in INNER_RINGS_KM if r > CLOSE_KM and close * (r / CLOSE_KM) ** 2 >= asked]
            near = nearest(text, LOCAL_KM, asked, inner)
            ids.update(dict.fromkeys(near))
        cap = max(FAR_CANDIDATES, page)
        # the far draws' words (strong columns) match a subset of the text's: when the text
        # matches nowhere they do too, and the look that would say so costs a full draw
        if len(ids) < page and strong and (not found or not queries.any_match(combine(strong))):
            return list(ids)  # the far draws' words match nowhere either
        # Only a matter of speed (nearest's inner rings change no answer): the far draws'
        # words (strong columns) match a subset of those above, so when the draw within
        # LOCAL_KM found all there are, fewer than cap, no inner ring can hold cap.
        far_inner = INNER_RINGS_KM if found and len(near) >= min(asked, cap) else ()
        for km in RINGS_KM[1:]:
            if len(ids) < page:
                ids.update(dict.fromkeys(nearest(strong, km, cap, far_inner)))
        if len(ids) < page:
            ids.update(dict.fromkeys(first(cap, strong)))
        return list(ids)

    if parsed.is_empty:
        return retrieve("", "")

    # each word's expression worked out once per set of columns (prefix look-ups, synonym tags)
    groups: dict[tuple[str, ...], list[str]] = {
        columns: word_groups(queries, parsed, columns) for columns in (SEARCH_COLUMNS, STRONG_COLUMNS)
    }

    def text(columns: tuple[str, ...], joiner: str) -> str:
        return joiner.join(groups[columns])

    ids = retrieve(text(SEARCH_COLUMNS, " AND "), text(STRONG_COLUMNS, " AND "))
    typed = sorted(typed_words(parsed))
    if typed:
        # a service whose name holds every typed word, wherever it is: the one asked for by name
        by_name_words = "{name} : (" + " AND ".join(fts_term(w) for w in typed) + ")"
        seen = set(ids)
        ids += [sid for sid in first(NAMED_CANDIDATES, by_name_words) if sid not in seen]
    if len(parsed.groups) > 1:
        # services that serve the place and match some of the words rank with near ones
        # matching all (core.ranking.rank_class): always look at those; further ones
        # matching some words only when the page is still short
        partial = retrieve(text(SEARCH_COLUMNS, " OR "), text(STRONG_COLUMNS, " OR "), serving_only=len(ids) >= page)
        seen = set(ids)
        ids += [sid for sid in partial if sid not in seen]
    return ids


def words_expression(queries: SearchQueries, parsed: ParsedQuery, columns: Sequence[str], joiner: str) -> str:
    """Each typed word's terms (in ``columns``), or for a substance word its tags too, joined by AND or OR (:func:`word_groups`)."""
    return joiner.join(word_groups(queries, parsed, columns))


def word_groups(queries: SearchQueries, parsed: ParsedQuery, columns: Sequence[str]) -> list[str]:
    """Each typed word's expression: its terms (in ``columns``), or for a substance word its tags too.

    A synonym set all of whose terms a word stands for is asked for as the set's one tag
    (``store.search_synonyms``: exactly the services holding one of its terms in those
    columns), when the index holds it; the word's other terms (itself as a prefix, a
    stem, a correction) as terms.
    """
    cols = "{" + " ".join(columns) + "}"
    groups = []
    for group in parsed.groups:
        plain = {t.text for t in group.terms if not t.prefix}
        tags: list[str] = []
        covered: set[str] = set()
        for synonyms in covering_sets(plain):
            tag = synonym_tag(synonyms, columns)
            if tag is not None and queries.has_tag(tag):
                tags.append(tag)
                covered |= synonyms.terms
        parts = []
        terms = fts_terms(queries, group, covered)
        if terms:
            parts.append(f"{cols} : ({' OR '.join(terms)})")
        if tags:
            parts.append(any_tag(tags))
        expr = parts[0] if len(parts) == 1 else " OR ".join(f"({p})" for p in parts)
        if group.substance:
            # a service listing the substance asked about (or any substance) matches that
            # word whatever its text says: exactly what core.ranking.text_score counts
            substance = any_tag(substance_tag(code) for code in (group.substance, "any"))
            expr = f"({expr}) OR ({substance})"
        groups.append(f"({expr})")
    return groups


def counted_expression(queries: SearchQueries, parsed: ParsedQuery, locality: Locality) -> str:
    """What filter counts are over: services matching any of the words that may serve the place (``Locality.serving``).

    Any, not every: the list shows services serving the place that match some of the words
    too (after those matching all), and the counts are about the list.

    Its area or the nation, or a point within about :data:`~core.locality.CLOSE_KM` (the
    map cells covering that circle); with no place, Coventry and Warwickshire. Services
    nothing places are not counted: at national scale they would be most of the count and
    say nothing about here.
    """
    text = "" if parsed.is_empty else words_expression(queries, parsed, SEARCH_COLUMNS, " OR ")
    return " AND ".join(f"({p})" for p in (text, locality.serving()) if p)


def fts_terms(queries: SearchQueries, group: TermGroup, covered: Set[str] = frozenset()) -> list[str]:
    """One group's terms as FTS5 strings, but those ``covered`` (whole terms a synonym tag stands for); a prefix as the few indexed words it stands for.

    FTS5 answers "drug*" by merging the lists of every word starting so before it can
    intersect anything (20-30 ms at 100,000 services); the same words named one by one
    are intersected with the place lazily, in about a millisecond. A prefix that more
    than :data:`PREFIX_WORDS` words start with stays a prefix. Phrases are the slowest
    part of a query (every word's positions compared), so one that holds a word the
    group also has on its own is left out: its matches are among that word's anyway,
    and the ranking still scores the phrase.
    """
    out: list[str] = []
    singles = {t.text for t in group.terms if " " not in t.text}
    for term in group.terms:
        if not term.prefix and term.text in covered:
            continue  # searched as its synonym set's tag
        if " " in term.text and singles & set(term.text.split()):
            continue  # a phrase holding one of the group's single words finds nothing that word does not
        if term.prefix:
            named = queries.words_with_prefix(term.text, PREFIX_WORDS)
            if named is not None:
                out += [fts_term(w) for w in named] or [fts_term(term.text)]
                continue
        out.append(fts_term(term.text, term.prefix))
    return list(dict.fromkeys(out))
