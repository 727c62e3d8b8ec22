"""How the search engine scores one candidate: text match, context and client fit.

Kept apart from :mod:`coventry_directory.core.search` (which fetches candidates and builds
the hits) so the weights and boosts that decide the order can be read and tuned in one place.
Scores only add up: a text match is worth 0..10, and the context boosts and penalties move
services a few points either way (a defunct service ten points down, so never ahead).
"""

from __future__ import annotations

import math
from typing import Protocol

from coventry_directory.core.eligibility import ClientProfile
from coventry_directory.core.places import Place, distance_km
from coventry_directory.core.query import TermGroup

# How much a match in each indexed column counts.
FIELD_WEIGHTS = {"name": 6.0, "categories": 4.0, "keywords": 3.0, "organization": 2.0, "description": 1.0}
# What a service listing the substance asked about counts (like a keyword), or listing "any".
SUBSTANCE_LISTED, SUBSTANCE_ANY = 3.0, 2.0
TREATMENT = frozenset({"treatment-adult", "young-people"})


def nearest_km(place: Place | None, pts: list[tuple[float, float, str]]) -> float | None:
    """Distance in km from ``place`` to the nearest of a service's points (None without coordinates)."""
    if place is None or place.latitude is None:
        return None
    dists = [d for lat, lon, _ in pts if (d := distance_km(place, lat, lon)) is not None]
    return min(dists) if dists else None


def text_score(groups: list[TermGroup], row: dict | None, facets: dict) -> tuple[float, tuple[str, ...], bool]:
    """How well the indexed columns match: 0..10, weighted by field and by typed-word coverage.

    Also the columns that matched, and whether every typed word (group) matched somewhere.
    """
    return TextScorer(groups)(row, facets)


class TextScorer:
    """:func:`text_score` for one query's term groups, worked out once for all its candidates.

    A query has dozens of terms and a search scores a hundred candidates or more: each
    term's needles and per-column values are made here once, not once per candidate
    (the same products, so the same scores to the last bit).
    """

    _COLUMNS = tuple(FIELD_WEIGHTS)

    def __init__(self, groups: list[TermGroup]):
        self._count = len(groups)
        plan = []
        for group in groups:
            terms = []
            for term in group.terms:
                needle = " " + term.text
                whole = tuple(term.weight * FIELD_WEIGHTS[col] for col in self._COLUMNS)
                part = tuple(0.8 * term.weight * FIELD_WEIGHTS[col] for col in self._COLUMNS) if term.prefix else ()
                terms.append((needle, needle + " ", term.prefix, whole, part))
            plan.append((tuple(terms), group.substance))
        self._plan = plan

    def __call__(self, row: dict | None, facets: dict) -> tuple[float, tuple[str, ...], bool]:
        """The score, matched columns and completeness of one candidate (its folded texts, its facets)."""
        if not self._count:
            return 0.0, (), True
        row = row or {}
        columns = self._COLUMNS
        texts = [row.get(col) or " " for col in columns]
        everything = "|".join(texts)  # one test rules out the many synonyms that match nowhere
        total, covered, matched = 0.0, 0, set()
        for terms, substance in self._plan:
            best = 0.0
            for needle, bounded, prefix, whole, part in terms:
                if needle not in everything:
                    continue
                for i, text in enumerate(texts):
                    if bounded in text:
                        value = whole[i]
                    elif prefix and needle in text:
                        value = part[i]
                    else:
                        continue
                    if value > best:
                        best = value
                    matched.add(columns[i])
            if substance:
                listed = facets.get("substances") or ""
                value = SUBSTANCE_LISTED if f" {substance} " in listed else SUBSTANCE_ANY if " any " in listed else 0.0
                if value and TREATMENT & set((facets.get("categories") or "").split()):
                    value += 0.5  # someone asking about a drug most often wants treatment
                if value:
                    matched.add("substances")
                    best = max(best, value)
            if best > 0:
                covered += 1
            total += best
        relevance = total / (max(FIELD_WEIGHTS.values()) * self._count)
        coverage = covered / self._count
        score = 10.0 * relevance * (0.35 + 0.65 * coverage * coverage)
        return score, tuple(sorted(matched)), covered == self._count


def context_score(row: dict, place: Place | None, dist: float | None, age: int | None) -> float:
    """Boosts for being near, in the area, the right age, running and well evidenced."""
    score = 0.0
    if place is not None:
        if row["national"]:
            score += 0.4
        elif place.area and f" {place.area} " in (row["catchment"] or ""):
            score += 2.0
        elif row["catchment"]:
            score -= 4.0  # serves other areas only
        if dist is not None:
            score += 2.5 * math.exp(-dist / 15.0)
    if age is not None:
        lo, hi = row["minimum_age"], row["maximum_age"]
        if (lo is not None and age < lo) or (hi is not None and age > hi):
            score -= 3.0
        elif lo is not None or hi is not None:
            score += 0.5  # an age range that fits is a positive signal
    if row["status"] == "defunct":
        score -= 10.0  # kept findable by name, but never ahead of a running service
    elif row["status"] in ("inactive", "temporarily closed"):
        score -= 2.0
    if row["verification"] == "historic":
        score -= 1.5
    return score


def profile_fit(row: dict, profile: ClientProfile | None) -> float:
    """In client mode, treatment that works with the client's substances comes first among equals."""
    if profile is None or not profile.substances:
        return 0.0
    listed = row["substances"] or ""
    if not TREATMENT & set((row["categories"] or "").split()):
        return 0.0
    if any(f" {s} " in listed for s in profile.substances):
        return 1.0
    return 0.6 if " any " in listed else 0.0


class _Ranked(Protocol):
    @property
    def partial(self) -> bool: ...
    @property
    def named(self) -> bool: ...
    @property
    def name(self) -> str: ...
    @property
    def tier(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def service_id(self) -> str: ...
    @property
    def checks(self) -> tuple[str, ...]: ...


def rank_class(tier: int, partial: bool, named: bool = False) -> int:
    """Which class a result falls in (lower first): its tier, one lower when it matched only some typed words.

    A service whose whole name was typed is class 0 wherever it is: it is the one asked for.

    A service serving the place that matches some of the words (class 1) ranks with a near
    one matching them all (class 1), by score; a far one (class 2 or 3) never comes before
    a service that serves the place, however the words fall.
    """
    return 0 if named else tier + int(partial)


def rank_key(candidate: _Ranked) -> tuple[int, int, float, str, str]:
    """The order of results: by class (:func:`rank_class`: tier and word coverage), then filters not known, then score, name and id.

    The tier (``core.locality``: serves the place, near it, far) is not a boost: however
    well a far-away service's words match, a service that serves the place and matches
    comes before it. Within a class, a service known to fit every filter comes before
    one whose record does not say for some (``store.search_filters``), the fewer the better.
    """
    rank = rank_class(candidate.tier, candidate.partial, candidate.named)
    return (rank, len(candidate.checks), -candidate.score, candidate.name.casefold(), candidate.service_id)
