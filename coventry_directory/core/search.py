"""The search engine: forgiving text search, filters, distance and open-now, ranked.

Filter and place first, then rank: the store returns every service that matches the
words *and* is local to the place asked about (``core.locality``: it serves the place's
area or the nation, or has a point within 25 km, or nothing says where it is; with no
place, Coventry and Warwickshire), with the hard filters applied in SQL, however many
far-away services match too. Services further away only fill the rest of a page, drawn
ring by ring. This module ranks that set tier by tier (serves the place, near it, far),
and within a tier by the score of :mod:`coventry_directory.core.ranking` (where the words
matched, how many of the typed words matched, catchment, distance, age, status).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from coventry_directory.core import schedules as hours
from coventry_directory.core.clock import as_uk_wall_clock, uk_now
from coventry_directory.core.eligibility import ClientProfile, Eligibility, Verdict, assess
from coventry_directory.core.locality import LOCAL_KM, RINGS_KM, SERVES, Locality, locality_of
from coventry_directory.core.places import Place, resolve_place
from coventry_directory.core.query import STOP_WORDS, ParsedQuery, TermGroup, Vocabulary, parse_query
from coventry_directory.core.ranking import context_score, nearest_km, profile_fit, rank_class, rank_key, text_score
from coventry_directory.core.text import clean_text, fts_term, words
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.open_hours import OpenAt
from coventry_directory.store.schema import SEARCH_COLUMNS
from coventry_directory.store.search_queries import FacetFilter
from coventry_directory.store.search_tags import UNPLACED_TAG, any_tag, substance_tag

# Local candidates are never capped. Further services only fill a page: each ring (and
# then the rest of the country) gives at most this many (or a page), only while it is short.
FAR_CANDIDATES = 80
NAMED_CANDIDATES = 20  # services whose names hold every typed word, looked at wherever they are
NEAR_CANDIDATES = 100  # tier 1 is drawn as this many nearest matches, whatever the page size
ENOUGH = 40  # local matches of every typed word that make partial matches unnecessary
STRONG_COLUMNS = ("name", "organization", "categories", "keywords")
PREFIX_WORDS = 12  # a typed prefix is searched as the words it stands for, when no more than this


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
    ) -> SearchResult:
        """Rank services for ``query`` within ``filters``. Raises ValueError only for an unknown place.

        The steps: understand the query; fetch candidate ids (SQL, filters applied); score
        them; keep those open at the asked time; build the hits (with client verdicts).
        """
        query, filters = clean_input(query, filters or Filters())
        limit = max(1, min(int(limit), 500))
        at = as_uk_wall_clock(filters.open_at or now or uk_now())
        parsed = parse_query(query, self.vocabulary, find_place=True)
        place = _place(filters.near) if filters.near is not None else parsed.place
        age = filters.age if filters.age is not None else parsed.age
        locality = locality_of(place)
        facet = _facet_filter(filters, self._open_at(at) if filters.open_at is not None else None)
        ids = self._candidate_ids(parsed, place, locality, facet, limit, profile is not None)
        facets = self.store.queries.facet_rows(ids)
        scored = self._score(ids, facets, parsed, place, locality, age, profile)
        pool = [s.service_id for s in scored]
        keep = pool[: limit * 3 if profile else limit]
        hits = self._hits(keep, {s.service_id: s for s in scored}, facets, profile, at)
        if profile:
            # for a client, what they can use comes first; within each verdict, the usual order
            rank = {Eligibility.ELIGIBLE: 0, Eligibility.CHECK: 1, Eligibility.EXCLUDED: 2}
            order = {s.service_id: rank_class(s.tier, s.partial, s.named) for s in scored}
            hits.sort(key=lambda h: (rank[h.verdict.status] if h.verdict else 1, order[h.id], -h.score))
        return SearchResult(hits[:limit], parsed, place, at, _notes(parsed))

    def _candidate_ids(
        self,
        parsed: ParsedQuery,
        place: Place | None,
        locality: Locality,
        facet: FacetFilter,
        limit: int,
        profile: bool,
    ) -> list[str]:
        """Ids that pass the filters, tier by tier: all that serve the place, near ones ring by ring, then far.

        The code filters are tags in the same FTS5 query as the words and the place
        (filtered first, in the index); age, status and "open at" are SQL beside it.
        """
        where = facet.where(tagged=False)
        filters = facet.tags()
        page = limit * 3 if profile else limit  # client mode reorders by eligibility: it needs more
        queries = self.store.queries
        here = (
            (place.latitude, place.longitude)
            if place and place.latitude is not None and place.longitude is not None
            else None
        )

        def combine(*parts: str) -> str:
            return " AND ".join(f"({p})" for p in (*parts, filters) if p)

        def retrieve(text: str, strong: str, serving_only: bool = False) -> list[str]:
            """Every tier-0 match (never capped); then, unless those fill the page, the nearest others.

            First the services that may serve the place (its areas, national, close by):
            all of them, each placed in its tier. A page of tier-0 matches is a page no other
            service can enter (core.ranking.rank_class). Otherwise tier 1: the
            :data:`NEAR_CANDIDATES` nearest matches within :data:`~core.locality.LOCAL_KM`
            and as many whose place is not known, a fixed number, so the order never
            depends on the page size. Only while the page is still short, far ones: within
            the wider ring by name, category or keyword, nearest first, then anywhere.
            """
            rows = queries.placed_matches(combine(text, locality.serving()), where, locality.centres)
            ids = dict.fromkeys(
                r[0] for r in rows if locality.tier_of(r[1], bool(r[2]), bool(r[3]), bool(r[4]), r[5]) == SERVES
            )
            if serving_only or len(ids) >= page:
                return list(ids)
            ids.update(dict.fromkeys(r[0] for r in rows))  # close by, but serving other areas only
            unplaced = queries.matching(combine(text, any_tag([UNPLACED_TAG])), where, NEAR_CANDIDATES)
            ids.update(dict.fromkeys(unplaced))
            ring = locality.ring(LOCAL_KM)
            if ring:
                found = queries.matching(combine(text, ring), where, NEAR_CANDIDATES + len(ids), locality.centres)
                ids.update(dict.fromkeys(found))
            cap = max(FAR_CANDIDATES, page)
            for km in RINGS_KM[1:]:
                ring = locality.ring(km)
                if len(ids) < page and ring:
                    ids.update(dict.fromkeys(queries.matching(combine(strong, ring), where, cap, locality.centres)))
            if len(ids) < page:
                anywhere = combine(strong)
                found = (
                    queries.matching(anywhere, where, cap)
                    if anywhere
                    else queries.filtered_ids(facet.where(), cap, here)
                )
                ids.update(dict.fromkeys(found))
            return list(ids)

        if parsed.is_empty:
            return retrieve("", "")

        def text(columns: Sequence[str], joiner: str) -> str:
            """Each typed word's terms (in ``columns``), or for a substance word its tags too, joined by AND or OR."""
            cols = "{" + " ".join(columns) + "}"
            groups = []
            for group in parsed.groups:
                expr = f"{cols} : ({' OR '.join(self._fts_terms(group))})"
                if group.substance:
                    # a service listing the substance asked about (or any substance) matches that
                    # word whatever its text says: exactly what core.ranking.text_score counts
                    tags = any_tag(substance_tag(code) for code in (group.substance, "any"))
                    expr = f"({expr}) OR ({tags})"
                groups.append(f"({expr})")
            return joiner.join(groups)

        ids = retrieve(text(SEARCH_COLUMNS, " AND "), text(STRONG_COLUMNS, " AND "))
        typed = sorted({w for g in parsed.groups for w in g.typed.split()} - STOP_WORDS)
        if typed:
            # a service whose name holds every typed word, wherever it is: the one asked for by name
            by_name = combine("{name} : (" + " AND ".join(fts_term(w) for w in typed) + ")")
            ids += [sid for sid in queries.matching(by_name, where, NAMED_CANDIDATES) if sid not in set(ids)]
        if len(parsed.groups) > 1:
            # services that serve the place and match some of the words rank with near ones
            # matching all (core.ranking.rank_class): always look at those; further ones
            # matching some words only when the page is still short
            partial = retrieve(
                text(SEARCH_COLUMNS, " OR "), text(STRONG_COLUMNS, " OR "), serving_only=len(ids) >= page
            )
            seen = set(ids)
            ids += [sid for sid in partial if sid not in seen]
        return ids

    def _fts_terms(self, group: TermGroup) -> list[str]:
        """One group's terms as FTS5 strings; a prefix as the few indexed words it stands for.

        FTS5 answers "drug*" by merging the lists of every word starting so before it can
        intersect anything (20-30 ms at 100,000 services); the same words named one by one
        are intersected with the place lazily, in about a millisecond. A prefix that more
        than :data:`PREFIX_WORDS` words start with stays a prefix. Phrases are the slowest
        part of a query (every word's positions compared), so one that holds a word the
        group also has on its own is left out: its matches are among that word's anyway,
        and the ranking still scores the phrase.
        """
        out: list[str] = []
        singles = {t.text for t in group.terms if " " not in t.text}
        for term in group.terms:
            if " " in term.text and singles & set(term.text.split()):
                continue  # a phrase holding one of the group's single words finds nothing that word does not
            if term.prefix:
                named = self.store.queries.words_with_prefix(term.text, PREFIX_WORDS)
                if named is not None:
                    out += [fts_term(w) for w in named] or [fts_term(term.text)]
                    continue
            out.append(fts_term(term.text, term.prefix))
        return list(dict.fromkeys(out))

    def _score(
        self,
        ids: list[str],
        facets: dict[str, dict],
        parsed: ParsedQuery,
        place: Place | None,
        locality: Locality,
        age: int | None,
        profile: ClientProfile | None,
    ) -> list[_Scored]:
        """Each candidate's score (text match plus context), tier by tier (``core.locality``), best first."""
        points = self.store.queries.points(ids)
        texts = self.store.queries.folded_texts(ids) if not parsed.is_empty else {}
        typed = {w for g in parsed.groups for w in g.typed.split()} - STOP_WORDS
        scored = []
        for sid in ids:
            row = facets.get(sid)
            if row is None:
                continue
            pts = points.get(sid, [])
            dist = nearest_km(place, pts)
            text_points, matched, complete = (
                text_score(parsed.groups, texts.get(sid), row) if texts else (0.0, (), True)
            )
            score = text_points + context_score(row, place, dist, age) + profile_fit(row, profile)
            # the name typed in full: the service asked for, wherever it is
            named = bool(typed) and set(words(row["name"] or "")) - STOP_WORDS == typed
            tier = locality.tier(row, pts)
            scored.append(_Scored(score, sid, dist, matched, tier, not complete, named, row["name"] or ""))
        scored.sort(key=rank_key)
        return scored

    def open_ids(self, at: datetime) -> set[str]:
        """Every service known to be open at ``at`` (any status): exactly what the "open at" filter keeps."""
        _, filters = clean_input("", Filters(open_at=at, include_closed=True))
        where = _facet_filter(filters, self._open_at(filters.open_at or at)).where()  # cleaned: a reachable year
        return set(self.store.queries.filtered_ids(where, None))

    def _open_at(self, at: datetime) -> OpenAt:
        """The "open at" filter for ``at``: the weekly hours, and the dated ones (or, outside their window, the calendar)."""
        yesterday = at.date() - timedelta(days=1)
        holidays = (hours.bank_holiday(at.date()) is not None, hours.bank_holiday(yesterday) is not None)
        window = self.store.queries.date_window()
        if window is not None and window[0] <= yesterday.isoformat() and at.date().isoformat() <= window[1]:
            return OpenAt(at, *holidays, dated=True)
        calendar = self.store.queries.calendar_services()
        also: tuple[str, ...] = ()
        if calendar:
            schedules = self.store.schedules_for(calendar)
            facets = self.store.queries.facet_rows(calendar)
            also = tuple(
                sid
                for sid in calendar
                if sid in facets
                and hours.record_state(
                    schedules.get(sid, []), facets[sid]["verification"] or None, facets[sid]["evidence_date"], at
                )[0]
                == hours.OpenState.OPEN
            )
        return OpenAt(at, *holidays, also)

    def _hits(
        self,
        ids: list[str],
        scored: dict[str, _Scored],
        facets: dict[str, dict],
        profile: ClientProfile | None,
        at: datetime,
    ) -> list[Hit]:
        """The result rows, with open state and (in client mode) the eligibility verdict."""
        schedules = self.store.schedules_for(ids)
        sources = self.store.queries.sources_for(ids)
        services = {s.id: s for s in self.store.services(ids)} if profile else {}
        hits = []
        for sid in ids:
            s, f = scored[sid], facets[sid]
            state, reason = hours.record_state(
                schedules.get(sid, []), f["verification"] or None, f["evidence_date"], at
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


# --- the input boundary: whatever a caller passes, only safe values reach SQLite -----------
MAX_CODES = 100  # distinct codes per filter: far more than any taxonomy has, and it bounds the SQL
MAX_CODE_CHARS = 100  # no taxonomy code is this long; a longer one could only match nothing
AGE_BOUNDS = (-1, 1000)  # any age outside these is ruled in or out exactly as the nearest bound is


def clean_input(query: str, filters: Filters) -> tuple[str, Filters]:
    """The query and filters with text SQLite can take and numbers it can hold.

    Lone surrogates (undecodable bytes from a command line or a file name) become U+FFFD,
    which no code or word contains (NUL is kept: SQLite takes it); each code list is
    de-duplicated and capped (:data:`MAX_CODES`), so a huge list cannot grow the SQL past
    SQLite's limits; an age beyond :data:`AGE_BOUNDS` is pulled to the bound, which no
    stated age range tells apart from it. Nothing a caller can pass here raises, except an
    unknown place (UnknownPlace).
    """
    near = filters.near
    return clean_text(query if isinstance(query, str) else ""), replace(
        filters,
        categories=_codes(filters.categories),
        near=clean_text(near) if isinstance(near, str) else near,
        age=None if filters.age is None else max(AGE_BOUNDS[0], min(int(filters.age), AGE_BOUNDS[1])),
        gender=_code(filters.gender),
        substances=_codes(filters.substances),
        groups=_codes(filters.groups),
        routes=_codes(filters.routes),
        modes=_codes(filters.modes),
        language=_code(filters.language),
        free=bool(filters.free),
        open_at=None if filters.open_at is None else _moment(filters.open_at),
    )


def _moment(when: datetime) -> datetime:
    """``when`` as UK wall-clock time, kept within years the calendar arithmetic can reach.

    A moment at the very ends of time (``datetime.max`` in another zone) cannot even be
    converted; no service's hours say anything about the year 1 or 9999 anyway.
    """
    try:
        wall = as_uk_wall_clock(when)
    except OverflowError:
        wall = when.replace(tzinfo=None)
    return max(_EARLIEST, min(wall, _LATEST))


_EARLIEST, _LATEST = datetime(1000, 1, 1), datetime(9000, 12, 31)


def _code(value: str | None) -> str | None:
    return None if value is None else clean_text(str(value)[:MAX_CODE_CHARS])


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)  # one code given bare, not in a list: not one code per character
    unique: dict[str, None] = {}
    for value in values:
        unique.setdefault(clean_text(str(value)[:MAX_CODE_CHARS]))  # cut first: a huge string costs nothing
        if len(unique) == MAX_CODES:
            break
    return tuple(unique)


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
        scheduled_only=filters.open_at is not None,
        exclude_status=() if filters.include_closed else CLOSED_STATUSES,
        open_at=open_at,
    )


def _place(near: str | Place) -> Place:
    return near if isinstance(near, Place) else resolve_place(near)


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
