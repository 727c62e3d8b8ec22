"""Coventry neighbourhoods with no point of their own: known by their postcode district's centre.

The facts sheet (section 7, "District coverage (Wikipedia)") says which district each
neighbourhood is in; GeoNames' accuracy-3 rows of CV1-CV6 say the same for more. Either way
the point is the district's centre (postcode-districts.csv), shown as "CV1 (Hillfields)",
and a place's own GeoNames point is never replaced. The files are read back here
independently of the loader.
"""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest

from coventry_directory.cli import main
from coventry_directory.core import place_data
from coventry_directory.core.distance_words import approximate_note, distance_text
from coventry_directory.core.place_data import DISTRICTS_SOURCE, GEONAMES_SOURCE
from coventry_directory.core.places import (
    PLACE_CENTRE,
    POSTCODE_DISTRICT,
    UnknownPlace,
    known_places,
    location_point,
    lookup_place,
    resolve_place,
    town_place,
)
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.resources import resource_path

WIKIPEDIA = "https://en.wikipedia.org/wiki/CV_postcode_area"

with resource_path("places", "postcode-districts.csv").open(encoding="utf-8", newline="") as _f:
    CENTRES = {
        row["postcode_district"]: (float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(_f)
    }
with resource_path("places", "geonames-postal-codes-gb.txt").open(encoding="utf-8") as _f:
    GEONAMES_ROWS = [line.rstrip("\n").split("\t") for line in _f if line.strip()]
with resource_path("directory", "sources", "local-services-facts-2026-11.md").open(encoding="utf-8") as _f:
    FACTS_LINE = next(line for line in _f if "District coverage (Wikipedia)" in line)

# The facts sheet's neighbourhoods that had no point: name -> district (copied from FACTS_LINE).
FROM_THE_FACTS_SHEET = {
    "Hillfields": "CV1",
    "Spon End": "CV1",
    "Wyken": "CV2",
    "Bell Green": "CV2",
    "Binley": "CV3",
    "Whitley": "CV3",
    "Cheylesmore": "CV3",
    "Finham": "CV3",
    "Canley": "CV4",
    "University of Warwick": "CV4",
    "Earlsdon": "CV5",
    "Eastern Green": "CV5",
}
# The facts sheet's neighbourhoods GeoNames gives a point of their own (accuracy 4):
# typed name -> (name shown, district of that GeoNames row).
OWN_POINT = {
    "Walsgrave": ("Walsgrave on Sowe", "CV2"),
    "Stoke": ("Stoke", "CV2"),
    "Styvechale": ("Stivichall", "CV3"),
    "Tile Hill": ("Tile Hill", "CV4"),
    "Allesley": ("Allesley", "CV5"),
}
# GeoNames accuracy-3 places of Coventry's districts (their point is another's): name -> district.
NEAR_POINT = {
    "Upper Stoke": "CV2",
    "Alderman's Green": "CV2",
    "Kirby Corner": "CV4",
    "Westwood Heath": "CV4",
    "Chapel Fields": "CV5",
    "Upper Eastern Green": "CV5",
    "Brownshill Green": "CV5",
    "Great Heath": "CV6",
    "Little Heath": "CV6",
    "Court House Green": "CV6",
    "Radford": "CV6",
}


def _facts_sheet_districts() -> dict[str, str]:
    """Which district the facts-sheet line puts each name in ("CV2 north-east (Walsgrave, ...)")."""
    coverage = FACTS_LINE.split("District coverage (Wikipedia):", 1)[1].split("[", 1)[0]
    out = {}
    for part in coverage.split(";"):
        code, rest = part.strip().split(" ", 1)
        names = rest[rest.index("(") + 1 : rest.rindex(")")] if "(" in rest else rest
        out |= {name.strip().rstrip("."): code for name in names.split(",")}
    return out


def test_the_neighbourhoods_are_the_facts_sheets():
    said = _facts_sheet_districts()
    assert WIKIPEDIA in FACTS_LINE
    assert said.pop("city centre") == "CV1"  # Coventry's town centre, a town already
    assert said.pop("Willenhall") == "CV3"  # asks which Willenhall (tested below)
    assert said == FROM_THE_FACTS_SHEET | {name: district for name, (_shown, district) in OWN_POINT.items()}


@pytest.mark.parametrize("name", sorted(FROM_THE_FACTS_SHEET))
def test_a_facts_sheet_neighbourhood_resolves_to_its_districts_centre(name):
    district = FROM_THE_FACTS_SHEET[name]
    place = resolve_place(name)
    assert (place.name, place.area, place.precision) == (f"{district} ({name})", "coventry", POSTCODE_DISTRICT)
    assert (
        (place.latitude, place.longitude)
        == CENTRES[district]
        == (resolve_place(district).latitude, resolve_place(district).longitude)
    )
    # both sources: the facts sheet's page for the district, the district file for the centre
    assert place.source == f"in {district}: {WIKIPEDIA} (facts sheet); {district} centre: {DISTRICTS_SOURCE}"
    assert lookup_place(name) == place == town_place(name)
    for typed in (
        name.upper(),
        f"{name}, Coventry",
        f"{district} ({name})",
        f"{name} ({district})",
        f"{name} {district}",
    ):
        assert resolve_place(typed) == place
    assert place.name in known_places()


@pytest.mark.parametrize("name", sorted(OWN_POINT))
def test_a_neighbourhood_with_its_own_geonames_point_keeps_it(name):
    shown, district = OWN_POINT[name]
    rows = [r for r in GEONAMES_ROWS if r[2] == shown and r[11] == "4"]
    assert [r[1] for r in rows] == [district]  # the facts sheet's district is GeoNames' too
    place = resolve_place(name)
    assert (place.name, place.area, place.precision, place.source) == (shown, "coventry", PLACE_CENTRE, GEONAMES_SOURCE)
    assert (place.latitude, place.longitude) == (float(rows[0][9]), float(rows[0][10]))
    assert (place.latitude, place.longitude) != CENTRES[district]  # not downgraded to the district's centre


@pytest.mark.parametrize("name", sorted(NEAR_POINT))
def test_a_geonames_accuracy_3_place_of_coventry_gets_its_district_not_its_point(name):
    district = NEAR_POINT[name]
    (row,) = [r for r in GEONAMES_ROWS if r[2] == name]
    assert (row[1], row[11]) == (district, "3")
    shared = [r[2] for r in GEONAMES_ROWS if (r[9], r[10]) == (row[9], row[10]) and r is not row]
    assert shared  # the row's point is another place's too: it is not this place's own
    place = resolve_place(name)
    assert (place.name, place.area, place.precision) == (f"{district} ({name})", "coventry", POSTCODE_DISTRICT)
    assert (place.latitude, place.longitude) == CENTRES[district] != (float(row[9]), float(row[10]))
    assert place.source == f"in {district}: {GEONAMES_SOURCE}, accuracy 3; {district} centre: {DISTRICTS_SOURCE}"


def test_the_facts_sheet_and_geonames_agree_where_both_name_a_neighbourhood():
    # Binley and Earlsdon: GeoNames accuracy 3 in the facts sheet's district; the facts sheet is cited
    for name in ("Binley", "Earlsdon"):
        (row,) = [r for r in GEONAMES_ROWS if r[2] == name]
        assert (row[1], row[11]) == (FROM_THE_FACTS_SHEET[name], "3")
        assert WIKIPEDIA in resolve_place(name).source and GEONAMES_SOURCE not in resolve_place(name).source


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Warwick University", "CV4 (University of Warwick)"),
        ("Chapelfields", "CV5 (Chapel Fields)"),
        ("Courthouse Green", "CV6 (Court House Green)"),
        ("Aldermans Green", "CV2 (Alderman's Green)"),
        ("hawkes end", "CV5 (Hawkes End)"),
    ],
)
def test_other_names_people_type(text, name):
    assert resolve_place(text).name == name


def test_places_on_coventrys_edge_give_distances_but_no_catchment():
    for name in ("Hawkes End", "Pickford Green"):  # which council area is not certain (places.toml)
        place = resolve_place(name)
        assert (place.area, place.precision, (place.latitude, place.longitude)) == (
            None,
            POSTCODE_DISTRICT,
            CENTRES["CV5"],
        )


def test_every_district_named_place_is_at_its_districts_centre():
    named = [name for name in known_places() if re.fullmatch(r"[A-Z]{1,2}\d+ \(.+\)", name)]
    assert len(named) >= len(FROM_THE_FACTS_SHEET) + len(NEAR_POINT)
    for name in named:
        place = resolve_place(name)
        district = name.split(" ", 1)[0]
        assert (place.name, place.precision) == (name, POSTCODE_DISTRICT)
        assert (place.latitude, place.longitude) == CENTRES[district]
        assert place.source.endswith(f"; {district} centre: {DISTRICTS_SOURCE}")


def test_willenhall_still_asks_which():
    with pytest.raises(UnknownPlace) as caught:
        resolve_place("Willenhall")
    assert caught.value.suggestions == ["Willenhall (CV3)"]
    assert str(caught.value) == (
        "'Willenhall' is also the name of a place this directory does not know. "
        "Did you mean Willenhall (CV3) in Coventry? Or type its postcode."
    )
    own = resolve_place("Willenhall (Coventry)")  # its own GeoNames point, not CV3's centre
    (row,) = [r for r in GEONAMES_ROWS if r[2] == "Willenhall" and r[11] == "4"]
    assert (own.name, own.precision, own.latitude, own.longitude) == (
        "Willenhall (CV3)",
        PLACE_CENTRE,
        float(row[9]),
        float(row[10]),
    )
    assert resolve_place("Willenhall CV3") == resolve_place("Willenhall, Coventry") == own


def test_stoke_is_coventrys_the_only_stoke_in_the_gazetteer():
    # Stoke-on-Trent is no place of the gazetteer (not even its postcodes), so "Stoke" is not asked
    assert [r[1] for r in GEONAMES_ROWS if r[2] == "Stoke"] == ["CV2"]
    assert [name for name in known_places() if place_data.normalise(name) == "stoke"] == ["Stoke"]
    assert resolve_place("Stoke") == resolve_place("Stoke (Coventry)") == resolve_place("stoke, coventry")
    assert resolve_place("Stoke").precision == PLACE_CENTRE
    with pytest.raises(UnknownPlace):
        resolve_place("Stoke-on-Trent")


@pytest.mark.parametrize("name", ["Holbrooks", "Coundon", "Stoke Aldermoor", "King's Coughton", "Cubbington"])
def test_a_place_no_source_at_hand_places_stays_unknown(name):
    # no source names Holbrooks, Coundon or Stoke Aldermoor; King's Coughton (B49) and
    # Cubbington (CV32) are accuracy-3 rows outside Coventry's districts, too wide to stand for them
    with pytest.raises(UnknownPlace):
        resolve_place(name)


def test_canley_resolves_and_a_misspelling_suggests_it():
    assert resolve_place("Canley").name == "CV4 (Canley)"  # no more "did you mean Langley"
    with pytest.raises(UnknownPlace) as caught:
        resolve_place("Canly")
    assert caught.value.suggestions[0] == "CV4 (Canley)"


def test_distances_from_a_neighbourhood_say_they_are_from_its_districts_centre():
    hillfields = resolve_place("Hillfields")
    assert approximate_note(hillfields).startswith("Distances are approximate: from the centre of CV1 (Hillfields) ")
    assert distance_text(0.3, hillfields) == "in CV1 (Hillfields)"
    assert distance_text(5.2, hillfields, "location") == "about 5 km"  # a centre: never exact


def test_a_service_whose_address_names_a_neighbourhood_is_put_at_its_district():
    assert location_point(None, "Hillfields", "Coventry") == resolve_place("Hillfields")  # not the city centre
    assert location_point("CV1 5AB", "Hillfields", "Coventry") == resolve_place("CV1")
    assert location_point(None, "Foleshill", "Coventry") == resolve_place("Foleshill")  # its own point first


# --- the loader refuses data that disagree ----------------------------------------------------
def _load_with(monkeypatch, change) -> None:
    data: dict[str, Any] = place_data._toml()
    change(data)
    monkeypatch.setattr(place_data, "_toml", lambda: data)
    place_data.load()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d["neighbourhoods"]["districts"]["CV1"].append("Tile Hill"), "Tile Hill"),  # GeoNames: CV4
        (lambda d: d["neighbourhoods"]["districts"]["CV1"].append("Willenhall"), "Willenhall"),  # CV3's
        (lambda d: d["neighbourhoods"]["districts"]["CV2"].append("Earlsdon"), "Earlsdon"),  # GeoNames: CV5
        (lambda d: d["neighbourhoods"]["districts"].update(CV99=["Atlantis"]), "CV99"),
        (lambda d: d["gazetteer"]["aliases"].update({"CV1 Nowhere": ["X"]}), "CV1 Nowhere"),
    ],
)
def test_the_loader_refuses_a_neighbourhood_the_gazetteer_places_elsewhere(monkeypatch, change, says):
    with pytest.raises(ValueError, match=says):
        _load_with(monkeypatch, change)


def test_a_neighbourhood_whose_name_is_also_elsewhere_asks_which(monkeypatch):
    data: dict[str, Any] = place_data._toml()
    data["gazetteer"]["also_elsewhere"].append("Canley")
    monkeypatch.setattr(place_data, "_toml", lambda: data)
    gazetteer = place_data.load()
    assert gazetteer.ambiguous["canley"] == ("CV4 (Canley)",) and "canley" not in gazetteer.settlements
    assert gazetteer.settlements["cv4 canley"] == gazetteer.settlements["canley cv4"]


def test_without_the_section_the_neighbourhoods_are_unknown(monkeypatch):
    data: dict[str, Any] = place_data._toml()
    del data["neighbourhoods"]
    for key in ("CV4 University of Warwick", "CV5 Chapel Fields", "CV6 Court House Green"):
        del data["gazetteer"]["aliases"][key]
    for key in ("CV5 Hawkes End", "CV5 Pickford Green"):
        del data["gazetteer"]["areas"][key]
    monkeypatch.setattr(place_data, "_toml", lambda: data)
    gazetteer = place_data.load()
    assert "hillfields" not in gazetteer.settlements and "radford" not in gazetteer.settlements
    assert gazetteer.settlements["tile hill"].precision == PLACE_CENTRE


# --- searching near a neighbourhood ------------------------------------------------------------
def test_a_search_near_hillfields_gives_coventry_services_first(directory_store):
    engine = SearchEngine(directory_store)
    hillfields = resolve_place("Hillfields")
    hits = engine.search("", Filters(near=hillfields), limit=30).hits
    facets = directory_store.queries.facet_rows([h.id for h in hits])
    assert len(hits) == 30
    assert all(" coventry " in facets[h.id]["catchment"] for h in hits), [h.key for h in hits]
    assert hits[0].key.startswith("cov-") and distance_text(hits[0].distance_km, hillfields) == "in CV1 (Hillfields)"
    # the same point and area as CV1, so the same answers
    near_cv1 = engine.search("", Filters(near=resolve_place("CV1")), limit=30).hits
    assert [(h.id, h.distance_km) for h in hits] == [(h.id, h.distance_km) for h in near_cv1]


def test_a_neighbourhood_in_the_search_text_is_the_place(directory_store):
    result = SearchEngine(directory_store).search("needle exchange canley", Filters(), limit=5)
    assert result.place == resolve_place("Canley")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("place", ["Hillfields", "Canley", "Earlsdon", "Radford", "Spon End", "Bell Green"])
def test_cli_search_near_a_neighbourhood(installed_directory, capsys, place):
    code, out, err = run(capsys, "search", "--near", place, "--limit", "20")
    assert code == 0, err
    shown = resolve_place(place).name
    assert f"Distances are approximate: from the centre of {shown} to " in out
    assert re.search(r" · (about \d+ km|in " + re.escape(shown) + ") · ", out) and "0.0 km" not in out


def test_cli_search_json_near_hillfields(installed_directory, capsys):
    import json

    code, out, err = run(capsys, "search", "--near", "Hillfields", "--limit", "10", "--json")
    assert code == 0, err
    services = json.loads(out)
    assert services and services[0]["key"].startswith("cov-")
    assert all(s["distance_km"] is None or isinstance(s["distance_km"], float | int) for s in services)
