"""Blocks of a leaflet built from one service: facts table, how to get help, boxes.

Every fact comes from the directory record; a fact the record does not have is printed
as the not-known wording ("not known — check with the service"), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from coventry_directory.core import describe
from coventry_directory.core.distance_words import distance_text
from coventry_directory.core.fallbacks import ways_to_find_out
from coventry_directory.core.models import Service
from coventry_directory.core.places import Place
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import list_separator
from coventry_directory.leaflets import wording
from coventry_directory.leaflets.base import Kit
from coventry_directory.leaflets.styles import CRISIS_EDGE, CRISIS_FILL, PRIVACY_FILL, RULE


def tlabels(taxonomy: str, codes) -> str:
    """Translated, comma-separated labels of taxonomy codes ('' when none)."""
    return list_separator().join(label(taxonomy, code) for code in codes)


def route_sentences(service: Service) -> list[str]:
    """How to get in, self-referral words first; empty when the routes are not known."""
    return [_(wording.ROUTE_SENTENCES[r]) for r in wording.ROUTE_ORDER if r in service.referral_routes]


def how_to_get_help(kit: Kit, service: Service) -> list[Flowable]:
    """The routes as sentences, then the service's own words (English) when it has them."""
    out: list[Flowable] = [kit.t(s) for s in route_sentences(service)]
    if service.application_process:
        out.append(kit.c(service.application_process, kit.styles.small))
    return out or [kit.t(describe.not_known())]


NBSP = "\u00a0"  # a phone number or a time is never broken across lines ("0800 / 9177 650")


_BETWEEN_DIGITS = re.compile(r"(?<=\d) (?=\d)")


def unbroken(text: str) -> str:
    """``text`` with the spaces inside its numbers made non-breaking ("0800 917 7650", "CV1 2AB").

    Only spaces between digits: an address or a sentence around a number still wraps
    ("Riverside House, Leamington" must not become one unbreakable word on A5).
    """
    return _BETWEEN_DIGITS.sub(NBSP, text)


def phones(kit: Kit, service: Service) -> list[Flowable]:
    """Each phone number (with the source's description, in English)."""
    return [
        kit.c(unbroken(p.number) + (f" — {p.description}" if p.description else ""), kit.styles.body)
        for p in service.phones
    ]


def addresses(kit: Kit, service: Service) -> list[Flowable]:
    """Each location as far as its address is known."""
    return [kit.c(describe.describe_location(loc)) for loc in service.locations]


def hours(kit: Kit, service: Service) -> list[Flowable]:
    """Opening hours, one line per schedule (words from core.describe)."""
    out = []
    for sched in service.schedules:
        line = describe.describe_schedule(sched)
        place = next((loc.name for loc in service.locations if loc.id == sched.location_id), None)
        # Mixed text (translated day names, English place names): kit.c picks per character.
        out.append(kit.c(f"{line} — {place}" if place else line))
    return out


def web(kit: Kit, service: Service, qr: bool = True) -> list[Flowable]:
    """The web address and, when there is one, a QR code to open it."""
    url = service.url or service.organization.website
    if not url:
        return []
    out: list[Flowable] = [kit.c(url)]
    # A code is a promise that scanning it reaches this service: only for the service's own
    # page, and not while its provider may have changed (a stale page is worse than none).
    if qr and service.url and service.verification != "provider-may-have-changed":
        link = url if "://" in url else f"https://{url}"
        size = (22 if kit.styles.variant == "standard" else 30) * mm
        out += [Spacer(1, 2), kit.qr(link, size), kit.t(_(wording.SCAN_QR), kit.styles.small)]
    return out


def who_for(kit: Kit, service: Service) -> list[Flowable]:
    """Who the service is for: the record's words, ages and client groups."""
    out: list[Flowable] = []
    if service.eligibility_description:
        out.append(kit.c(service.eligibility_description))
    if service.minimum_age is not None or service.maximum_age is not None:
        out.append(kit.t(describe.age_range(service)))  # "ages 18+" says what it is: no "Ages:" before it
    if service.client_groups:
        out.append(kit.t(f"{_(wording.GROUPS)}: {tlabels('client_group', service.client_groups)}"))
    return out


def areas(service: Service) -> str:
    """Where it serves: 'Anywhere in the UK' or area names (place names stay as signed)."""
    if service.coverage == "national":
        return _(wording.UK_WIDE)
    return list_separator().join(label("catchment", c) for c in service.catchment) or describe.not_known()


def state_sentences(service: Service) -> list[str]:
    """The record's state in the reader's language: its provider may have changed, its information is old."""
    out = []
    if service.verification == "provider-may-have-changed":
        out.append(_(wording.MAY_HAVE_CHANGED))
    year = (service.evidence_date or "")[:4]
    if service.verification in ("historic", "provider-may-have-changed") and year.isdigit():
        out.append(_(wording.OLD_INFORMATION).format(year=year))
    return out


def alert(kit: Kit, service: Service) -> list[Flowable]:
    """The record's warning in a box: its state translated, then its own words (marked as English)."""
    said = state_sentences(service)
    if not service.alert and not said:
        return []
    content: list[Flowable] = [kit.t(_(wording.PLEASE_NOTE), kit.styles.label)]
    content += [kit.t(line, kit.styles.small) for line in said]
    if service.alert:
        marker = f" {_(wording.IN_ENGLISH)}" if kit.lang.code != "en" else ""
        content.append(kit.c(service.alert + marker, kit.styles.small))
    return [kit.box(content, CRISIS_FILL, CRISIS_EDGE), Spacer(1, 4)]


def contact_rows(
    kit: Kit, service: Service, *, qr: bool = True, distance_km: float | None = None, near: Place | None = None
):
    """Rows for the facts table: distance from ``near``, phone, address, hours, web (each 'not known' if absent).

    A record with none of phone, email, web page or address gets "How to find out" instead.
    """
    rows = []
    distance = distance_text(distance_km, near)  # "in Rugby", "about 5 km": never "0.0 km"
    if distance:
        rows.append((_(wording.DISTANCE), [kit.t(distance)]))
    ways = ways_to_find_out(service, kit.routes)
    if ways:
        # No phone, email, web page or address: rows of "not known" would be a dead end, so
        # the next steps stand in their place (core.fallbacks), hours only when known.
        steps = [replace(w, contact=unbroken(w.contact)) for w in ways]
        # kit.t: each step is a translated sentence (in Urdu, right to left) around an
        # English name or number, which ShapedText sets in the Latin font, in its own order.
        rows.append((_(wording.HOW_TO_FIND_OUT), [kit.t(step.text(), kit.styles.body) for step in steps]))
        if service.schedules:
            rows.append((_(wording.OPENING_HOURS), hours(kit, service)))
        return rows
    rows += [
        (_(wording.PHONE), phones(kit, service)),
        (_(wording.ADDRESS), addresses(kit, service)),
        (_(wording.OPENING_HOURS), hours(kit, service)),
        (_(wording.WEB_PAGE), web(kit, service, qr=qr)),
    ]
    if service.email:
        rows.append((_(wording.EMAIL), [kit.c(service.email)]))
    return rows


def service_summary(
    kit: Kit,
    service: Service,
    *,
    distance_km: float | None = None,
    near: Place | None = None,
    lead: Sequence[Flowable] = (),
) -> list[Flowable]:
    """A compact block for lists (topic leaflets, handouts): name, offer, routes, contacts.

    ``lead`` (a list's heading) is kept on the page of the block's first lines: reportlab's
    keepWithNext does not reach into the KeepTogether that holds them.
    """
    s = kit.styles
    head = [
        kit.c(service.name, s.box_heading),
        kit.t(_(wording.RUN_BY).format(organisation=service.organization.name), s.small),
    ]
    offer = tlabels("category", service.categories)
    rows = [
        (_(wording.WHAT_THEY_OFFER), [kit.t(offer)] if offer else []),
        (_(wording.HOW_TO_GET_HELP), [kit.t(x) for x in route_sentences(service)]),
        *contact_rows(kit, service, qr=False, distance_km=distance_km, near=near),
    ]
    # The name stays with its first row (a table split from its service's name is read as
    # the previous service's); the rest of the table may run onto the next page. The two
    # tables share their columns and rules, so on paper they are one.
    rest = [kit.facts(rows[1:])] if len(rows) > 1 else []
    return [KeepTogether([*lead, *head, *alert(kit, service), kit.facts(rows[:1])]), *rest, Spacer(1, 8)]


def privacy_box(kit: Kit) -> Flowable:
    """The confidentiality and information-sharing statement."""
    return _bullet_box(kit, wording.PRIVACY_HEADING, wording.PRIVACY, PRIVACY_FILL, RULE)


def crisis_box(kit: Kit) -> Flowable:
    """999, NHS 111 and Samaritans 116 123: on every leaflet."""
    return _bullet_box(kit, wording.CRISIS_HEADING, wording.CRISIS, CRISIS_FILL, CRISIS_EDGE)


def _bullet_box(kit: Kit, heading: str, points: Sequence[str], fill, edge) -> Flowable:
    """A coloured box: a translated heading over translated bullet points."""
    return kit.box([kit.t(_(heading), kit.styles.box_heading), *kit.bullets([_(p) for p in points])], fill, edge)
