"""Gazetteer for Coventry and Warwickshire: towns, council areas and postcodes to points.

The data lives in ``resources/places.toml``; every coordinate there is a town centre copied
with its source from the project's facts sheet. A postcode resolves to its post town's
centre (marked approximate); a council area resolves to a representative town's centre.
A place with no known coordinates keeps ``None`` and its distances are "not known".

Anything a user types is safe: :func:`resolve_place` returns a :class:`Place` or raises
:class:`UnknownPlace`, never another exception.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from coventry_directory.core.models import AREAS
from coventry_directory.i18n import _
from coventry_directory.resources import resource_path

TOWN_CENTRE = "town centre"
POSTCODE_DISTRICT = "postcode district (approximate)"
AREA = "area"

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_MAX_INPUT = 100  # no place name or postcode is longer; skip fuzzy matching beyond this
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_FULL_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


@dataclass(frozen=True)
class Place:
    """A resolved place: a point (or None when not known), its catchment area and provenance."""

    name: str
    latitude: float | None
    longitude: float | None
    area: str | None
    precision: str
    source: str


class UnknownPlace(ValueError):
    """Raised for text that is not a known place; ``suggestions`` lists close names."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions: list[str] = list(suggestions or [])


@dataclass(frozen=True)
class _Gazetteer:
    towns: dict[str, Place]  # normalised town name or alias -> town centre
    areas: dict[str, Place]  # normalised area name or alias -> representative point
    districts: dict[str, Place]  # outward code ("CV21") -> approximate point
    outside: frozenset[str]  # outward codes known to be outside the two counties
    display: dict[str, str]  # normalised key -> what a suggestion shows


def _normalise(text: str) -> str:
    """Case-, width- and punctuation-insensitive form; invisible control/format marks go."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    text = re.sub(r"[\W_]+", " ", text.casefold().replace("&", " and "))
    return " ".join(text.split())


def _load_toml() -> dict[str, Any]:
    with resource_path("places.toml").open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    data = _load_toml()
    towns: dict[str, Place] = {}
    by_name: dict[str, Place] = {}
    districts: dict[str, Place] = {}
    display: dict[str, str] = {}
    for row in data["town"]:
        if row["area"] not in AREAS:
            raise ValueError(f"places.toml: {row['name']} has unknown area {row['area']!r}")
        if ("latitude" in row) != ("longitude" in row):
            raise ValueError(f"places.toml: {row['name']} needs both latitude and longitude or neither")
        place = Place(row["name"], row.get("latitude"), row.get("longitude"), row["area"], TOWN_CENTRE, row["source"])
        by_name[row["name"]] = place
        for label in [row["name"], *row.get("aliases", [])]:
            towns[_normalise(label)] = place
            display[_normalise(label)] = row["name"]
        for code in row.get("districts", []):
            if code in districts:
                raise ValueError(f"places.toml: district {code} is listed twice")
            districts[code] = replace(place, precision=POSTCODE_DISTRICT)
            display[code.casefold()] = code
    areas: dict[str, Place] = {}
    for row in data["area"]:
        if row["code"] not in AREAS:
            raise ValueError(f"places.toml: unknown area code {row['code']!r}")
        town = by_name[row["town"]]
        place = Place(row["name"], town.latitude, town.longitude, row["code"], AREA, town.source)
        for label in [row["name"], *row.get("aliases", [])]:
            areas[_normalise(label)] = place
            display.setdefault(_normalise(label), row["name"])
    outside = frozenset(data.get("outside", {}).get("districts", []))
    return _Gazetteer(towns, areas, districts, outside, display)


def _shown(text: str) -> str:
    """The user's text made safe to echo in a message: visible characters, shortened."""
    visible = "".join(c for c in text if not unicodedata.category(c).startswith("C")).strip()
    return visible if len(visible) <= 40 else visible[:40] + "…"


def _suggest(key: str, gazetteer: _Gazetteer) -> list[str]:
    candidates = list(gazetteer.display)
    out: list[str] = []
    for match in difflib.get_close_matches(key, candidates, n=8, cutoff=0.6):
        name = gazetteer.display[match]
        if name not in out:
            out.append(name)
    return out[:3]


def _unknown(text: str, key: str, gazetteer: _Gazetteer, outward: str | None = None) -> UnknownPlace:
    hint = _("Type a town, council area or postcode in Coventry or Warwickshire.")
    if outward:
        hint = _(
            "Postcode district {code} is not one this directory knows (it covers Coventry and Warwickshire)."
        ).format(code=outward)
    if not key:
        return UnknownPlace(_("No place given. {hint}").format(hint=hint))
    suggestions = _suggest(key, gazetteer) if len(key) <= _MAX_INPUT else []
    if suggestions:
        message = _("Unknown place '{text}'. Did you mean: {names}?").format(
            text=_shown(text), names=", ".join(suggestions)
        )
        if outward:
            message = f"{message} {hint}"
    else:
        message = _("Unknown place '{text}'. {hint}").format(text=_shown(text), hint=hint)
    return UnknownPlace(message, suggestions)


def _postcode(compact: str) -> str | None:
    """The outward code of a full postcode or outward code, or None if it is neither."""
    if _OUTWARD.fullmatch(compact):
        return compact
    full = _FULL_POSTCODE.fullmatch(compact)
    return full.group(1) if full else None


def _match(key: str, gazetteer: _Gazetteer) -> tuple[Place | None, str | None]:
    """The place a normalised key names exactly, and the outward code if it looks like a postcode."""
    # Towns first: "Rugby" and "Coventry" name both a town and an area; the town is more precise.
    place = gazetteer.towns.get(key) or gazetteer.areas.get(key)
    if place:
        return place, None
    outward = _postcode(key.replace(" ", "").upper())
    return (gazetteer.districts.get(outward) if outward else None), outward


def resolve_place(text: str) -> Place:
    """A town, alias, council area, full postcode or outward code as a :class:`Place`.

    Raises :class:`UnknownPlace` (with suggestions where some are close) for anything else.
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
    if outward in gazetteer.outside:
        raise UnknownPlace(_("Postcode district {code} is outside Coventry and Warwickshire.").format(code=outward))
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
    """The town centre for a location's town name (or alias), or None if not a known town."""
    if not isinstance(town_name, str) or len(town_name) > _MAX_INPUT:
        return None
    return _gazetteer().towns.get(_normalise(town_name))


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
    """Every town and council area name the gazetteer resolves (for completion and help)."""
    gazetteer = _gazetteer()
    names = {p.name for p in gazetteer.towns.values()} | {p.name for p in gazetteer.areas.values()}
    return sorted(names)
