"""Search's shortcuts change no answer: each is checked against the long way round.

The shortcuts (``core.candidates``, ``core.search``, ``core.ranking``) only leave work out
that cannot change the list: draws of words that match nowhere, inner rings that cannot
fill, far candidates that cannot reach the page, a query's terms worked out once. Each
test runs the same searches with the shortcut taken and not, and compares everything a
hit holds, for several page sizes and in client mode.
"""

from __future__ import annotations

import pytest

from coventry_directory.core import candidates
from coventry_directory.core.eligibility import ClientProfile
from coventry_directory.core.query import parse_query
from coventry_directory.core.ranking import FIELD_WEIGHTS, SUBSTANCE_ANY, SUBSTANCE_LISTED, TREATMENT, TextScorer
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.search_queries import SearchQueries

# words that match everywhere, nowhere together, misspelt, prefixes, substances, filters
SEARCHES = [
    ("refer patient for alcohol treatment", Filters(near="Nuneaton")),
    ("leaving HMP Hewell back to Coventry on a script", Filters()),
    ("sleeping out in the freezing cold", Filters(near="Coventry")),
    ("alchohol detox at home", Filters(near="Rugby")),
    ("worried about my dad drinking", Filters(age=14)),
    ("hostel", Filters(near="Coventry", age=40)),
    ("punjabi speaking detox rehab", Filters(language="pa")),
    ("needle exchange", Filters(near="Bedworth")),
    ("naloxone", Filters(categories=("naloxone",), near="Rugby")),
    ("drug test on arrest trigger offence", Filters()),
    ("depressed and drinking", Filters(near="Rugby", gender="female")),
    ("xyzzyq plugh", Filters(near="Leamington Spa")),
    ("", Filters(near="Stratford-upon-Avon", free=True)),
]
LIMITS = (1, 5, 20, 60)


@pytest.fixture(scope="module")
def engine(built_directory):
    store = DirectoryStore.open(built_directory)
    yield SearchEngine(store)
    store.close()


def answers(engine: SearchEngine, profile: ClientProfile | None = None) -> list:
    """Every hit of every search, as plain values, for each page size."""
    out = []
    for text, filters in SEARCHES:
        for limit in LIMITS:
            result = engine.search(text, filters, limit=limit, profile=profile)
            out.append([(h.id, h.score, h.distance_km, h.matched, h.checks, h.verdict) for h in result.hits])
    return out


@pytest.mark.parametrize("profile", [None, ClientProfile(age=30, area="coventry", substances=("alcohol",))])
def test_no_shortcut_changes_a_list(engine, monkeypatch, profile):
    quick = answers(engine, profile)
    assert any(quick)
    # the long way round: every draw run, more inner rings, every candidate scored
    monkeypatch.setattr(SearchQueries, "any_match", lambda self, expr: True)
    monkeypatch.setattr(candidates, "INNER_RINGS_KM", (2.0, 4.0, candidates.CLOSE_KM, 15.0))
    score = SearchEngine._score
    monkeypatch.setattr(SearchEngine, "_score", lambda self, *args: score(self, *args[:8]))
    assert answers(engine, profile) == quick
    # and with no inner ring at all
    monkeypatch.setattr(candidates, "INNER_RINGS_KM", ())
    assert answers(engine, profile) == quick


@pytest.mark.parametrize("words", ["alcohol", "drug", "support", "naloxone"])
@pytest.mark.parametrize("near", ["Coventry", "Rugby", "Nuneaton"])
def test_a_full_inner_ring_holds_the_nearest_of_the_whole_ring(engine, words, near):
    """Why inner rings may be tried or not as suits: when one fills, its matches are the whole ring's nearest."""
    from coventry_directory.core.locality import LOCAL_KM, locality_of
    from coventry_directory.core.places import resolve_place

    queries = engine.store.queries
    locality = locality_of(resolve_place(near))
    text = '{name organization categories keywords description} : ("' + words + '")'
    where = ("f.status NOT IN ('inactive', 'defunct')", [])
    filled = 0
    for limit in (1, 3, 8, 20):
        whole = queries.matching(f"({text}) AND ({locality.ring(LOCAL_KM)})", where, limit, locality.centres)
        for km in (2.0, 4.0, candidates.CLOSE_KM, 15.0):
            inner = queries.matching(
                f"({text}) AND ({locality.ring(km)})", where, limit, locality.centres, within_km=km
            )
            if len(inner) >= limit:
                filled += 1
                assert inner == whole
    assert filled


def test_any_match_says_whether_anything_matches(engine):
    queries = engine.store.queries
    assert queries.any_match('{name} : ("naloxone")')
    assert not queries.any_match('{name} : ("naloxone" AND "xyzzyq")')


def reference_text_score(groups, row, facets):
    """The text score as it was first written, term by term for each candidate: the oracle."""
    if not groups:
        return 0.0, (), True
    row = row or {}
    fields = {col: row.get(col) or " " for col in FIELD_WEIGHTS}
    everything = "|".join(fields.values())
    best_possible = max(FIELD_WEIGHTS.values())
    total, covered, matched = 0.0, 0, set()
    for group in groups:
        best = 0.0
        for term in group.terms:
            needle = " " + term.text
            if needle not in everything:
                continue
            for col, text in fields.items():
                if needle + " " in text:
                    value = term.weight * FIELD_WEIGHTS[col]
                elif term.prefix and needle in text:
                    value = 0.8 * term.weight * FIELD_WEIGHTS[col]
                else:
                    continue
                if value > best:
                    best = value
                matched.add(col)
        if group.substance:
            listed = facets.get("substances") or ""
            value = (
                SUBSTANCE_LISTED if f" {group.substance} " in listed else SUBSTANCE_ANY if " any " in listed else 0.0
            )
            if value and TREATMENT & set((facets.get("categories") or "").split()):
                value += 0.5
            if value:
                matched.add("substances")
                best = max(best, value)
        if best > 0:
            covered += 1
        total += best
    relevance = total / (best_possible * len(groups))
    coverage = covered / len(groups)
    score = 10.0 * relevance * (0.35 + 0.65 * coverage * coverage)
    return score, tuple(sorted(matched)), covered == len(groups)


@pytest.mark.parametrize(
    "text", ["alchohol detox at home", "needle exch", "heroin methadone script", "cannabis", "dad drinking", ""]
)
def test_text_scorer_scores_as_the_reference(engine, text):
    queries = engine.store.queries
    parsed = parse_query(text, engine.vocabulary, find_place=True)
    ids = queries.filtered_ids(("1", []), None)
    facets, texts, _ = queries.ranking_rows(ids, texts=True)
    scorer = TextScorer(parsed.groups)
    for sid in ids:
        assert scorer(texts.get(sid), facets[sid]) == reference_text_score(parsed.groups, texts.get(sid), facets[sid])
