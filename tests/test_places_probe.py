"""Places, after a second fault probe: "Town, County", names shared with a place we do not hold, digits.

Against the real gazetteer (``resources/places.toml`` and ``resources/places/``).
"""

from __future__ import annotations

import pytest

from coventry_directory.core.places import PLACE_CENTRE, POSTCODE_DISTRICT, TOWN_CENTRE, UnknownPlace, resolve_place


@pytest.mark.parametrize(
    ("text", "name", "precision"),
    [
        ("Rugby, Warwickshire", "Rugby", TOWN_CENTRE),
        ("rugby ,warwickshire", "Rugby", TOWN_CENTRE),
        ("Leamington Spa, Warwickshire", "Leamington Spa", TOWN_CENTRE),
        ("Coventry, West Midlands", "Coventry", TOWN_CENTRE),
        ("Foleshill, Coventry", "Foleshill", PLACE_CENTRE),
        ("Foleshill, Coventry, West Midlands", "Foleshill", PLACE_CENTRE),
        ("CV21, Warwickshire", "CV21", POSTCODE_DISTRICT),
    ],
)
def test_a_place_with_its_county_after_a_comma_is_that_place(text, name, precision):
    place = resolve_place(text)
    assert (place.name, place.precision) == (name, precision)
    assert place == resolve_place(name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Rugby, Oxfordshire", "Unknown place 'Rugby, Oxfordshire'"),  # not one of our counties
        ("Atlantis, Warwickshire", "Unknown place 'Atlantis'"),  # the county does not make a place known
        (", Warwickshire", "Unknown place ', Warwickshire'"),
        ("Rugbee, Warwickshire", "Unknown place 'Rugbee'. Did you mean: Rugby?"),
        ("Exhall, Warwickshire", "'Exhall' is the name of more than one place"),
    ],
)
def test_a_county_after_a_comma_does_not_make_an_unknown_place_known(text, message):
    with pytest.raises(UnknownPlace) as caught:
        resolve_place(text)
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("text", "choice", "said"),
    [
        ("Willenhall", "Willenhall (CV3)", "Did you mean Willenhall (CV3) in Coventry?"),  # Walsall's is not held
        ("Wood End", "Wood End (CV9)", "Did you mean Wood End (CV9) in North Warwickshire?"),  # nor Coventry's
    ],
)
def test_a_name_whose_other_place_is_not_held_offers_the_one_that_is_with_its_area(text, choice, said):
    with pytest.raises(UnknownPlace) as caught:
        resolve_place(text)
    message = str(caught.value)
    assert caught.value.suggestions == [choice]
    assert message.startswith(f"'{text}' is also the name of a place this directory does not know.")
    assert said in message and "postcode" in message
    assert "more than one place" not in message  # one choice is not "more than one"


def test_several_places_of_one_name_are_still_all_offered():
    with pytest.raises(UnknownPlace) as caught:
        resolve_place("Exhall")
    assert caught.value.suggestions == ["Exhall (B49)", "Exhall (CV7)"]
    assert "more than one place" in str(caught.value)


@pytest.mark.parametrize("text", ["-1", "1", "12", "12345", "--", "1-1", "(1)", "#1", "0.5"])
def test_digits_and_punctuation_get_no_suggestion(text):
    with pytest.raises(UnknownPlace) as caught:
        resolve_place(text)
    assert caught.value.suggestions == []
    assert "Did you mean" not in str(caught.value)
    assert "Type a town, council area or postcode" in str(caught.value)


def test_a_misspelt_name_still_gets_suggestions():
    with pytest.raises(UnknownPlace) as caught:
        resolve_place("Rugbee")
    assert caught.value.suggestions == ["Rugby"]
