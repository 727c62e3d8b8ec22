"""Open at search at 1k, 10k and 100k services with opening hours: how fast, and is it right.

    .venv/bin/python bench/open_now_bench.py [--sizes 1000,10000,100000] [--repeat 3]

Each directory is the shipped edition plus N synthetic services, every one
with opening hours of the shapes real feeds publish (weekdays nine to five, evenings,
overnight, all day every day, hours bounded by dates, and one in fifty that only the
calendar can place: every other week, the first Monday of the month). The services are an
HSDS 3.0 JSON feed imported beside the edition the real way (``coventry-directory import
FILE --db DB --source bench``), built once into bench/.cache/open-<N>.db.

Timed, in-process, after one warm-up: ``SearchEngine.search`` with ``Filters(open_at=T)``
at eight moments across a week (a weekday morning, a Saturday night, Christmas Day, ...),
with no words, with words, and with words and a place. Checked at every size: for each
moment, the set of services the search's filter keeps equals the services
``core.schedules.record_state`` (the calendar, what details show) says are open, over
the whole directory; and every hit returned says "open", or is marked to check because
its hours are not known (never one they say is closed). Target (issue 14): at most
50 ms at 100k. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from search_bench import pct

from coventry_directory.core import schedules as hours
from coventry_directory.core.ids import stable_id
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.store.directory import DirectoryStore

SHIPPED = ROOT / "resources" / "directory.db"
CLI = ROOT / ".venv" / "bin" / "coventry-directory"
TARGET_MS = 50.0
MOMENTS = [
    datetime(2026, 12, 7, 9, 30),  # Monday morning
    datetime(2026, 12, 9, 13, 0),  # Wednesday lunchtime
    datetime(2026, 12, 11, 18, 45),  # Friday evening
    datetime(2026, 12, 12, 23, 30),  # Saturday night
    datetime(2026, 12, 13, 1, 15),  # small hours of Sunday (overnight hours)
    datetime(2026, 12, 25, 11, 0),  # Christmas Day, a bank holiday
    datetime(2027, 1, 4, 10, 0),  # first Monday of January
    datetime(2026, 12, 16, 7, 59, 59),  # a second before many open
]
SEARCHES = [("", None), ("alcohol", None), ("needle exchange", "Rugby"), ("support", "Coventry")]
WORDS = ["alcohol", "drug", "needle exchange", "support", "family", "housing", "recovery", "treatment"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _schedule(rng: random.Random, n: int, k: int) -> dict:
    shape = rng.random()
    base: dict = {"id": stable_id("bench-schedule", n, k), "freq": "WEEKLY"}
    if shape < 0.02:
        base.update(freq="MONTHLY", byday=f"1{rng.choice(DAYS[:5])}", opens_at="10:00", closes_at="12:00")
    elif shape < 0.04:
        base.update(interval=2, byday=rng.choice(DAYS), dtstart="2026-11-05", opens_at="18:00", closes_at="20:00")
    elif shape < 0.09:
        base.update(freq="DAILY", opens_at="00:00", closes_at="23:59")
    elif shape < 0.19:
        base.update(byday=",".join(rng.sample(["FR", "SA", "SU"], 2)), opens_at="21:00", closes_at="03:00")
    else:
        days = DAYS[:5] if shape < 0.7 else rng.sample(DAYS, rng.randint(1, 4))
        opens = f"{rng.randint(7, 10):02d}:{rng.choice(['00', '30'])}"
        closes = f"{rng.randint(15, 20):02d}:{rng.choice(['00', '30'])}"
        base.update(byday=",".join(days), opens_at=opens, closes_at=closes)
        if shape > 0.9:
            base.update(valid_from="2026-12-01", valid_to="2026-12-31")
    return base


def build(path: Path, n: int) -> Path:
    """The edition plus ``n`` services with opening hours, imported as a feed the real way (built once, reused)."""
    if path.exists():
        return path
    work = path.with_suffix(".building")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rng = random.Random(n)
    org = {"id": stable_id("bench-org"), "name": "Bench Trust"}
    services = [
        {
            "id": stable_id("bench-service", i),
            "name": f"{rng.choice(WORDS).title()} service {i}",
            "description": f"Opening hours test service {i}.",
            "status": "active",
            "organization": org,
            "schedules": [_schedule(rng, i, k) for k in range(rng.randint(1, 2))],
        }
        for i in range(n)
    ]
    feed = work / "feed.json"
    feed.write_text(json.dumps(services), encoding="utf-8")
    db = work / "directory.db"
    shutil.copyfile(SHIPPED, db)
    if n:
        env = {**os.environ, "COVENTRY_DIRECTORY_HOME": str(work / "home")}
        argv = [str(CLI), "import", str(feed), "--db", str(db), "--source", "bench", "--json"]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"import failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    db.rename(path)
    shutil.rmtree(work, ignore_errors=True)
    return path


def check(engine: SearchEngine, at: datetime) -> int:
    """The filter's whole open set equals the calendar's; every hit is open, or not known and marked. Returns how many are open."""
    found = engine.open_ids(at)
    truth = engine.open_by_calendar(engine.store.service_ids(), at)
    if found != truth:
        raise SystemExit(f"wrong at {at}: {len(found ^ truth)} services differ, e.g. {sorted(found ^ truth)[:3]}")
    for text, near in SEARCHES:
        for hit in engine.search(text, Filters(open_at=at, near=near), limit=20).hits:
            unsure = "open_at" in hit.checks
            if hit.open_state == hours.OpenState.CLOSED or (hit.open_state != hours.OpenState.OPEN) != unsure:
                raise SystemExit(f"{text!r} at {at}: {hit.key} is {hit.open_state}, marked {hit.checks}")
    return len(truth)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 1000,10000")
    if args.repeat < 1 or any(n < 0 for n in sizes):
        parser.error("--repeat must be at least 1 and sizes not negative")
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    rows = []
    for n in sizes:
        t0 = time.perf_counter()
        path = build(cache / f"open-{n}.db", n)
        built = time.perf_counter() - t0
        store = DirectoryStore.open(path, readonly=True)
        engine = SearchEngine(store)
        engine.search("warm up", Filters(open_at=MOMENTS[0]))
        opened = [check(engine, at) for at in MOMENTS]
        times = []
        for _ in range(args.repeat):
            for at in MOMENTS:
                for text, near in SEARCHES:
                    start = time.perf_counter()
                    engine.search(text, Filters(open_at=at, near=near), limit=20)
                    times.append((time.perf_counter() - start) * 1000)
        total = store.count_services()
        store.close()
        rows.append((total, pct(times, 50), pct(times, 95), max(times), min(opened), max(opened), built))
        print(f"{n}: p50 {rows[-1][1]:.1f} ms p95 {rows[-1][2]:.1f} ms (built in {built:.0f} s)", file=sys.stderr)
    print("| services | open at one moment | p50 (ms) | p95 (ms) | max (ms) | target |")
    print("|---:|---:|---:|---:|---:|---|")
    for n, p50, p95, worst, lo, hi, _ in rows:
        verdict = "met" if p95 <= TARGET_MS else "missed"
        print(f"| {n:,} | {lo:,}–{hi:,} | {p50:.1f} | {p95:.1f} | {worst:.1f} | ≤ {TARGET_MS:.0f} ms: {verdict} |")
    print(
        f"\n{len(MOMENTS)} moments × {len(SEARCHES)} searches × {args.repeat} repeats per size; limit 20; "
        "each moment's whole open set checked against the calendar."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
