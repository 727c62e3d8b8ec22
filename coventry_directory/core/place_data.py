"""The gazetteer's data: towns, council areas, postcode districts and the places between.

Read once from ``resources/`` (see ``resources/places/README.md`` for where each file
comes from) into a :class:`Gazetteer` of normalised names. :mod:`core.places` answers
questions with it; nothing here is asked by the rest of the app.

- **Towns** (``places.toml``): town centres copied with their sources from the facts sheet.
- **Council areas** (``places.toml``): each resolves to a representative town's centre.
- **Postcode districts** (``places/postcode-districts.csv``): every district in and around
  Coventry and Warwickshire, at its approximate centre. Its council area is the one
  ``places.toml`` gives it (``None`` outside the two counties).
- **Villages and neighbourhoods** (``places/geonames-postal-codes-gb.txt``): GeoNames'
  places of those districts. Only a place with a point of its own is taken: GeoNames
  accuracy 4 (the place's own GeoNames point, not an estimate for the district), and no
  other accuracy-4 name at the same point (two names at one point means neither is that
  place's own). Its council area is its district's, unless ``places.toml`` says otherwise
  or GeoNames puts it in another county.
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Any

from coventry_directory.core.models import AREAS
from coventry_directory.resources import resource_path

TOWN_CENTRE = "town centre"
PLACE_CENTRE = "place centre"  # a village or neighbourhood's point in the gazetteer
POSTCODE_DISTRICT = "postcode district"
AREA = "area"

DISTRICTS_FILE = ("places", "postcode-districts.csv")
GEONAMES_FILE = ("places", "geonames-postal-codes-gb.txt")
DISTRICTS_SOURCE = "academe/UK-Postcodes postcodes.csv @b0ec095"
GEONAMES_SOURCE = "GeoNames postal codes GB.txt (CC BY 4.0), via symerio/postal-codes-data @3a94317"
# Counties whose postcode districts are ours (the district file's county column).
HOME_COUNTIES = ("Coventry", "Warwickshire")
# GeoNames' first-level names for places that can be in Coventry or Warwickshire.
HOME_REGIONS = ("Warwickshire", "West Midlands")
OWN_POINT = "4"  # GeoNames accuracy: the place's own point (1 estimated, 3 near, 6 centroid)
# A shorter name people use: "Bidford" for Bidford-on-Avon, "Walsgrave" for Walsgrave on Sowe.
_QUALIFIED = re.compile(r"^(?P<base>.+?) (?:on|upon|in) (?:the )?\w+$")


@dataclass(frozen=True)
class Place:
    """A resolved place: a point (or None when not known), its catchment area and provenance."""

    name: str
    latitude: float | None
    longitude: float | None
    area: str | None
    precision: str
    source: str


@dataclass(frozen=True)
class Gazetteer:
    """Every name the app resolves, normalised (see :func:`normalise`)."""

    towns: dict[str, Place]  # town name or alias -> town centre
    settlements: dict[str, Place]  # village or neighbourhood name or alias -> its point
    areas: dict[str, Place]  # council area name or alias -> representative point
    districts: dict[str, Place]  # outward code ("CV21") -> approximate centre
    ambiguous: dict[str, tuple[str, ...]]  # a name of several places -> the names to choose from
    display: dict[str, str]  # normalised key -> what a suggestion shows


def normalise(text: str) -> str:
    """Case-, accent-, width- and punctuation-insensitive form; "Saint" is "St".

    Invisible control and format marks go, apostrophes join ("King's" is "kings"),
    hyphens and brackets are spaces ("Bidford-on-Avon" is "bidford on avon").
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn")
    text = text.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = re.sub(r"[\W_]+", " ", text).split()
    return " ".join("st" if w == "saint" else w for w in words)


def _toml() -> dict[str, Any]:
    with resource_path("places.toml").open("rb") as handle:
        return tomllib.load(handle)


def _district_rows() -> list[dict[str, str]]:
    with resource_path(*DISTRICTS_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _geonames_rows() -> list[list[str]]:
    """GeoNames' tab-separated rows: country, postcode, place, …, latitude, longitude, accuracy."""
    with resource_path(*GEONAMES_FILE).open(encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.strip()]


def _check_area(code: str | None, what: str) -> str | None:
    if code is not None and code not in AREAS:
        raise ValueError(f"places.toml: {what} has unknown area {code!r}")
    return code


class _Builder:
    def __init__(self) -> None:
        self.towns: dict[str, Place] = {}
        self.settlements: dict[str, Place] = {}
        self.areas: dict[str, Place] = {}
        self.districts: dict[str, Place] = {}
        self.ambiguous: dict[str, tuple[str, ...]] = {}
        self.display: dict[str, str] = {}
        self.district_area: dict[str, str] = {}

    def taken(self, key: str) -> bool:
        return key in self.towns or key in self.settlements or key in self.ambiguous

    def towns_and_areas(self, data: dict[str, Any]) -> None:
        by_name: dict[str, Place] = {}
        for row in data["town"]:
            _check_area(row["area"], row["name"])
            if ("latitude" in row) != ("longitude" in row):
                raise ValueError(f"places.toml: {row['name']} needs both latitude and longitude or neither")
            place = Place(
                row["name"], row.get("latitude"), row.get("longitude"), row["area"], TOWN_CENTRE, row["source"]
            )
            by_name[row["name"]] = place
            for label in [row["name"], *row.get("aliases", [])]:
                self.towns[normalise(label)] = place
                self.display[normalise(label)] = row["name"]
            for code in row.get("districts", []):
                if code in self.district_area:
                    raise ValueError(f"places.toml: district {code} is listed twice")
                self.district_area[code] = row["area"]
        for code, area in data.get("districts", {}).get("areas", {}).items():
            if code in self.district_area:
                raise ValueError(f"places.toml: district {code} is listed twice")
            self.district_area[code] = _check_area(area, code) or ""
        for row in data["area"]:
            _check_area(row["code"], row["name"])
            town = by_name[row["town"]]
            place = Place(row["name"], town.latitude, town.longitude, row["code"], AREA, town.source)
            for label in [row["name"], *row.get("aliases", [])]:
                self.areas[normalise(label)] = place
                self.display.setdefault(normalise(label), row["name"])

    def postcode_districts(self) -> None:
        for row in _district_rows():
            code = row["postcode_district"]
            area = self.district_area.get(code) or None
            if row["county"] in HOME_COUNTIES and area is None:
                raise ValueError(f"places.toml: postcode district {code} ({row['county']}) has no council area")
            lat, lon = float(row["latitude"]), float(row["longitude"])
            self.districts[code] = Place(code, lat, lon, area, POSTCODE_DISTRICT, DISTRICTS_SOURCE)
            self.display[code.casefold()] = code
        unknown = set(self.district_area) - set(self.districts)
        if unknown:
            raise ValueError(f"places.toml: districts not in {'/'.join(DISTRICTS_FILE)}: {sorted(unknown)}")

    def settlements_from_geonames(self, config: dict[str, Any]) -> None:
        rows = [r for r in _geonames_rows() if r[11] == OWN_POINT]
        at_point = Counter((r[9], r[10]) for r in rows)
        areas = config.get("areas", {})
        elsewhere = {normalise(n) for n in config.get("also_elsewhere", [])}
        named: dict[str, list[tuple[str, Place]]] = defaultdict(list)
        for row in rows:
            if at_point[(row[9], row[10])] > 1:
                continue  # not this place's own point
            district, name, region = row[1], row[2], row[5]
            key = f"{district} {name}"
            area = areas.get(key, self.district_area.get(district) if region in HOME_REGIONS else None) or None
            place = Place(name, float(row[9]), float(row[10]), _check_area(area, key), PLACE_CENTRE, GEONAMES_SOURCE)
            named[normalise(name)].append((district, place))
        unused = set(areas) - {f"{d} {p.name}" for found in named.values() for d, p in found}
        if unused:
            raise ValueError(f"places.toml: [gazetteer.areas] names no place taken from GeoNames: {sorted(unused)}")
        by_row: dict[str, Place] = {}
        for name_key, found in named.items():
            if name_key in self.towns:
                continue  # the facts sheet's town centre is the one shown for a town
            if len(found) == 1 and name_key not in elsewhere:
                district, place = found[0]
                self._settlement(name_key, place)
                by_row[f"{district} {place.name}"] = place
                continue
            # Exhall near Bedworth and Exhall near Alcester: each by its district; the bare name asks which
            for district, place in found:
                by_row[f"{district} {place.name}"] = shown = replace(place, name=f"{place.name} ({district})")
                self._settlement(normalise(shown.name), shown)
            self.ambiguous[name_key] = tuple(f"{p.name} ({d})" for d, p in found)
            self.display[name_key] = found[0][1].name
        for key, labels in config.get("aliases", {}).items():
            if key not in by_row:
                raise ValueError(f"places.toml: [gazetteer.aliases] {key!r} is no place taken from GeoNames")
            for label in labels:
                self._settlement(normalise(label), by_row[key])
        self._short_names()

    def _settlement(self, key: str, place: Place) -> None:
        if key in self.towns:
            return
        self.settlements[key] = place
        self.display[key] = place.name

    def _short_names(self) -> None:
        """Short names ("Bidford" for Bidford-on-Avon) where no other place or town is called that."""
        shorts: dict[str, list[Place]] = defaultdict(list)
        for key, place in self.settlements.items():
            match = _QUALIFIED.match(key)
            if match and normalise(place.name) == key:
                shorts[match["base"]].append(place)
        for base, places in shorts.items():
            if len(places) == 1 and not self.taken(base) and base not in self.areas:
                self._settlement(base, places[0])


def load() -> Gazetteer:
    """Build the gazetteer from the bundled files (raises ValueError on a mistake in them)."""
    data = _toml()
    build = _Builder()
    build.towns_and_areas(data)
    build.postcode_districts()
    build.settlements_from_geonames(data.get("gazetteer", {}))
    return Gazetteer(build.towns, build.settlements, build.areas, build.districts, build.ambiguous, build.display)
