"""Relevance: whether the right service comes first in the real directory, at 10k and at 100k services, and how fast.

    .venv/bin/python bench/relevance_bench.py [--sizes 0,10000,100000] [--repeat 3]
        [--postcodes FILE] [--json FILE]

Runs every query of the judged set (bench/relevance/queries.toml: at least 60 queries
written from the people in the source documents, each with the services that must come
first) through the app's own search, ``SearchEngine(store).search(text, Filters(...))``
on a directory opened as the command line opens it, over

- size 0: the real directory (the shipped edition);
- size N: the real directory plus N synthetic "national" services (10,000 and 100,000):
  copies of the directory's local services moved to English towns, at the postcode
  district centres of ``academe/UK-Postcodes postcodes.csv @b0ec095``
  (https://github.com/academe/UK-Postcodes, commit b0ec095967119671347074f44dd0a62f9e0830f1;
  see bench/relevance/national_feed.py). The feed is an HSDS 3.0 JSON file imported beside
  the edition the real way, ``coventry-directory import FILE --db DB --source national``.

For each size it reports success@3 and nDCG@5 (bench/relevance/relevance_set.py), the
latency of each search in-process (p50, p95, after one warm-up search), the first query
after start (a fresh process: open the directory, search once), and the same scores and
latencies for a plain FTS5 baseline over the same database in the same run: a ``MATCH``
of the query's words, each quoted, OR'd, ranked by ``bm25()`` (no places, no filters).
The answers are checked at every size: the database holds the edition and the imported
copies, every service the judged set names is there, and a sampled copy is found.

Targets: success@3 at 100k no lower than in the real directory alone; p95 at most 10 ms at 100k in-process;
the first query after start at most 300 ms. Prints Markdown tables for docs/benchmarks.md.

postcodes.csv: give its path with --postcodes, or put it at
bench/.cache/relevance/postcodes.csv (``git show b0ec095:postcodes.csv`` in a clone of
academe/UK-Postcodes). Generated feeds and databases are cached under bench/.cache/relevance/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "relevance"))

import national_feed
from relevance_set import Query, Score, load_queries, score, summarise

from coventry_directory.core.distance_words import distance_text
from coventry_directory.core.editions import open_directory
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.text import words
from coventry_directory.store.schema import SEARCH_TABLE

CACHE = HERE / ".cache" / "relevance"
SHIPPED = ROOT / "resources" / "directory.db"
CLI = ROOT / ".venv" / "bin" / "coventry-directory"
FEED_CODE = Path(national_feed.__file__)  # a change to how copies are made rebuilds the cached feeds
LIMIT = 20  # what the app and `search` show by default; the scores look at the first five
FIRST_QUERY = "outreach-needle-exchange-near-bedworth"
TARGET_P95_MS, TARGET_FIRST_MS = 10.0, 300.0


# --- the directories ---------------------------------------------------------------------
def _digest(paths: list[Path], *extra: object) -> str:
    h = hashlib.sha256(repr(extra).encode())
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _code_files() -> list[Path]:
    """What decides the content of an imported database (not the search code, which only reads it)."""
    pkg = ROOT / "coventry_directory"
    files = [
        *sorted((pkg / "store").rglob("*.py")),
        *sorted((pkg / "exchange").rglob("*.py")),
        pkg / "core" / "places.py",
    ]
    return [*files, ROOT / "resources" / "places.toml", SHIPPED]


def directory_for(size: int, postcodes: Path) -> tuple[Path, int]:
    """The database for one size (built once, cached) and how many copies the import skipped."""
    run = CACHE / f"db-{size}-{_digest([*_code_files(), FEED_CODE], size)}"
    db = run / "directory.db"
    done = run / "import.json"
    if done.is_file():
        return db, json.loads(done.read_text())["skipped"]
    for old in CACHE.glob(f"db-{size}-*"):  # an older build of this size: 1.5 GB at 100k
        shutil.rmtree(old, ignore_errors=True)
    run.mkdir(parents=True)
    shutil.copyfile(SHIPPED, db)
    skipped = 0
    if size:
        feed = national_feed_file(size, postcodes)
        env = {**os.environ, "COVENTRY_DIRECTORY_HOME": str(run / "home")}
        argv = [str(CLI), "import", str(feed), "--db", str(db), "--source", "national", "--json"]
        t0 = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"import failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        skipped = json.loads(proc.stdout)["skipped"]
        print(f"  imported {size:,} national services in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    done.write_text(json.dumps({"size": size, "skipped": skipped}))
    return db, skipped


def national_feed_file(size: int, postcodes: Path) -> Path:
    """The synthetic national feed of ``size`` services (written once, cached)."""
    store = open_directory(SHIPPED)
    try:
        services = store.all_services()
    finally:
        store.close()
    districts = national_feed.read_districts(postcodes)
    key = _digest([SHIPPED, FEED_CODE], size, national_feed.POSTCODES_BLOB)
    path = CACHE / f"national-{size}-{key}.json"
    if not path.is_file():
        for old in CACHE.glob(f"national-{size}-*.json"):
            old.unlink()
        t0 = time.perf_counter()
        national_feed.write_feed(path, services, districts, size)
        print(f"  wrote {path.name} ({len(districts)} districts) in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return path


def _count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM service").fetchone()[0]
    finally:
        conn.close()


def check_directory(db: Path, size: int, skipped: int, queries: list[Query]) -> int:
    """The answers this size can be scored on are there; returns the number of services."""
    total, edition = (_count(path) for path in (db, SHIPPED))
    assert total == edition + size - skipped, f"{total} services, expected {edition} + {size} - {skipped} skipped"
    store = open_directory(db)
    try:
        missing = sorted({k for q in queries for k in q.judged_keys() if store.resolve_service_id(k) is None})
        assert not missing, f"judged services missing from the directory: {missing}"
        if size:
            # a copy from the second half of the feed is there, searchable, at its district centre
            ids = (store.resolve_service_id(f"national-{n:06d}") for n in range(size // 2, size))
            sid = next(i for i in ids if i)
            svc = store.services([sid])[0]
            assert svc.locations and svc.locations[0].latitude is not None, svc.key
            hits = SearchEngine(store).search(svc.name, limit=LIMIT).hits
            assert any(h.name == svc.name for h in hits), f"{svc.key} ({svc.name}) is not found by its name"
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            indexed = conn.execute(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE service_id = ?", [sid]).fetchone()
            conn.close()
            assert indexed == (1,), f"{svc.key} is not in the search index"
    finally:
        store.close()
    return total


# --- running the queries ---------------------------------------------------------------------
def filters_for(q: Query) -> Filters:
    """The query's filters as the search API takes them."""
    fields = dict(q.filters)
    if q.near is not None:
        fields["near"] = q.near
    if q.age is not None:
        fields["age"] = q.age
    try:
        return Filters(**fields)
    except TypeError as exc:  # the search API lost a field the judged set uses
        raise SystemExit(f"{q.id}: the search filters cannot take {fields}: {exc}") from None


def engine_keys(engine: SearchEngine, q: Query) -> tuple[list[str], str | None, list[str]]:
    """The ranked service keys the app's search returns for ``q``, an error in words, and the top five shown.

    Each distance is worded as the app words it ("in Rugby", "about 5 km"), never "0 km".
    """
    try:
        result = engine.search(q.text, filters_for(q), limit=LIMIT)
    except Exception as exc:  # an unknown place, or a fault: counted as no answer, and reported
        return [], f"{type(exc).__name__}: {exc}", []
    shown = []
    for h in result.hits[:5]:
        words = distance_text(h.distance_km, result.place)
        shown.append(
            (h.key if not h.key.startswith("national-") else f"{h.name} [copy]") + (f" ({words})" if words else "")
        )
    return [h.key for h in result.hits], None, shown


class Bm25Baseline:
    """A plain FTS5 search: the query's words, quoted and OR'd, ranked by bm25() over every column."""

    def __init__(self, db: Path):
        self._conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def keys(self, q: Query, limit: int = LIMIT) -> list[str]:
        """The ranked service keys for ``q``'s text (places and filters are not used)."""
        terms = words(q.text)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self._conn.execute(
            f"SELECT f.key FROM {SEARCH_TABLE} s JOIN service_facets f ON f.service_id = s.service_id "
            f"WHERE {SEARCH_TABLE} MATCH ? ORDER BY bm25({SEARCH_TABLE}) LIMIT ?",
            [match, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


def pct(values: list[float], p: float) -> float:
    """The ``p``th percentile (nearest rank) of ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def first_query_ms(db: Path, q: Query) -> tuple[float, float]:
    """A fresh process: (ms to open the directory and run one search, ms from start to exit)."""
    argv = [sys.executable, __file__, "--first-query", str(db), "--query", q.id]
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    whole = (time.perf_counter() - t0) * 1000
    if proc.returncode != 0:
        raise SystemExit(proc.stdout + proc.stderr)
    return float(proc.stdout.strip().splitlines()[-1]), whole


def _first_query_child(db: Path, qid: str) -> None:
    q = next(q for q in load_queries() if q.id == qid)
    t0 = time.perf_counter()
    store = open_directory(db)
    SearchEngine(store).search(q.text, filters_for(q), limit=LIMIT)
    print(f"{(time.perf_counter() - t0) * 1000:.1f}")
    store.close()


def run_size(size: int, queries: list[Query], repeat: int, postcodes: Path) -> dict:
    """Every query at one size, through the engine and the baseline: scores, rankings, latencies."""
    db, skipped = directory_for(size, postcodes)
    total = check_directory(db, size, skipped, queries)
    first, whole = first_query_ms(db, next(q for q in queries if q.id == FIRST_QUERY))
    store = open_directory(db)
    engine = SearchEngine(store)
    baseline = Bm25Baseline(db)
    engine_keys(engine, queries[0])  # the app warms its search (vocabulary) when it starts
    ranked: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    shown: dict[str, list[str]] = {}
    base_ranked: dict[str, list[str]] = {}
    ms: list[float] = []
    base_ms: list[float] = []
    for n in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            keys, error, top = engine_keys(engine, q)
            ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            base = baseline.keys(q)
            base_ms.append((time.perf_counter() - t0) * 1000)
            if n == 0:
                ranked[q.id], base_ranked[q.id], shown[q.id] = keys, base, top
                if error:
                    errors[q.id] = error
            elif keys != ranked[q.id]:
                raise SystemExit(f"{q.id}: the same search gave different results on repeat {n}")
    baseline.close()
    store.close()
    scores = [score(q, ranked[q.id]) for q in queries]
    base_scores = [score(q, base_ranked[q.id]) for q in queries]
    return {
        "size": size,
        "services": total,
        "skipped": skipped,
        "scores": scores,
        "base_scores": base_scores,
        "ranked": ranked,
        "shown": shown,
        "base_ranked": base_ranked,
        "errors": errors,
        "p50": pct(ms, 50),
        "p95": pct(ms, 95),
        "base_p50": pct(base_ms, 50),
        "base_p95": pct(base_ms, 95),
        "first_ms": first,
        "first_process_ms": whole,
    }


# --- the report ---------------------------------------------------------------------------------
def _by(queries: list[Query], runs: list[dict], label: str, groups: dict[str, list[str]]) -> list[str]:
    head = " | ".join(f"{r['services']:,}" for r in runs)
    lines = [f"| {label} | queries | success@3 at {head} services |", "|---|---:|" + "---:|" * len(runs)]
    for name, ids in groups.items():
        cells = []
        for r in runs:
            chosen = [s for s in r["scores"] if s.query in ids and s.answerable]
            cells.append(f"{sum(s.success3 for s in chosen)}/{len(chosen)}" if chosen else "-")
        lines.append(f"| {name} | {len(ids)} | " + " | ".join(cells) + " |")
    return lines


def report(queries: list[Query], runs: list[dict], repeat: int) -> str:
    """The Markdown tables for docs/benchmarks.md."""
    out = [
        "| services | success@3 (bm25) | nDCG@5 (bm25) | no-answer clean@3 (bm25) | p50 ms (bm25) | p95 ms (bm25) | first query ms (whole process) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        e, b = summarise(r["scores"]), summarise(r["base_scores"])
        out.append(
            f"| {r['services']:,} | {e.success3:.2f} ({b.success3:.2f}) | {e.ndcg5:.2f} ({b.ndcg5:.2f}) "
            f"| {e.clean3:.2f} ({b.clean3:.2f}) | {r['p50']:.2f} ({r['base_p50']:.2f}) "
            f"| {r['p95']:.2f} ({r['base_p95']:.2f}) | {r['first_ms']:.0f} ({r['first_process_ms']:.0f}) |"
        )
    e0 = summarise(runs[0]["scores"])
    n_ans, n_none = e0.answerable, e0.no_answer
    out.append(
        f"\n{len(queries)} judged queries ({n_ans} with services that must come first, {n_none} with no right "
        f"answer in the directory); {repeat} repeats; limit {LIMIT}; one core of a 2-core machine."
    )
    skipped = [f"{r['skipped']} of {r['size']:,}" for r in runs if r["skipped"]]
    if skipped:
        out.append(f"Copies the import skipped: {', '.join(skipped)}.")
    last, first = summarise(runs[-1]["scores"]), e0
    out.append(
        "\nTargets: success@3 at the largest size no lower than at the first "
        f"({last.success3:.2f} vs {first.success3:.2f}: {'met' if last.success3 >= first.success3 else 'NOT met'}); "
        f"p95 ≤ {TARGET_P95_MS:.0f} ms ({runs[-1]['p95']:.2f}: {'met' if runs[-1]['p95'] <= TARGET_P95_MS else 'NOT met'}); "
        f"first query ≤ {TARGET_FIRST_MS:.0f} ms ({max(r['first_ms'] for r in runs):.0f}: "
        f"{'met' if max(r['first_ms'] for r in runs) <= TARGET_FIRST_MS else 'NOT met'})."
    )
    personas = {p: [q.id for q in queries if q.persona == p] for p in dict.fromkeys(q.persona for q in queries)}
    kinds = {k: [q.id for q in queries if k in q.kinds] for k in dict.fromkeys(k for q in queries for k in q.kinds)}
    out += ["", *_by(queries, runs, "persona", personas), "", *_by(queries, runs, "kind", kinds)]
    out += [
        "",
        "| query | text | near | " + " | ".join(f"{r['services']:,}" for r in runs) + " | top 3 at the largest size |",
    ]
    out.append("|---|---|---|" + "---:|" * len(runs) + "---|")
    for q in queries:
        ss: list[Score] = [next(s for s in r["scores"] if s.query == q.id) for r in runs]
        bad = (not s.success3 for s in ss) if q.answerable else (not s.clean3 for s in ss)
        if any(bad):
            cells = [
                ("ok" if (s.success3 if q.answerable else s.clean3) else "miss" if q.answerable else "unclean")
                + (f" (#{s.rank})" if s.rank else "")
                for s in ss
            ]
            top = "; ".join(runs[-1]["shown"][q.id][:3]) or runs[-1]["errors"].get(q.id, "nothing")
            out.append(f"| {q.id} | {q.text} | {q.near or ''} | " + " | ".join(cells) + f" | {top} |")
    return "\n".join(out)


def sizes_arg(text: str) -> list[int]:
    """``--sizes``: whole numbers of 0 or more, comma-separated (argparse says what is wrong, exit 2)."""
    sizes = [n for n in (_whole(part, 0) for part in text.split(",")) if n is not None]
    if len(sizes) != text.count(",") + 1:
        raise argparse.ArgumentTypeError(f"want whole numbers of 0 or more, comma-separated (0,10000), not {text!r}")
    return sizes


def repeat_arg(text: str) -> int:
    """``--repeat``: a whole number of 1 or more (every query is searched at least once)."""
    n = _whole(text, 1)
    if n is None:
        raise argparse.ArgumentTypeError(f"want a whole number of 1 or more, not {text!r}")
    return n


def _whole(text: str, least: int) -> int | None:
    try:
        n = int(text)
    except ValueError:
        return None
    return n if n >= least else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes",
        type=sizes_arg,
        default=[0, 10000, 100000],
        metavar="N,N...",
        help="national services beside the edition",
    )
    parser.add_argument("--repeat", type=repeat_arg, default=3, metavar="N", help="times each query is run (1 or more)")
    parser.add_argument("--postcodes", type=Path, default=CACHE / "postcodes.csv")
    parser.add_argument("--json", type=Path, help="also write every ranking and score here")
    parser.add_argument("--first-query", type=Path, help=argparse.SUPPRESS)  # internal: the fresh-process timing
    parser.add_argument("--query", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_query:
        _first_query_child(args.first_query, args.query)
        return 0
    os.environ.setdefault("COVENTRY_DIRECTORY_HOME", str(CACHE / "home"))  # logs stay out of the user's folder
    sizes = args.sizes
    if any(sizes) and not args.postcodes.is_file():
        raise SystemExit(f"{args.postcodes} not found: see 'postcodes.csv' in this script's docstring")
    queries = load_queries()
    runs = []
    for size in sizes:
        print(f"size {size:,}:", file=sys.stderr)
        runs.append(run_size(size, queries, args.repeat, args.postcodes))
        s = summarise(runs[-1]["scores"])
        print(
            f"  success@3 {s.success3:.2f} nDCG@5 {s.ndcg5:.2f} p95 {runs[-1]['p95']:.2f} ms",
            file=sys.stderr,
        )
    print(report(queries, runs, args.repeat))
    if args.json:
        detail = [{k: v for k, v in r.items() if k not in ("scores", "base_scores")} for r in runs]
        for d, r in zip(detail, runs, strict=True):
            d["scores"] = [s.__dict__ for s in r["scores"]]
            d["base_scores"] = [s.__dict__ for s in r["base_scores"]]
        args.json.write_text(json.dumps(detail, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
