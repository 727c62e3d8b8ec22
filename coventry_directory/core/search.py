"""The search engine: forgiving text search, filters, distance and open-now, ranked.

Filter and place first, then rank: :mod:`coventry_directory.core.candidates` draws every
service that matches the words and serves the place asked about (with no place, Coventry
and Warwickshire), then nearer ones, with the hard filters applied in the same query.
This module understands the query, scores that set (:mod:`coventry_directory.core.ranking`)
and orders it by class (tier and word coverage, ``core.locality``) and score, and builds
the hits. The rules are in docs/architecture.md, "Search".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from coventry_directory.core import schedules as hours
from coventry_directory.core.candidates import candidate_ids, counted_expression, typed_words
from coventry_directory.core.clock import as_uk_wall_clock, uk_now
from coventry_directory.core.eligibility import ClientProfile, Eligibility, Verdict, assess
from coventry_directory.core.locality import FAR, NEAR, SERVES, Locality, locality_of
from coventry_directory.core.models import CODE_FIELDS
from coventry_directory.core.places import Place, resolve_place
from coventry_directory.core.query import STOP_WORDS, ParsedQuery, Vocabulary, parse_query
from coventry_directory.core.ranking import TextScorer, context_score, nearest_km, profile_fit, rank_class, rank_key
from coventry_directory.core.search_input import clean_input
from coventry_directory.core.search_notes import search_notes
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.core.text import words
from coventry_directory.i18n import _
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.open_hours import OpenAt
from coventry_directory.store.search_filters import LIST_FIELDS, NOT_KNOWN, FacetFilter


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
    include_closed: bool = False  # inactive and defunct services are left out unless asked for


# Statuses whose services are left out of results unless the worker asks for them.
CLOSED_STATUSES = ("inactive", "defunct")


@dataclass(frozen=True)
class Hit:
    """One ranked result: what a results list shows. A plain value, safe to hand to any thread.

    It holds no database handle: the whole record is loaded by whoever needs it, in their
    own thread, through their own store (``DirectoryStore.get_service(hit.id)``).
    """

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
    status: str = "active"
    sources: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # filters its record does not say it fits (store.search_filters), to check

    def to_dict(self) -> dict:
        """The search --json shape (docs/architecture.md), plus a few helpful extras."""
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
            "service_status": self.status,
            "source": self.sources[0] if self.sources else None,
            "sources": list(self.sources),
            "filters_not_known": list(self.checks),
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
    # per active filter (store.search_filters.OUTCOME_FIELDS order): known to fit, not known,
    # known not to fit, among the services matching the words near the place (core.candidates)
    filter_counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # with ``option_counts=True``: per list filter (store.search_filters.LIST_FIELDS), per
    # option code, how many services ticking it would keep, known to fit and not known
    option_counts: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)


class SearchEngine:
    """Searches one open directory. Cheap to create; loads its vocabulary on first use."""

    def __init__(self, store: DirectoryStore):
        self.store = store
        self._vocabulary: Vocabulary | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        """The directory's indexed words (loaded once, on first use), for typo correction."""
        if self._vocabulary is None:
            queries = self.store.queries
            self._vocabulary = Vocabulary(queries.vocabulary(), preferred=queries.edition_words())
        return self._vocabulary

    def search(
        self,
        query: str = "",
        filters: Filters | None = None,
        limit: int = 20,
        profile: ClientProfile | None = None,
        now: datetime | None = None,
        option_counts: bool = False,
    ) -> SearchResult:
        """Rank services for ``query`` within ``filters``. Raises ValueError only for an unknown place.

        The steps: understand the query; fetch candidate ids (SQL, filters applied); score
        them; keep those open at the asked time; build the hits (with client verdicts).
        ``option_counts`` also counts, for every option of the list filters, what ticking it
        would keep (the filter panel shows them beside each option).
        """
        query, filters = clean_input(query, filters or Filters())
        limit = max(1, min(int(limit), 500))
        at = as_uk_wall_clock(filters.open_at or now or uk_now())
        parsed = parse_query(query, self.vocabulary, find_place=True)
        place = _place(filters.near) if filters.near is not None else parsed.place
        age = filters.age if filters.age is not None else parsed.age
        locality = locality_of(place)
        facet = _facet_filter(filters, self._open_at(at) if filters.open_at is not None else None)
        queries = self.store.queries
        ids = candidate_ids(queries, parsed, place, locality, facet, limit, profile is not None)
        facets, texts, points = queries.ranking_rows(ids, texts=not parsed.is_empty)
        unsure = {
            sid: tuple(f for f, outcome in fields.items() if outcome == NOT_KNOWN)
            for sid, fields in queries.outcomes(ids, facet).items()
        }
        page = limit * 3 if profile else limit
        scored = self._score(ids, (facets, texts, points), unsure, parsed, place, locality, age, profile, page)
        pool = [s.service_id for s in scored]
        keep = pool[:page]
        hits = self._hits(keep, {s.service_id: s for s in scored}, facets, profile, at)
        if profile:
            # for a client, what they can use comes first; within each verdict, the usual order
            rank = {Eligibility.ELIGIBLE: 0, Eligibility.CHECK: 1, Eligibility.EXCLUDED: 2}
            order = {s.service_id: (rank_class(s.tier, s.partial, s.named), len(s.checks)) for s in scored}
            hits.sort(key=lambda h: (rank[h.verdict.status] if h.verdict else 1, order[h.id], -h.score))
        # the words again, as the counts are over them (prefix look-ups and all): only when counting
        counted = counted_expression(queries, parsed, locality) if facet.outcome_tests() or option_counts else ""
        counts = queries.outcome_counts(counted, facet) if facet.outcome_tests() else {}
        options = queries.option_counts(counted, facet, _list_options()) if option_counts else {}
        return SearchResult(hits[:limit], parsed, place, at, search_notes(parsed, query, place), counts, options)

    def _score(
        self,
        ids: list[str],
        rows: tuple[dict[str, dict], dict[str, dict], dict[str, list[tuple[float, float, str]]]],
        unsure: dict[str, tuple[str, ...]],
        parsed: ParsedQuery,
        place: Place | None,
        locality: Locality,
        age: int | None,
        profile: ClientProfile | None,
        page: int | None = None,
    ) -> list[_Scored]:
        """Each candidate's score (text match plus context), tier by tier (``core.locality``), best first.

        ``rows`` is what ``SearchQueries.ranking_rows`` gives: facets, folded texts, map points.
        With ``page``, only the first ``page`` are sure to be there, in their order: a near or
        far candidate that cannot reach them is left out unscored.
        """
        facets, texts, points = rows
        typed = typed_words(parsed)
        placed = []
        for sid in ids:
            row = facets.get(sid)
            if row is None:
                continue
            pts = points.get(sid, [])
            # the name typed in full: the service asked for, wherever it is
            named = bool(typed) and _name_words(row["name"] or "") == typed
            placed.append((sid, row, pts, locality.tier(row, pts), named))
        # Scored tier by tier, each only while the page has room for it (core.ranking.rank_class):
        # services serving the place and those named in full are class 0 or 1, a near one not
        # named 1 or 2, a far one 2 or 3, whatever its words. Once a page of services is in a
        # lower class than a tier can reach, scoring that tier's text changes nothing.
        scorer = TextScorer(parsed.groups) if texts else None
        scored: list[_Scored] = []
        for lowest in (SERVES, NEAR, FAR):  # the lowest class each tier can reach
            if page is not None and sum(1 for s in scored if rank_class(s.tier, s.partial, s.named) < lowest) >= page:
                break
            for sid, row, pts, tier, named in placed:
                if (SERVES if named else tier) != lowest:
                    continue
                dist = nearest_km(place, pts)
                text_points, matched, complete = scorer(texts.get(sid), row) if scorer else (0.0, (), True)
                score = text_points + context_score(row, place, dist, age) + profile_fit(row, profile)
                checks = unsure.get(sid, ())
                scored.append(_Scored(score, sid, dist, matched, tier, not complete, named, row["name"] or "", checks))
        scored.sort(key=rank_key)
        return scored

    def open_ids(self, at: datetime) -> set[str]:
        """Every service known to be open at ``at`` (any status): exactly what the "open at" filter keeps."""
        _, filters = clean_input("", Filters(open_at=at, include_closed=True))
        facet = _facet_filter(filters, self._open_at(filters.open_at or at))  # cleaned: a reachable year
        where = replace(facet, known_only=True).where()
        return set(self.store.queries.filtered_ids(where, None))

    def _open_at(self, at: datetime) -> OpenAt:
        """The "open at" filter for ``at``: the weekly hours, and the dated ones (or, outside their window, the calendar)."""
        yesterday = at.date() - timedelta(days=1)
        holidays = (hours.bank_holiday(at.date()) is not None, hours.bank_holiday(yesterday) is not None)
        window = self.store.queries.date_window()
        if window is not None and window[0] <= yesterday.isoformat() and at.date().isoformat() <= window[1]:
            return OpenAt(at, *holidays, dated=True)
        states = self._calendar_states(self.store.queries.calendar_services(), at)
        also, unknown = ([sid for sid, s in sorted(states.items()) if s == want] for want in ("open", "unknown"))
        return OpenAt(at, *holidays, tuple(also), also_unknown=tuple(unknown))

    def open_by_calendar(self, ids: Sequence[str], at: datetime) -> set[str]:
        """Which of these services the calendar says are open at ``at``: what details show (slow, sure).

        "Open at" asks the calendar only for hours that are not the same every week, at a
        moment outside the dated window; tests and benchmarks use this as the truth for all.
        """
        return {sid for sid, state in self._calendar_states(ids, at).items() if state == hours.OpenState.OPEN}

    def _calendar_states(self, ids: Sequence[str], at: datetime) -> dict[str, str]:
        """Each service's state at ``at`` (open, closed, unknown) as its details show it."""
        schedules = self.store.schedules_for(ids)
        facets = self.store.queries.facet_rows(ids)
        return {
            sid: hours.record_state(schedules.get(sid, []), f["verification"] or None, f["evidence_date"], at)[0]
            for sid, f in facets.items()
        }

    def _hits(
        self,
        ids: list[str],
        scored: dict[str, _Scored],
        facets: dict[str, dict],
        profile: ClientProfile | None,
        at: datetime,
    ) -> list[Hit]:
        """The result rows, with open state, filters to check and (in client mode) the eligibility verdict."""
        # a service with no hours at any level (has_schedule, as store.open_hours reads it) has
        # none to load: most hits at national scale, and each load is seven queries
        schedules = self.store.schedules_for([sid for sid in ids if facets[sid]["has_schedule"]])
        sources = self.store.queries.sources_for(ids)
        services = {s.id: s for s in self.store.services(ids)} if profile else {}
        hits = []
        for sid in ids:
            s, f = scored[sid], facets[sid]
            state, reason = hours.record_state(
                schedules.get(sid, []), f["verification"] or None, f["evidence_date"], at
            )
            if state == hours.OpenState.OPEN and (f["status"] or "active") != "active":
                # its hours say open, but its source does not list it as running (store.search_filters)
                state = hours.OpenState.UNKNOWN
                reason = _("Its hours say open, but its source lists it as “{status}”: check first").format(
                    status=f["status"]
                )
            svc = services.get(sid)
            hits.append(
                Hit(
                    id=sid,
                    key=f["key"],
                    name=f["name"],
                    organization=f["organization"],
                    categories=tuple((f["categories"] or "").split()),
                    verification=f["verification"] or None,
                    assured_date=f["assured_date"],
                    evidence_date=f["evidence_date"],
                    score=s.score,
                    distance_km=s.distance,
                    open_state=state,
                    open_reason=reason,
                    matched=s.matched,
                    verdict=assess(svc, profile) if svc is not None and profile is not None else None,
                    status=f["status"] or "active",
                    sources=sources.get(sid, ()),
                    checks=s.checks,
                )
            )
        return hits


class _Scored(NamedTuple):
    """One candidate's score, distance and the columns its words matched."""

    score: float
    service_id: str
    distance: float | None
    matched: tuple[str, ...]
    tier: int = 0  # core.locality: 0 serves the place, 1 near it (or not known), 2 far
    partial: bool = False  # matched some typed words, not all
    named: bool = False  # its whole name was typed (stop words aside)
    name: str = ""  # the last word on the order of equals
    checks: tuple[str, ...] = ()  # filters its record does not say it fits


@lru_cache(maxsize=1)
def _list_options() -> dict[str, tuple[str, ...]]:
    """Every option of each list filter: the codes of its vocabulary (a gender but "any"; the app's languages but English)."""
    vocab = vocabularies()
    options = {
        name: tuple(t.code for t in vocab[CODE_FIELDS[name]].terms) for name in LIST_FIELDS if name in CODE_FIELDS
    }
    options["gender"] = tuple(t.code for t in vocab["gender"].terms if t.code != "any")
    options["languages"] = tuple(code for code in LANGUAGES if code != "en")
    return options


def _facet_filter(filters: Filters, open_at: OpenAt | None) -> FacetFilter:
    """The hard filters as the store's facet query takes them."""
    return FacetFilter(
        categories=tuple(filters.categories),
        referral_routes=tuple(filters.routes),
        delivery_modes=tuple(filters.modes),
        client_groups=tuple(filters.groups),
        languages=(filters.language,) if filters.language else (),
        substances=tuple(filters.substances),
        gender=filters.gender,
        age=filters.age,
        free=filters.free,
        exclude_status=() if filters.include_closed else CLOSED_STATUSES,
        open_at=open_at,
    )


@lru_cache(maxsize=8192)
def _name_words(name: str) -> frozenset[str]:
    """A service name's words, stop words aside (asked for every candidate of every search: remembered)."""
    return frozenset(words(name)) - STOP_WORDS


def _place(near: str | Place) -> Place:
    return near if isinstance(near, Place) else resolve_place(near)
