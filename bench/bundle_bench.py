"""The frozen one-folder app: its size, and how fast it starts.

    .venv/bin/python bench/bundle_bench.py [--bundle dist/coventry-directory] [--runs 7] [--write-docs]

Builds the bundle into bench/.cache/bundle/ unless --bundle names one. Measures:
- size unpacked (every file, links counted once) and as the portable zip (deflate -9);
- time to first search results: a fresh `coventry-directory search naloxone --json`
  process, from start to the first byte of its results on stdout;
- time to the window: the frozen desktop app under QT_QPA_PLATFORM=offscreen, from start
  to its window shown (packaging/launcher.py's COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN hook).
Every run uses a clean environment (no virtualenv, fresh HOME). The first run is reported
apart: it is the coldest we can make it (the page cache is dropped first when we may).
--write-docs puts the table under "## Bundle" in docs/benchmarks.md (other sections kept).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "packaging"))

import build  # packaging/build.py

DOCS = ROOT / "docs" / "benchmarks.md"
TARGET_MB, TARGET_SEARCH_S = 140, 1.5


def drop_page_cache() -> bool:
    """Drop Linux's page cache so the next start reads from disk (needs root); True if it worked."""
    try:
        subprocess.run(["sync"], check=False)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def time_until(cmd: list[str], env: dict, stream: str, marker: bytes) -> float:
    """Seconds from starting ``cmd`` until ``marker`` appears on its stdout or stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pipe = proc.stdout if stream == "stdout" else proc.stderr
    seen = b""
    while marker not in seen:
        chunk = pipe.read1(65536)
        if not chunk:
            break
        seen += chunk
    elapsed = time.perf_counter() - start
    proc.communicate(timeout=60)
    if marker not in seen or proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}): {seen[-500:]!r}")
    return elapsed


def measure_starts(bundle: Path, runs: int) -> dict[str, dict]:
    """First-run and warm timings for search results and for the window."""
    exe = str(build.executable(bundle))
    results = {}
    cases = {
        "search": ([exe, "search", "naloxone", "--json"], {}, "stdout", b"["),
        "window": ([exe], {"COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN": "1"}, "stderr", b"window shown"),
    }
    for name, (cmd, extra, stream, marker) in cases.items():
        with tempfile.TemporaryDirectory() as home:
            env = {**build.clean_env(Path(home)), **extra}
            cold = drop_page_cache()
            first = time_until(cmd, env, stream, marker)
            warm = [time_until(cmd, env, stream, marker) for _ in range(runs)]
        results[name] = {"first": first, "cache_dropped": cold, "median": statistics.median(warm), "worst": max(warm)}
    return results


def measure_size(bundle: Path) -> dict:
    """Unpacked bytes, file count, zipped bytes, and the biggest parts."""
    with tempfile.TemporaryDirectory() as tmp:
        zipped = build.make_zip(bundle, Path(tmp) / "bundle.zip").stat().st_size
    internal = bundle / "_internal"
    parts = {}
    for child in internal.iterdir() if internal.is_dir() else []:
        size = build.folder_size(child) if child.is_dir() else (0 if child.is_symlink() else child.stat().st_size)
        key = child.name if child.is_dir() else "other libraries (_internal/*.so, *.dll)"
        parts[key] = parts.get(key, 0) + size
    exe = build.executable(bundle)
    parts["the executable (holds the Python code)"] = exe.stat().st_size
    files = sum(1 for p in bundle.rglob("*") if p.is_file())
    return {
        "unpacked": build.folder_size(bundle),
        "zipped": zipped,
        "files": files,
        "parts": sorted(parts.items(), key=lambda kv: -kv[1])[:8],
    }


def table(size: dict, starts: dict, runs: int) -> str:
    """The Markdown section for docs/benchmarks.md."""
    mb = size["unpacked"] / 1e6
    s, w = starts["search"], starts["window"]
    cold_note = "page cache dropped first" if s["cache_dropped"] else "page cache not dropped (not root)"
    lines = [
        "## Bundle",
        "",
        (
            f"`.venv/bin/python bench/bundle_bench.py --runs {runs}` on the 2-core development machine: the "
            "one-folder Linux build from `python3 packaging/build.py` (PyInstaller one folder, trimmed as "
            "described in `docs/packaging.md`), each start a fresh process in a clean environment (no "
            f"virtualenv on PATH, empty HOME). Targets: ≤ {TARGET_MB} MB unpacked, ≤ {TARGET_SEARCH_S} s to "
            "first search results."
        ),
        "",
        "| measure | result | target |",
        "|---|---:|---:|",
        f"| size unpacked | {mb:.1f} MB ({size['files']} files) | ≤ {TARGET_MB} MB |",
        f"| size as the portable zip | {size['zipped'] / 1e6:.1f} MB | |",
        f"| start → first search results (`search naloxone --json`), first run | {s['first']:.2f} s | ≤ {TARGET_SEARCH_S} s |",
        f"| start → first search results, median / worst of {runs} | {s['median']:.2f} / {s['worst']:.2f} s | ≤ {TARGET_SEARCH_S} s |",
        f"| start → window shown (offscreen), first run | {w['first']:.2f} s | |",
        f"| start → window shown (offscreen), median / worst of {runs} | {w['median']:.2f} / {w['worst']:.2f} s | |",
        "",
        (
            f'First runs: {cold_note}. "Window shown" is the desktop app\'s first event-loop pass after its '
            "main window is shown (the directory is open; results may still be on their way from the search "
            "thread). For scale: an untrimmed PyInstaller build of the same app measures 270 MB. Biggest "
            "parts of the folder:"
        ),
        "",
        "| part | MB |",
        "|---|---:|",
        *[f"| {name} | {n / 1e6:.1f} |" for name, n in size["parts"]],
        "",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    """Replace (or add) the '## Bundle' section of docs/benchmarks.md, leaving the others alone."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == "## Bundle"), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        text = "".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    DOCS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="an existing built folder (default: build one)")
    parser.add_argument("--runs", type=int, default=7, help="warm starts per measure (default 7)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    bundle = args.bundle
    if bundle is None:
        cache = HERE / ".cache" / "bundle"
        if build.main(["--no-setup", "--dist", str(cache / "dist"), "--work", str(cache / "work")]):
            return 1
        bundle = cache / "dist" / build.APP
    section = table(measure_size(bundle), measure_starts(bundle.resolve(), args.runs), args.runs)
    print(section)
    if args.write_docs:
        write_docs(section)
        print(f"updated {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
