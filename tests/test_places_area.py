"""Places for the whole area: every postcode district, villages and neighbourhoods, honest distances.

The data is read back here independently of the loader (the CSV and the GeoNames rows as
shipped), so a coordinate the app shows can always be traced to a row of a cited file.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import sqlite3
from collections import Counter

import pytest
from test_leaflet_support import pdf_text

from coventry_directory.cli import main
from coventry_directory.core.distance_words import approximate_note, distance_text, rounded_km
from coventry_directory.core.models import AREAS
from coventry_directory.core.place_data import DISTRICTS_SOURCE, GEONAMES_SOURCE
from coventry_directory.core.places import (
    PLACE_CENTRE,
    POSTCODE_DISTRICT,
    TOWN_CENTRE,
    Place,
    UnknownPlace,
    known_places,
    location_point,
    lookup_place,
    resolve_place,
    town_place,
)
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.leaflets.base import write_pdf
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer
from coventry_directory.resources import resource_path
from coventry_directory.store.directory import DirectoryStore

with resource_path("places", "postcode-districts.csv").open(encoding="utf-8", newline="") as _f:
    DISTRICT_ROWS = {row["postcode_district"]: row for row in csv.DictReader(_f)}
with resource_path("places", "geonames-postal-codes-gb.txt").open(encoding="utf-8") as _f:
    GEONAMES_ROWS = [line.rstrip("\n").split("\t") for line in _f if line.strip()]

HOME = {code for code, row in DISTRICT_ROWS.items() if row["county"] in ("Coventry", "Warwickshire")}
HOME.add("B78")  # Tamworth's district, filed under Staffordshire, is also Polesworth's (North Warwickshire)
CV_DISTRICTS = [f"CV{n}" for n in (*range(1, 14), 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 47)]


def test_the_district_file_has_the_whole_area():
    assert len(DISTRICT_ROWS) == 186
    assert set(CV_DISTRICTS) <= set(DISTRICT_ROWS)
    assert {"B50", "B80", "B95", "GL56", "B46", "B49", "B78", "B94"} <= set(DISTRICT_ROWS)


@pytest.mark.parametrize("code", sorted(DISTRICT_ROWS))
def test_every_district_in_the_file_resolves_to_its_centre(code):
    row = DISTRICT_ROWS[code]
    place = resolve_place(code)
    assert (place.name, place.precision, place.source) == (code, POSTCODE_DISTRICT, DISTRICTS_SOURCE)
    assert (place.latitude, place.longitude) == (float(row["latitude"]), float(row["longitude"]))
    # Coventry and Warwickshire districts count in a council area; the ones around them in none.
    assert (place.area in AREAS) if code in HOME else (place.area is None)
    assert resolve_place(code.lower()) == place == lookup_place(code)


@pytest.mark.parametrize("code", CV_DISTRICTS)
@pytest.mark.parametrize("inward", ["2DT", "1AA", "9ZZ"])
def test_every_cv_district_and_its_full_postcodes_resolve(code, inward):
    district = resolve_place(code)
    for text in (f"{code} {inward}", f"{code}{inward}".lower(), f"  {code.lower()}   {inward.lower()} "):
        assert resolve_place(text) == district


@pytest.mark.parametrize(
    ("text", "district", "area"),
    [
        ("CV21 2DT", "CV21", "rugby"),
        ("cv212dt", "CV21", "rugby"),
        ("B50 4QN", "B50", "stratford-on-avon"),  # Bidford-on-Avon
        ("b80", "B80", "stratford-on-avon"),  # Studley
        ("B95 5AA", "B95", "stratford-on-avon"),  # Henley-in-Arden
        ("GL56 0AA", "GL56", None),  # Moreton-in-Marsh: around the counties, no catchment
        ("CV6 5AB", "CV6", "coventry"),
        ("LE10 1AA", "LE10", None),
    ],
)
def test_postcodes_from_the_issue_resolve(text, district, area):
    place = resolve_place(text)
    assert (place.name, place.area, place.precision) == (district, area, POSTCODE_DISTRICT)


# Typed text -> (name shown, council area, precision). Every one sourced: a town from the
# facts sheet (places.toml), or a GeoNames place with a point of its own.
NAMED = {
    "Bidford": ("Bidford-on-Avon", "stratford-on-avon", PLACE_CENTRE),
    "Bidford-on-Avon": ("Bidford-on-Avon", "stratford-on-avon", PLACE_CENTRE),
    "bidford on avon": ("Bidford-on-Avon", "stratford-on-avon", PLACE_CENTRE),
    "BÍDFORD-ON-AVON": ("Bidford-on-Avon", "stratford-on-avon", PLACE_CENTRE),
    "Studley": ("Studley", "stratford-on-avon", PLACE_CENTRE),
    "Henley-in-Arden": ("Henley-in-Arden", "stratford-on-avon", PLACE_CENTRE),
    "Henley in Arden": ("Henley-in-Arden", "stratford-on-avon", PLACE_CENTRE),
    "Henley": ("Henley-in-Arden", "stratford-on-avon", PLACE_CENTRE),
    "Whitnash": ("Whitnash", "warwick", PLACE_CENTRE),
    "Foleshill": ("Foleshill", "coventry", PLACE_CENTRE),
    "Tile Hill": ("Tile Hill", "coventry", PLACE_CENTRE),
    "tile-hill": ("Tile Hill", "coventry", PLACE_CENTRE),
    "Keresley": ("Keresley", "coventry", PLACE_CENTRE),
    "Allesley": ("Allesley", "coventry", PLACE_CENTRE),
    "Longford": ("Longford", "coventry", PLACE_CENTRE),
    "Walsgrave": ("Walsgrave on Sowe", "coventry", PLACE_CENTRE),
    "Walsgrave-on-Sowe": ("Walsgrave on Sowe", "coventry", PLACE_CENTRE),
    "Styvechale": ("Stivichall", "coventry", PLACE_CENTRE),
    "Willenhall (Coventry)": ("Willenhall (CV3)", "coventry", PLACE_CENTRE),
    "Willenhall CV3": ("Willenhall (CV3)", "coventry", PLACE_CENTRE),
    "Kenilworth": ("Kenilworth", "warwick", TOWN_CENTRE),
    "Bedworth": ("Bedworth", "nuneaton-bedworth", TOWN_CENTRE),
    "Atherstone": ("Atherstone", "north-warwickshire", TOWN_CENTRE),
    "Coleshill": ("Coleshill", "north-warwickshire", TOWN_CENTRE),
    "Southam": ("Southam", "stratford-on-avon", TOWN_CENTRE),
    "Shipston on Stour": ("Shipston-on-Stour", "stratford-on-avon", TOWN_CENTRE),
    "Alcester": ("Alcester", "stratford-on-avon", TOWN_CENTRE),
    "Wellesbourne": ("Wellesbourne", "stratford-on-avon", TOWN_CENTRE),
    "Kineton": ("Kineton", "stratford-on-avon", PLACE_CENTRE),
    "Bilton": ("Bilton", "rugby", PLACE_CENTRE),
    "Hillmorton": ("Hillmorton", "rugby", PLACE_CENTRE),
    "Dunchurch": ("Dunchurch", "rugby", PLACE_CENTRE),
    "Long Lawford": ("Long Lawford", "rugby", PLACE_CENTRE),
    "Wolston": ("Wolston", "rugby", PLACE_CENTRE),
    "Ryton-on-Dunsmore": ("Ryton-on-Dunsmore", "rugby", PLACE_CENTRE),
    "Brinklow": ("Brinklow", "rugby", PLACE_CENTRE),
    "Water Orton": ("Water Orton", "north-warwickshire", PLACE_CENTRE),
    "Kingsbury": ("Kingsbury", "north-warwickshire", PLACE_CENTRE),
    "Hartshill": ("Hartshill", "north-warwickshire", PLACE_CENTRE),
    "Exhall (CV7)": ("Exhall (CV7)", "nuneaton-bedworth", PLACE_CENTRE),
    "Bulkington": ("Bulkington", "nuneaton-bedworth", PLACE_CENTRE),
    "Stockingford": ("Stockingford", "nuneaton-bedworth", PLACE_CENTRE),
    "Attleborough": ("Attleborough", "nuneaton-bedworth", PLACE_CENTRE),
    "Harbury": ("Harbury", "stratford-on-avon", PLACE_CENTRE),
    "Lapworth": ("Lapworth", "warwick", PLACE_CENTRE),
    "Balsall Common": ("Balsall Common", None, PLACE_CENTRE),  # Solihull: around, not ours
    "Ashby Saint Ledgers": ("Ashby St Ledgers", None, PLACE_CENTRE),  # Northamptonshire
}


def _geonames_point(name: str) -> tuple[float, float]:
    """The one accuracy-4 GeoNames row for ``name`` (its own point: no other accuracy-4 row there)."""
    bare = re.sub(r" \((?P<d>[A-Z0-9]+)\)$", "", name)
    district = re.search(r"\(([A-Z0-9]+)\)$", name)
    rows = [r for r in GEONAMES_ROWS if r[2] == bare and r[11] == "4" and (not district or r[1] == district[1])]
    assert len(rows) == 1, rows
    shared = Counter((r[9], r[10]) for r in GEONAMES_ROWS if r[11] == "4")
    assert shared[(rows[0][9], rows[0][10])] == 1
    return float(rows[0][9]), float(rows[0][10])


@pytest.mark.parametrize("text", sorted(NAMED))
def test_named_places_resolve_to_their_sourced_point(text):
    name, area, precision = NAMED[text]
    place = resolve_place(text)
    assert (place.name, place.area, place.precision) == (name, area, precision)
    assert lookup_place(text) == place == town_place(text)
    if precision == PLACE_CENTRE:
        assert place.source == GEONAMES_SOURCE
        assert (place.latitude, place.longitude) == _geonames_point(name)
    else:
        assert place.source.startswith("http")  # the facts sheet's page for the town
    assert name in known_places()


def test_every_gazetteer_point_is_a_geonames_row_of_its_own():
    for name in known_places():
        place = resolve_place(name)
        assert place.name == name
        if place.precision == PLACE_CENTRE:
            assert (place.latitude, place.longitude) == _geonames_point(name)


def test_estimated_and_shared_points_are_not_taken():
    # GeoNames gives King's Coughton only an estimate (accuracy 3), and four CV33 villages one
    # point between them (Southam CV33, Ladbroke, Northend, Fenny Compton): none is a place's own.
    for text in ("King's Coughton", "Ladbroke", "Fenny Compton", "Northend"):
        with pytest.raises(UnknownPlace):
            resolve_place(text)
    assert resolve_place("Southam").precision == TOWN_CENTRE  # the facts sheet's Southam, not CV33's


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("Exhall", ["Exhall (B49)", "Exhall (CV7)"]),  # near Alcester and near Bedworth
        ("exhall", ["Exhall (B49)", "Exhall (CV7)"]),
        ("Wood End", ["Wood End (CV9)"]),  # Coventry's Wood End is not in the source
        ("Willenhall", ["Willenhall (CV3)"]),  # Walsall's is outside the area
    ],
)
def test_a_name_of_several_places_asks_which(text, choices):
    with pytest.raises(UnknownPlace) as caught:
        resolve_place(text)
    assert caught.value.suggestions == choices
    # one choice held, its namesake not: said as it is (tests/test_places_probe.py), never "more than one"
    said = "more than one place" if len(choices) > 1 else "is also the name of a place this directory does not know"
    assert said in str(caught.value) and "postcode" in str(caught.value)
    assert lookup_place(text) is None


# --- where a service is put when it has no coordinates --------------------------------------
def test_location_point_most_precise_first():
    cv6 = resolve_place("CV6")
    assert location_point("CV6 5AB", None, "Coventry") == cv6  # the district, not the city centre
    assert location_point("cv65ab", "Coventry", None) == cv6
    assert location_point(None, "Foleshill", "Coventry") == resolve_place("Foleshill")  # a neighbourhood named
    assert location_point("", None, "Coventry").precision == TOWN_CENTRE
    assert location_point("not a postcode", None, "Atlantis") is None
    assert location_point("CV99 1AA", None, None) is None
    assert location_point(None, "Polesworth", None) is None  # a town with no coordinates


def _add_location(path, service_key: str, *, postcode: str | None, city: str | None) -> str:
    """Give one service a location with an address only (as an imported feed does), then rebuild search."""
    from sqlite_utils import Database

    from coventry_directory.store.search_index import rebuild_search_index

    with sqlite3.connect(path) as db:
        (sid,) = db.execute(
            "SELECT s.id FROM service s JOIN attribute a ON a.link_id = s.id "
            "JOIN taxonomy_term t ON t.id = a.taxonomy_term_id WHERE t.code = 'key' AND a.value = ?",
            [service_key],
        ).fetchone()
        assert not db.execute("SELECT 1 FROM service_point WHERE service_id = ?", [sid]).fetchall()
        db.execute("INSERT INTO location (id, name) VALUES ('test-loc', 'A building')")
        db.execute(
            "INSERT INTO address (id, location_id, address_1, city, postal_code, address_type) "
            "VALUES ('test-addr', 'test-loc', '1 Fictional Street', ?, ?, 'physical')",
            [city, postcode],
        )
        db.execute(
            "INSERT INTO service_at_location (id, service_id, location_id) VALUES ('test-sal', ?, 'test-loc')", [sid]
        )
    database = Database(path)
    with database.conn:
        rebuild_search_index(database)
    database.close()
    return sid


def test_a_coventry_service_without_coordinates_gets_its_postcode_district_and_a_distance(directory_db):
    sid = _add_location(directory_db, "cov-cgl-adult", postcode="CV6 5AB", city="Coventry")
    with sqlite3.connect(directory_db) as db:
        points = db.execute("SELECT latitude, longitude, precision FROM service_point WHERE service_id = ?", [sid])
        assert points.fetchall() == [(52.43188, -1.50722, POSTCODE_DISTRICT)]  # CV6's row in the district file
    store = DirectoryStore.open(directory_db)
    try:
        engine = SearchEngine(store)
        near_cv6 = {h.id: h for h in engine.search("", Filters(near=resolve_place("CV6")), limit=500).hits}
        assert near_cv6[sid].distance_km == pytest.approx(0.0, abs=0.01)
        assert distance_text(near_cv6[sid].distance_km, resolve_place("CV6")) == "in CV6"
        near_rugby = {h.id: h for h in engine.search("", Filters(near=resolve_place("Rugby")), limit=500).hits}
        assert distance_text(near_rugby[sid].distance_km, resolve_place("Rugby")) == "about 18 km"
    finally:
        store.close()


def test_a_service_with_only_a_city_gets_the_town_centre(directory_db):
    sid = _add_location(directory_db, "cov-cgl-adult", postcode=None, city="Coventry")
    with sqlite3.connect(directory_db) as db:
        points = db.execute("SELECT latitude, longitude, precision FROM service_point WHERE service_id = ?", [sid])
        assert points.fetchall() == [(52.40806, -1.51056, TOWN_CENTRE)]


# --- distances in words ---------------------------------------------------------------------
RUGBY = Place("Rugby", 52.37, -1.26, "rugby", TOWN_CENTRE, "test")
CV21 = Place("CV21", 52.36774, -1.27438, "rugby", POSTCODE_DISTRICT, "test")


@pytest.mark.parametrize(
    ("km", "near", "words"),
    [
        (0.0, RUGBY, "in Rugby"),  # the "about 0.0 km" of the issue
        (0.04, RUGBY, "in Rugby"),
        (1.0, RUGBY, "in Rugby"),
        (0.3, CV21, "in CV21"),
        (1.01, RUGBY, "about 1 km"),
        (1.49, RUGBY, "about 1 km"),
        (1.5, RUGBY, "about 2 km"),
        (4.6, RUGBY, "about 5 km"),
        (17.5, RUGBY, "about 18 km"),
        (19.4, RUGBY, "about 19 km"),
        (20.0, RUGBY, "about 20 km"),
        (22.4, RUGBY, "about 20 km"),
        (22.5, RUGBY, "about 25 km"),
        (76.0, RUGBY, "about 75 km"),
        (107.0, None, "about 105 km"),
        (0.0, None, "about 1 km"),  # no place to be "in": never "0 km"
        (None, RUGBY, None),
        (math.nan, RUGBY, None),
        (-1.0, RUGBY, None),
    ],
)
def test_distance_words(km, near, words):
    assert distance_text(km, near) == words


def test_about_whenever_an_end_is_a_centre_and_only_then():
    surveyed = Place("A surveyed point", 52.37, -1.26, "rugby", "surveyed point", "test")
    assert distance_text(5.2, surveyed, "location") == "5 km"
    assert distance_text(5.2, surveyed, POSTCODE_DISTRICT) == "about 5 km"
    assert distance_text(5.2, surveyed) == "about 5 km"
    for precision in (TOWN_CENTRE, PLACE_CENTRE, POSTCODE_DISTRICT):
        centre = Place("X", 52.37, -1.26, None, precision, "test")
        assert distance_text(5.2, centre, "location") == "about 5 km"


def test_no_distance_is_ever_worded_with_a_decimal_or_as_zero():
    for step in range(0, 4000):
        km = step / 20
        for near in (RUGBY, None):
            words = distance_text(km, near)
            assert words and not re.search(r"\d[.,]\d", words) and not re.search(r"\b0 km", words), (km, words)
            assert rounded_km(km) >= 1


def test_the_approximate_note_names_the_place():
    assert approximate_note(RUGBY).startswith("Distances are approximate: from the centre of Rugby")
    assert approximate_note(None) is None
    assert approximate_note(resolve_place("Polesworth")) is None  # no point, no distances


# --- the command line -----------------------------------------------------------------------
def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_search_words_distances_honestly(installed_directory, capsys):
    code, out, err = run(capsys, "search", "naloxone", "--near", "Rugby", "--limit", "10")
    assert code == 0, err
    assert "0.0 km" not in out and not re.search(r"\d\.\d km", out)
    assert "in Rugby" in out  # the CGL Rugby hub, at the town centre
    assert "Distances are approximate: from the centre of Rugby" in out


@pytest.mark.parametrize("place", ["Foleshill", "Bidford-on-Avon", "CV21 2DT", "B95", "GL56"])
def test_cli_search_near_the_new_places(installed_directory, capsys, place):
    code, out, err = run(capsys, "search", "--near", place, "--limit", "60")
    assert code == 0, err
    assert re.search(r" · about \d+ km · ", out) and "0.0 km" not in out


@pytest.mark.parametrize(
    ("place", "says"),
    [
        ("XYZ", "Unknown place 'XYZ'."),
        ("Foleshil", "Did you mean: Foleshill"),
        ("Exhall", "'Exhall' is the name of more than one place. Did you mean: Exhall (B49), Exhall (CV7)?"),
        ("ZZ99 9ZZ", "Postcode district ZZ99 is not one this directory knows"),
    ],
)
def test_cli_unknown_place_is_bad_input_with_suggestions(installed_directory, capsys, place, says):
    for command in (["search", "needle exchange"], ["eligible", "--age", "30"]):
        code, out, err = run(capsys, *command, "--near", place)
        assert code == 2 and out == ""
        assert says in err and err.count("\n") == 1


def test_cli_unknown_place_with_json_prints_nothing_on_stdout(installed_directory, capsys):
    code, out, err = run(capsys, "search", "--near", "Atlantis", "--json")
    assert (code, out) == (2, "")
    assert err.startswith("coventry-directory: error: Unknown place 'Atlantis'.")


# --- leaflets -------------------------------------------------------------------------------
def test_topic_leaflet_words_distances_honestly(built_directory, tmp_path):
    path = tmp_path / "directory.db"
    shutil.copyfile(built_directory, path)
    store = DirectoryStore.open(path)
    try:
        renderer = TopicLeafletRenderer(store, "naloxone", "Rugby", "en")
        text = pdf_text(write_pdf(tmp_path / "t.pdf", renderer.render()))
    finally:
        store.close()
    assert "in Rugby" in text and "Distances are approximate" in text
    assert not re.search(r"\d\.\d km", text)
