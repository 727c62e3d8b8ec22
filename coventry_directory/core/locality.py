"""What "local" means for one search, and how local each service is to it.

A worker asks about a place ("needle exchange near Bedworth") or, with no place, about
the directory's own area, Coventry and Warwickshire. Every service falls in one of three
tiers (:meth:`Locality.tier`), and results come tier by tier (``core.ranking.rank_key``):

0. **serves the place**: its catchment covers the place's area, or it covers the whole
   nation (a national helpline serves everyone), or it names no catchment but is within
   :data:`CLOSE_KM` of the place (a town's drop-in serves its town). With no place: any
   service the Coventry and Warwickshire edition describes (the area is its scope, whether
   or not a record names its catchment), or that serves a home area or the nation;
1. **near, or not known**: one of its points is within :data:`LOCAL_KM` of the place (of
   any home area's centre, with no place), but nothing says it serves the place; or
   nothing says where it is or whom it serves (no point, no catchment, no address), so it
   cannot be said to be far;
2. **far**: everything else, including a service with no point whose address the
   gazetteer cannot place (it covers every district in and around the area).

So a service far outside the place and its catchment never outranks a local one that
matches, and a service that is merely near (a Birmingham service 20 km from Coventry, in a
national feed that names no catchment) never outranks one that serves the place. Search
draws every tier-0 service that matches the words (the full-text index intersects text
and place itself: ``store.search_tags``); the others only fill the rest of a page, the
nearest first, ring by ring (:data:`RINGS_KM`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from coventry_directory.core.places import Place, lookup_place
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.store.search_tags import (
    EDITION_TAG,
    KM_PER_DEGREE,
    NATIONAL_TAG,
    any_tag,
    area_tag,
    cells_within,
)

# Within this distance a service counts as local whatever its catchment: Coventry to
# Rugby or Kenilworth is under 20 km, and a county-wide service in Nuneaton is 25 km from
# Leamington. Beyond it a service is local only by serving the area.
LOCAL_KM = 25.0
# A service naming no catchment this close to the place is taken to serve it: the centre
# of a town and its edge are this far apart (Rugby, Nuneaton, Leamington: 3-5 km).
CLOSE_KM = 8.0
# The rings the rest of a page is drawn from, the nearest services in each, before anywhere.
RINGS_KM = (LOCAL_KM, 60.0)
SERVES, NEAR, FAR = 0, 1, 2  # the tiers


@dataclass(frozen=True)
class Locality:
    """The centres and catchment areas a search counts as local."""

    centres: tuple[tuple[float, float], ...]
    areas: tuple[str, ...]
    home: bool = False  # no place was given: the whole home area

    def serving(self) -> str:
        """A tags expression for every service that may be in tier 0 (the tier decides, from its facets)."""
        tags = [area_tag(code) for code in self.areas] + [NATIONAL_TAG]
        if self.home:
            tags.append(EDITION_TAG)
        close = self.ring(CLOSE_KM)
        return " OR ".join(part for part in (any_tag(tags), close) if part)

    def ring(self, km: float) -> str:
        """A tags expression for services with a point within ``km`` of a centre ("" without centres)."""
        return _ring(self.centres, km)

    def tier(self, facets: dict, points: list[tuple[float, float, str]]) -> int:
        """0 serves the place, 1 near it (or not known), 2 far: see the module's docstring."""
        km = min((self.km_from(lat, lon) for lat, lon, _ in points), default=None) if self.centres else None
        return self.tier_of(
            facets.get("catchment") or "",
            bool(facets.get("national")),
            bool(facets.get("edition")),
            bool(facets.get("elsewhere")),
            km,
        )

    def tier_of(self, catchment: str, national: bool, edition: bool, elsewhere: bool, km: float | None) -> int:
        """The tier from a service's catchment codes, coverage, edition and elsewhere flags, and km to the nearest centre."""
        served = catchment.split()
        if national or any(code in served for code in self.areas) or (self.home and edition):
            return SERVES
        if km is None:
            # no point: an address outside the area is far; otherwise nowhere is known, so
            # it cannot be called far (but it is not known to serve the place either)
            return FAR if elsewhere or (served and self.centres) else NEAR
        if not served and km <= CLOSE_KM:
            return SERVES
        return NEAR if km <= LOCAL_KM else FAR

    def km_from(self, lat: float, lon: float) -> float:
        """Distance in km from a point to the nearest centre (equirectangular; infinite with no centre).

        Within a fraction of a per cent of the great circle at these distances, and several
        times cheaper: this runs for every candidate point.
        """
        best = math.inf
        for clat, clon in self.centres:
            dy = (lat - clat) * KM_PER_DEGREE
            dx = (lon - clon) * KM_PER_DEGREE * math.cos(math.radians((lat + clat) / 2))
            best = min(best, math.hypot(dx, dy))
        return best


@lru_cache(maxsize=256)
def _ring(centres: tuple[tuple[float, float], ...], km: float) -> str:
    return any_tag(cell for lat, lon in centres for cell in cells_within(lat, lon, km))


def locality_of(place: Place | None) -> Locality:
    """The locality of a search near ``place``; with no place (or one with no point nor area), the home area."""
    if place is None or (place.latitude is None and not place.area):
        return home_locality()
    centre = ((place.latitude, place.longitude),) if place.latitude is not None and place.longitude is not None else ()
    return Locality(centre, (place.area,) if place.area else ())


@lru_cache(maxsize=1)
def home_locality() -> Locality:
    """Coventry and Warwickshire: every catchment area of the taxonomy, each centred where the gazetteer puts it."""
    vocab = vocabularies()["catchment"]
    centres = []
    for term in vocab.terms:
        place = lookup_place(term.name)
        if place is not None and place.latitude is not None and place.longitude is not None:
            centres.append((place.latitude, place.longitude))
    return Locality(tuple(centres), vocab.codes(), home=True)
