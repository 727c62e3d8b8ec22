"""The gazetteer: towns, council areas and postcodes resolve; anything else is a clear UnknownPlace.

The whole area (every postcode district, villages and neighbourhoods) is tested in test_places_area.py.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coventry_directory.core.models import AREAS
from coventry_directory.core.place_data import DISTRICTS_SOURCE
from coventry_directory.core.places import (
    AREA,
    PLACE_CENTRE,
    POSTCODE_DISTRICT,
    TOWN_CENTRE,
    Place,
    UnknownPlace,
    area_of,
    distance_km,
    known_places,
    lookup_place,
    resolve_place,
    town_place,
)

# Town -> (latitude, longitude, source, area), copied from the facts sheet section 7.
TOWNS = {
    "Coventry": (52.40806, -1.51056, "http://piglix.com/piglix-tmpl.php?title=Coventry", "coventry"),
    "Nuneaton": (
        52.523,
        -1.468,
        "https://review.clateway.com/wiki/view_html.php?q=Nuneaton_%26_Bedworth&sq=Qlik",
        "nuneaton-bedworth",
    ),
    "Bedworth": (52.475, -1.477, "https://en.wikipedia.org/wiki/Bedworth", "nuneaton-bedworth"),
    "Rugby": (52.37, -1.26, "https://en.m.wiki.x.io/wiki/Rugby_Golf_Club", "rugby"),
    "Leamington Spa": (52.29194, -1.53583, "https://en.wikipedia.org/wiki/Leamington_Spa", "warwick"),
    "Warwick": (52.28, -1.59, "https://en.wikipedia.org/wiki/Warwick", "warwick"),
    "Kenilworth": (52.341, -1.566, "http://www.thefullwiki.org/Kenilworth", "warwick"),
    "Stratford-upon-Avon": (
        52.19278,
        -1.70639,
        "https://wiki.av1.space/content/wikipedia_en_all_mini_2025-06/Stratford_upon_Avon",
        "stratford-on-avon",
    ),
    "Atherstone": (52.5787, -1.5462, "https://en.wikipedia.org/wiki/Atherstone", "north-warwickshire"),
    "Alcester": (52.21500, -1.86972, "https://profilbaru.com/en/Alcester", "stratford-on-avon"),
    "Southam": (52.252, -1.39, "https://en-academic.com/dic.nsf/enwiki/131435", "stratford-on-avon"),
    "Shipston-on-Stour": (52.060, -1.623, "https://en.wikipedia.org/wiki/Shipston-on-Stour", "stratford-on-avon"),
    "Coleshill": (52.499, -1.708, "https://en.wikipedia.org/wiki/Coleshill,_Warwickshire", "north-warwickshire"),
    "Polesworth": (None, None, "http://piglix.com/piglix/Polesworth", "north-warwickshire"),
    "Wellesbourne": (52.19434, -1.59472, "https://wiki.riteme.site/wiki/Wellesbourne_and_Walton", "stratford-on-avon"),
}

# Area name -> (code, representative town).
AREA_NAMES = {
    "Coventry": ("coventry", "Coventry"),
    "North Warwickshire": ("north-warwickshire", "Atherstone"),
    "Nuneaton and Bedworth": ("nuneaton-bedworth", "Nuneaton"),
    "Rugby": ("rugby", "Rugby"),
    "Warwick district": ("warwick", "Leamington Spa"),
    "Stratford-on-Avon": ("stratford-on-avon", "Stratford-upon-Avon"),
}

DISTRICTS = {
    **{f"CV{n}": "Coventry" for n in range(1, 8)},
    "CV8": "Kenilworth",
    "CV9": "Atherstone",
    "CV10": "Nuneaton",
    "CV11": "Nuneaton",
    "CV12": "Bedworth",
    "CV21": "Rugby",
    "CV22": "Rugby",
    "CV23": "Rugby",
    "CV31": "Leamington Spa",
    "CV32": "Leamington Spa",
    "CV33": "Leamington Spa",
    "CV34": "Warwick",
    "CV35": "Warwick",
    "CV36": "Shipston-on-Stour",
    "CV37": "Stratford-upon-Avon",
    "CV47": "Southam",
    "B49": "Alcester",
    "B46": "Coleshill",
    "B78": "Polesworth",
}


@pytest.mark.parametrize("town", sorted(TOWNS))
def test_every_town_resolves_with_its_sourced_point(town):
    lat, lon, source, area = TOWNS[town]
    assert resolve_place(town) == Place(town, lat, lon, area, TOWN_CENTRE, source)
    assert town_place(town) == resolve_place(town)


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Leamington", "Leamington Spa"),
        ("Royal Leamington Spa", "Leamington Spa"),
        ("Leam", "Leamington Spa"),
        ("Stratford", "Stratford-upon-Avon"),
        ("stratford upon avon", "Stratford-upon-Avon"),
        ("STRATFORD-UPON-AVON", "Stratford-upon-Avon"),
        ("shipston on stour", "Shipston-on-Stour"),
        ("Shipston", "Shipston-on-Stour"),
        ("  rugby. ", "Rugby"),
        ("NUNEATON", "Nuneaton"),
        ("Cov", "Coventry"),
        ("Wellesbourne and Walton", "Wellesbourne"),
        ("\u200fRugby", "Rugby"),  # a right-to-left mark is invisible
        ("Ｒｕｇｂｙ", "Rugby"),  # full-width letters
    ],
)
def test_aliases_case_and_punctuation(text, town):
    place = resolve_place(text)
    assert place.name == town and place.precision == TOWN_CENTRE


@pytest.mark.parametrize("name", sorted(AREA_NAMES))
def test_every_area_resolves_to_its_representative_town(name):
    code, town = AREA_NAMES[name]
    place = resolve_place(name)
    lat, lon, source, _area = TOWNS[town]
    assert (place.area, place.latitude, place.longitude, place.source) == (code, lat, lon, source)
    # "Rugby" and "Coventry" are towns as well as areas: the town centre is the more precise answer.
    assert place.precision == (TOWN_CENTRE if name == town else AREA)


@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("Nuneaton & Bedworth", "Nuneaton and Bedworth", "nuneaton-bedworth"),
        ("north warwickshire", "North Warwickshire", "north-warwickshire"),
        ("Warwick District", "Warwick district", "warwick"),
        ("stratford on avon", "Stratford-on-Avon", "stratford-on-avon"),
        ("Rugby borough", "Rugby", "rugby"),
    ],
)
def test_area_aliases(text, name, code):
    assert (resolve_place(text).name, resolve_place(text).area, resolve_place(text).precision) == (name, code, AREA)


def test_areas_cover_every_catchment():
    assert {resolve_place(name).area for name in AREA_NAMES} == set(AREAS)
    assert set(TOWNS) | set(AREA_NAMES) <= set(known_places())  # and villages, neighbourhoods


@pytest.mark.parametrize("code", sorted(DISTRICTS))
def test_every_outward_code_resolves_to_its_district_centre_in_its_towns_area(code):
    place = resolve_place(code)
    _lat, _lon, _source, area = TOWNS[DISTRICTS[code]]
    assert (place.name, place.area, place.precision, place.source) == (code, area, POSTCODE_DISTRICT, DISTRICTS_SOURCE)
    assert place.latitude is not None and place.longitude is not None
    assert resolve_place(code.lower()) == place


@pytest.mark.parametrize(
    ("text", "district", "area"),
    [
        ("CV21 3AB", "CV21", "rugby"),
        ("cv213ab", "CV21", "rugby"),
        ("  Cv21   3aB ", "CV21", "rugby"),
        ("cv12", "CV12", "nuneaton-bedworth"),
        ("CV1 1AA", "CV1", "coventry"),
        ("CV10 0AA", "CV10", "nuneaton-bedworth"),
        ("CV32 4AB", "CV32", "warwick"),
        ("B49 5AB", "B49", "stratford-on-avon"),
        ("b46 1aa", "B46", "north-warwickshire"),
    ],
)
def test_postcodes(text, district, area):
    place = resolve_place(text)
    assert (place.name, place.area, place.precision) == (district, area, POSTCODE_DISTRICT)


def test_cv13_is_outside_the_two_counties():
    for text in ("CV13", "CV13 0AA", "cv130aa"):
        place = resolve_place(text)  # a district around the two counties: distances, no catchment
        assert (place.name, place.area, place.precision) == ("CV13", None, POSTCODE_DISTRICT)
    assert area_of("CV13") is None


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("Leamington", "warwick"),
        ("cv12", "nuneaton-bedworth"),
        ("Polesworth", "north-warwickshire"),
        ("Kenilworth", "warwick"),
        ("Southam", "stratford-on-avon"),
        ("CV21 3AB", "rugby"),
        ("Warwick district", "warwick"),
        ("Atlantis", None),
        ("", None),
        (None, None),
        ("CV13", None),
    ],
)
def test_area_of(text, area):
    assert area_of(text) == area


def test_distances():
    rugby, coventry = resolve_place("Rugby"), resolve_place("Coventry")
    km = distance_km(rugby, coventry.latitude, coventry.longitude)
    assert 17.0 < km < 18.5
    assert distance_km(coventry, rugby.latitude, rugby.longitude) == pytest.approx(km)
    assert distance_km(rugby, rugby.latitude, rugby.longitude) == 0
    assert distance_km(rugby, None, -1.5) is None
    assert distance_km(rugby, 52.4, None) is None


def test_polesworth_has_no_coordinates_so_no_distance():
    polesworth = resolve_place("Polesworth")
    assert (polesworth.latitude, polesworth.longitude) == (None, None)
    assert distance_km(polesworth, 52.40806, -1.51056) is None
    assert resolve_place("B78 1AA").latitude is not None  # its postcode district has a centre


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("Royal Leamington Spa", "Leamington Spa"),
        ("stratford", "Stratford-upon-Avon"),
        ("Polesworth", "Polesworth"),
        ("Nowhere", None),
        ("", None),
        (None, None),
        ("CV21", None),
        ("North Warwickshire", None),
        ("x" * 5000, None),
    ],
)
def test_town_place(text, result):
    place = town_place(text)
    assert (place.name if place else None) == result


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Rugby", "Rugby"),
        ("cv21 3ab", "CV21"),
        ("CV12", "CV12"),
        ("north warwickshire", "North Warwickshire"),
        ("Leam", "Leamington Spa"),
        ("Rugbee", None),
        ("CV13", "CV13"),
        ("", None),
        (None, None),
        ("\x00", None),
        ("x" * 10_000, None),
        ("needle exchange", None),
    ],
)
def test_lookup_place_never_raises(text, name):
    place = lookup_place(text)
    assert (place.name if place else None) == name
    if place:
        assert place == resolve_place(text)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Rugbee", "Rugby"),
        ("Kenilwoth", "Kenilworth"),
        ("Nuneton", "Nuneaton"),
        ("Leamingtn", "Leamington Spa"),
        ("Atherstne", "Atherstone"),
        ("Bedwoth", "Bedworth"),
        ("Stratfrod upon Avon", "Stratford-upon-Avon"),
        ("Coventy", "Coventry"),
        ("Warwickshire", "North Warwickshire"),
        ("CV99", "CV9"),
    ],
)
def test_misspellings_give_suggestions(text, suggestion):
    with pytest.raises(UnknownPlace) as caught:
        resolve_place(text)
    assert suggestion in caught.value.suggestions
    assert f"Unknown place '{text}'. Did you mean: " in str(caught.value)
    assert suggestion in str(caught.value)


def test_suggestion_message_format():
    with pytest.raises(UnknownPlace, match=r"^Unknown place 'Rugbee'\. Did you mean: Rugby\?$"):
        resolve_place("Rugbee")


JUNK = [
    "",
    "   ",
    "\x00",
    "\x00" * 50,
    "Rug\x00by\x00x",
    "\u200f",
    "\u202e\u202dCV",
    "x" * 10_000,
    "'; DROP TABLE service;--",
    "Robert'); DROP TABLE students;--",
    "% OR 1=1",
    "CV",
    "12345",
    "CV1 1AAA",
    "🙂",
    "كوفنتري",
    "\ud800",
    "../../etc/passwd",
    "{name}",
    "\n\t\r",
]


@pytest.mark.parametrize("text", JUNK)
def test_junk_raises_a_clear_unknown_place(text):
    with pytest.raises(UnknownPlace) as caught:
        resolve_place(text)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value.suggestions, list)
    assert message and len(message) < 300
    assert not any(unicodedata.category(c).startswith("C") for c in message)


def test_empty_input_says_no_place_given():
    with pytest.raises(UnknownPlace, match="^No place given"):
        resolve_place("  ")


def test_non_text_is_an_unknown_place():
    with pytest.raises(UnknownPlace):
        resolve_place(None)  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_resolves_or_raises_unknown_place(text):
    try:
        place = resolve_place(text)
    except UnknownPlace as error:
        assert str(error)
        assert lookup_place(text) is None
    else:
        assert isinstance(place, Place) and (place.area is None or place.area in AREAS)
        assert lookup_place(text) == place


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[A-Za-z]{1,2}[0-9]{1,2}[A-Za-z0-9]? ?[0-9][A-Za-z]{2}\Z"))
def test_any_postcode_shape_resolves_or_raises_unknown_place(text):
    try:
        place = resolve_place(text)
    except UnknownPlace:
        return
    assert place.precision in (POSTCODE_DISTRICT, TOWN_CENTRE, PLACE_CENTRE, AREA)
