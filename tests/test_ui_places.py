"""The Near box in the app: the whole area's places, distances in words, an unknown place said and cleared."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from coventry_directory.core.distance_words import distance_text
from coventry_directory.core.places import TOWN_CENTRE, Place, resolve_place
from coventry_directory.core.search import Hit
from coventry_directory.ui.filter_panel import place_box
from coventry_directory.ui.results_model import HitRole, row_summary

DECIMAL_KM = re.compile(r"\d[.,]\d+ km")


def _rows(window) -> list[str]:
    return [window.model.index(i).data(Qt.AccessibleTextRole) for i in range(window.model.rowCount())]


def _near(qtbot, window, text: str) -> None:
    window.filters.near.setEditText(text)
    qtbot.waitUntil(
        lambda: (
            window.model.rowCount() > 0
            and window.model.near is not None
            and window.model.index(0).data(HitRole).distance_km is not None
        ),
        timeout=10_000,
    )


def test_the_near_box_offers_villages_and_neighbourhoods(qapp):
    box = place_box("Near place")
    names = {box.itemText(i) for i in range(box.count())}
    assert {"Foleshill", "Tile Hill", "Bidford-on-Avon", "Studley", "Henley-in-Arden", "Whitnash"} <= names
    assert {"Exhall (CV7)", "Exhall (B49)", "Rugby", "Warwick district"} <= names
    assert {"CV1 (Hillfields)", "CV4 (Canley)", "CV6 (Radford)"} <= names  # known by their district's centre


def test_result_rows_say_in_rugby_never_0_0_km(qtbot, open_window):
    window = open_window()
    _near(qtbot, window, "Rugby")
    rows = _rows(window)
    assert any("in Rugby" in row for row in rows)  # the CGL Rugby hub, at the town centre
    assert not any(DECIMAL_KM.search(row) for row in rows), rows
    assert "Distances are approximate: from the centre of Rugby" in window.notes.text()
    # the details pane of the first result says how far, and how approximate
    qtbot.waitUntil(lambda: "Distance" in window.details.toPlainText(), timeout=10_000)
    first = window.model.index(0).data(HitRole)
    details = window.details.toPlainText()
    assert distance_text(first.distance_km, resolve_place("Rugby")) + ". Distances are approximate" in details


def test_a_neighbourhood_in_the_near_box_gives_distances(qtbot, open_window):
    window = open_window()
    _near(qtbot, window, "Foleshill")
    assert window.model.near == resolve_place("Foleshill")
    assert any(re.search(r"about \d+ km", row) for row in _rows(window))
    assert "Unknown place" not in window.notes.text()


def test_a_neighbourhood_known_by_its_district_gives_distances_from_the_districts_centre(qtbot, open_window):
    window = open_window()
    _near(qtbot, window, "Hillfields")
    assert window.model.near == resolve_place("Hillfields") and window.model.near.name == "CV1 (Hillfields)"
    assert "Distances are approximate: from the centre of CV1 (Hillfields)" in window.notes.text()
    assert "Unknown place" not in window.notes.text()
    rows = _rows(window)
    assert any("in CV1 (Hillfields)" in row for row in rows)  # a city-centre service, by CV1's centre
    assert not any(DECIMAL_KM.search(row) for row in rows), rows


def test_an_unknown_place_says_so_and_clears_the_old_results(qtbot, open_window):
    window = open_window()
    _near(qtbot, window, "Rugby")
    assert window.model.rowCount() > 0 and window.shortlist_button.isEnabled()
    window.filters.near.setEditText("Atlantis")
    qtbot.waitUntil(lambda: "Unknown place 'Atlantis'" in window.notes.text(), timeout=10_000)
    assert window.model.rowCount() == 0  # no answers for Rugby left showing as if for Atlantis
    assert window.count_label.text() == "No results: the place is not known."
    assert "Unknown place 'Atlantis'" in window.details.toPlainText()
    assert not window.shortlist_button.isEnabled() and not window.print_button.isEnabled()
    # a misspelling gets the close names; putting a known place back brings results back
    window.filters.near.setEditText("Foleshil")
    qtbot.waitUntil(lambda: "Did you mean: Foleshill" in window.notes.text(), timeout=10_000)
    assert window.model.rowCount() == 0
    _near(qtbot, window, "Bidford")
    assert window.model.near.name == "Bidford-on-Avon"


def test_a_name_of_several_places_asks_which(qtbot, open_window):
    window = open_window()
    window.filters.near.setEditText("Exhall")
    qtbot.waitUntil(lambda: "more than one place" in window.notes.text(), timeout=10_000)
    assert "Exhall (B49), Exhall (CV7)" in window.notes.text()
    assert window.model.rowCount() == 0


def _hit(km: float | None) -> Hit:
    return Hit("id", "key", "A service", "An organisation", (), None, None, None, 1.0, km, "unknown", "")


def test_row_summary_words_the_distance(qapp):
    rugby = Place("Rugby", 52.37, -1.26, "rugby", TOWN_CENTRE, "test")
    assert row_summary(_hit(0.0), rugby)[2].startswith("in Rugby · ")
    assert row_summary(_hit(4.6), rugby)[2].startswith("about 5 km · ")
    assert row_summary(_hit(0.0))[2].startswith("about 1 km · ")  # no place to be "in"
    assert "km" not in row_summary(_hit(None), rugby)[2]


def test_a_place_in_the_search_words_the_directory_does_not_know_is_said(qtbot, open_window):
    window = open_window()
    window.search_box.setFocus()
    qtbot.keyClicks(window.search_box, "naloxone near Atlantis")
    qtbot.waitUntil(lambda: "not a place the directory knows" in window.notes.text(), timeout=10_000)
    assert window.notes.text() == (
        "“atlantis” is not a place the directory knows, so the results are from anywhere: "
        "try a town, village or postcode."
    )
    assert window.model.rowCount() > 0 and window.model.near is None  # naloxone, from anywhere


@pytest.mark.parametrize("typed", ["Rugbyy", "Xyzville"])
def test_where_the_client_lives_typed_alone_and_unknown_is_said(qtbot, open_window, typed):
    # nothing else about the client given: the place alone turns client mode on, so a
    # misspelling is reported rather than dropped with every service listed unjudged
    window = open_window()
    window.tabs.setCurrentIndex(1)
    window.profile.lives.setEditText(typed)
    qtbot.waitUntil(lambda: f"Unknown place '{typed}'" in window.notes.text(), timeout=10_000)
    assert "Check the spelling of where the client lives" in window.notes.text()
    assert window.model.rowCount() == 0 and window.count_label.text() == "No results: the place is not known."
    window.profile.lives.setEditText("Rugby")
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
    assert window.model.index(0).data(HitRole).verdict is not None  # client mode: each service judged
