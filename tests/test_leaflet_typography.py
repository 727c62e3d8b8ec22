"""Leaflet typography in the client's language: lists, numbers, line breaks, page breaks, dates.

Issue 17 found ASCII commas in Arabic-script lists, decimals with a point in Polish,
addresses that could not wrap, fallback steps in Urdu laid out in the direction of their
English name, service names left at the foot of a page apart from their details, and a
footer that dated every source when some were undated.
"""

from __future__ import annotations

import shutil

import pytest
from test_leaflet_support import normalise, pdf_pages

from coventry_directory.core import describe
from coventry_directory.core.fallbacks import own_route
from coventry_directory.i18n import _
from coventry_directory.i18n.catalogs import in_language
from coventry_directory.i18n.formatting import format_list, format_measure, list_separator
from coventry_directory.leaflets import blocks, wording
from coventry_directory.leaflets.base import write_pdf
from coventry_directory.leaflets.handout import ShortlistHandoutRenderer
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer
from coventry_directory.store.directory import DirectoryStore

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def store(built_directory, tmp_path_factory):
    """The real directory, opened once for this module (rendering reads only)."""
    path = tmp_path_factory.mktemp("typography") / "directory.db"
    shutil.copyfile(built_directory, path)
    st = DirectoryStore.open(path)
    yield st
    st.close()


@pytest.mark.parametrize(
    ("code", "items", "expected"),
    [
        ("en", ["A", "B", "C"], "A, B and C"),
        ("pl", ["A", "B"], "A i B"),
        ("ro", ["A", "B", "C"], "A, B și C"),
        ("ur", ["A", "B", "C"], "A، B، اور C"),
        ("ar", ["A", "B", "C"], "A وB وC"),
        ("ckb", ["A", "B", "C"], "A، B و C"),  # CLDR's Sorani list has a Latin comma; Sorani text does not
        ("ti", ["A", "B"], "Aን Bን"),
        ("bn", ["A"], "A"),
    ],
)
def test_lists_are_joined_as_the_language_joins_them(code, items, expected):
    with in_language(code):
        assert format_list(items) == expected


@pytest.mark.parametrize(("code", "comma"), [("en", ", "), ("pl", ", "), ("ar", "، "), ("ur", "، "), ("ckb", "، ")])
def test_the_comma_between_items_is_the_languages_own(code, comma):
    with in_language(code):
        assert list_separator() == comma
        assert describe.labels("substance", ("alcohol", "cannabis")).count(comma.strip()) == 1


def test_decimals_use_the_languages_decimal_sign():
    with in_language("pl"):
        assert format_measure(2.5) == "2,5"
        assert format_measure(20.0) == "20"
    with in_language("en"):
        assert format_measure(2.5) == "2.5"


def test_days_are_a_translated_list():
    with in_language("pl"):
        monday, friday = _("Mondays"), _("Fridays")
        assert describe.describe_days("MO,FR") == f"{monday} i {friday}"


def test_only_numbers_are_kept_on_one_line():
    assert blocks.unbroken("0800 917 7650") == f"0800{NBSP}917{NBSP}7650"
    assert blocks.unbroken("Riverside House, Warwick CV34 4AB") == f"Riverside House, Warwick CV34{NBSP}4AB"
    assert blocks.unbroken("Ask at Riverside House, Leamington") == "Ask at Riverside House, Leamington"


def test_an_arabic_script_leaflet_lists_labels_with_its_own_comma(store, tmp_path):
    svc = next(s for s in store.all_services() if len(s.categories) >= 2 and own_route(s))
    path = write_pdf(tmp_path / "ur.pdf", ServiceLeafletRenderer(svc, "ur", routes=store).render())
    text = " ".join(pdf_pages(path))
    with in_language("ur"):
        offer = blocks.tlabels("category", svc.categories)
    assert "،" in offer and ", " not in offer
    assert all(normalise(label) in text for label in offer.split("، "))


def test_fallback_steps_run_in_the_languages_direction(store):
    svc = next(s for s in store.all_services() if not own_route(s))
    renderer = ServiceLeafletRenderer(svc, "ur", routes=store)
    with in_language("ur"):
        rows = dict(blocks.contact_rows(renderer.kit, svc))
        steps = rows[_(wording.HOW_TO_FIND_OUT)]
    assert steps and all(step.rtl for step in steps)  # an Urdu sentence around an English name


# Lists where, before keep-with-next, a service's name and warnings ended a page and its
# table began the next one (found by rendering every category at every size).
@pytest.mark.parametrize(
    ("category", "size", "large"),
    [("housing", "A4", True), ("family-carers", "A5", True), ("treatment-adult", "A5", False)],
)
def test_a_service_name_never_ends_a_page_apart_from_its_details(store, tmp_path, category, size, large):
    renderer = TopicLeafletRenderer(store, category, None, "en", size=size, large_print=large)
    pages = pdf_pages(write_pdf(tmp_path / "long.pdf", renderer.render()))
    assert len(pages) >= 3
    # The first row's label; pdftotext may set a wrapped label's second line after the
    # value beside it ("What they / Mutual aid / offer"), so its first words are looked for.
    first_row = " ".join(_(wording.WHAT_THEY_OFFER).split()[:2])
    run_by = _(wording.RUN_BY).split("{")[0].strip()
    heading = _(wording.WHERE_TO_GO)
    headings = 0
    for number, page in enumerate(pages, 1):
        for svc, _distance in renderer.found:
            at = page.find(f"{normalise(svc.name)} {run_by}")  # the entry's heading (a step may name it too)
            if at >= 0:
                headings += 1
                # The first row of its table is on the same page as the heading, unless the
                # entry already starts the page and its warnings alone fill it (a long
                # alert in large print on A5): then nothing better can be done.
                together = page.find(first_row, at) > at or page[:at].strip() in ("", heading)
                assert together, f"page {number}: {svc.name!r} is apart from its details"
    assert headings == len(renderer.found)
    page = next(p for p in pages if heading in p)
    assert normalise(renderer.found[0][0].name) in page  # the list's heading is on the page of its first entry


def test_the_footer_says_when_some_sources_are_undated(store):
    dated = next(s for s in store.all_services() if s.evidence_date)
    undated = next(s for s in store.all_services() if not s.evidence_date)
    year = dated.evidence_date[:4]
    with in_language("en"):
        both = ShortlistHandoutRenderer([dated, undated], "en").currency()
        one = ShortlistHandoutRenderer([dated], "en").currency()
        none = ShortlistHandoutRenderer([undated], "en").currency()
    assert f"from sources dated {year} and some undated sources" in both
    assert f"from sources dated {year}." in one
    assert "its sources are undated" in none


def test_a_place_named_after_its_address_is_printed_once():
    from coventry_directory.core.models import Address, Location

    address = Address(address_1="Riverside House", city="Leamington Spa", postal_code="CV32 5QJ")
    same = Location(id="l1", key="l1", name="Riverside House, Leamington", address=address)
    other = Location(id="l2", key="l2", name="P3 hub", address=address)
    assert describe.describe_location(same).count("Riverside House") == 1
    assert describe.describe_location(other).startswith("P3 hub, Riverside House")
