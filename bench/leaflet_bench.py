"""Leaflet rendering time per language: in-process and as a whole command.

    .venv/bin/python bench/leaflet_bench.py [--repeat 5] [--no-command]

Uses the real directory (built into bench/.cache/ if needed). In-process numbers are the
median of --repeat renders after one warm-up (fonts registered, catalogs loaded), given
per leaflet and per page. The whole-command number is one ``coventry-directory leaflet``
run (Python start-up, imports, opening the directory, rendering, writing the file).
Prints a Markdown table for docs/benchmarks.md ("Leaflets").
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from coventry_directory.core.build import build_database
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets.handout import ShortlistHandoutRenderer, resolve_services
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer
from coventry_directory.store.directory import DirectoryStore

SERVICE = "esh-community-residential-rehab"
TOPIC_CATEGORY, TOPIC_PLACE = "naloxone", "Rugby"  # the topic leaflet timed, in process and as a command
HANDOUT = [SERVICE, "nat-frank", "cgl-warwickshire-naloxone"]


def pages(data: bytes) -> int:
    """Page count of a reportlab PDF (counts page objects; no PDF library needed)."""
    return max(1, len(re.findall(rb"/Type /Page[^s]", data)))


def timed(make, repeat: int) -> tuple[float, int]:
    """Median seconds per render and the page count."""
    data = make()  # warm-up: fonts, catalogs, shaping caches
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        data = make()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), pages(data)


def command_time(code: str, db: Path, out_dir: Path) -> float:
    """Seconds for one whole `coventry-directory leaflet` command (topic leaflet)."""
    env_home = out_dir / "home"
    import os
    import shutil

    from coventry_directory.userdata import installed_directory_path

    env = dict(os.environ, COVENTRY_DIRECTORY_HOME=str(env_home))
    os.environ["COVENTRY_DIRECTORY_HOME"] = str(env_home)
    target = installed_directory_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, target)
    leaflet = ["leaflet", "--category", TOPIC_CATEGORY, "--near", TOPIC_PLACE, "--lang", code, "--accept-unreviewed"]
    cmd = [sys.executable, "-m", "coventry_directory", *leaflet, "-o", str(out_dir / f"{code}.pdf")]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-command", action="store_true", help="skip the whole-command timing")
    args = parser.parse_args(argv)
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    db = cache / "leaflet-directory.db"
    build_database(db)
    store = DirectoryStore.open(db)
    service = store.get_service(SERVICE)
    handout = resolve_services(store, HANDOUT)
    print(
        "| language | service leaflet ms (pages) | topic: naloxone in Rugby ms (pages) | "
        "handout, large print ms (pages) | worst ms per page | whole command ms |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for code, lang in LANGUAGES.items():
            results = [
                timed(lambda code=code: ServiceLeafletRenderer(service, code).render(), args.repeat),
                timed(
                    lambda code=code: TopicLeafletRenderer(store, TOPIC_CATEGORY, TOPIC_PLACE, code).render(),
                    args.repeat,
                ),
                timed(
                    lambda code=code: ShortlistHandoutRenderer(handout, code, large_print=True).render(), args.repeat
                ),
            ]
            per_page = max(sec / n for sec, n in results) * 1000
            cmd = "–" if args.no_command else f"{command_time(code, db, Path(tmp)) * 1000:.0f}"
            cells = " | ".join(f"{sec * 1000:.0f} ({n})" for sec, n in results)
            print(f"| {lang.english_name} ({code}) | {cells} | {per_page:.0f} | {cmd} |", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
