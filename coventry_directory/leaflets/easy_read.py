"""The Easy Read leaflet (English only): short sentences, one idea per line, big text.

Easy Read is written for people with learning disabilities or low literacy. Its words
are its own, simpler than the standard leaflet, so they are kept here in English rather
than in the translation catalogs. Facts still come only from the directory record.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer

from coventry_directory.core import describe
from coventry_directory.core.fallbacks import RouteBook, ways_to_find_out
from coventry_directory.core.models import Service
from coventry_directory.core.taxonomy import label
from coventry_directory.leaflets.base import LeafletError, LeafletRenderer
from coventry_directory.leaflets.blocks import unbroken
from coventry_directory.leaflets.styles import CRISIS_EDGE, CRISIS_FILL, PRIVACY_FILL, RULE
from coventry_directory.leaflets.wording import ROUTE_ORDER  # one order for every leaflet

NOT_KNOWN = "We do not know. Ask the service."
ROUTES = {
    "self-referral": "You can phone or visit them yourself.",
    "drop-in": "You can go when they are open. You do not need to book.",
    "online-form": "You can fill in a form on their website.",
    "professional-referral": "A doctor or a worker can ask them to see you.",
    "court-custody-only": "You can only go if a court or the police send you.",
    "provider-clients-only": "You can only go if you already get help from them.",
}
PRIVATE = (
    "What you tell them is private.",
    "They will not tell the police.",
    "They will not tell your family.",
    "They may need to tell someone if a person is in danger.",
)
CRISIS = (
    "If someone is in danger, phone 999.",
    "If you feel very ill, phone 111.",
    "If you need to talk, phone Samaritans on 116 123.",
)


class EasyReadRenderer(LeafletRenderer):
    """An Easy Read English leaflet for one service."""

    variant = "easy"
    document_title = "Easy Read leaflet"

    def __init__(
        self,
        service: Service,
        lang="en",
        *,
        size: str = "A4",
        large_print: bool = True,
        routes: RouteBook | None = None,
    ):
        if (getattr(lang, "code", lang) or "en") != "en":
            raise LeafletError("Easy Read leaflets are in English only")
        super().__init__("en", size=size, routes=routes)
        self.service = service

    def services_printed(self):
        """The services this leaflet prints (their next steps' records are dated with them)."""
        return [self.service]

    def _section(self, heading: str, lines: list[str]) -> list[Flowable]:
        kit, s = self.kit, self.styles
        return [kit.t(heading, s.heading), *[kit.c(line, s.body) for line in (lines or [NOT_KNOWN])]]

    def story(self) -> list[Flowable]:
        """One short section per question a reader has."""
        svc, kit, s = self.service, self.kit, self.styles
        story: list[Flowable] = [
            kit.c(svc.name, s.title),
            kit.c(f"Run by {svc.organization.name}.", s.subtitle),
            # help now, on page 1
            kit.box([kit.t("Help now", s.box_heading), *[kit.c(x) for x in CRISIS]], CRISIS_FILL, CRISIS_EDGE),
            Spacer(1, 8),
        ]
        if svc.alert:
            story += [kit.box([kit.t("Please note", s.label), kit.c(svc.alert, s.small)], CRISIS_FILL, CRISIS_EDGE)]
        story += self._section("What they help with", [f"{label('category', c)}." for c in svc.categories])
        who = []
        if svc.minimum_age is not None or svc.maximum_age is not None:
            who.append(f"People {describe.age_range(svc)}.")
        who += [f"{label('client_group', g)}." for g in svc.client_groups]
        story += self._section("Who can go", who)
        story += self._section("How to get help", [ROUTES[r] for r in ROUTE_ORDER if r in svc.referral_routes])
        ways = ways_to_find_out(svc, self.kit.routes)
        if ways:  # nothing to phone or visit is known: say what to do instead of "not known"
            story += self._section("How to find out", [unbroken(way.text()) for way in ways])
        else:
            story += self._section("Phone", [unbroken(p.number) for p in svc.phones])
            story += self._section("Where to go", [describe.describe_location(loc) for loc in svc.locations])
        story += self._section("When they are open", [describe.describe_schedule(x) for x in svc.schedules])
        if svc.url:
            story += self._section("Website", [svc.url])
        story += [
            Spacer(1, 10),
            KeepTogether(
                [kit.box([kit.t("It is private", s.box_heading), *[kit.c(x) for x in PRIVATE]], PRIVACY_FILL, RULE)]
            ),
        ]
        return story
