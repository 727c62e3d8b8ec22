"""The service leaflet: one service on A4 or A5, in any leaflet language.

Order follows what a person needs: what it is and the crisis lines (always on page 1), who
it is for, how to get in (contacting them yourself first), how to reach them, then privacy. Directory text
is printed in English as the record has it; labels and fixed words are translated.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, PageBreak, Spacer

from coventry_directory.core.fallbacks import RouteBook
from coventry_directory.core.models import Service
from coventry_directory.i18n import _
from coventry_directory.i18n.languages import Language
from coventry_directory.leaflets import blocks, wording
from coventry_directory.leaflets.base import LeafletError, LeafletRenderer


class ServiceLeafletRenderer(LeafletRenderer):
    """One leaflet per service (several services: one after another, each from a new page)."""

    document_title = "Service leaflet"

    def __init__(
        self,
        services: Service | Sequence[Service],
        lang: Language | str = "en",
        *,
        size: str = "A4",
        large_print: bool = False,
        routes: RouteBook | None = None,
    ):
        super().__init__(lang, size=size, large_print=large_print, routes=routes)
        self.services = [services] if isinstance(services, Service) else list(services)
        if not self.services:
            raise LeafletError("no service to print")

    def services_printed(self):
        """The services this leaflet prints (their next steps' records are dated with them)."""
        return list(self.services)

    def story(self) -> list[Flowable]:
        """Every service's leaflet, each starting on a new page."""
        story: list[Flowable] = []
        for i, service in enumerate(self.services):
            if i:
                story.append(PageBreak())
            story += self.service_story(service)
        return story

    def service_story(self, service: Service) -> list[Flowable]:
        """The flowables of one service's leaflet."""
        kit, s = self.kit, self.styles
        story: list[Flowable] = [
            kit.c(service.name, s.title),
            kit.t(_(wording.RUN_BY).format(organisation=service.organization.name), s.subtitle),
            # crisis lines on page 1 of every leaflet, whatever follows
            blocks.crisis_box(kit),
            Spacer(1, 6),
            *blocks.alert(kit, service),
            kit.t(_(wording.WHAT_THEY_OFFER), s.heading),
        ]
        offer = blocks.tlabels("category", service.categories)
        if offer:
            story.append(kit.t(offer, s.label))
        if service.description:
            story.append(kit.c(service.description))
        story += [
            kit.t(_(wording.WHO_FOR), s.heading),
            *(blocks.who_for(kit, service) or [kit.t(_(blocks.describe.NOT_KNOWN))]),
        ]
        rows = [(_(wording.HOW_TO_GET_HELP), blocks.how_to_get_help(kit, service))]
        rows += blocks.contact_rows(kit, service)
        rows.append((_(wording.AREAS), [kit.c(blocks.areas(service))]))
        if service.substances:
            rows.append((_(wording.HELP_WITH), [kit.t(blocks.tlabels("substance", service.substances))]))
        story += [Spacer(1, 6), kit.facts(rows), Spacer(1, 4)]
        if self.lang.code != "en":
            story.append(kit.t(_(wording.ENGLISH_NOTE), s.small))
        story += [Spacer(1, 8), blocks.privacy_box(kit)]
        return story
