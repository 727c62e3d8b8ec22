"""Part of the store: the place and facet tags the full-text index holds beside the text.

Search answers a local question from local services first, so it must find every local
service that matches, however many far-away ones match too. Taking the first N full-text
matches cannot (at 100,000 services the local answer is rarely among them), and fetching
every match to test its place in Python costs 30-60 ms for a common word. So each
service's row in the FTS5 index also holds, in a ``tags`` column, tokens for:

- the map grid cells its points fall in, at four sizes (:data:`LEVELS`: about 5.5, 11,
  22 and 90 km a side in England);
- each catchment area it serves (``za`` + area code) and national coverage, or
  :data:`UNPLACED_TAG` when nothing says where it is or whom it serves;
- :data:`EDITION_TAG` when the Coventry and Warwickshire edition describes it;
- each code of its facets: substances (``zs``), categories (``zk``), genders, client
  groups, referral routes, delivery modes, languages (:data:`FIELD_PREFIX`), and free;
- its opening hours by hour of the week (:func:`hours_tags`): a tag for each hour a weekly
  span of its own day touches, another for each hour an overnight span runs into the next
  day, and tags for hours only the calendar can place, hours that cannot be worked out,
  hours that are all bounded by dates, and no usable hours at all; so "open at" draws only
  the services that may be open (or not known) then, however few that is;
- for a field whose filter has three outcomes (:data:`UNSTATED_FIELDS`), a "not stated"
  tag when the record gives no code there, and :data:`FEES_UNSTATED_TAG` when it says
  nothing about cost: a filter keeps what is known to fit and what is not known, and
  leaves out only what is known not to (``store.search_filters``).

A query then asks FTS5 for "these words AND one of these cells or areas": the index
intersects the two itself and returns only local matches, in a millisecond or two
(measured at 100k: docs/benchmarks.md, "Relevance"). The grid is a plain degree grid,
not a projection: a cell is only ever used to fetch candidates, and every distance is
then worked out exactly from the service's own point.

The tokens start with ``z`` and a kind letter, and text expressions are always limited
to the text columns, so nothing a user types ever matches a tag.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

TAGS_COLUMN = "tags"
# Grid levels: (level, latitude step in degrees). A longitude step is LON_FACTOR times the
# latitude step, so cells are roughly square at England's latitude (cos 52° ≈ 0.62).
LEVELS = ((1, 0.05), (2, 0.1), (3, 0.2), (4, 0.8))
LON_FACTOR = 1.6
_OFFSET = 100_000  # keeps cell numbers positive everywhere on Earth (tokens are plain words)
MAX_CELLS = 64  # per circle: the finest level whose cells cover its box in at most this many
KM_PER_DEGREE = 111.2
NATIONAL_TAG = "znational"
UNPLACED_TAG = "zunplaced"  # no point, no catchment, not national, no address: where it serves is not known
ELSEWHERE_TAG = "zelsewhere"  # no point, and an address outside the gazetteer's area
EDITION_TAG = "zedition"  # described by the Coventry and Warwickshire edition


def _token(text: str) -> str:
    """A code as one FTS5 token, unambiguously: a-z and 0-9 kept, any other character as q<hex>q.

    "north-warwickshire" becomes "northq2dqwarwickshire"; "Naloxone" and "naloxone" stay
    different codes, as they are to the facet filters; a code in another script keeps
    its identity ("ਪੰਜਾਬੀ" is not "العربية"). ``q`` itself is escaped, so no two codes meet.
    """
    return "".join(c if ("a" <= c <= "z" or "0" <= c <= "9") and c != "q" else f"q{ord(c):x}q" for c in text)


def area_tag(code: str) -> str:
    """The tag of a catchment area code."""
    return "za" + _token(code)


def substance_tag(code: str) -> str:
    """The tag of a substance code ("any" for services working with any substance)."""
    return code_tag("substances", code)


def _cell(level: int, step: float, lat: float, lon: float) -> str:
    x = math.floor(lon / (step * LON_FACTOR)) + _OFFSET
    y = math.floor(lat / step) + _OFFSET
    return f"zc{level}x{x}y{y}"


def point_tags(lat: float, lon: float) -> list[str]:
    """The grid cells (one per level) a point falls in."""
    return [_cell(level, step, lat, lon) for level, step in LEVELS]


# The facet columns held as tags, each code as prefix + code ("zk" + "naloxone"). A filter
# on these is part of the same FTS5 query as the words and the place: filtered first.
FIELD_PREFIX = {
    "catchment": "za",
    "substances": "zs",
    "categories": "zk",
    "genders": "zx",
    "client_groups": "zg",
    "referral_routes": "zr",
    "delivery_modes": "zm",
    "languages": "zl",
}
FREE_TAG = "zfree"
# "qq" can follow a prefix in no code's tag (_token writes a leading q as q<hex>q)
FEES_UNSTATED_TAG = "zfreeqq"
# The tag-held fields a record may leave empty, which a filter then keeps as "not known".
# Substances and genders are SQL tests only (search_filters.FacetFilter); categories
# say what a service is, so a category filter keeps only what is known to be that.
UNSTATED_FIELDS = ("client_groups", "referral_routes", "delivery_modes", "languages")
FACET_TAG_COLUMNS = (
    *FIELD_PREFIX,
    "national",
    "edition",
    "elsewhere",
    "free",
    "fees_stated",
    "verification",
    "groups_for",
    "status",
)
# Opening hours (hours_tags). "Open at" keeps what may be open then or does not say:
HOURS_UNSTATED_TAG = "zhoursqq"  # no hours that can be worked out, or hours from a historic record
CALENDAR_TAG = "zhourscal"  # hours not the same every week: the SQL asks their dated spans
UNTIMED_TAG = "zhoursuntimed"  # a schedule whose hours cannot be worked out: never "closed" while in force
BOUNDED_TAG = "zhoursbounded"  # every schedule with hours has dates: some days none is in force
ALL_DAY_TAG = "zhoursallday"  # open all day every day: the only hours a bank holiday does not put in doubt
CALENDAR_WEEKDAY = -1  # service_week's weekday for hours only the calendar can place


def code_tag(field: str, code: str) -> str:
    """The tag of one code of a facet field (``code_tag("categories", "naloxone")``)."""
    return FIELD_PREFIX[field] + _token(code)


def unstated_tag(field: str) -> str:
    """The tag of a service whose record gives no code for ``field`` (one of :data:`UNSTATED_FIELDS`)."""
    return FIELD_PREFIX[field] + "qq"


def service_tags(
    points: Iterable[tuple[float, float]],
    facets: dict,
    spans: Iterable[tuple[int, int, int, int]] = (),
    rules: Iterable[tuple[int, str | None, str | None]] = (),
) -> str:
    """The tags column of one service, from its map points, facet row (:data:`FACET_TAG_COLUMNS`) and hours."""
    tags: dict[str, None] = {}
    for lat, lon in points:
        for tag in point_tags(lat, lon):
            tags.setdefault(tag)
    for code in (facets.get("catchment") or "").split():
        tags.setdefault(area_tag(code))
    if facets.get("national"):
        tags.setdefault(NATIONAL_TAG)
    if not tags:
        tags.setdefault(ELSEWHERE_TAG if facets.get("elsewhere") else UNPLACED_TAG)
    if facets.get("edition"):
        tags.setdefault(EDITION_TAG)
    for field in FIELD_PREFIX:
        if field == "catchment":
            continue
        codes = (facets.get(field) or "").split()
        for code in codes:
            tags.setdefault(code_tag(field, code))
        # client groups: not known unless the service is only for some (core.eligibility.required_groups)
        unstated = not (facets.get("groups_for") or "").strip() if field == "client_groups" else not codes
        if unstated and field in UNSTATED_FIELDS:
            tags.setdefault(unstated_tag(field))
    if facets.get("free"):
        tags.setdefault(FREE_TAG)
    elif not facets.get("fees_stated"):
        tags.setdefault(FEES_UNSTATED_TAG)
    # hours from a historic record, or of a service not listed as running, say nothing now
    unsure = (facets.get("verification") or "").strip() == "historic" or (facets.get("status") or "active") != "active"
    for tag in hours_tags(spans, rules, unsure):
        tags.setdefault(tag)
    return " ".join(tags)


def hour_tag(weekday: int, hour: int, *, carried: bool = False) -> str:
    """The tag of one hour of the week (Monday 0); ``carried`` for an overnight span from the day before."""
    return f"z{'o' if carried else 'w'}{weekday}h{hour}"


def hours_tags(
    spans: Iterable[tuple[int, int, int, int]], rules: Iterable[tuple[int, str | None, str | None]], historic: bool
) -> list[str]:
    """The opening-hours tags of one service, from its weekly spans and its schedules' validity.

    ``spans`` are service_week rows (weekday, opening and closing second from that day's
    midnight, past 86400 overnight, all day every day); ``rules`` are service_rule rows (timed, valid from,
    valid to); ``historic``: hours that say nothing now (a historic record, or a service
    not listed as running). A span's tags are a superset of the moments it is open (dates and bank
    holidays aside): the SQL test beside the ``MATCH`` is exact.
    """
    rules = list(rules)
    timed = [r for r in rules if r[0]]
    if historic or not timed:
        return [HOURS_UNSTATED_TAG]
    tags: dict[str, None] = {}
    if any(not r[0] for r in rules):
        tags.setdefault(UNTIMED_TAG)
    if all(r[1] is not None or r[2] is not None for r in timed):
        tags.setdefault(BOUNDED_TAG)
    for weekday, opens, closes, whole_day in spans:
        if weekday == CALENDAR_WEEKDAY:
            tags.setdefault(CALENDAR_TAG)
            continue
        if whole_day:
            tags.setdefault(ALL_DAY_TAG)
        # only today's spans and yesterday's overnight ones can cover a moment (store.open_hours)
        for hour in range(max(opens, 0) // 3600, min(closes - 1, 2 * 86400 - 1) // 3600 + 1):
            tags.setdefault(hour_tag((weekday + hour // 24) % 7, hour % 24, carried=hour >= 24))
    return list(tags)


def moment_tags(weekday: int, hour: int, holiday_today: bool = False, holiday_yesterday: bool = False) -> list[str]:
    """The hour tags of a moment: spans of that day touching that hour, and overnight ones from the day before.

    With a bank holiday on either day, only hours open all day every day are open then
    (``store.open_hours``): that day's own hour tags give way to :data:`ALL_DAY_TAG`. For
    what may be *not known* then, ask without the holidays.
    """
    today = ALL_DAY_TAG if holiday_today else hour_tag(weekday, hour)
    carried = ALL_DAY_TAG if holiday_yesterday else hour_tag(weekday, hour, carried=True)
    return list(dict.fromkeys((today, carried)))


def all_tags(groups: Iterable[Iterable[str]]) -> str:
    """An FTS5 expression requiring, from each group of tags, any one ("" when there are none)."""
    parts = [any_tag(group) for group in groups]
    return " AND ".join(f"({p})" for p in parts if p)


def cells_within(lat: float, lon: float, km: float) -> list[str]:
    """Cells that together cover every point within ``km`` of (lat, lon), at the finest level that takes few.

    The box is a little wider than the circle (never narrower), so no point within ``km``
    is left out; the caller measures each candidate's real distance.
    """
    dlat = km / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.0))), 0.01)
    best: list[str] = []
    for level, step in LEVELS:
        lon_step = step * LON_FACTOR
        xs = range(math.floor((lon - dlon) / lon_step), math.floor((lon + dlon) / lon_step) + 1)
        ys = range(math.floor((lat - dlat) / step), math.floor((lat + dlat) / step) + 1)
        best = [f"zc{level}x{x + _OFFSET}y{y + _OFFSET}" for y in ys for x in xs]
        if len(best) <= MAX_CELLS:
            return best
    return best  # the coarsest level, however many (only for a box wider than a country)


def any_tag(tags: Iterable[str]) -> str:
    """An FTS5 expression matching a row holding any of ``tags`` in the tags column ("" for none)."""
    unique = list(dict.fromkeys(tags))
    if not unique:
        return ""
    return f"{TAGS_COLUMN} : (" + " OR ".join(unique) + ")"
