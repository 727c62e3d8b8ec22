"""True ways to find out, for a service whose record gives no way to reach it.

A third of the local records name a service (from a needs assessment or a strategy) with
no phone, email, web page or address. A blank "not known" leaves a worker, or a client
holding a leaflet, at a dead end. These are the next steps the directory can stand behind,
nearest first:

1. the organisation's own web site, email or base (a base in the service's area), where the
   records give them;
2. another service of the same organisation that can be reached;
3. a route the sources name for that kind of help in that area (Coventry and Warwickshire
   pharmacies run needle exchange; Coventry pharmacies give take-home naloxone; the
   Coventry and Warwickshire mental health crisis line through NHS 111);
4. FRANK for drugs advice, Childline for children and young people;
5. always last: the service's name to search for.

Every number or address shown is taken from another record of the directory, with that
record's source, so it is as cited and as current as the record it comes from; nothing
here holds a number of its own. A route whose record is not in the directory (a feed-only
database), is closed, or is for other ages than the service's is left out rather than
guessed; each step carries its record's dates, so a leaflet's footer dates it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from coventry_directory.core import describe
from coventry_directory.core.models import AREAS, Location, Service
from coventry_directory.i18n import N_, _

WARWICKSHIRE = frozenset(AREAS) - {"coventry"}
LOCAL = frozenset(AREAS)
# help with drugs or alcohol, whatever the record's substances say
DRUG_ALCOHOL = frozenset(
    {
        "treatment-adult",
        "detox-rehab",
        "needle-syringe",
        "naloxone",
        "harm-reduction",
        "recovery-support",
        "bbv-testing",
    }
)
SIBLINGS = 2  # other services of the same organisation offered (the nearest few are enough)
SIBLING_LOOKUP = 50  # services of the organisation looked through for them (bounded for national feeds)
BASES = 2  # the organisation's places offered
# An organisation's addressed places loaded with each of its services, to choose BASES from
# (store.service_loader): enough that a county's bases are among them when a national
# organisation's first places are elsewhere, bounded because a feed's can number thousands.
BASE_LOOKUP = 20
GONE = frozenset({"inactive", "defunct"})  # a record with this status is no route to anything
MOST = 4  # steps offered before the name search: the nearest few, not a list to wade through


class RouteBook(Protocol):
    """Where the routes come from: the directory store (``DirectoryStore``) has both."""

    def get_service(self, ref: str) -> Service | None:
        """One whole service by id or key, or None."""
        ...  # pragma: no cover - a protocol

    def organization_services(self, organization_id: str, limit: int) -> list[Service]:
        """Up to ``limit`` services of one organisation, in a stable order."""
        ...  # pragma: no cover - a protocol


@dataclass(frozen=True)
class Route:
    """A route for one kind of help: the record it is taken from and the sentence that introduces it."""

    key: str
    says: str  # msgid (N_): what this route is, in words a client can act on
    categories: frozenset[str]
    areas: frozenset[str] | None = None  # None: any area (a national route)
    drugs: bool = False  # also for any record naming a substance
    walk_in: bool = False  # the step is to go somewhere (a pharmacy): the record is its source, not a number


ROUTES: tuple[Route, ...] = (
    Route(
        "cov-pharmacy-naloxone",
        N_(
            "Ask at a community pharmacy: Coventry pharmacies give take-home naloxone kits. Not every pharmacy "
            "takes part, so ask the pharmacist."
        ),
        frozenset({"naloxone"}),
        frozenset({"coventry"}),
        walk_in=True,
    ),
    Route(
        "cov-pharmacy-needle-exchange",
        N_(
            "Ask at a community pharmacy: Coventry pharmacies run needle exchange. Not every pharmacy takes part, "
            "so ask the pharmacist."
        ),
        frozenset({"needle-syringe"}),
        frozenset({"coventry"}),
        walk_in=True,
    ),
    Route(
        "warwickshire-pharmacy-needle-exchange",
        N_(
            "Ask at a community pharmacy: Warwickshire pharmacies run needle exchange for the county council. Not "
            "every pharmacy takes part, so ask the pharmacist."
        ),
        frozenset({"needle-syringe"}),
        WARWICKSHIRE,
        walk_in=True,
    ),
    Route(
        "cw-mental-health-crisis-nhs111",
        N_("In a mental health crisis, call {contact} and choose the mental health option, 24 hours a day."),
        frozenset({"mental-health"}),
        LOCAL,
    ),
    Route(
        "nat-frank",
        N_("For confidential advice about drugs, call FRANK on {contact}, 24 hours a day, with interpreters."),
        DRUG_ALCOHOL,
        drugs=True,
    ),
    Route(
        "nat-childline",
        N_("Children and young people under 19 can call Childline free on {contact}, 24 hours a day."),
        frozenset({"young-people"}),
    ),
)
# NHS 111 and 999 are not routes here: every leaflet and the app's crisis strip give them
# on their first page already, so as a "way to find out" they would only push the ways
# that answer the question (who runs this, where to ask) off the short list.

ORGANISATION_CONTACT = N_("Ask {organisation}, which runs it: {contact}")
ORGANISATION_BASE = N_("Ask at {organisation}'s base: {contact}")
SAME_ORGANISATION = N_("Ask {service}, run by the same organisation: {contact}")
SEARCH_NAME = N_("Search the web for “{name}” to find how to contact them now.")
OLD_SOURCE = N_("(from a source dated {date}: check it first)")
OLD_UNDATED = N_("(from an undated source: check it first)")
CONTACT = "{contact}"  # where a step's sentence puts its contact (left in by the first format)


@dataclass(frozen=True)
class WayToFindOut:
    """One next step: a translated sentence, what to call or where to go in it, and its source.

    ``says`` holds ``{contact}`` where the number, address or web address goes (at most
    once), so a renderer can set it apart: bold, a link, never broken across lines.
    """

    says: str
    contact: str = ""  # a number, an address or a web address, shown as written
    source: str = ""  # the citation of the record the contact comes from ("" for the name search)
    note: str = ""  # how old that record's evidence is, when it is old
    # the dates of the record the contact comes from (another service's), so a leaflet's
    # footer can date what it prints; None for the service's own organisation and the name search
    assured_date: str | None = None
    evidence_date: str | None = None

    def around(self) -> tuple[str, str]:
        """The sentence's words before and after the contact."""
        before, _mark, after = self.says.partition(CONTACT)
        return before, after

    def text(self) -> str:
        """The whole step as plain text: the sentence with its contact, then the note."""
        before, after = self.around()
        return " ".join(x for x in (f"{before}{self.contact}{after}", self.note) if x)


def ways_to_find_out(svc: Service, book: RouteBook | None = None) -> list[WayToFindOut]:
    """The next steps for ``svc`` when its record gives no contact route (else an empty list).

    Without a ``book`` only the steps the record itself supports are given (its
    organisation's base and the name to search for).
    """
    if own_route(svc):
        return []
    ways = _organisation(svc)
    if book is not None:
        ways += _siblings(svc, book)
        ways += _routes(svc, book)
    seen: set[str] = set()
    distinct = []
    for way in ways:  # a sibling at the organisation's own base is one place to ask, not two
        if not way.contact or way.contact not in seen:
            seen.add(way.contact)
            distinct.append(way)
    return [*distinct[:MOST], WayToFindOut(_(SEARCH_NAME).format(name=svc.name))]


def own_route(svc: Service) -> bool:
    """True when the service's own record has a phone, an email, a web page or a street address.

    Narrower than the review's ``has_contact_route``, which also counts the organisation's
    web site, email and bases: those are offered here as the first steps.
    """
    return bool(svc.phones or svc.email or svc.url or any(loc.address is not None for loc in svc.locations))


def _organisation(svc: Service) -> list[WayToFindOut]:
    """The organisation's own web site, email and bases, where the records give them."""
    org = svc.organization
    ways = [
        WayToFindOut(_(ORGANISATION_CONTACT).format(organisation=org.name, contact=CONTACT), value, _first(org.sources))
        for value in (org.website, org.email)
        if value
    ]
    says = _(ORGANISATION_BASE).format(organisation=org.name, contact=CONTACT)
    seen: set[str] = set()
    for loc in org.locations:
        where = describe.describe_location(loc) if loc.address is not None else ""
        if where and where not in seen and _base_serves(loc, svc) and len(seen) < BASES:
            seen.add(where)
            ways.append(WayToFindOut(says, where, _first(loc.sources or org.sources)))
    return ways


def _base_serves(loc: Location, svc: Service) -> bool:
    """True when a base of the organisation is in the service's area (any base, for a national service).

    A charity's Leamington office is no place to ask about its Coventry service; a base whose
    area is not known is offered only for a service with no area of its own.
    """
    if svc.coverage == "national" or not svc.catchment:
        return True
    return loc.area is not None and loc.area in svc.catchment


def _siblings(svc: Service, book: RouteBook) -> list[WayToFindOut]:
    if not svc.organization.id:
        return []
    out: list[WayToFindOut] = []
    # A council runs homelessness help and commissions drug services, and a national charity
    # runs the same kind of service in other counties: only a sibling offering the same kind
    # of help to the same area is a place to ask about this one.
    for other in book.organization_services(svc.organization.id, SIBLING_LOOKUP):
        usable = other.id != svc.id and other.status not in GONE and _alike(svc, other)
        contact = _contact(other) if usable else None
        if contact is not None and len(out) < SIBLINGS:
            out.append(_from(other, _(SAME_ORGANISATION).format(service=other.name, contact=CONTACT), *contact))
    return out


def _from(record: Service, says: str, contact: str, source: str) -> WayToFindOut:
    """A step whose contact comes from ``record``: its caveat and its dates go with it."""
    return WayToFindOut(says, contact, source, _age(record), record.assured_date, record.evidence_date)


def _ages_meet(svc: Service, other: Service) -> bool:
    """True unless the two records' age ranges are both known and do not overlap (Childline is not for 25s)."""
    low = max(svc.minimum_age or 0, other.minimum_age or 0)
    highs = [a for a in (svc.maximum_age, other.maximum_age) if a is not None]
    return not highs or low <= min(highs)


def _alike(svc: Service, other: Service) -> bool:
    """Same kind of help (a category in common) for the same place (an area in common, or both national)."""
    same_place = bool(set(svc.catchment) & set(other.catchment)) or svc.coverage == other.coverage == "national"
    return bool(set(svc.categories) & set(other.categories)) and same_place


def _routes(svc: Service, book: RouteBook) -> list[WayToFindOut]:
    out: list[WayToFindOut] = []
    areas = set(svc.catchment)
    for route in applicable(svc.categories, areas, bool(svc.substances), national=svc.coverage == "national"):
        record = book.get_service(route.key)
        if record is None or record.status in GONE or not _ages_meet(svc, record):
            continue  # the fact this step rests on is not in this directory, or not for this client
        if route.walk_in:
            out.append(_from(record, _(route.says), "", _first(record.sources)))
            continue
        contact = _contact(record) if record.id != svc.id else None
        if contact is not None:
            out.append(_from(record, _(route.says), *contact))
    return out


def applicable(
    categories: Iterable[str], areas: set[str], names_substance: bool, *, national: bool = False
) -> list[Route]:
    """The routes that fit a record's categories and areas (a national record: only national routes)."""
    wanted = set(categories)
    return [
        r
        for r in ROUTES
        if (wanted & r.categories or (r.drugs and names_substance))
        and (r.areas is None or (not national and areas & r.areas))
    ]


def _contact(svc: Service | None) -> tuple[str, str] | None:
    """(what to call or visit, its source): a voice phone first, then any phone but a fax, the web, email, an address."""
    if svc is None:
        return None
    phones = sorted((p for p in svc.phones if p.type != "fax"), key=lambda p: p.type != "voice")
    if phones:
        return phones[0].number, _first(phones[0].sources or svc.sources)
    if svc.url:
        return svc.url, _first(svc.sources)
    if svc.email:
        return svc.email, _first(svc.sources)
    placed = [loc for loc in svc.locations if loc.address is not None]
    if placed:
        return describe.describe_location(placed[0]), _first(placed[0].sources or svc.sources)
    return None


def _age(svc: Service | None) -> str:
    """A caveat when the route's own record is historic or its provider may have changed."""
    if svc is None or svc.verification not in ("historic", "provider-may-have-changed"):
        return ""
    if not svc.evidence_date:
        return _(OLD_UNDATED)
    return _(OLD_SOURCE).format(date=svc.evidence_date)


def _first(sources: Sequence[str]) -> str:
    return sources[0] if sources else ""
