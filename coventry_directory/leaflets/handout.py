"""The shortlist handout: the services chosen for one client, in the client's language.

It carries no personal data, by construction: :func:`render_handout` takes service ids
(or directory keys) and nothing else about the person, and refuses any value that is not
the id or key of a service in the directory, so a name typed into the wrong box fails
instead of being printed.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether, Spacer

from coventry_directory.core.fallbacks import RouteBook
from coventry_directory.core.models import Service
from coventry_directory.i18n import _
from coventry_directory.i18n.languages import Language
from coventry_directory.leaflets import blocks, wording
from coventry_directory.leaflets.base import LeafletError, LeafletRenderer
from coventry_directory.store.directory import DirectoryStore


class UnknownService(LeafletError):
    """A value that is not the id or key of a service in the directory."""


def resolve_services(store: DirectoryStore, service_ids: Sequence[str]) -> list[Service]:
    """The services for these ids or keys, in order, without repeats; UnknownService otherwise."""
    if isinstance(service_ids, str):
        raise TypeError("service_ids must be a list of service ids, not one string")
    services: list[Service] = []
    for ref in service_ids:
        svc = store.get_service(ref) if isinstance(ref, str) else None
        if svc is None:
            # Do not echo the value: it may be a client's name typed in the wrong place.
            raise UnknownService("a value given is not a service id or key in the directory")
        if svc.id not in {s.id for s in services}:
            services.append(svc)
    if not services:
        raise LeafletError("no services chosen for the handout")
    return services


class ShortlistHandoutRenderer(LeafletRenderer):
    """The handout for a list of already-resolved services."""

    document_title = "Services that can help"
    footer_lines = (wording.NO_PERSONAL_DETAILS,)

    def __init__(
        self,
        services: Sequence[Service],
        lang: Language | str = "en",
        *,
        size: str = "A4",
        large_print: bool = False,
        routes: RouteBook | None = None,
    ):
        super().__init__(lang, size=size, large_print=large_print, routes=routes)
        self.services = list(services)

    def services_printed(self):
        """The services this leaflet prints (their next steps' records are dated with them)."""
        return list(self.services)

    def story(self) -> list[Flowable]:
        """Title, each service in brief, privacy and crisis lines."""
        kit, s = self.kit, self.styles
        story: list[Flowable] = [
            kit.t(_(wording.HANDOUT_TITLE), s.title),
            kit.t(_(wording.HANDOUT_INTRO), s.subtitle),
            blocks.crisis_box(kit),  # on page 1, before the list
            Spacer(1, 6),
        ]
        for svc in self.services:
            story += blocks.service_summary(kit, svc)
        if self.lang.code != "en":
            story.append(kit.t(_(wording.ENGLISH_NOTE), s.small))
        story += [Spacer(1, 6), KeepTogether([blocks.privacy_box(kit)])]
        return story


def render_handout(
    store: DirectoryStore,
    service_ids: Sequence[str],
    *,
    lang: Language | str = "en",
    size: str = "A4",
    large_print: bool = False,
) -> bytes:
    """The handout PDF for these service ids. There is no parameter for anything personal."""
    services = resolve_services(store, service_ids)
    return ShortlistHandoutRenderer(services, lang, size=size, large_print=large_print, routes=store).render()
