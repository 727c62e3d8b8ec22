"""Topic leaflets: one category near a place, e.g. "Where to get naloxone in Rugby".

Harm-reduction facts first (naloxone is for anyone who might see an overdose, not only
people who inject), then the services, nearest first, then privacy and crisis lines.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer

from coventry_directory.core.distance_words import approximate_note
from coventry_directory.core.models import Service
from coventry_directory.core.places import Place
from coventry_directory.core.taxonomy import label, vocabularies
from coventry_directory.i18n import _
from coventry_directory.i18n.languages import Language
from coventry_directory.leaflets import blocks, wording
from coventry_directory.leaflets.base import LeafletError, LeafletRenderer
from coventry_directory.store.directory import DirectoryStore

_GONE = ("inactive", "defunct")


def category_codes() -> tuple[str, ...]:
    """Every category a topic leaflet can be made for."""
    return vocabularies()["category"].codes()


def check_category(category: str) -> str:
    """The category code, or LeafletError naming the valid ones."""
    code = (category or "").strip().lower()
    if code not in category_codes():
        raise LeafletError(f"unknown category {category!r}; choose one of: {', '.join(category_codes())}")
    return code


def select_services(
    store: DirectoryStore, category: str, near: str | None = None, limit: int = 50
) -> list[tuple[Service, float | None]]:
    """Services of ``category`` that serve ``near`` (all, when None), nearest first.

    The one place that chooses services for a topic leaflet: the search engine ranks and
    measures distance; services whose catchment leaves the place out are dropped (the
    engine only ranks them lower). UK-wide services and ones with no known catchment stay.
    """
    from coventry_directory.core.places import UnknownPlace, resolve_place
    from coventry_directory.core.search import Filters, SearchEngine

    category = check_category(category)
    try:
        place = resolve_place(near) if near else None
    except UnknownPlace as exc:
        raise LeafletError(str(exc)) from exc
    hits = SearchEngine(store).search(query="", filters=Filters(categories=(category,), near=place), limit=limit).hits
    services = {svc.id: svc for svc in store.services([hit.id for hit in hits])}
    chosen = []
    for hit in hits:
        svc = services[hit.id]
        if svc.status in _GONE or category not in svc.categories:
            continue
        if (
            place is not None
            and place.area
            and svc.coverage != "national"
            and svc.catchment
            and place.area not in svc.catchment
        ):
            continue
        chosen.append((svc, hit.distance_km))
    # Local services before UK-wide ones: a leaflet about Rugby should lead with Rugby.
    chosen.sort(key=lambda sd: (sd[0].coverage == "national", sd[1] if sd[1] is not None else 1e9))
    return chosen


def _resolved(near: str | None) -> Place | None:
    from coventry_directory.core.places import resolve_place

    return resolve_place(near) if near else None


def place_name(near: str | None) -> str:
    """The place as printed in the title (the gazetteer's name), or the whole county."""
    if not near:
        return wording.ALL_AREAS
    from coventry_directory.core.places import resolve_place

    return resolve_place(near).name


class TopicLeafletRenderer(LeafletRenderer):
    """A leaflet about one category of help near a place."""

    document_title = "Topic leaflet"

    def __init__(
        self,
        store: DirectoryStore,
        category: str,
        near: str | None = None,
        lang: Language | str = "en",
        *,
        size: str = "A4",
        large_print: bool = False,
    ):
        super().__init__(lang, size=size, large_print=large_print, routes=store)
        self.category = check_category(category)
        self.near = near
        self.found = select_services(store, self.category, near)
        self.place = place_name(near)
        self.near_place = _resolved(near)  # distances are worded from it ("in Rugby", "about 5 km")

    def services_printed(self):
        """The services this leaflet prints (their next steps' records are dated with them)."""
        return [svc for svc, _dist in self.found]

    def title(self) -> str:
        """E.g. 'Where to get naloxone in Rugby', translated."""
        template = wording.TOPIC_TITLES.get(self.category)
        if template:
            return _(template).format(place=self.place)
        return _(wording.TOPIC_TITLE_OTHER).format(category=label("category", self.category), place=self.place)

    def story(self) -> list[Flowable]:
        """Title, facts, services, privacy and crisis lines."""
        kit, s = self.kit, self.styles
        # crisis lines on page 1: a topic list can run to several pages
        story: list[Flowable] = [kit.t(self.title(), s.title), Spacer(1, 4), blocks.crisis_box(kit), Spacer(1, 6)]
        facts = wording.FACTS.get(self.category)
        if facts:
            story += [kit.t(_(wording.GOOD_TO_KNOW), s.heading), *kit.bullets([_(f) for f in facts])]
        lead: list[Flowable] = [kit.t(_(wording.WHERE_TO_GO), s.heading)]  # printed with the first entry
        if not self.found:
            story += [*lead, kit.t(_(wording.NONE_FOUND).format(place=self.place))]
        note = approximate_note(self.near_place) if any(d is not None for _svc, d in self.found) else None
        if note:
            lead.append(kit.t(note, s.small))
        for i, (svc, dist) in enumerate(self.found):
            story += blocks.service_summary(
                kit, svc, distance_km=dist, near=self.near_place, lead=lead if i == 0 else ()
            )
        if self.lang.code != "en":
            story.append(kit.t(_(wording.ENGLISH_NOTE), s.small))
        story += [Spacer(1, 6), KeepTogether([blocks.privacy_box(kit)])]
        return story
