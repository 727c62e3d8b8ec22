"""Search latency at 1k, 10k and 100k services: our engine next to a plain LIKE scan.

    .venv/bin/python bench/search_bench.py [--sizes 1000,10000,100000] [--repeat 3]

Synthetic directories are built once into bench/.cache/ (100k takes about a minute and a
half and ~800 MB). Prints a Markdown table of p50/p95 per size, for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import build_synthetic

from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.text import words
from coventry_directory.store.directory import DirectoryStore

# A fixed mix: single words, phrases, synonyms, typos, places, ages and filters.
QUERIES: list[tuple[str, Filters | None]] = [
    ("naloxone", None),
    ("needle exchange", None),
    ("alcohol", None),
    ("methadone", None),
    ("housing", None),
    ("nalaxone", None),
    ("methodone", None),
    ("needle exchange bedworth", None),
    ("alcohol 16 year old leamington", None),
    ("young person cannabis", None),
    ("family support", None),
    ("homeless rugby", None),
    ("detox", None),
    ("recovery", None),
    ("treatment service", None),
    ("", Filters(categories=("naloxone",), near="Rugby")),
    ("", Filters(categories=("housing",), age=20)),
    ("support", Filters(substances=("alcohol",))),
    ("mutual aid", Filters(near="CV12")),
    ("criminal justice", None),
]


def like_scan(store: DirectoryStore, query: str, filters: Filters | None) -> list[str]:
    """The naive baseline: every word must appear (LIKE '%word%') in name or description."""
    terms = words(query) or [""]
    where = " AND ".join("(s.name LIKE ? OR s.description LIKE ?)" for _ in terms)
    params = [p for t in terms for p in (f"%{t}%", f"%{t}%")]
    # a naive search must look at every row to order its results, as ours orders by relevance
    return [
        r[0] for r in store._db.execute(f"SELECT s.id FROM service s WHERE {where} ORDER BY s.name LIMIT 20", params)
    ]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        for query, filters in QUERIES:
            start = time.perf_counter()
            fn(query, filters)
            out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        path = build_synthetic(cache / f"synthetic-{n}.db", n)
        built = time.perf_counter() - t0
        store = DirectoryStore.open(path)
        engine = SearchEngine(store)
        t0 = time.perf_counter()
        engine.search("warm up nalaxone")  # vocabulary and typo index, as the app does at start
        warm = (time.perf_counter() - t0) * 1000
        ours = timed(lambda q, f, engine=engine: engine.search(q, f, limit=20), args.repeat)
        like = timed(lambda q, f, store=store: like_scan(store, q, f), args.repeat)
        store.close()
        rows.append(
            (
                n,
                pct(ours, 50),
                pct(ours, 95),
                pct(like, 50),
                pct(like, 95),
                statistics.mean(like) / statistics.mean(ours),
                warm,
                built,
            )
        )
        print(
            f"{n}: engine p50 {rows[-1][1]:.2f} ms p95 {rows[-1][2]:.2f} ms | LIKE p50 {rows[-1][3]:.2f} p95 {rows[-1][4]:.2f}",
            file=sys.stderr,
        )
    print(
        "| services | engine p50 (ms) | engine p95 (ms) | LIKE scan p50 (ms) | LIKE scan p95 (ms) | mean speed-up | first-query warm-up (ms) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, p50, p95, l50, l95, ratio, warm, _ in rows:
        print(f"| {n:,} | {p50:.2f} | {p95:.2f} | {l50:.2f} | {l95:.2f} | {ratio:.1f}× | {warm:.0f} |")
    print(f"\n{len(QUERIES)} queries × {args.repeat} repeats per size; limit 20; one core of a 2-core machine.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
