"""The documents directory facts are cited from, and how a cited fact is found in them.

A phone number is found by its digits, an address by its words, and an opening time in any
of the ways a source prints times ("9.30am", "1–4pm", "noon", "24/7").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SourceDocument:
    """One cited document and its lines."""

    id: str
    title: str
    published: str
    path: Path
    lines: list[str] = field(default_factory=list)


def load_documents(root: Path, replaced: Mapping[Path, str] | None = None) -> dict[str, SourceDocument]:
    """Every document listed in ``sources.toml`` under ``root``, with its lines.

    ``replaced`` gives the text to read instead of some files (by path): an edit that adds
    a fact to the facts sheet is checked before it is written (``core.record_edit``).
    """
    with open(root / "sources.toml", "rb") as fh:
        data = tomllib.load(fh)
    docs = {}
    for entry in data["document"]:
        path = root / entry["file"]
        text = replaced[path] if replaced and path in replaced else path.read_text(encoding="utf-8")
        docs[entry["id"]] = SourceDocument(entry["id"], entry["title"], entry["published"], path, text.splitlines())
    return docs


def normal(text: str) -> str:
    """Lower case with runs of white space as one space, to find a quoted fact in a source."""
    return re.sub(r"\s+", " ", text).lower()


def time_patterns(hhmm: str) -> list[re.Pattern]:
    """Ways a source may print the time ``hhmm``, to check opening times against their sources."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    h12 = hour % 12 or 12
    pats = [rf"(?<!\d){hour:02d}:{minute:02d}", rf"(?<![\d.:]){hour}:{minute:02d}(?!\d)"]
    if minute:
        pats.append(rf"(?<![\d.:]){h12}[.:]{minute:02d}(?!\d)")
    else:
        pats += [
            rf"(?<![\d.:]){h12}(?:[.:]00)?\s*(?:am|pm|a\.m\.|p\.m\.)",
            rf"(?<![\d.:]){h12}\s*(?:[–-]|to\s)",
            rf"(?:[–-]|\sto)\s*{h12}(?![\d.:])",
        ]
        if hour == 12:
            pats.append(r"\b(?:noon|midday)\b")
        if hour == 0:
            pats.append(r"\bmidnight\b")
    if hhmm in ("00:00", "23:59"):
        # a whole day (00:00-23:59) is how HSDS writes "24 hours" / "24/7"
        pats.append(r"24\s*/\s*7|24[- ]hours?|24 hours a day")
    return [re.compile(p, re.IGNORECASE) for p in pats]
