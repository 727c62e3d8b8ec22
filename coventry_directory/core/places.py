"""Places for Coventry and Warwickshire: what a worker types, as a point with its area.

A town, village, Coventry neighbourhood, council area, full postcode or outward code
resolves to a :class:`Place`. Where the names and points come from is in
``resources/places/README.md`` (loaded by :mod:`core.place_data`):

- a town: its town centre (from the facts sheet);
- a village or neighbourhood: its point in GeoNames ("place centre");
- a Coventry neighbourhood with no point of its own: its postcode district's approximate
  centre, named with the district ("CV1 (Hillfields)", precision "postcode district");
- a postcode: its district's approximate centre (a full postcode is not located more
  closely than its district);
- a council area: a representative town's centre.

Every point is a centre, so every distance from one is approximate
(:mod:`core.distance_words` says so). A place with no known coordinates keeps ``None`` and
its distances are "not known".

Anything a user types is safe: :func:`resolve_place` returns a :class:`Place` or raises
:class:`UnknownPlace`, never another exception.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from functools import lru_cache

from coventry_directory.core.place_data import (
    AREA,
    PLACE_CENTRE,
    POSTCODE_DISTRICT,
    TOWN_CENTRE,
    Gazetteer,
    Place,
    load,
    normalise,
)
from coventry_directory.i18n import _

__all__ = [
    "AREA",
    "PLACE_CENTRE",
    "POSTCODE_DISTRICT",
    "TOWN_CENTRE",
    "Place",
    "UnknownPlace",
    "area_of",
    "distance_km",
    "known_places",
    "location_point",
    "outward_code",
    "lookup_place",
    "resolve_place",
    "town_place",
]

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_MAX_INPUT = 100  # no place name or postcode is longer; skip fuzzy matching beyond this
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_FULL_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


class UnknownPlace(ValueError):
    """Raised for text that is not a known place; ``suggestions`` lists close names."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions: list[str] = list(suggestions or [])


_normalise = normalise


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return load()


def _shown(text: str) -> str:
    """The user's text made safe to echo in a message: visible characters, shortened."""
    visible = "".join(c for c in text if not unicodedata.category(c).startswith("C")).strip()
    return visible if len(visible) <= 40 else visible[:40] + "…"


def _suggest(key: str, gazetteer: Gazetteer) -> list[str]:
    candidates = list(gazetteer.display)
    out: list[str] = []
    for match in difflib.get_close_matches(key, candidates, n=8, cutoff=0.6):
        name = gazetteer.display[match]
        if name not in out:
            out.append(name)
    return out[:3]


def _unknown(text: str, key: str, gazetteer: Gazetteer, outward: str | None = None) -> UnknownPlace:
    hint = _("Type a town, council area or postcode in Coventry or Warwickshire.")
    if outward:
        hint = _(
            "Postcode district {code} is not one this directory knows (it covers Coventry and Warwickshire)."
        ).format(code=outward)
    if not key:
        return UnknownPlace(_("No place given. {hint}").format(hint=hint))
    choices = gazetteer.ambiguous.get(key)
    if choices and len(choices) == 1:
        # the name's other place (Walsall's Willenhall, Coventry's Wood End) is not in the data:
        # the one it holds is offered, with its area, and not taken without asking
        message = _(
            "'{text}' is also the name of a place this directory does not know. Did you mean {name}? "
            "Or type its postcode."
        ).format(text=_shown(text), name=_with_area(choices[0], gazetteer))
        return UnknownPlace(message, list(choices))
    if choices:
        message = _("'{text}' is the name of more than one place. Did you mean: {names}? Or type its postcode.").format(
            text=_shown(text), names=", ".join(choices)
        )
        return UnknownPlace(message, list(choices))
    # only a name has close names: "-1" or "12" is no misspelling of B1 or CV12
    has_letters = any(c.isalpha() for c in key)
    suggestions = _suggest(key, gazetteer) if has_letters and len(key) <= _MAX_INPUT else []
    if suggestions:
        message = _("Unknown place '{text}'. Did you mean: {names}?").format(
            text=_shown(text), names=", ".join(suggestions)
        )
        if outward:
            message = f"{message} {hint}"
    else:
        message = _("Unknown place '{text}'. {hint}").format(text=_shown(text), hint=hint)
    return UnknownPlace(message, suggestions)


def _with_area(name: str, gazetteer: Gazetteer) -> str:
    """A place's name with its council area, "Willenhall (CV3) in Coventry" (the name alone outside the two counties)."""
    place = gazetteer.settlements.get(_normalise(name))
    area = next((p.name for p in gazetteer.areas.values() if place and p.area == place.area), None)
    # TRANSLATORS: a place and the council area it is in, e.g. "Willenhall (CV3) in Coventry".
    return _("{place} in {area}").format(place=name, area=area) if area else name


# Counties a worker may write after the place, "Rugby, Warwickshire" (normalised).
_HOME_COUNTIES = frozenset({"coventry", "warwickshire", "west midlands"})


def _without_county(text: str) -> str | None:
    """``text`` without a home county after its last comma ("Rugby, Warwickshire": "Rugby"), else None."""
    head, comma, tail = text.rpartition(",")
    if comma and head.strip() and _normalise(tail) in _HOME_COUNTIES:
        return head
    return None


def outward_code(text: str | None) -> str | None:
    """The outward code ("CV21") of a full postcode ("cv21 2dt") or an outward code, else None."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    compact = text.replace(" ", "").upper()
    if not compact.isascii() or not compact.isalnum():
        compact = _normalise(text).replace(" ", "").upper()
    if _OUTWARD.fullmatch(compact):
        return compact
    full = _FULL_POSTCODE.fullmatch(compact)
    return full.group(1) if full else None


def _match(key: str, gazetteer: Gazetteer) -> tuple[Place | None, str | None]:
    """The place a normalised key names exactly, and the outward code if it looks like a postcode."""
    # Towns first: "Rugby" and "Coventry" name both a town and an area; the town is more precise.
    place = gazetteer.towns.get(key) or gazetteer.settlements.get(key) or gazetteer.areas.get(key)
    if place:
        return place, None
    outward = outward_code(key) if len(key) <= 20 else None
    return (gazetteer.districts.get(outward) if outward else None), outward


def resolve_place(text: str) -> Place:
    """A town, village, neighbourhood, alias, council area, full postcode or outward code as a :class:`Place`.

    A county after a comma is allowed when it is one of ours: "Rugby, Warwickshire",
    "Foleshill, Coventry", "Coventry, West Midlands". Raises :class:`UnknownPlace` (with
    suggestions where some are close) for anything else, and for a name that several
    places share (the suggestions say which).
    """
    gazetteer = _gazetteer()
    if not isinstance(text, str):
        raise UnknownPlace(_("No place given. Type a town, council area or postcode in Coventry or Warwickshire."))
    key = _normalise(text[: _MAX_INPUT * 4])
    if len(key) > _MAX_INPUT:
        raise _unknown(text, key, gazetteer)
    place, outward = _match(key, gazetteer)
    if place:
        return place
    head = _without_county(text)
    if head is not None:  # "Rugby, Warwickshire", "Foleshill, Coventry, West Midlands": the place decides
        return resolve_place(head)
    raise _unknown(text, key, gazetteer, outward)


def lookup_place(text: str | None) -> Place | None:
    """Like :func:`resolve_place` but None instead of raising, and no fuzzy suggestions.

    Cheap enough to try on every phrase of an as-you-type query.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return None
    key = _normalise(text)
    return _match(key, _gazetteer())[0] if key and len(key) <= _MAX_INPUT else None


def town_place(town_name: str | None) -> Place | None:
    """The point of a location's town, village or neighbourhood name (or alias); None if not known.

    Council areas and postcodes are not towns: "North Warwickshire" and "CV21" give None.
    """
    if not isinstance(town_name, str) or len(town_name) > _MAX_INPUT:
        return None
    return _named_place(town_name)


@lru_cache(maxsize=4096)
def _named_place(name: str) -> Place | None:
    # cached: rebuilding the search tables asks this for every location of a national feed
    gazetteer, key = _gazetteer(), _normalise(name)
    return gazetteer.towns.get(key) or gazetteer.settlements.get(key)


def location_point(postal_code: str | None, town: str | None = None, city: str | None = None) -> Place | None:
    """Where to put a service location that has no coordinates of its own (None: nowhere known).

    The most precise point the address gives: a village or neighbourhood named as its town
    or city, else the centre of its postcode's district, else the district of a Coventry
    neighbourhood it names ("Hillfields, Coventry"), else its town's centre.
    """
    named = [p for p in (town_place(town), town_place(city)) if p is not None and p.latitude is not None]
    village = next((p for p in named if p.precision == PLACE_CENTRE), None)
    if village is not None:
        return village
    outward = outward_code(postal_code)
    district = _gazetteer().districts.get(outward) if outward else None
    if district is not None:
        return district
    # a neighbourhood's district is smaller than its city, whichever field names which
    return next((p for p in named if p.precision == POSTCODE_DISTRICT), named[0] if named else None)


def area_of(text: str | None) -> str | None:
    """The catchment area code for a town, area or postcode, or None if not known."""
    try:
        return resolve_place(text).area  # type: ignore[arg-type]
    except UnknownPlace:
        return None


def distance_km(a: Place, b_lat: float | None, b_lon: float | None) -> float | None:
    """Great-circle (haversine) distance in km from ``a`` to a point; None if either is unknown."""
    if a.latitude is None or a.longitude is None or b_lat is None or b_lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b_lat, b_lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def known_places() -> list[str]:
    """Every town, village, neighbourhood and council area name the gazetteer resolves (for completion)."""
    gazetteer = _gazetteer()
    kinds = (gazetteer.towns, gazetteer.settlements, gazetteer.areas)
    return sorted({place.name for kind in kinds for place in kind.values()})
