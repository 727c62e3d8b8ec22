"""The PDF text layer says what the paper says: every leaflet language reads back with pdftotext.

Measured as bench/leaflet_text_layer.py does (the same functions): the service leaflet, the
topic leaflet (naloxone near Rugby) and the large-print handout, per language. Target: at
least 95 % of the printed translated words come back exactly (NFC, no folding of Arabic
presentation forms) and no private-use characters; figures in docs/leaflets/README.md.
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

from coventry_directory.i18n import _
from coventry_directory.i18n.catalogs import in_language
from coventry_directory.leaflets import wording
from coventry_directory.store.directory import DirectoryStore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import leaflet_text_layer as bench  # noqa: E402 - the bench folder is put on the path first

# The vowel signs Bengali, Gujarati and Gurmukhi draw before the consonant they follow.
PRE_BASE = {"bn": "\u09bf", "gu": "\u0abf", "pa": "\u0a3f"}


@pytest.fixture(scope="module")
def store(built_directory, tmp_path_factory):
    """The real directory, opened once for this module (rendering reads only)."""
    path = tmp_path_factory.mktemp("text-layer") / "directory.db"
    shutil.copyfile(built_directory, path)
    st = DirectoryStore.open(path)
    yield st
    st.close()


class ReadBack:
    """Every leaflet of a language, rendered and read back once, when first asked for."""

    def __init__(self, store, folder: Path):
        self.store, self.folder = store, folder
        self.cache: dict[str, dict[str, bench.Result]] = {}

    def __call__(self, code: str) -> dict[str, bench.Result]:
        if code not in self.cache:
            self.cache[code] = bench.measure_language(self.store, code, self.folder)
        return self.cache[code]


@pytest.fixture(scope="module")
def results(store, tmp_path_factory) -> ReadBack:
    """The leaflets read back; their PDFs stay in ``results.folder`` as ``{kind}-{code}.pdf``."""
    return ReadBack(store, tmp_path_factory.mktemp("pdfs"))


@pytest.mark.parametrize("code", bench.LEAFLET_LANGUAGES)
def test_every_language_reads_back(code, results):
    per_leaflet = results(code)
    total = bench.total(per_leaflet)
    assert total.recall >= bench.TARGET_RECALL, (
        f"{code}: {total.recall:.1%} of printed words read back; missing {sorted(set(total.missing))[:20]}"
    )
    for kind, result in per_leaflet.items():
        assert result.pua == 0, f"{code} {kind}: {result.pua} private-use characters in the text layer"


def _plain_text(path: Path) -> str:
    """Pdftotext output without its embedding marks, spaces collapsed (no other folding)."""
    text = re.sub("[\u202a-\u202e]", " ", bench.pdftotext(path))
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_arabic_lam_alef_reads_back_as_la(results):
    """'لا' ('not') is one ligature on paper; losing it in the text turned 'does not help' into 'helps'."""
    results("ar")
    with in_language("ar"):
        no_referral = _(wording.ROUTE_SENTENCES["self-referral"])
        no_police = _(wording.PRIVACY[1])
    text = _plain_text(results.folder / "service-ar.pdf")
    for sentence in (no_referral, no_police):
        negated = next(part.strip() for part in re.split("[.،]", sentence) if part.strip().startswith("لا "))
        assert negated in text, f"{negated!r} not in the Arabic leaflet's text"


@pytest.mark.parametrize("code", sorted(PRE_BASE))
def test_pre_base_vowel_signs_come_back_after_their_consonant(code, results):
    """ি, િ and ਿ are drawn before the consonant but written after it: the text has them after."""
    results(code)
    text = _plain_text(results.folder / f"topic-{code}.pdf")
    sign = PRE_BASE[code]
    words = set(bench.words(text))
    assert any(sign in w for w in words), f"{code}: no word with {sign!r} read back"
    # A sign first in a word (or after a space) is one read back in drawing order.
    assert not re.search(rf"(^|\s){sign}", text), f"{code}: a vowel sign read back before its consonant"
