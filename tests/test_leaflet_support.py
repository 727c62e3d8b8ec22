"""Helpers for the leaflet tests: read real PDFs back with poppler (pdftotext, pdffonts)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from coventry_directory.i18n import _
from coventry_directory.i18n.catalogs import in_language

# Word recall asked of the languages compared by words (below): every printed word has its
# ActualText, so the text layer gives back at least issue 17's target.
MIN_RECALL = {"ar": 0.95, "ur": 0.95, "ckb": 0.95}
# Noto Naskh draws Sorani "ae" (U+06D5) with the glyph it maps to heh (U+0647), so the
# PDF reads back heh; compare with both folded to heh.
_FOLD = str.maketrans({"\u06d5": "\u0647"})
# These read back exactly. Right-to-left paragraphs come back with every word (the text
# layer's ActualText) but pdftotext joins their wrapped lines in its own way, so they are
# compared by words.
WHOLE_STRINGS = ("en", "pl", "ro", "pa", "bn", "gu", "ti")


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} (poppler-utils) is needed: apt-get install poppler-utils")
    return path


def normalise(text: str) -> str:
    """NFKC (Arabic presentation forms -> letters), no bidi controls, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return " ".join(text.translate(_FOLD).split())


def pdf_text(path: Path) -> str:
    out = subprocess.run([poppler("pdftotext"), "-q", str(path), "-"], capture_output=True, text=True, check=True)
    return normalise(out.stdout)


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run([poppler("pdftotext"), "-q", str(path), "-"], capture_output=True, text=True, check=True)
    return [normalise(p) for p in out.stdout.split("\f") if p.strip()]


def pdf_fonts(path: Path) -> list[str]:
    """Base names of embedded fonts (subset prefix removed)."""
    out = subprocess.run([poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True)
    names = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 5 and "yes" in parts:
            names.append(parts[0].split("+", 1)[-1])
    return names


def translated(code: str, *msgids: str) -> list[str]:
    with in_language(code):
        return [_(m) for m in msgids]


def assert_contains_translations(text: str, code: str, *msgids: str) -> None:
    """Every expected string is in the text (exactly, or by word recall where extraction is lossy)."""
    expected = [normalise(s) for s in translated(code, *msgids)]
    if code in WHOLE_STRINGS:
        missing = [s for s in expected if s not in text]
        assert not missing, f"{code}: not in PDF text: {missing}"
        return
    words = set(re.findall(r"\w+", text))
    wanted = [w for s in expected for w in re.findall(r"\w+", s)]
    recall = sum(w in words for w in wanted) / len(wanted)
    assert recall >= MIN_RECALL[code], f"{code}: only {recall:.0%} of expected words found"
