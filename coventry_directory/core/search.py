"""The search engine: forgiving text search, filters, distance and open-now, ranked.

Filter first, rank a small candidate set: the store returns at most a few hundred
candidates (FTS5 matches and facet filters in SQL), and this module ranks them by where
the words matched (name over category over keywords over description), how many of the
typed words matched, distance from the place asked about, and whether it is open.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from coventry_directory.core import schedules as hours
from coventry_directory.core import store_search
from coventry_directory.core.eligibility import ClientProfile, Verdict, assess
from coventry_directory.core.models import Service
from coventry_directory.core.places import Place, distance_km, resolve_place
from coventry_directory.core.query import ParsedQuery, TermGroup, Vocabulary, parse_query
from coventry_directory.core.store import DirectoryStore
from coventry_directory.core.text import fts_term

# How much a match in each indexed column counts.
FIELD_WEIGHTS = {"name": 6.0, "categories": 4.0, "keywords": 3.0, "organization": 2.0, "description": 1.0}
STRONG_COLUMNS = ("name", "categories", "keywords", "organization")
CANDIDATES = 80    # per SQL candidate query
ENOUGH = 40        # matches of every typed word that make partial matches unnecessary
# What a service listing the substance asked about counts (like a keyword), or listing "any".
SUBSTANCE_LISTED, SUBSTANCE_ANY = 3.0, 2.0
TREATMENT = frozenset({"treatment-adult", "young-people"})


@dataclass
class Filters:
    """What the worker narrowed the search to. OR within a field, AND across fields."""

    categories: Sequence[str] = ()
    near: str | Place | None = None
    age: int | None = None
    gender: str | None = None
    substances: Sequence[str] = ()
    groups: Sequence[str] = ()
    routes: Sequence[str] = ()
    modes: Sequence[str] = ()
    language: str | None = None
    free: bool = False
    open_at: datetime | None = None


@dataclass
class Hit:
    """One ranked result: what a results list shows, with the whole record loaded on demand."""

    id: str
    key: str
    name: str
    organization: str
    categories: tuple[str, ...]
    verification: str | None
    assured_date: str | None
    evidence_date: str | None
    score: float
    distance_km: float | None
    open_state: str
    open_reason: str
    matched: tuple[str, ...] = ()
    verdict: Verdict | None = None
    _store: DirectoryStore | None = field(default=None, repr=False, compare=False)
    _service: Service | None = field(default=None, repr=False, compare=False)

    @property
    def service(self) -> Service:
        """The whole record (loaded from the store on first use, in the caller's thread)."""
        if self._service is None:
            self._service = self._store.services([self.id])[0]
        return self._service

    def to_dict(self) -> dict:
        """The search --json shape (DESIGN.md), plus a few helpful extras."""
        data = {
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "organization": self.organization,
            "categories": list(self.categories),
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "open_now": self.open_state,
            "open_reason": self.open_reason,
            "score": round(self.score, 3),
            "verification": self.verification,
            "assured_date": self.assured_date,
            "evidence_date": self.evidence_date,
        }
        if self.verdict is not None:
            data["eligibility"] = self.verdict.status
            data["reasons"] = list(self.verdict.reasons)
        return data


@dataclass
class SearchResult:
    """Hits plus how the query was understood (for "showing results for ..." hints)."""

    hits: list[Hit]
    query: ParsedQuery
    place: Place | None
    at: datetime
    notes: list[str] = field(default_factory=list)


class SearchEngine:
    """Searches one open directory. Cheap to create; loads its vocabulary on first use."""

    def __init__(self, store: DirectoryStore):
        self.store = store
        self._vocabulary: Vocabulary | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(store_search.vocabulary(self.store.db))
        return self._vocabulary

    def search(self, query: str = "", filters: Filters | None = None, limit: int = 20,
               profile: ClientProfile | None = None, now: datetime | None = None) -> SearchResult:
        """Rank services for ``query`` within ``filters``. Raises ValueError only for an unknown place."""
        filters = filters or Filters()
        limit = max(1, min(int(limit), 500))
        at = filters.open_at or now or datetime.now()
        parsed = parse_query(query, self.vocabulary, find_place=True)
        place = _place(filters.near) if filters.near is not None else parsed.place
        age = filters.age if filters.age is not None else parsed.age
        facet = store_search.FacetFilter(
            categories=tuple(filters.categories), referral_routes=tuple(filters.routes),
            delivery_modes=tuple(filters.modes), client_groups=tuple(filters.groups),
            languages=(filters.language,) if filters.language else (), substances=tuple(filters.substances),
            gender=filters.gender, age=filters.age, free=filters.free, scheduled_only=filters.open_at is not None,
        )
        where = facet.where()
        db = self.store.db
        if parsed.is_empty:
            near = (place.latitude, place.longitude) if place and place.latitude is not None else None
            pool = 5000 if filters.open_at is not None else limit * 3 + 50
            ids = store_search.filtered_ids(db, where, pool, near)
        else:
            ids = self._candidates(parsed.groups, where)
        facets = store_search.facet_rows(db, ids)
        points = store_search.points(db, ids)
        dist = {sid: _nearest(place, points.get(sid, [])) for sid in ids}
        context = {sid: _context_score(facets[sid], place, dist[sid], age) + _profile_fit(facets[sid], profile)
                   for sid in ids if sid in facets}
        texts = store_search.folded_texts(db, ids) if not parsed.is_empty else {}
        scored = []
        for order, sid in enumerate(ids):
            row = facets.get(sid)
            if row is None:
                continue
            text_score, matched = _text_score(parsed.groups, texts.get(sid), row) if texts else (0.0, ())
            score = text_score + context[sid]
            if parsed.is_empty:
                score -= order * 1e-6  # keep the store's order (distance or name) among equals
            scored.append((score, sid, dist[sid], matched))
        scored.sort(key=lambda s: (-s[0], s[1]))
        pool_ids = [s[1] for s in scored]
        if filters.open_at is not None:
            schedules = self.store.schedules_for(pool_ids)
            pool_ids = [sid for sid in pool_ids
                        if hours.record_state(schedules.get(sid, []), facets[sid]["verification"] or None,
                                              facets[sid]["evidence_date"], at)[0] == hours.OPEN]
        keep = pool_ids[: limit * 3 if profile else limit]
        rows = {sid: (score, dist, matched) for score, sid, dist, matched in scored}
        schedules = self.store.schedules_for(keep)
        services = {s.id: s for s in self.store.services(keep)} if profile else {}
        hits = []
        for sid in keep:
            score, dist, matched = rows[sid]
            f = facets[sid]
            state, reason = hours.record_state(schedules.get(sid, []), f["verification"] or None, f["evidence_date"], at)
            svc = services.get(sid)
            hits.append(Hit(
                id=sid, key=f["key"], name=f["name"], organization=f["organization"],
                categories=tuple((f["categories"] or "").split()), verification=f["verification"] or None,
                assured_date=f["assured_date"], evidence_date=f["evidence_date"], score=score, distance_km=dist,
                open_state=state, open_reason=reason, matched=matched,
                verdict=assess(svc, profile) if svc is not None else None, _store=self.store, _service=svc,
            ))
        if profile:
            rank = {"eligible": 0, "check": 1, "excluded": 2}
            hits.sort(key=lambda h: (rank[h.verdict.status], -h.score))
        return SearchResult(hits[:limit], parsed, place, at, _notes(parsed))

    def _candidates(self, groups: list[TermGroup], where: tuple[str, list]) -> list[str]:
        """Candidate ids, the strongest kinds of match first (all words in name, category, keywords)."""
        db = self.store.db
        group_exprs = ["(" + " OR ".join(fts_term(t.text, t.prefix) for t in g.terms) + ")" for g in groups]
        all_of = " AND ".join(group_exprs)
        any_of = " OR ".join(group_exprs)
        ids: dict[str, None] = {}  # an ordered set

        def take(expr: str, columns: Sequence[str] = ()) -> None:
            for sid in store_search.fts_candidates(db, expr, where, CANDIDATES, columns):
                ids.setdefault(sid)

        take(all_of, STRONG_COLUMNS)
        if len(ids) < ENOUGH:
            take(all_of)
        if len(groups) > 1 and len(ids) < ENOUGH:
            take(any_of, STRONG_COLUMNS)
            if len(ids) < ENOUGH:
                take(any_of)
        substances = tuple(g.substance for g in groups if g.substance)
        if substances and len(ids) < ENOUGH:
            for sid in store_search.substance_candidates(db, substances, where, CANDIDATES):
                ids.setdefault(sid)
        return list(ids)


def _place(near: str | Place) -> Place:
    return near if isinstance(near, Place) else resolve_place(near)


def _nearest(place: Place | None, pts: list[tuple[float, float, str]]) -> float | None:
    if place is None or place.latitude is None:
        return None
    dists = [d for lat, lon, _ in pts if (d := distance_km(place, lat, lon)) is not None]
    return min(dists) if dists else None


def _text_score(groups: list[TermGroup], row: dict | None, facets: dict) -> tuple[float, tuple[str, ...]]:
    """How well the indexed columns match: 0..10, weighted by field and by typed-word coverage."""
    if not groups:
        return 0.0, ()
    row = row or {}
    fields = {col: row.get(col) or " " for col in FIELD_WEIGHTS}
    everything = "|".join(fields.values())  # one test rules out the many synonyms that match nowhere
    best_possible = max(FIELD_WEIGHTS.values())
    total, covered, matched = 0.0, 0, set()
    for group in groups:
        best = 0.0
        for term in group.terms:
            needle = " " + term.text
            if needle not in everything:
                continue
            for col, text in fields.items():
                if needle + " " in text:
                    value = term.weight * FIELD_WEIGHTS[col]
                elif term.prefix and needle in text:
                    value = 0.8 * term.weight * FIELD_WEIGHTS[col]
                else:
                    continue
                if value > best:
                    best = value
                matched.add(col)
        if group.substance:
            listed = facets.get("substances") or ""
            value = SUBSTANCE_LISTED if f" {group.substance} " in listed else SUBSTANCE_ANY if " any " in listed else 0.0
            if value and TREATMENT & set((facets.get("categories") or "").split()):
                value += 0.5  # someone asking about a drug most often wants treatment
            if value:
                matched.add("substances")
                best = max(best, value)
        if best > 0:
            covered += 1
        total += best
    relevance = total / (best_possible * len(groups))
    coverage = covered / len(groups)
    return 10.0 * relevance * (0.35 + 0.65 * coverage * coverage), tuple(sorted(matched))


def _context_score(row: dict, place: Place | None, dist: float | None, age: int | None) -> float:
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
        score -= 0.3
    return score


def _profile_fit(row: dict, profile: ClientProfile | None) -> float:
    """In client mode, treatment that works with the client's substances comes first among equals."""
    if profile is None or not profile.substances:
        return 0.0
    listed = row["substances"] or ""
    if not TREATMENT & set((row["categories"] or "").split()):
        return 0.0
    if any(f" {s} " in listed for s in profile.substances):
        return 1.0
    return 0.6 if " any " in listed else 0.0


def _notes(parsed: ParsedQuery) -> list[str]:
    from coventry_directory.i18n import _

    notes = [
        _("Showing results for “{fixed}” (you typed “{typed}”).").format(fixed=fixed, typed=typed)
        for typed, fixed in parsed.corrections.items()
    ]
    if parsed.place is not None:
        notes.append(_("Near {place}.").format(place=parsed.place.name))
    if parsed.age is not None:
        notes.append(_("For age {age}.").format(age=parsed.age))
    return notes
