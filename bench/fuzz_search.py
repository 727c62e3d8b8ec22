"""Search fuzz: any query text and any filter values, and search never raises (but for an unknown place).

    .venv/bin/python bench/fuzz_search.py [--examples 100000] [--seed 0]

Hypothesis draws the query text and every ``Filters`` field - text with lone surrogates,
NUL and control characters, FTS5 syntax, huge strings, unknown and real codes, huge and
negative ages and limits, places real and made up, any moment - and runs each through
``SearchEngine.search`` against the real directory (compiled from resources/directory). The
only exception allowed is the documented one, ``core.places.UnknownPlace``; every other is
counted. Prints the count (it must be 0; the exit code is 1 otherwise) and the first few, for
docs/benchmarks.md. tests/test_search_fuzz.py runs the same strategy with a few thousand
examples.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from coventry_directory.core.places import UnknownPlace
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.store.directory import DirectoryStore

SPECIAL = ['"', "AND(", "OR", "NOT", "*", "NEAR(", "^", ":", "(", ")", "\0", "\ud800", "\udcff", "\u202e", "\x1b[2J"]
PLACES = ["Rugby", "CV21 3AB", "CV12", "Coventry", "Nuneaton and Bedworth", "B1 1AA", "Stratford-upon-Avon"]


def _codes(taxonomy: str) -> list[str]:
    return list(vocabularies()[taxonomy].codes())


# Any code point, surrogates and control characters included (st.text leaves surrogates out).
ANY_CHAR = st.characters(codec=None, categories=None)
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.text(ANY_CHAR, min_size=1, max_size=20).map(lambda t: t * 100),  # long, and cheap to draw
    st.lists(st.sampled_from(SPECIAL + ["naloxone", "needle exchange", "nalaxone", "alcohol 16"]), max_size=8).map(
        " ".join
    ),
    st.integers(min_value=1000, max_value=200_000).map(lambda n: "x" * n),
)
BIG_INT = st.one_of(st.integers(-200, 200), st.integers(), st.sampled_from([-(2**63), 2**63 - 1, 2**64, -(2**70)]))


def code_list(taxonomy: str):
    """A list of codes: real ones, any text, or very many."""
    one = st.one_of(st.sampled_from(_codes(taxonomy)), TEXT)
    short = st.one_of(st.sampled_from(_codes(taxonomy)), st.text(ANY_CHAR, max_size=10))
    many = st.tuples(short, st.integers(100, 400)).map(lambda p: [f"{p[0]}{i}" for i in range(p[1])] + [p[0]])
    return st.one_of(st.lists(one, max_size=5), many, one.map(lambda c: (c,)), one)  # a bare string too


MOMENT = st.one_of(
    st.none(),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.sampled_from([dt.datetime.min, dt.datetime.max, dt.datetime.min.replace(tzinfo=dt.UTC)]),
)


@st.composite
def search_calls(draw):
    """(query, Filters, limit) for one ``SearchEngine.search`` call."""
    filters = Filters(
        categories=draw(code_list("category")),
        near=draw(st.one_of(st.none(), st.sampled_from(PLACES), TEXT)),
        age=draw(st.one_of(st.none(), BIG_INT)),
        gender=draw(st.one_of(st.none(), st.sampled_from(["female", "male", "any"]), TEXT)),
        substances=draw(code_list("substance")),
        groups=draw(code_list("client_group")),
        routes=draw(code_list("referral_route")),
        modes=draw(code_list("delivery_mode")),
        language=draw(st.one_of(st.none(), st.sampled_from(["pl", "ro", "ar", "en"]), TEXT)),
        free=draw(st.booleans()),
        open_at=draw(MOMENT),
    )
    return draw(TEXT), filters, draw(BIG_INT)


def attempt(engine: SearchEngine, query: str, filters: Filters, limit: int) -> BaseException | None:
    """Run one search; the exception it raised (None if none, or only the allowed UnknownPlace)."""
    try:
        engine.search(query, filters, limit=limit)
    except UnknownPlace:
        return None
    except Exception as exc:
        return exc
    return None


def run(store: DirectoryStore, examples: int, seed_value: int = 0) -> tuple[int, Counter, list[str]]:
    """Fuzz ``examples`` searches; returns (examples run, exception counts by type, first few described)."""
    engine = SearchEngine(store)
    kinds: Counter = Counter()
    first: list[str] = []
    ran = [0]

    @seed(seed_value)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # count every failure; no shrinking, no replay
        suppress_health_check=list(HealthCheck),
    )
    @given(search_calls())
    def one(call):
        ran[0] += 1
        exc = attempt(engine, *call)
        if exc is not None:
            kinds[type(exc).__name__] += 1
            if len(first) < 5:
                first.append("".join(traceback.format_exception(exc))[-600:] + f"\ninput: {call!r:.300}")

    one()
    return ran[0], kinds, first


def main() -> int:
    """Fuzz the real directory; print the result; exit 1 if any search raised."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from coventry_directory.core.build import build_database

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "directory.db"
        build_database(path)
        store = DirectoryStore.open(path, readonly=True)
        try:
            started = time.monotonic()
            ran, kinds, first = run(store, args.examples, args.seed)
            took = time.monotonic() - started
        finally:
            store.close()
    total = sum(kinds.values())
    print(f"{ran} searches in {took:.0f} s ({took / max(ran, 1) * 1000:.2f} ms each); exceptions: {total}")
    for name, count in kinds.most_common():
        print(f"  {name}: {count}")
    for text in first:
        print("---\n" + text)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
