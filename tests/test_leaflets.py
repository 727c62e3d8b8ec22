"""Leaflets rendered for real (real fonts, real directory, real PDFs read back with poppler)."""

from __future__ import annotations

import getpass
import inspect
import re
import shutil
import socket
import subprocess

import pytest
from test_leaflet_support import assert_contains_translations, normalise, pdf_fonts, pdf_pages, pdf_text, poppler

from coventry_directory.core.describe import NOT_KNOWN
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets import wording
from coventry_directory.leaflets.base import LeafletError, write_pdf
from coventry_directory.leaflets.easy_read import EasyReadRenderer
from coventry_directory.leaflets.handout import UnknownService, render_handout, resolve_services
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer, select_services
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.typeset.fonts import font_name

CODES = list(LANGUAGES)
CRISIS = ("999", "NHS 111", "116 123")


@pytest.fixture(scope="module")
def store(built_directory, tmp_path_factory):
    """The real directory, opened once for this module (rendering reads only)."""
    path = tmp_path_factory.mktemp("leaflets") / "directory.db"
    shutil.copyfile(built_directory, path)
    st = DirectoryStore.open(path)
    yield st
    st.close()


@pytest.fixture(scope="module")
def rehab(store):
    """ESH residential rehab: has a phone and a web page but no street address."""
    svc = next((s for s in store.all_services() if s.key.startswith("esh-") and s.phones), None)
    assert svc is not None, "the ESH rehab service should be in the directory"
    return svc


def render_to(tmp_path, name, data: bytes):
    return write_pdf(tmp_path / name, data)


def check_common(path, code):
    text = pdf_text(path)
    for number in CRISIS:
        assert number in text, f"{code}: crisis number {number} missing"
    assert ("Translation not yet checked by a fluent speaker" in text) == (not LANGUAGES[code].reviewed)
    lang = LANGUAGES[code]
    fonts = set(pdf_fonts(path))
    assert {font_name(f) for f in lang.font_files()} <= fonts, f"{code}: fonts {fonts}"
    bundled = {font_name(f) for lg in LANGUAGES.values() for f in lg.font_files()}
    assert fonts <= bundled, f"{code}: a font that is not bundled was embedded: {fonts - bundled}"
    return text


@pytest.mark.parametrize("code", CODES)
def test_service_leaflet_every_language(code, rehab, tmp_path):
    path = render_to(tmp_path, "s.pdf", ServiceLeafletRenderer(rehab, code).render())
    text = check_common(path, code)
    assert rehab.name in text
    assert rehab.phones[0].number in text
    assert_contains_translations(
        text,
        code,
        wording.WHAT_THEY_OFFER,
        wording.WHO_FOR,
        wording.PHONE,
        wording.PRIVACY_HEADING,
        wording.CRISIS_HEADING,
        *wording.PRIVACY,
        *wording.CRISIS,
    )
    # The record has no street address and no opening hours: the not-known words, never a guess.
    assert_contains_translations(text, code, NOT_KNOWN)


@pytest.mark.parametrize("code", CODES)
def test_topic_leaflet_every_language(code, store, tmp_path):
    renderer = TopicLeafletRenderer(store, "naloxone", "Rugby", code, size="A5")
    path = render_to(tmp_path, "t.pdf", renderer.render())
    text = check_common(path, code)
    assert "Rugby" in text
    assert_contains_translations(text, code, *wording.FACTS["naloxone"], wording.GOOD_TO_KNOW, wording.WHERE_TO_GO)
    for svc, _dist in renderer.found:
        assert svc.name in text


@pytest.mark.parametrize("code", CODES)
def test_handout_every_language_large_print(code, store, rehab, tmp_path):
    ids = [rehab.id, *[s.id for s in store.all_services() if "naloxone" in s.categories][:2]]
    path = render_to(tmp_path, "h.pdf", render_handout(store, ids, lang=code, large_print=True))
    text = check_common(path, code)
    assert_contains_translations(text, code, wording.HANDOUT_TITLE, wording.NO_PERSONAL_DETAILS)


def test_naloxone_facts_say_it_is_not_only_for_people_who_inject(store, tmp_path):
    path = render_to(tmp_path, "t.pdf", TopicLeafletRenderer(store, "naloxone", None, "en").render())
    assert "It is not only for people who inject." in pdf_text(path)


def test_topic_selection_keeps_to_the_place(store):
    for svc, _dist in select_services(store, "needle-syringe", "Nuneaton"):
        assert svc.key != "naloxone" and "needle-syringe" in svc.categories
        assert svc.coverage == "national" or not svc.catchment or "nuneaton-bedworth" in svc.catchment
    coventry = [s for s, _d in select_services(store, "needle-syringe", "Coventry")]
    assert all("coventry" in s.catchment or s.coverage == "national" or not s.catchment for s in coventry)


def test_unknown_category_and_place_are_leaflet_errors(store):
    with pytest.raises(LeafletError, match="unknown category"):
        TopicLeafletRenderer(store, "kittens", None, "en")
    with pytest.raises(LeafletError):
        TopicLeafletRenderer(store, "naloxone", "Atlantis", "en")


def test_long_content_flows_onto_more_pages(store, tmp_path):
    longest = max(store.all_services(), key=lambda s: len(s.description) + len(s.application_process or ""))
    path = render_to(tmp_path, "long.pdf", ServiceLeafletRenderer(longest, "ar", size="A5", large_print=True).render())
    pages = pdf_pages(path)
    assert len(pages) >= 2
    # Nothing lost or doubled at the page breaks: the crisis lines come once.
    assert sum("116 123" in p for p in pages) == 1
    assert normalise(longest.description.split()[-1]) in " ".join(pages)
    many = max(("housing", "mental-health", "criminal-justice"), key=lambda c: len(select_services(store, c)))
    renderer = TopicLeafletRenderer(store, many, None, "pl")
    pages = pdf_pages(render_to(tmp_path, "many.pdf", renderer.render()))
    assert len(pages) >= 2
    joined = " ".join(pages)
    assert all(svc.name in joined for svc, _d in renderer.found)
    assert all(p.count("Informacje sprawdzono") == 1 for p in pages)  # the footer on every page


def test_right_to_left_lines_run_right_to_left(rehab, tmp_path):
    path = render_to(tmp_path, "ar.pdf", ServiceLeafletRenderer(rehab, "ar").render())
    out = subprocess.run([poppler("pdftotext"), "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    # -bbox gives each word's glyphs in drawing (visual) order: reverse Arabic words to read them.
    words = [
        (float(x), float(y), normalise(w if any(c.isdigit() for c in w) else w[::-1]))
        for x, y, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out.stdout)
    ]
    # "إذا كنت بحاجة إلى مساعدة الآن": on its line, earlier words sit further right.
    anchor = next(w for w in words if w[2] == "بحاجة")
    line = {w[2]: w[0] for w in words if abs(w[1] - anchor[1]) < 1}
    assert line["إذا"] > line["كنت"] > line["بحاجة"] > line["إلى"] > line["مساعدة"]
    # Numbers keep their own order inside RTL text; the sentence's full stop ends up on
    # the left of "116 123", where right-to-left reading puts it.
    line = next(w for w in words if w[2] == ".116")
    assert any(w[2] == "123" and w[0] > line[0] and abs(w[1] - line[1]) < 1 for w in words)


def test_handout_takes_service_ids_only(store, rehab):
    params = list(inspect.signature(render_handout).parameters)
    assert params == ["store", "service_ids", "lang", "size", "large_print"]
    with pytest.raises(UnknownService) as err:
        render_handout(store, ["Jane Smith"], lang="en")
    assert "Jane" not in str(err.value)
    with pytest.raises(TypeError):
        render_handout(store, rehab.id, lang="en")
    assert [s.id for s in resolve_services(store, [rehab.key, rehab.id])] == [rehab.id]


def test_no_personal_or_machine_details_in_the_pdf(store, rehab, tmp_path):
    data = render_handout(store, [rehab.id], lang="en")
    for secret in {getpass.getuser(), socket.gethostname()} - {"", "root", "localhost"}:
        assert secret.encode() not in data
    info = subprocess.run(
        [poppler("pdfinfo"), str(render_to(tmp_path, "h.pdf", data))], capture_output=True, text=True, check=True
    ).stdout
    assert "Author:          Coventry Directory" in info


def test_easy_read_and_large_print_sizes(rehab, tmp_path):
    easy = EasyReadRenderer(rehab)
    assert easy.styles.body.fontSize >= 18
    text = pdf_text(render_to(tmp_path, "e.pdf", easy.render()))
    assert "You can phone or visit them yourself." in text and "If someone is in danger, phone 999." in text
    with pytest.raises(LeafletError):
        EasyReadRenderer(rehab, "pl")
    assert ServiceLeafletRenderer(rehab, "pa", large_print=True).styles.body.fontSize >= 16


def test_self_test_check_renders_every_language():
    from coventry_directory.leaflets.selfcheck import check_leaflets

    assert "10 catalogs load" in check_leaflets()


def test_qr_code_holds_the_service_web_address(rehab):
    renderer = ServiceLeafletRenderer(rehab, "en")
    drawing = renderer.kit.qr("https://example.org/page", 60)
    assert drawing.contents[0].value == "https://example.org/page"


def test_write_pdf_is_atomic(tmp_path):
    target = tmp_path / "out.pdf"
    write_pdf(target, b"%PDF-1.4 first")
    with pytest.raises(TypeError):
        write_pdf(target, "not bytes")  # fails mid-write
    assert target.read_bytes() == b"%PDF-1.4 first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]
