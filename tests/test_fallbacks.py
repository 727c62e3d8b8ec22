"""Ways to find out for a record with no contact route: true, cited, never a dead end (issue 15, item 9)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, replace

import pytest

from coventry_directory.cli import main
from coventry_directory.core import fallbacks
from coventry_directory.core.fallbacks import own_route, ways_to_find_out
from coventry_directory.core.models import Address, Location, Organization, Phone, Service
from coventry_directory.leaflets.handout import render_handout
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer
from coventry_directory.ui.service_html import service_html


def _pdf_text(tmp_path, data: bytes) -> str:
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # the fi ligature of the Latin font (the text layer is issue 17's); lines joined as read
    return " ".join(text.replace("\ufb01", "fi").split())


def _bare(key: str = "x-bare", categories=("needle-syringe",), catchment=("coventry",), org=None) -> Service:
    """A record that names a service and gives no way to reach it."""
    org = org or Organization(id="org-x", key="org-x", name="Example Trust", description="")
    return Service(
        id=f"id-{key}",
        key=key,
        name="Example needle exchange",
        organization=org,
        categories=tuple(categories),
        catchment=tuple(catchment),
    )


def test_every_route_points_at_a_record_of_the_shipped_edition(directory_store):
    for route in fallbacks.ROUTES:
        record = directory_store.get_service(route.key)
        assert record is not None, route.key
        assert record.sources, route.key
        # a route that gives a number must have one to give
        assert route.walk_in or record.phones, route.key


def test_no_record_in_the_edition_is_left_without_a_way_forward(directory_store):
    for svc in directory_store.all_services():
        ways = ways_to_find_out(svc, directory_store)
        assert own_route(svc) or ways, svc.key
        if ways:
            # the name to search for always comes last; every other step names its source
            assert svc.name in ways[-1].says
            assert all(w.source for w in ways[:-1]), svc.key
            assert len(ways) <= fallbacks.MOST + 1


def test_a_record_that_can_be_reached_gets_no_fallbacks(directory_store):
    reachable = _bare()
    reachable.phones.append(Phone(id="p", number="024 7600 0000"))
    assert ways_to_find_out(reachable, directory_store) == []


def test_coventry_needle_exchange_sends_to_a_pharmacy_and_to_frank(directory_store):
    ways = ways_to_find_out(_bare(), directory_store)
    texts = [w.text() for w in ways]
    assert texts[0].startswith("Ask at a community pharmacy: Coventry pharmacies run needle exchange")
    frank = next(w for w in ways if "FRANK" in w.says)
    assert frank.contact == directory_store.get_service("nat-frank").phones[0].number
    assert frank.source in directory_store.get_service("nat-frank").phones[0].sources
    # FRANK's numbers come from its 2021 website code: the step says so
    assert "2021-08" in frank.note
    assert texts[-1] == "Search the web for “Example needle exchange” to find how to contact them now."


def test_no_pharmacy_naloxone_is_claimed_for_warwickshire(directory_store):
    """The sources name Coventry pharmacies for naloxone; for Warwickshire they found none."""
    ways = ways_to_find_out(_bare(categories=("naloxone",), catchment=("rugby",)), directory_store)
    assert not any("pharmac" in w.says.lower() for w in ways)
    coventry = ways_to_find_out(_bare(categories=("naloxone",), catchment=("coventry",)), directory_store)
    assert "take-home naloxone" in coventry[0].says


def test_a_national_record_gets_only_national_routes(directory_store):
    national = replace(_bare(categories=("mental-health",), catchment=()), coverage="national")
    ways = ways_to_find_out(national, directory_store)
    assert not any("mental health option" in w.says for w in ways)  # the crisis line is for C&W residents
    local = ways_to_find_out(_bare(categories=("mental-health",)), directory_store)
    assert any("mental health option" in w.says for w in local)  # the same record in Coventry gets it


def test_organisation_site_and_base_come_first_and_a_shared_base_is_offered_once(directory_store):
    base = Location(
        id="l1",
        key="l1",
        name="Main office",
        address=Address(address_1="1 High Street", city="Coventry"),
        area="coventry",
        sources=("s1",),
    )
    org = Organization(
        id="org-y", key="org-y", name="Example Trust", description="", website="https://example.org", sources=("s0",)
    )
    org.locations += [base, replace(base, id="l2", key="l2")]  # the same place listed twice
    ways = ways_to_find_out(_bare(org=org), None)
    assert [w.contact for w in ways[:2]] == ["https://example.org", "Main office, 1 High Street, Coventry"]
    assert [w.source for w in ways[:2]] == ["s0", "s1"]
    assert len(ways) == 3  # without a book: what the record supports, then the name


def test_a_base_outside_the_services_area_is_no_place_to_ask(directory_store):
    far = Location(
        id="l9", key="l9", name="Riverside House", address=Address(address_1="Riverside House", city="Leamington Spa")
    )
    org = Organization(id="org-z", key="org-z", name="Example Trust", description="")
    org.locations += [replace(far, area="warwick"), replace(far, id="l8", key="l8", area=None)]
    assert not any("base" in w.says for w in ways_to_find_out(_bare(org=org), None))  # a Coventry service
    warwick = ways_to_find_out(_bare(org=org, catchment=("warwick",)), None)
    assert [w.contact for w in warwick if "base" in w.says] == ["Riverside House, Leamington Spa"]
    national = ways_to_find_out(_bare(org=org, catchment=()), None)
    assert len([w for w in national if "base" in w.says]) == 1  # one place, however many records name it
    # the shipped edition: P3's Coventry service is not sent to its Leamington office
    p3 = ways_to_find_out(directory_store.get_service("cov-p3-floating-support"), directory_store)
    assert not any("Leamington" in w.contact for w in p3)


def test_a_closed_record_or_one_for_other_ages_is_no_route(directory_store):
    class Book:
        """The shipped edition, with FRANK closed."""

        def get_service(self, ref):
            found = directory_store.get_service(ref)
            return replace(found, status="inactive") if found is not None and ref == "nat-frank" else found

        def organization_services(self, organization_id, limit):
            return directory_store.organization_services(organization_id, limit)

    assert any("FRANK" in w.says for w in ways_to_find_out(_bare(), directory_store))
    assert not any("FRANK" in w.says for w in ways_to_find_out(_bare(), Book()))
    young = replace(_bare(categories=("young-people",)), minimum_age=11, maximum_age=18)
    assert any("Childline" in w.says for w in ways_to_find_out(young, directory_store))
    adults = replace(young, minimum_age=25, maximum_age=None)
    assert not any("Childline" in w.says for w in ways_to_find_out(adults, directory_store))  # under 19s only


def test_a_fax_number_is_never_offered_as_a_way_to_call(directory_store):
    sibling = replace(
        _bare(key="x-sibling"),
        phones=[Phone(id="f", number="024 7600 0001", type="fax"), Phone(id="v", number="024 7600 0002")],
    )
    assert fallbacks._contact(sibling)[0] == "024 7600 0002"
    assert fallbacks._contact(replace(sibling, phones=[sibling.phones[0]])) is None


def test_each_step_carries_the_dates_of_the_record_it_comes_from(directory_store):
    frank = directory_store.get_service("nat-frank")
    step = next(w for w in ways_to_find_out(_bare(), directory_store) if "FRANK" in w.says)
    assert (step.assured_date, step.evidence_date) == (frank.assured_date, frank.evidence_date)
    assert frank.evidence_date  # the footer test below means something only if FRANK is dated


def test_a_leaflets_footer_dates_the_records_its_next_steps_come_from(tmp_path, directory_store):
    """An entry whose only way forward is FRANK prints FRANK's number: the footer's years cover FRANK's record."""
    svc = replace(_bare(), evidence_date="2026-05", assured_date="2026-12-01")
    frank = directory_store.get_service("nat-frank")
    leaflet = ServiceLeafletRenderer(svc, "en", routes=directory_store)
    pharmacies = directory_store.get_service("cov-pharmacy-needle-exchange")  # "ask at a pharmacy" rests on it
    assert leaflet.evidence_dates() == ["2026-05", pharmacies.evidence_date, frank.evidence_date]
    assert leaflet.assured_dates() == ["2026-12-01", pharmacies.assured_date, frank.assured_date]
    text = _pdf_text(tmp_path, leaflet.render())
    assert frank.evidence_date[:4] in text and "2026" in text
    alone = ServiceLeafletRenderer(svc, "en", routes=None)  # no steps from other records: its own date only
    assert alone.evidence_dates() == ["2026-05"]


def test_every_route_says_only_what_its_record_says(directory_store):
    """Each route's sentence makes claims ("24 hours", "free", "interpreters", pharmacies): its record must make them."""
    claims = {
        "24 hours": ("24 hours", "24/7", "24-hour", "any time"),
        "free": ("free",),
        "interpreters": ("interpret", "language line", "languages"),
        "pharmac": ("pharmac",),
        "naloxone": ("naloxone",),
        "needle exchange": ("needle", "syringe"),
        "mental health option": ("mental health",),
        "under 19": ("under 19", "19"),
    }
    for route in fallbacks.ROUTES:
        record = json.dumps(asdict(directory_store.get_service(route.key)), ensure_ascii=False, default=str).lower()
        for claim, evidence in claims.items():
            if claim in route.says.lower():
                assert any(e in record for e in evidence), (route.key, claim)


def test_a_sibling_is_offered_only_for_the_same_kind_of_help_in_the_same_area(directory_store):
    # CGL runs services in Coventry and Warwickshire: a Warwickshire hub is not sent to Coventry's
    ways = ways_to_find_out(directory_store.get_service("cgl-warwickshire-rugby-hub"), directory_store)
    siblings = [w for w in ways if "same organisation" in w.says]
    assert siblings and not any("Coventry" in w.says for w in siblings)
    # a council's homelessness line is no place to ask about blood-borne virus testing
    bbv = ways_to_find_out(directory_store.get_service("cov-bbv-testing"), directory_store)
    assert not any("homelessness" in w.says for w in bbv)


def test_a_route_missing_from_the_directory_is_left_out_not_guessed(sample_store):
    ways = ways_to_find_out(_bare(), sample_store)
    assert not any("FRANK" in w.says or "pharmac" in w.says.lower() for w in ways)
    assert len(ways) == 1 and "Search the web" in ways[0].says


def test_the_details_pane_shows_how_to_find_out(directory_store):
    svc = _bare()
    html = service_html(svc, ways=ways_to_find_out(svc, directory_store))
    assert "How to find out" in html
    assert "call FRANK on <b><a href='copy:0300 123 6600'" in html
    reachable = directory_store.get_service("nat-samaritans")
    assert "How to find out" not in service_html(reachable, ways=ways_to_find_out(reachable, directory_store))


def test_show_prints_the_ways_and_json_carries_them(installed_directory, capsys):
    assert main(["show", "cov-pharmacy-naloxone"]) == 0
    out = capsys.readouterr().out
    assert "How to find out:" in out
    assert "Ask at a community pharmacy: Coventry pharmacies give take-home naloxone kits." in out
    assert main(["show", "cov-pharmacy-naloxone", "--json"]) == 0
    ways = json.loads(capsys.readouterr().out)["ways_to_find_out"]
    assert ways[0]["source"] == "http://www.coventrylpc.co.uk/services/substance-misuse/"


@pytest.mark.parametrize("code", ["en", "pl", "ar"])
def test_leaflet_entry_with_no_contact_route_says_how_to_find_out(tmp_path, directory_store, code):
    from coventry_directory.i18n import _
    from coventry_directory.i18n.catalogs import in_language
    from coventry_directory.leaflets import wording

    svc = _bare()
    text = _pdf_text(tmp_path, ServiceLeafletRenderer(svc, code, routes=directory_store).render())
    with in_language(code):
        heading = _(wording.HOW_TO_FIND_OUT)
        web_page = _(wording.WEB_PAGE)
    assert heading in text and heading != (wording.HOW_TO_FIND_OUT if code != "en" else "")
    assert "0300 123 6600" in text  # FRANK's number, from FRANK's record
    assert "Example needle exchange" in text  # the name to search for
    # the next steps stand in place of rows of "not known"
    assert web_page not in text


def test_topic_leaflet_and_handout_carry_the_next_steps(tmp_path, directory_store):
    topic = _pdf_text(tmp_path, TopicLeafletRenderer(directory_store, "needle-syringe", "Rugby", "en").render())
    assert "How to find out" in topic
    assert "Warwickshire pharmacies run needle" in topic
    handout = _pdf_text(tmp_path, render_handout(directory_store, ["cov-pharmacy-naloxone"], lang="en"))
    assert "Coventry pharmacies give take-home naloxone kits" in handout


def test_the_ways_web_addresses_and_sources_are_links(directory_store):
    # the CGL Rugby hub has no contact of its own: its organisation's site, with where that came from
    svc = directory_store.get_service("cgl-warwickshire-rugby-hub")
    ways = ways_to_find_out(svc, directory_store)
    site = next(w for w in ways if w.contact and w.contact.startswith("https://www.changegrowlive.org"))
    html = service_html(svc, ways=ways)
    found = html.split("<h3>How to find out</h3>")[1].split("</ul>")[0]
    assert f"<b><a href='{site.contact}'>{site.contact}</a></b>" in found
    assert f"<a href='{site.source}'>{site.source}</a>" in found  # its source, a web page, opens too
    document_lines = [w for w in ways if w.source and " L" in w.source and not w.source.startswith("http")]
    for way in document_lines:  # a document line opens in the app, named by its title
        assert "<a href='source:" + way.source.split(" L")[0] in found
