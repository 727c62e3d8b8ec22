"""How much of a leaflet's printed wording its PDF text layer gives back, per language.

    .venv/bin/python bench/leaflet_text_layer.py [--lang ar,bn] [--keep DIR]

For every leaflet language it renders the service leaflet, the topic leaflet (naloxone
near Rugby) and the large-print shortlist handout from the real directory, reads each
back with poppler's ``pdftotext``, and reports:

- recall: the share of the distinct words of the translated texts that were printed that
  come back as words of the extracted text. "Printed": a translation the renderer asked
  ``_()`` for whose fixed wording (between its placeholders) is in a paragraph it drew;
  a word touching a placeholder ("{place}-এ") is left out, as it prints joined to the
  value. Words are compared exactly (NFC) and after NFKC folding (which turns Arabic
  presentation forms back into letters, so it hides a text layer that only a normaliser
  can read);
- PUA: private-use code points (U+E000–U+F8FF) in the extracted text; each is a glyph
  with no characters behind it.

Target (docs/leaflets/README.md, "Text layer"): >= 95 % exact recall and 0 PUA for every
language. ``tests/test_leaflet_text_layer.py`` checks the same figures with
:func:`measure`. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gettext
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the imports below come from this checkout

from coventry_directory.i18n import use_translation
from coventry_directory.i18n.catalogs import translation_for
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets import base
from coventry_directory.leaflets.handout import ShortlistHandoutRenderer, resolve_services
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer
from coventry_directory.typeset.shaped_text import ShapedText

SERVICE = "esh-community-residential-rehab"
TOPIC_CATEGORY, TOPIC_PLACE = "naloxone", "Rugby"
HANDOUT = [SERVICE, "nat-frank", "cgl-warwickshire-naloxone"]
LEAFLET_LANGUAGES = [code for code in LANGUAGES if LANGUAGES[code].to_dict()["leaflets"]]
TARGET_RECALL = 0.95

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Joiners and marks are invisible: neither the reader nor a search needs them.
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u2066-\u2069\u00ad]")
# pdftotext puts each stretch of the other direction between embedding marks (RLE or LRE
# … PDF), and at such a change of direction it may move the space to the far side of the
# mark ("على\u202cSamaritans"): the marks are word boundaries.
_EMBEDDINGS = re.compile("[\u202a-\u202e]")


class _Recorder(gettext.NullTranslations):
    """A catalog that remembers every translation it hands out (what the leaflet printed)."""

    def __init__(self, inner: gettext.NullTranslations, seen: list[str]):
        super().__init__()
        self.inner, self.seen = inner, seen

    def gettext(self, message):  # gettext API
        """The translation, noted."""
        text = self.inner.gettext(message)
        self.seen.append(text)
        return text

    def ngettext(self, msgid1, msgid2, n):  # gettext API
        """The plural translation, noted."""
        text = self.inner.ngettext(msgid1, msgid2, n)
        self.seen.append(text)
        return text


@contextmanager
def recording(seen: list[str], drawn: list[str]) -> Iterator[None]:
    """While inside, leaflet renders note the translations they use and the paragraphs they draw."""
    original, original_draw = base.in_language, ShapedText.draw

    def in_language(code: str):
        return use_translation(_Recorder(translation_for(code), seen))

    def draw(self):
        drawn.append(self.text)
        original_draw(self)

    base.in_language = in_language  # the renderer's one way to pick its catalog
    ShapedText.draw = draw  # type: ignore[method-assign]
    try:
        yield
    finally:
        base.in_language = original
        ShapedText.draw = original_draw  # type: ignore[method-assign]


def printed(translation: str, drawn: str) -> bool:
    """True when the fixed wording of ``translation`` (between placeholders) is all in ``drawn``."""
    return all(part.strip() in drawn for part in _PLACEHOLDER.split(translation) if part.strip())


def expected_words(translation: str, fold: bool = False) -> list[str]:
    """The words of a translation, leaving out any that touch a placeholder."""
    return [w for w in words(_PLACEHOLDER.sub("\x00", translation), fold) if "\x00" not in w]


def words(text: str, fold: bool = False) -> list[str]:
    """The words of ``text``: split at spaces, punctuation and symbols trimmed off each end."""
    text = unicodedata.normalize("NFKC" if fold else "NFC", _INVISIBLE.sub("", _EMBEDDINGS.sub(" ", text)))
    out = []
    for raw in text.split():
        start, end = 0, len(raw)
        while start < end and unicodedata.category(raw[start])[0] in "PS":
            start += 1
        while end > start and unicodedata.category(raw[end - 1])[0] in "PS":
            end -= 1
        if start < end:
            out.append(raw[start:end])
    return out


def pdftotext(path: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it (reading order, no layout)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise SystemExit("pdftotext (poppler-utils) is needed: apt-get install poppler-utils")
    return subprocess.run([tool, "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pua_count(text: str) -> int:
    """Private-use code points in ``text`` (U+E000–U+F8FF)."""
    return sum(0xE000 <= ord(c) <= 0xF8FF for c in text)


@dataclass
class Result:
    """One leaflet read back: expected words found (exactly and after NFKC), PUA count."""

    expected: int
    found: int
    found_folded: int
    pua: int
    missing: list[str]

    @property
    def recall(self) -> float:
        """Exact recall, 0–1."""
        return self.found / self.expected if self.expected else 1.0


def measure(render: Callable[[], bytes], folder: Path, name: str) -> Result:
    """Render one leaflet (noting its translations), read it back and compare."""
    seen: list[str] = []
    drawn: list[str] = []
    with recording(seen, drawn):
        data = render()
    path = folder / name
    path.write_bytes(data)
    text = pdftotext(path)
    paragraphs = "\n".join(drawn)
    shown = [s for s in dict.fromkeys(seen) if printed(s, paragraphs)]
    wanted = {w for s in shown for w in expected_words(s)}
    wanted_folded = {w for s in shown for w in expected_words(s, fold=True)}
    got, got_folded = set(words(text)), set(words(text, fold=True))
    missing = sorted(wanted - got)
    return Result(len(wanted), len(wanted) - len(missing), len(wanted_folded & got_folded), pua_count(text), missing)


def leaflets(store, code: str) -> dict[str, Callable[[], bytes]]:
    """The three leaflets measured, as render functions."""
    service = store.get_service(SERVICE)
    handout = resolve_services(store, HANDOUT)
    return {
        "service": lambda: ServiceLeafletRenderer(service, code).render(),
        "topic": lambda: TopicLeafletRenderer(store, TOPIC_CATEGORY, TOPIC_PLACE, code).render(),
        "handout": lambda: ShortlistHandoutRenderer(handout, code, large_print=True).render(),
    }


def measure_language(store, code: str, folder: Path) -> dict[str, Result]:
    """Every leaflet of one language, read back."""
    return {kind: measure(make, folder, f"{kind}-{code}.pdf") for kind, make in leaflets(store, code).items()}


def total(results: dict[str, Result]) -> Result:
    """The leaflets of one language added up."""
    parts = list(results.values())
    return Result(
        sum(r.expected for r in parts),
        sum(r.found for r in parts),
        sum(r.found_folded for r in parts),
        sum(r.pua for r in parts),
        [w for r in parts for w in r.missing],
    )


def main(argv: list[str] | None = None) -> int:
    from coventry_directory.core.build import build_database
    from coventry_directory.store.directory import DirectoryStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default=",".join(LEAFLET_LANGUAGES), help="comma-separated codes")
    parser.add_argument("--keep", type=Path, help="keep the PDFs in this folder")
    parser.add_argument("--missing", action="store_true", help="list the words that did not come back")
    args = parser.parse_args(argv)
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    db = cache / "leaflet-directory.db"
    build_database(db)
    store = DirectoryStore.open(db)
    print("| language | service | topic | handout | all: exact | all: after NFKC | PUA |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for code in args.lang.split(","):
            results = measure_language(store, code, folder)
            all_ = total(results)
            cells = " | ".join(f"{r.recall:.0%}" for r in results.values())
            folded = all_.found_folded / all_.expected
            print(
                f"| {LANGUAGES[code].english_name} ({code}) | {cells} | {all_.recall:.1%} ({all_.found}/{all_.expected})"
                f" | {folded:.1%} | {all_.pua} |",
                flush=True,
            )
            if args.missing and all_.missing:
                print(f"  missing {code}: {' '.join(sorted(set(all_.missing)))}", flush=True)
            failed = failed or all_.recall < TARGET_RECALL or all_.pua > 0
    store.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
