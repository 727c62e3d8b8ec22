"""What every printed leaflet promises a client, checked on real PDFs read back with poppler.

Issue 17's "done when": page 1 of every leaflet type, in every language and at the hardest
size (large print on A5), has the crisis numbers; no entry of any leaflet is a dead end;
every font the file lists is embedded; nothing in large print is set below 16 pt. (The
text layer's words, private-use characters and "لا" are checked in
test_leaflet_text_layer.py; bidi in test_leaflet_bidi.py.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_leaflet_support import normalise, pdf_pages, poppler

from coventry_directory.core.describe import NOT_KNOWN
from coventry_directory.core.fallbacks import own_route
from coventry_directory.i18n import _
from coventry_directory.i18n.catalogs import in_language
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets import wording
from coventry_directory.leaflets.base import write_pdf
from coventry_directory.leaflets.easy_read import EasyReadRenderer
from coventry_directory.leaflets.handout import render_handout
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer
from coventry_directory.store.directory import DirectoryStore

CODES = list(LANGUAGES)
CRISIS = ("999", "111", "116 123")  # emergency, NHS 111 (Easy Read: "phone 111"), Samaritans
SIZES = {"A4 standard": ("A4", False), "A5 large print": ("A5", True)}
LARGE_PRINT_PT = 16
# pdftohtml reports each font size as a whole number at its zoom; at zoom 3 a size under
# 47.5 (15.83 pt) is reported below 48, so "48 or more" means "16 pt, to within 0.17 pt".
ZOOM = 3


@pytest.fixture(scope="module")
def store(built_directory, tmp_path_factory):
    """The real directory, opened once for this module (rendering reads only)."""
    path = tmp_path_factory.mktemp("promises") / "directory.db"
    shutil.copyfile(built_directory, path)
    st = DirectoryStore.open(path)
    yield st
    st.close()


@pytest.fixture(scope="module")
def no_route(store):
    """A local service whose record has no phone, email, web page or address (a third of them do)."""
    svc = next((s for s in store.all_services() if not own_route(s)), None)
    assert svc is not None, "the edition should have records without a contact route"
    return svc


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("promise-pdfs")


def render(kind: str, store, svc, code: str, size: str, large: bool) -> bytes:
    """One leaflet of ``kind`` for the service without a contact route (or its topic)."""
    if kind == "service":
        return ServiceLeafletRenderer(svc, code, size=size, large_print=large, routes=store).render()
    if kind == "topic":
        return TopicLeafletRenderer(store, "naloxone", "Rugby", code, size=size, large_print=large).render()
    if kind == "handout":
        return render_handout(store, [svc.id], lang=code, size=size, large_print=large)
    return EasyReadRenderer(svc, code, size=size, routes=store).render()


CASES = [
    pytest.param(kind, code, size, id=f"{kind}-{code}-{size}")
    for kind in ("service", "topic", "handout", "easy")
    for code in (("en",) if kind == "easy" else CODES)
    for size in SIZES
]


@pytest.mark.parametrize(("kind", "code", "size"), CASES)
def test_page_one_has_the_crisis_numbers_and_only_embedded_fonts(kind, code, size, store, no_route, folder):
    paper, large = SIZES[size]
    path = write_pdf(
        folder / f"{kind}-{code}-{paper}-{int(large)}.pdf", render(kind, store, no_route, code, paper, large)
    )
    first = pdf_pages(path)[0]
    assert [n for n in CRISIS if n not in first] == [], f"{kind} {code} {size}: page 1 lacks crisis numbers"
    with in_language(code):
        heading = "Help now" if kind == "easy" else normalise(_(wording.CRISIS_HEADING))
    if code in ("en", "pl", "ro", "ti"):  # scripts whose text reads back character for character
        assert heading in first
    lines = subprocess.run([poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in lines.stdout.splitlines()[2:] if line.strip()]
    assert rows, "pdffonts listed no fonts"
    # columns: name type [type] encoding emb sub uni object ID; "emb" is the 5th from the end
    not_embedded = [row[0] for row in rows if row[-5] != "yes"]
    assert not_embedded == [], f"{kind} {code} {size}: fonts not embedded: {not_embedded}"
    if large:
        assert smallest_text(path) >= LARGE_PRINT_PT * ZOOM, f"{kind} {code}: text under {LARGE_PRINT_PT} pt"


def smallest_text(path: Path) -> int:
    """The smallest font size (at ``ZOOM``) that any text of the PDF is set in."""
    out = subprocess.run(
        [poppler("pdftohtml"), "-xml", "-stdout", "-i", "-q", "-zoom", str(ZOOM), str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = {m.group(1): int(m.group(2)) for m in re.finditer(r'<fontspec id="(\d+)" size="(\d+)"', out)}
    used = set(re.findall(r'<text [^>]*font="(\d+)"[^>]*>(?!\s*</text>)', out))
    assert used, "no text found in the PDF"
    return min(sizes[f] for f in used)


def test_the_size_check_sees_small_text(tmp_path):
    """The 16 pt check can fail: a 15.5 pt line is reported below the limit, a 16 pt one is not."""
    from reportlab.pdfgen import canvas

    from coventry_directory.typeset.fonts import fonts_for

    fonts = fonts_for(LANGUAGES["en"])
    for pt, ok in ((15.5, False), (16, True)):
        path = tmp_path / f"{pt}.pdf"
        pdf = canvas.Canvas(str(path))
        pdf.setFont(fonts.latin, pt)
        pdf.drawString(50, 700, "Call 999")
        pdf.save()
        assert (smallest_text(path) >= LARGE_PRINT_PT * ZOOM) is ok


# A way forward, as read on paper: a phone number, an email, a web page or a street
# address printed after its label (not the not-known words), or the "How to find out" steps.
PHONE = re.compile(r"\b0\d{2,4}(?:[\s\u00a0]?\d{3,4}){1,2}\b|\b(?:111|999|116[\s\u00a0]123)\b")


def way_forward(entry: str) -> bool:
    """Whether a printed entry gives the reader something to do next."""
    known = rf"(?!{re.escape(normalise(_(NOT_KNOWN)))})"
    labels = "|".join(re.escape(_(w)) for w in (wording.ADDRESS, wording.WEB_PAGE, wording.EMAIL))
    return bool(
        _(wording.HOW_TO_FIND_OUT) in entry or PHONE.search(entry) or re.search(rf"(?:{labels}) {known}\S", entry)
    )


def test_no_entry_is_a_dead_end(store, tmp_path):
    """A handout of every service of the edition: each entry gives something to do next."""
    services = sorted(store.all_services(), key=lambda s: s.name)
    path = write_pdf(tmp_path / "all.pdf", render_handout(store, [s.id for s in services]))
    text = " ".join(pdf_pages(path))
    find_out = _(wording.HOW_TO_FIND_OUT)
    # The crisis box and the privacy statement hold numbers for everyone: read entries only.
    body = text[text.index(services[0].name) : text.rindex(_(wording.PRIVACY_HEADING))]
    starts = []
    cursor = 0
    for svc in services:
        at = body.index(normalise(svc.name), cursor)
        starts.append(at)
        cursor = at + len(svc.name)
    entries = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    dead = [svc.name for svc, entry in zip(services, entries, strict=True) if not way_forward(entry)]
    assert dead == [], [e[:700] for svc, e in zip(services, entries, strict=True) if svc.name in dead]
    assert sum(find_out in e for e in entries) == sum(not own_route(s) for s in services)


@pytest.mark.parametrize("code", ["en", "ar"])
def test_the_file_reads_title_first_and_footer_last(code, store, no_route, tmp_path):
    """In the order the file draws it (what a screen reader follows), not the order on paper."""
    path = write_pdf(tmp_path / "order.pdf", render("topic", store, no_route, code, "A4", False))
    raw = subprocess.run(
        [poppler("pdftotext"), "-raw", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = normalise(raw)
    with in_language(code):
        title = normalise(TopicLeafletRenderer(store, "naloxone", "Rugby", code).title())
    if code == "en":  # (a mixed Arabic and Latin title comes back in runs of its own order)
        assert text.startswith(title)
    # before the change the footer came first: "Page 1 · Coventry Directory ... If you need help now"
    assert text.index("116 123") < text.index("Coventry Directory")  # the page line ends the footer
