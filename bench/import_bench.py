"""Importing and exporting a national-sized feed: time and peak memory at 1k, 10k and 100k services.

    .venv/bin/python bench/import_bench.py [--sizes 1000,10000,100000]

For each size a feed file of fully nested HSDS 3.0 services (an organisation per ten
services, a place with an address, a phone, a weekly schedule and a taxonomy term each,
the shape real ORUK feeds send) is written to bench/.cache/, then

- ``coventry-directory import FILE --db DB`` runs in a fresh process beside the shipped
  edition (the real path: read, repair, check, write the source, compose the directory,
  rebuild the search index), and
- ``coventry-directory export --format hsds-json --db DB -o DIR`` writes it back out,

each timed from start to exit, with the process's peak resident memory. The answers are
checked at every size: the directory holds the edition plus every feed service, a sampled
service comes back with its phone, hours and place, and the export lists every service.
Targets (issue 13): import 100k in at most 60 s and 500 MB; export 100k in at most 10 s
and 300 MB. Prints a Markdown table for docs/benchmarks.md.

To work on the export alone: ``--keep`` leaves each size's imported directory in
bench/.cache/run-N/, and ``--export-only`` then times only the export of those
directories (``--repeat`` times each, one size after another), still checking that the
export lists every service, with the sampled one whole.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
ROOT = HERE.parent
NS = uuid.UUID("9b0e4e8e-61a7-4c9e-9d5c-1b1d7c3e5f21")
TOWNS = [("Leeds", "LS1", 53.7997, -1.5492), ("Bristol", "BS1", 51.4545, -2.5879), ("Norwich", "NR1", 52.6309, 1.2974)]
DAYS = ("MO", "TU", "WE", "TH", "FR")


def uid(*parts: object) -> str:
    """A stable UUID for one synthetic record."""
    return str(uuid.uuid5(NS, ":".join(map(str, parts))))


def synthetic_service(n: int) -> dict:
    """Service number ``n`` of the synthetic national feed, fully nested as ORUK 3.0 sends it."""
    town, district, lat, lon = TOWNS[n % len(TOWNS)]
    org_id = uid("org", n // 10)
    sid = uid("svc", n)
    loc_id = uid("loc", n)
    return {
        "id": sid,
        "name": f"Recovery support service {n} {town}",
        "description": f"Drug and alcohol recovery support in {town}, number {n}.",
        "status": "active",
        "email": None,  # what live feeds send: repaired, never a reason to refuse
        "minimum_age": "18",
        "organization_id": org_id,
        "organization": {"id": org_id, "name": f"Provider {n // 10}", "description": "A provider."},
        "phones": [{"id": uid("phone", n), "number": f"01632 96{n % 10000:04d}"}],
        "schedules": [
            {
                "id": uid("sch", n),
                "freq": "WEEKLY",
                "byday": DAYS[n % 5],
                "opens_at": "09:00",
                "closes_at": "17:00",
            }
        ],
        "service_at_locations": [
            {
                "id": uid("sal", n),
                "location": {
                    "id": loc_id,
                    "location_type": "physical",
                    "name": f"{town} centre {n}",
                    "latitude": lat + (n % 100) / 10000,
                    "longitude": lon,
                    "addresses": [
                        {
                            "id": uid("addr", n),
                            "address_1": f"{n} Imaginary Street",
                            "city": town,
                            "state_province": "England",
                            "postal_code": f"{district} {n % 9}AA",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "attributes": [
            {
                "id": uid("attr", n),
                "taxonomy_term_id": uid("term", n % 3),
                "taxonomy_term": {
                    "id": uid("term", n % 3),
                    "name": ["Drug and alcohol misuse", "Needle exchange", "Alcohol support"][n % 3],
                    "description": "A national service type.",
                    "taxonomy": "national-types",
                },
            }
        ],
    }


def write_feed(size: int) -> Path:
    """The synthetic feed of ``size`` services, written once (streamed: never all in memory)."""
    path = CACHE / f"feed-{size}.json"
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write("[\n")
        for n in range(size):
            out.write(("," if n else "") + json.dumps(synthetic_service(n)) + "\n")
        out.write("]\n")
    os.replace(tmp, path)
    return path


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run one command in a fresh process: (seconds, peak RSS in MB, stderr)."""
    start = time.perf_counter()
    with open(CACHE / "out.txt", "w+") as out, open(CACHE / "err.txt", "w+") as err:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        # wait4 gives this one child's own peak memory (RUSAGE_CHILDREN would be the largest of all so far)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{stdout}\n{stderr}")
    timed.cpu = usage.ru_utime + usage.ru_stime  # type: ignore[attr-defined]  # less noisy on a shared machine
    return seconds, usage.ru_maxrss / 1024, stdout


def check_directory(db: Path, size: int, edition: int) -> None:
    """Every feed service is there beside the edition, and a sample has its phone, hours and place."""
    with sqlite3.connect(db) as conn:
        total = conn.execute("SELECT count(*) FROM service").fetchone()[0]
        assert total == edition + size, (total, edition, size)
        sample = uid("svc", size // 2)
        phone = conn.execute("SELECT number FROM phone WHERE service_id = ?", [sample]).fetchone()
        hours = conn.execute("SELECT byday, opens_at FROM schedule WHERE service_id = ?", [sample]).fetchone()
        place = conn.execute(
            "SELECT a.postal_code FROM service_at_location sal JOIN address a ON a.location_id = sal.location_id "
            "WHERE sal.service_id = ?",
            [sample],
        ).fetchone()
        fts = conn.execute(
            "SELECT count(*) FROM service_search WHERE service_search MATCH ?", [f'"service {size // 2}"']
        ).fetchone()[0]
    assert phone == (f"01632 96{(size // 2) % 10000:04d}",), phone
    assert hours == (DAYS[(size // 2) % 5], "09:00"), hours
    assert place is not None and place[0].endswith("AA"), place
    assert fts >= 1


def check_export(out: Path, size: int, services: int) -> None:
    """The export lists every service of the directory, and the sampled feed service comes back whole."""
    with open(out / "services.json", encoding="utf-8") as fh:
        exported = json.load(fh)
    assert len(exported) == services, (len(exported), services)
    sample = uid("svc", size // 2)
    (found,) = [s for s in exported if s["id"] == sample]
    assert found["phones"][0]["number"] == f"01632 96{(size // 2) % 10000:04d}", found["phones"]
    assert found["schedules"][0]["byday"] == DAYS[(size // 2) % 5], found["schedules"]
    assert found["service_at_locations"][0]["location"]["addresses"][0]["postal_code"].endswith("AA")


def run_export(work: Path, size: int, env: dict[str, str]) -> dict:
    """Export the directory in ``work`` in a fresh process and check what it wrote; returns the measurements."""
    db = work / "directory.db"
    with sqlite3.connect(db) as conn:
        services = conn.execute("SELECT count(*) FROM service").fetchone()[0]
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    cli = [str(ROOT / ".venv" / "bin" / "coventry-directory")]
    load = os.getloadavg()[0]  # what else the machine was doing, as uptime says (a one-minute average)
    seconds, mb, _ = timed([*cli, "export", "--format", "hsds-json", "--db", str(db), "-o", str(out)], env)
    cpu = timed.cpu  # type: ignore[attr-defined]
    check_export(out, size, services)
    shutil.rmtree(out, ignore_errors=True)
    return {"export_s": seconds, "export_cpu": cpu, "export_mb": mb, "load": load}


def run_one(size: int, keep: bool = False) -> dict:
    """Import then export one size in fresh processes; returns the measurements."""
    feed = write_feed(size)
    work = CACHE / f"run-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "directory.db"
    env = {**os.environ, "COVENTRY_DIRECTORY_HOME": str(work / "home")}
    cli = [str(ROOT / ".venv" / "bin" / "coventry-directory")]
    shipped = ROOT / "resources" / "directory.db"
    shutil.copyfile(shipped, db)  # the edition the feed goes beside
    with sqlite3.connect(db) as conn:
        edition = conn.execute("SELECT count(*) FROM service").fetchone()[0]
    imp_s, imp_mb, _ = timed([*cli, "import", str(feed), "--db", str(db), "--source", "national"], env)
    imp_cpu = timed.cpu  # type: ignore[attr-defined]
    check_directory(db, size, edition)
    exported = run_export(work, size, env)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return {"size": size, "import_s": imp_s, "import_cpu": imp_cpu, "import_mb": imp_mb, **exported}


def export_only(size: int) -> dict:
    """Export the directory a ``--keep`` run left for this size; returns the measurements."""
    work = CACHE / f"run-{size}"
    if not (work / "directory.db").is_file():
        raise SystemExit(f"no directory for {size} services in {work}: run once with --keep first")
    return {"size": size, **run_export(work, size, {**os.environ, "COVENTRY_DIRECTORY_HOME": str(work / "home")})}


def main() -> None:
    """Run the sizes asked for, each in its own child process (so peak memory is per size)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--keep", action="store_true", help="keep each imported directory for --export-only")
    parser.add_argument("--export-only", action="store_true", help="time only exporting the kept directories")
    parser.add_argument("--repeat", type=int, default=1, help="with --export-only: export each size this many times")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(export_only(args.one) if args.export_only else run_one(args.one, args.keep)))
        return
    rows = []
    for _ in range(args.repeat if args.export_only else 1):
        for size in (int(s) for s in args.sizes.split(",")):
            flags = ["--export-only"] if args.export_only else ["--keep"] if args.keep else []
            proc = subprocess.run(
                [sys.executable, __file__, "--one", str(size), *flags], capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stdout + proc.stderr)
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("| services | import s (CPU s) | import peak MB | export s (CPU s) | export peak MB | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        imported = f"{r['import_s']:.1f} ({r['import_cpu']:.1f}) | {r['import_mb']:.0f}" if "import_s" in r else "- | -"
        print(
            f"| {r['size']:,} | {imported} "
            f"| {r['export_s']:.1f} ({r['export_cpu']:.1f}) | {r['export_mb']:.0f} | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
