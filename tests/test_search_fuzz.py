"""Search's input boundary: any query and any filter values, and search answers (or says the place is unknown).

The strategy is bench/fuzz_search.py's, which runs 100,000 examples (docs/benchmarks.md);
here a few thousand run against the real directory, plus the cases that once raised
``UnicodeEncodeError`` (a lone surrogate in a filter reached SQLite) or ``OverflowError``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from fuzz_search import search_calls

from coventry_directory.core.places import UnknownPlace
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.search_input import MAX_CODES, clean_input
from coventry_directory.store.directory import DirectoryStore

FIELDS = ("categories", "substances", "groups", "routes", "modes")


@pytest.fixture(scope="module")
def engine(built_directory):
    store = DirectoryStore.open(built_directory, readonly=True)
    yield SearchEngine(store)
    store.close()


@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(call=search_calls())
def test_search_never_raises_on_any_input(engine, call):
    query, filters, limit = call
    try:
        result = engine.search(query, filters, limit=limit)
    except UnknownPlace:
        return  # the one documented refusal: a --near that is not a place we know
    assert len(result.hits) <= 500


@pytest.mark.parametrize("bad", ["\ud800", "\udcff", "a\udcffb", "\x00", "\x00\ud800"])
def test_a_lone_surrogate_or_nul_in_any_filter_is_harmless(engine, bad):
    for name in FIELDS:
        engine.search("naloxone", Filters(**{name: (bad,)}))
        engine.search("", Filters(**{name: (bad, "alcohol")}))
    engine.search(bad, Filters(language=bad, gender=bad))
    with pytest.raises(UnknownPlace):
        engine.search("", Filters(near=bad + "x"))


def test_the_boundary_cleans_text_and_bounds_numbers():
    query, filters = clean_input(
        "caf\udcff",
        Filters(categories=[f"c{i}" for i in range(1000)], substances="alcohol", age=10**30, language="p\ud800l"),
    )
    assert query == "caf\ufffd" and filters.language == "p\ufffdl"
    assert len(filters.categories) == MAX_CODES and filters.substances == ("alcohol",)  # one bare code, not letters
    assert filters.age == 1000
    _, filters = clean_input("", Filters(age=-(10**30), open_at=dt.datetime.max.replace(tzinfo=dt.UTC)))
    assert filters.age == -1 and filters.open_at is not None and filters.open_at.tzinfo is None


def test_huge_ages_rule_in_and_out_exactly_as_sane_ones(engine):
    # The age is pulled to a bound no real age range reaches, so the answer is the same.
    assert {h.id for h in engine.search("", Filters(age=10**40), limit=500).hits} == {
        h.id for h in engine.search("", Filters(age=1000), limit=500).hits
    }
    assert {h.id for h in engine.search("", Filters(age=-(10**40)), limit=500).hits} == {
        h.id for h in engine.search("", Filters(age=-1), limit=500).hits
    }
