"""Progress of a long import or pull on the command line: a bar on a terminal, a plain line per stage otherwise.

On a terminal the bar is drawn on stderr and cleared when the work ends, so it never mixes
with what the command prints. Anywhere else (a log file, a script, CI) each stage is one
plain line on stdout, and nothing at all is printed with ``--json``: the JSON stays the
whole of stdout. Calls may come from the feed's worker threads, so drawing is locked.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

STAGES = {
    "reading": "Reading the file",
    "checking": "Checking services",
    "pages": "Reading the feed's pages",
    "details": "Fetching services in full",
    "writing": "Writing the source",
    "composing": "Making the directory from its sources",
}
WIDTH = 30  # characters of bar
EVERY = 0.1  # seconds between redraws on a terminal


class CommandProgress:
    """A ``progress(stage, done, total)`` callable for ``exchange`` functions."""

    def __init__(self, *, quiet: bool = False, bar: TextIO | None = None, lines: TextIO | None = None):
        self.bar = bar if bar is not None else sys.stderr
        self.lines = lines if lines is not None else sys.stdout
        self.tty = _is_tty(self.bar)
        self.quiet = quiet and not self.tty  # a bar on the terminal never reaches a redirected stdout
        self.stage: str | None = None
        self.said: set[str] = set()
        self.bytes_known = False
        self.drawn = 0.0
        self.width = 0
        self.lock = threading.Lock()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        """Show that ``done`` of ``total`` (None: not known) of ``stage`` is done."""
        with self.lock:
            if self.quiet:
                return
            if not self.tty:
                if stage not in self.said:  # each stage once: reading and checking take turns as a file streams
                    print(f"{STAGES.get(stage, stage)}…", file=self.lines, flush=True)
                    self.said.add(stage)
                self.stage = stage
                return
            if stage == "reading" and total:
                self.bytes_known = True
                if self.stage == "checking":
                    stage = "checking"  # a streamed file: the bytes read say how far checking has got
            elif stage == "checking" and total is None and self.bytes_known:
                return  # the byte count above draws this stage; a bare count would make the bar flicker
            now = time.monotonic()
            if stage == self.stage and now - self.drawn < EVERY:
                return
            self.stage, self.drawn = stage, now
            self._draw(STAGES.get(stage, stage), done, total)

    def _draw(self, label: str, done: int, total: int | None) -> None:
        if total:
            part = min(max(done / total, 0.0), 1.0)
            filled = int(part * WIDTH)
            text = f"{label:<40} [{'#' * filled}{' ' * (WIDTH - filled)}] {part:4.0%}"
        elif done:
            text = f"{label:<40} {done:,}"
        else:
            text = f"{label}…"
        pad = max(self.width - len(text), 0)
        self.width = len(text)
        self.bar.write("\r" + text + " " * pad)
        self.bar.flush()

    def finish(self) -> None:
        """Clear the bar (on a terminal) before the command prints its result."""
        with self.lock:
            if self.tty and self.width:
                self.bar.write("\r" + " " * self.width + "\r")
                self.bar.flush()
                self.width = 0


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
