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
- **Coventry neighbourhoods without a point of their own** (``places.toml``
  ``[neighbourhoods]``): a neighbourhood the facts sheet names in one of Coventry's
  districts, or a GeoNames place of those districts whose point is not its own (accuracy
  3), is known by its district: "CV1 (Hillfields)", at the district's approximate centre,
  with precision ``postcode district`` and both sources. It never replaces a place's own
  point, a town, or a name that asks which place is meant (Willenhall).
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
OWN_POINT = "4"  # GeoNames accuracy: the place's own point (1 estimated, 6 centroid)
# GeoNames accuracy 3 (between the readme's "estimated" and "geonameid"): in our districts
# always a point shared with other places, so only the row's postcode district is used.
NEAR_POINT = "3"
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
        # the postcode district of each settlement name, and of each name that asks which
        # place: a neighbourhood named in another district is a different place
        self.settlement_district: dict[str, str] = {}
        self.ambiguous_districts: dict[str, set[str]] = {}
        self.by_row: dict[str, Place] = {}  # "CV3 Willenhall" -> its place, for aliases
        self.aliased: set[str] = set()
        self.row_keys: set[str] = set()  # "DISTRICT Name" of every row whose area was asked

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
        elsewhere = {normalise(n) for n in config.get("also_elsewhere", [])}
        named: dict[str, list[tuple[str, Place]]] = defaultdict(list)
        for row in rows:
            if at_point[(row[9], row[10])] > 1:
                continue  # not this place's own point
            district, name, region = row[1], row[2], row[5]
            area = self._area_of(config, district, name, region)
            place = Place(name, float(row[9]), float(row[10]), area, PLACE_CENTRE, GEONAMES_SOURCE)
            named[normalise(name)].append((district, place))
        for name_key, found in named.items():
            if name_key in self.towns:
                continue  # the facts sheet's town centre is the one shown for a town
            if len(found) == 1 and name_key not in elsewhere:
                district, place = found[0]
                self._settlement(name_key, place, district)
                self.by_row[f"{district} {place.name}"] = place
                continue
            # Exhall near Bedworth and Exhall near Alcester: each by its district; the bare name asks which
            for district, place in found:
                self.by_row[f"{district} {place.name}"] = shown = replace(place, name=f"{place.name} ({district})")
                self._settlement(normalise(shown.name), shown, district)
            self.ambiguous[name_key] = tuple(f"{p.name} ({d})" for d, p in found)
            self.ambiguous_districts[name_key] = {d for d, _p in found}
            self.display[name_key] = found[0][1].name
        self.aliases(config, final=False)
        self._short_names()

    def _area_of(self, config: dict[str, Any], district: str, name: str, region: str | None) -> str | None:
        """A place's council area: ``[gazetteer.areas]`` if it says, else its district's if its region is ours.

        ``region`` is GeoNames' first-level name (None: a place the facts sheet puts in Coventry).
        """
        key = f"{district} {name}"
        self.row_keys.add(key)
        ours = region is None or region in HOME_REGIONS
        area = config.get("areas", {}).get(key, self.district_area.get(district) if ours else None)
        return _check_area(area or None, key)

    def _settlement(self, key: str, place: Place, district: str) -> None:
        if key in self.towns:
            return
        self.settlements[key] = place
        self.settlement_district[key] = district
        self.display[key] = place.name

    def aliases(self, config: dict[str, Any], final: bool) -> None:
        """``[gazetteer.aliases]``: other names for a place, by "DISTRICT Name" as its source has it.

        Run for GeoNames' own points first (before short names, which an alias may take),
        then ``final``-ly once neighbourhoods are in, when every key must name a place.
        """
        for key, labels in config.get("aliases", {}).items():
            if key in self.aliased:
                continue
            if key not in self.by_row:
                if final:
                    raise ValueError(f"places.toml: [gazetteer.aliases] {key!r} is no place in the gazetteer")
                continue
            self.aliased.add(key)
            for label in labels:
                self._settlement(normalise(label), self.by_row[key], key.split()[0])

    def _short_names(self) -> None:
        """Short names ("Bidford" for Bidford-on-Avon) where no other place or town is called that."""
        shorts: dict[str, list[Place]] = defaultdict(list)
        for key, place in self.settlements.items():
            match = _QUALIFIED.match(key)
            if match and normalise(place.name) == key:
                shorts[match["base"]].append(place)
        for base, places in shorts.items():
            if len(places) == 1 and not self.taken(base) and base not in self.areas:
                self._settlement(base, places[0], self.settlement_district[normalise(places[0].name)])

    def neighbourhoods(self, data: dict[str, Any]) -> None:
        """Coventry neighbourhoods with no point of their own, known by their district's centre.

        The facts sheet's (``[neighbourhoods.districts]``) and GeoNames' accuracy-3 places of
        the districts ``geonames_districts`` lists (their district only: the point is not
        theirs). A name that already has a point (a town, a place's own GeoNames point) or
        asks which place is meant (Willenhall) keeps it, and must be in the same district.
        """
        config = data.get("neighbourhoods", {})
        gazetteer = data.get("gazetteer", {})
        elsewhere = {normalise(n) for n in gazetteer.get("also_elsewhere", [])}
        # normalised name -> (district, name, source, GeoNames region: None for the facts sheet's, all in Coventry)
        found: dict[str, list[tuple[str, str, str, str | None]]] = defaultdict(list)
        for district, names in config.get("districts", {}).items():
            if district not in self.districts:
                raise ValueError(f"places.toml: [neighbourhoods.districts] {district} is no postcode district")
            for name in names:
                found[normalise(name)].append((district, name, f"{config['source']} (facts sheet)", None))
        listed = set(found)
        wanted = set(config.get("geonames_districts", []))
        for row in _geonames_rows():
            if row[11] != NEAR_POINT or row[1] not in wanted:
                continue
            key = normalise(row[2])
            if key in listed:  # the facts sheet names it too: both must put it in one district
                if row[1] not in {entry[0] for entry in found[key]}:
                    raise ValueError(f"places.toml: the facts sheet and GeoNames put {row[2]} in different districts")
                continue
            found[key].append((row[1], row[2], f"{GEONAMES_SOURCE}, accuracy {NEAR_POINT}", row[5]))
        for key, entries in found.items():
            districts = {entry[0] for entry in entries}
            if self.taken(key) or key in self.areas:
                self._same_place(key, entries[0][1], districts)
                continue
            if len(districts) > 1:
                raise ValueError(f"places.toml: neighbourhood {entries[0][1]} is in {sorted(districts)}")
            district, name, source, region = entries[0]
            place = replace(
                self.districts[district],
                name=f"{district} ({name})",
                area=self._area_of(gazetteer, district, name, region),
                source=f"in {district}: {source}; {district} centre: {DISTRICTS_SOURCE}",
            )
            # "Hillfields", "CV1 (Hillfields)" and "Hillfields (CV1)" all name it
            labels = [place.name, f"{name} ({district})"]
            if key in elsewhere:  # also a place the data does not hold: the bare name asks, as for Willenhall
                self.ambiguous[key] = (place.name,)
                self.ambiguous_districts[key] = {district}
                self.display[key] = name
            else:
                labels.append(name)
            for label in labels:
                self._settlement(normalise(label), place, district)
            self.by_row[f"{district} {name}"] = place

    def _same_place(self, key: str, name: str, districts: set[str]) -> None:
        """A neighbourhood that already has a point, or asks which place, must be that place (in its district)."""
        if key in self.towns or key in self.areas:
            return  # the town's (or council area's) own point is the one shown
        held = self.ambiguous_districts.get(key) or {self.settlement_district[key]}
        if not districts <= held:
            raise ValueError(
                f"places.toml: neighbourhood {name} in {sorted(districts)}, but the gazetteer's is in {held}"
            )

    def check(self, data: dict[str, Any]) -> None:
        """Every ``[gazetteer.areas]`` key names a row of a place taken."""
        unused = set(data.get("gazetteer", {}).get("areas", {})) - self.row_keys
        if unused:
            raise ValueError(f"places.toml: [gazetteer.areas] names no place in the gazetteer: {sorted(unused)}")


def load() -> Gazetteer:
    """Build the gazetteer from the bundled files (raises ValueError on a mistake in them)."""
    data = _toml()
    build = _Builder()
    build.towns_and_areas(data)
    build.postcode_districts()
    build.settlements_from_geonames(data.get("gazetteer", {}))
    build.neighbourhoods(data)
    build.aliases(data.get("gazetteer", {}), final=True)
    build.check(data)
    return Gazetteer(build.towns, build.settlements, build.areas, build.districts, build.ambiguous, build.display)
