"""The keepers' review: each rule on records made to break it, and the command on the real directory."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from coventry_directory.cli import main
from coventry_directory.core.models import Address, Location, Organization, Phone, Service
from coventry_directory.core.review import PROBLEMS, parse_date, problems_of, review

TODAY = dt.date(2026, 12, 2)


def _service(**changes) -> Service:
    values = {
        "id": "s1",
        "key": "test-service",
        "name": "Test service",
        "organization": Organization(id="o1", key="test-org", name="Test Org", description=""),
        "assured_date": "2026-11-24",
        "evidence_date": "2025-03",
        "verification": "sourced",
        "phones": [Phone(id="p1", number="024 7600 0000")],
        "catchment": ("coventry",),
        "categories": ("housing",),
    }
    values.update(changes)
    return Service(**values)


def test_a_well_kept_record_has_no_problems():
    assert problems_of(_service(), TODAY) == ()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"assured_date": "2026-06-02"}, "overdue"),  # six months to the day
        ({"assured_date": None}, "overdue"),
        ({"phones": []}, "no-contact-route"),
        ({"evidence_date": "2023-11"}, "old-evidence"),
        ({"evidence_date": None}, "old-evidence"),
        ({"evidence_date": "not a date"}, "old-evidence"),
        ({"verification": "historic"}, "old-evidence"),
        ({"verification": "provider-may-have-changed"}, "provider-may-have-changed"),
    ],
)
def test_each_rule(changes, problem):
    assert problems_of(_service(**changes), TODAY) == (problem,)


def test_any_true_way_to_ask_is_a_contact_route():
    org = Organization(id="o1", key="o", name="O", description="", website="https://example.org")
    assert "no-contact-route" not in problems_of(_service(phones=[], organization=org), TODAY)
    place = Location(id="l1", key="l", name="Base", address=Address(address_1="1 High Street", city="Rugby"))
    assert "no-contact-route" not in problems_of(_service(phones=[], locations=[place]), TODAY)
    assert "no-contact-route" not in problems_of(_service(phones=[], email="help@example.org"), TODAY)


def test_dates_as_sources_write_them():
    assert parse_date("2022") == dt.date(2022, 1, 1)
    assert parse_date("2022-09") == dt.date(2022, 9, 1)
    assert parse_date("2022-09-14") == dt.date(2022, 9, 14)
    assert parse_date("2022-13") is None and parse_date("") is None and parse_date(None) is None


def test_counts_by_area_and_category():
    services = [
        _service(),
        _service(id="s2", key="b", phones=[], catchment=("coventry", "rugby")),
        _service(id="s3", key="c", coverage="national", catchment=(), categories=()),
        _service(id="s4", key="d", catchment=(), verification="provider-may-have-changed"),
    ]
    result = review(services, TODAY).to_dict()
    assert result["records"] == 4
    assert result["counts"] == dict.fromkeys(PROBLEMS, 0) | {"no-contact-route": 1, "provider-may-have-changed": 1}
    assert result["by_area"]["coventry"] == {"records": 2, **dict.fromkeys(PROBLEMS, 0), "no-contact-route": 1}
    assert result["by_area"]["rugby"]["records"] == 1 and result["by_area"]["national"]["records"] == 1
    assert result["by_area"]["area-not-known"]["provider-may-have-changed"] == 1
    assert result["by_category"]["category-not-known"]["records"] == 1
    assert [i["key"] for i in result["items"]] == ["b", "d"]  # only records with a problem


def test_the_command_on_the_real_directory(installed_directory, capsys):
    assert main(["review", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["records"] > 50 and set(data["counts"]) == set(PROBLEMS)
    assert (
        data["counts"]["provider-may-have-changed"]
        == sum(1 for i in data["items"] if "provider-may-have-changed" in i["problems"])
        > 0
    )
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Review of edition: ") and "By area" in out and "By category" in out
    assert main(["review", "--source", "no-such-source"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "edition" in err


def test_the_database_and_the_sources_agree_on_who_has_no_contact_route(directory_store):
    """An organisation's base counts as a route in both: the database carries it with each service (m008)."""
    from coventry_directory.core.directory_source import read_directory
    from coventry_directory.core.review import has_contact_route

    from_sources = {s.key for s in read_directory().services if not has_contact_route(s)}
    from_database = {s.key for s in directory_store.all_services() if not has_contact_route(s)}
    assert from_database == from_sources
    # The Dynamo Project's coffee shop is where to ask about its housing: the one that differed
    assert "cov-dynamo-lilac-housing" not in from_database
