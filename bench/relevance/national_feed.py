"""A synthetic "national" HSDS 3.0 feed: the directory's local services copied to towns across England.

What a national ORUK feed beside the local directory looks like to search: the same kinds
of service, with the same words, categories and eligibility, in thousands of other towns.
Each copy

- is one of the directory's local services (not the UK-wide helplines and fellowships,
  which a feed would not list again town by town), with a new id and key
  (``national-000123``);
- is moved to one English postcode district, at that district's centre: real coordinates,
  from ``postcodes.csv`` of the public repository academe/UK-Postcodes (commit
  b0ec095967119671347074f44dd0a62f9e0830f1; cited as ``academe/UK-Postcodes postcodes.csv
  @b0ec095``). Districts whose centre lies within 15 km of any CV district centre (Coventry
  and most of Warwickshire) are left out: a copy there would be a second right answer under
  another key, which the judged set cannot name;
- has its place names (Coventry, Warwickshire, Rugby, Leamington ...) rewritten to the
  new town and county, in its name, description, keywords and organisation, so a copy of
  "CGL Rugby hub" becomes "CGL Salisbury hub", run by "Change Grow Live Wiltshire";
- keeps the record's computable facts (categories, substances, client groups, referral
  routes, delivery modes, genders, ages) as HSDS attributes on our taxonomy (terms by id,
  as HSDS 3.0 allows; the edition holds the terms), but no catchment (that names Coventry and Warwickshire areas), no phone
  numbers and no opening hours (those are real local facts).

Copies are drawn with a fixed seed, so the 10,000-service feed is the first 10,000 of the
100,000-service one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from coventry_directory.core.models import CODE_FIELDS, Service
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, term_id

POSTCODES_REPO = "academe/UK-Postcodes"
POSTCODES_COMMIT = "b0ec095967119671347074f44dd0a62f9e0830f1"
# git's blob id of postcodes.csv at that commit: the file given must be exactly this one
POSTCODES_BLOB = "20f5ef40624ecb9d4922ce305d7934c227e68b91"
CITATION = f"{POSTCODES_REPO} postcodes.csv @{POSTCODES_COMMIT[:7]}"
EXCLUDE_KM = 15.0
NS = uuid.UUID("5c0f4b0e-2a53-4d3c-8f0e-7d8a4c6b1e90")
SEED = 2026

# Place names in the local records; a copy has its own town, county and district instead.
_COUNTY_WORDS = ("North Warwickshire", "south Warwickshire", "South Warwickshire", "Warwickshire", "West Midlands")
_TOWN_WORDS = (
    "Royal Leamington Spa",
    "Stratford-upon-Avon",
    "Stratford-on-Avon",
    "Bidford-on-Avon",
    "Henley-in-Arden",
    "Nuneaton and Bedworth",
    "Leamington Spa",
    "Coventry",
    "Nuneaton",
    "Bedworth",
    "Rugby",
    "Leamington",
    "Warwick",
    "Kenilworth",
    "Stratford",
    "Bidford",
    "Atherstone",
    "Alcester",
    "Southam",
    "Coleshill",
    "Polesworth",
    "Whitnash",
    "Studley",
    "Shipston",
    "Canley",
    "Foleshill",
    "Hillfields",
    "Tile Hill",
)
_STREET_WORDS = (
    "Hertford Street",
    "Harnall Lane West",
    "Harnall",
    "City Arcade",
    "Guild Street",
    "Althorpe Street",
    "Newbold Road",
    "Regent Street",
    "Riverside House",
    "Sandy Lane",
    "Harp Place",
    "George Eliot Hospital",
    "George Elliot Hospital",
)
_CV = r"\bCV\d{1,2}\b(?: \d[A-Z]{2})?"


def _words(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# one pass over the text: county names, streets, towns, CV postcodes (longest name first in each)
_PLACES = re.compile(
    rf"\b(?:(?P<county>{_words(_COUNTY_WORDS)})|(?P<street>{_words(_STREET_WORDS)})|(?P<town>{_words(_TOWN_WORDS)}))\b"
    rf"|(?P<code>{_CV})"
)
_MARK = {"county": "\x01", "street": "Station Road", "town": "\x02", "code": "\x03"}


@dataclass(frozen=True)
class District:
    """One postcode district centre: where a copy is put."""

    code: str
    latitude: float
    longitude: float
    town: str
    county: str


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (to check the postcodes file is the cited one)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def read_districts(path: Path) -> list[District]:
    """The English districts of academe/UK-Postcodes far enough from Coventry and Warwickshire.

    Raises ValueError if the file is not the cited one (another version would move the copies).
    """
    data = path.read_bytes()
    if git_blob_id(data) != POSTCODES_BLOB:
        raise ValueError(f"{path} is not postcodes.csv of {POSTCODES_REPO} at {POSTCODES_COMMIT[:7]}")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    england = [r for r in rows if r["country_code"] == "ENG" and r["latitude"] and r["longitude"]]
    local = [(float(r["latitude"]), float(r["longitude"])) for r in england if re.fullmatch(r"CV\d+", r["postcode"])]
    out = []
    for r in england:
        lat, lon = float(r["latitude"]), float(r["longitude"])
        if any(_km(lat, lon, a, b) < EXCLUDE_KM for a, b in local):
            continue
        county = r["county"].strip()
        out.append(District(r["postcode"], lat, lon, r["city"].strip() or county, county))
    return sorted(out, key=lambda d: d.code)


def uid(*parts: object) -> str:
    """A stable UUID for one record of the synthetic feed."""
    return str(uuid.uuid5(NS, ":".join(map(str, parts))))


def relocate(text: str | None, d: District) -> str:
    """``text`` with Coventry and Warwickshire place names moved to district ``d``."""
    if not text:
        return ""
    return _marked(text).replace("\x01", d.county).replace("\x02", d.town).replace("\x03", d.code)


@lru_cache(maxsize=4096)
def _marked(text: str) -> str:
    """``text`` with each local place name replaced by a mark for its kind (the copies share these)."""
    return _PLACES.sub(lambda m: _MARK[m.lastgroup or "town"], text)


def _attribute(n: int, i: int, taxonomy: str, code: str, value: str) -> dict:
    # the term by its id alone (HSDS 3.0 allows it): our taxonomy's terms are the edition's
    return {
        "id": uid("attr", n, i),
        "taxonomy_term_id": term_id(taxonomy, code),
        "link_type": taxonomy,
        "link_entity": "service",
        "value": value,
    }


def national_copy(n: int, template: Service, d: District) -> dict:
    """Copy number ``n`` of ``template``, moved to district ``d``, as a nested HSDS 3.0 service."""
    sid = uid("svc", n)
    org = template.organization
    county = replace(d, town=d.county)  # one organisation per county: the same words in every copy
    org_name = relocate(org.name, county)
    if org_name == org.name:
        org_name = f"{org.name} {d.county}"
    attrs: list[dict] = [_attribute(n, 0, RECORD_TAXONOMY, "key", f"national-{n:06d}")]
    for field, taxonomy in CODE_FIELDS.items():
        if field == "catchment":
            continue
        for order, code in enumerate(getattr(template, field)):
            attrs.append(_attribute(n, len(attrs), taxonomy, code, str(order)))
    for word in dict.fromkeys(relocate(k, d) for k in template.keywords):
        attrs.append(_attribute(n, len(attrs), RECORD_TAXONOMY, "keyword", word))
    if template.groups_required:
        attrs.append(_attribute(n, len(attrs), RECORD_TAXONOMY, "groups-required", "true"))
    place = template.locations[0].name if template.locations else f"{d.town} base"
    service = {
        "id": sid,
        "name": relocate(template.name, d),
        "description": relocate(template.description, d),
        "status": template.status,
        "application_process": relocate(template.application_process, d) or None,
        "eligibility_description": relocate(template.eligibility_description, d) or None,
        "minimum_age": template.minimum_age,
        "maximum_age": template.maximum_age,
        "organization_id": uid("org", org.key, d.county),
        "organization": {
            "id": uid("org", org.key, d.county),
            "name": org_name,
            "description": relocate(org.description, county),
        },
        "service_areas": [{"id": uid("area", n), "name": d.county}],
        "service_at_locations": [
            {
                "id": uid("sal", n),
                "location": {
                    "id": uid("loc", n),
                    "location_type": "physical",
                    "name": f"{relocate(place, d)} ({d.code})",
                    "latitude": d.latitude,
                    "longitude": d.longitude,
                },
            }
        ],
        "attributes": attrs,
    }
    return {k: v for k, v in service.items() if v is not None}


def templates(services: list[Service]) -> list[Service]:
    """The local services a national feed would list again in other towns (UK-wide ones are not copied)."""
    return sorted((s for s in services if s.coverage != "national"), key=lambda s: s.key)


def copies(services: list[Service], districts: list[District], size: int) -> Iterator[dict]:
    """The first ``size`` copies: template by turn, district drawn with a fixed seed."""
    rng = random.Random(SEED)
    local = templates(services)
    for n in range(size):
        yield national_copy(n, local[n % len(local)], rng.choice(districts))


def write_feed(path: Path, services: list[Service], districts: list[District], size: int) -> Path:
    """Write the feed of ``size`` copies to ``path`` as one HSDS 3.0 JSON list (streamed)."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write("[\n")
        for n, record in enumerate(copies(services, districts, size)):
            out.write(("," if n else "") + json.dumps(record, ensure_ascii=False) + "\n")
        out.write("]\n")
    os.replace(tmp, path)
    return path
