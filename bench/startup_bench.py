"""Time from launching the app (from source) to interactive results, offscreen.

    .venv/bin/python bench/startup_bench.py [--runs 5]

Each run is a fresh process: Python start, imports, opening the directory, building the
window and the first search results on screen. Target: ≤ 1.0 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import os, sys, time, json
t0 = float(sys.argv[1])
from coventry_directory.core.editions import current_directory_path, open_directory
from coventry_directory.store.user import UserStore
from coventry_directory.ui.app import make_application
from coventry_directory.ui.main_window import MainWindow
from coventry_directory.userdata import user_database_path
app = make_application()
path = current_directory_path()
window = MainWindow(open_directory(path), UserStore(user_database_path()), path)
window.show()
t_window = time.time()
def check():
    if window.model.rowCount() > 0:
        print(json.dumps({"window": t_window - t0, "results": time.time() - t0}))
        window.close()
        app.quit()
from PySide6.QtCore import QTimer
timer = QTimer(); timer.timeout.connect(check); timer.start(5)
app.exec()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COVENTRY_DIRECTORY_HOME=tempfile.mkdtemp(prefix="cd-bench-"))
    windows, results = [], []
    for _ in range(args.runs):
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, repr(start)], capture_output=True, text=True, env=env, timeout=60, check=True
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        windows.append(data["window"])
        results.append(data["results"])
    print("| measure | median (s) | worst (s) |")
    print("|---|---:|---:|")
    print(f"| process start → window built | {statistics.median(windows):.2f} | {max(windows):.2f} |")
    print(f"| process start → first results shown | {statistics.median(results):.2f} | {max(results):.2f} |")
    print(f"\n{args.runs} cold process starts, from source, QT_QPA_PLATFORM=offscreen.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
