"""Ways to find out for a record with no contact route: true, cited, never a dead end (issue 15, item 9)."""

from __future__ import annotations

import json
import subprocess

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
    ways = ways_to_find_out(_bare(categories=("mental-health",), catchment=()), directory_store)
    assert not any("mental health option" in w.says for w in ways)  # the crisis line is for C&W residents


def test_organisation_site_and_base_come_first_and_a_shared_base_is_offered_once(directory_store):
    base = Location(
        id="l1", key="l1", name="Main office", address=Address(address_1="1 High Street", city="Rugby"), sources=("s1",)
    )
    org = Organization(
        id="org-y", key="org-y", name="Example Trust", description="", website="https://example.org", sources=("s0",)
    )
    org.locations.append(base)
    ways = ways_to_find_out(_bare(org=org), None)
    assert [w.contact for w in ways[:2]] == ["https://example.org", "Main office, 1 High Street, Rugby"]
    assert [w.source for w in ways[:2]] == ["s0", "s1"]
    assert len(ways) == 3  # without a book: what the record supports, then the name


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
    svc = directory_store.get_service("warks-victim-support")
    html = service_html(svc, ways=ways_to_find_out(svc, directory_store))
    assert "How to find out" in html
    assert "If someone is in danger now, call <b><a href='copy:999'" in html
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
    svc = directory_store.get_service("warks-victim-support")
    text = _pdf_text(tmp_path, ServiceLeafletRenderer(svc, code, routes=directory_store).render())
    assert "999" in text
    assert "Victim Support" in text
    if code == "en":
        # the next steps stand in place of rows of "not known"
        assert "How to find out" in text
        assert "Web page" not in text and "Address" not in text


def test_topic_leaflet_and_handout_carry_the_next_steps(tmp_path, directory_store):
    topic = _pdf_text(tmp_path, TopicLeafletRenderer(directory_store, "needle-syringe", "Rugby", "en").render())
    assert "How to find out" in topic
    assert "Warwickshire pharmacies run needle" in topic
    handout = _pdf_text(tmp_path, render_handout(directory_store, ["cov-pharmacy-naloxone"], lang="en"))
    assert "Coventry pharmacies give take-home naloxone kits" in handout
