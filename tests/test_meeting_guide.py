"""Meeting Guide JSON -> HSDS 3.0 services (exchange/meeting_guide.py), on the data in tests/data/meeting_guide.

The fixtures (see their README): the spec's own example meeting, a slice of a real feed
(Sussex County AA, kept by code4recovery/tsml-ui), a generated Coventry and Warwickshire
feed, a broken feed, and an HSDS 3.0 list that must not be taken for a meeting list.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import pytest

from coventry_directory.core.ids import looks_like_uuid, stable_id
from coventry_directory.core.schedules import OpenState, open_state
from coventry_directory.core.taxonomy import term_id
from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.hsds_json import check_services
from coventry_directory.exchange.meeting_guide import looks_like_meeting_guide, meetings_to_hsds3, type_label
from coventry_directory.exchange.validate import validate_object
from coventry_directory.exchange.writer import write_rows
from coventry_directory.store import hsds_rows

DATA = Path(__file__).parent / "data" / "meeting_guide"
FEEDS = ("spec_example", "sussexaa_slice", "uk_generated", "broken")
MUTUAL_AID = term_id("category", "mutual-aid")


def load(name: str):
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def convert(name: str, **kwargs):
    return meetings_to_hsds3(load(name), feed_name=name, **kwargs)


def by_name(services: list[dict]) -> dict[str, dict]:
    return {s["name"]: s for s in services}


def terms(service: dict, taxonomy: str) -> list[tuple[str, str]]:
    return [
        (a["taxonomy_term"]["code"], a["taxonomy_term"]["name"])
        for a in service["attributes"]
        if a["link_type"] == taxonomy
    ]


def locations(service: dict) -> list[dict]:
    return [sal["location"] for sal in service["service_at_locations"]]


# --- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", FEEDS)
def test_each_meeting_guide_fixture_is_detected(name):
    assert looks_like_meeting_guide(load(name)) is True


def test_an_hsds_service_list_is_not_a_meeting_guide_feed():
    page = load("hsds_service_list")
    assert looks_like_meeting_guide(page) is False
    assert looks_like_meeting_guide(page["contents"]) is False


def test_our_own_hsds_output_is_not_a_meeting_guide_feed():
    services, _, _ = convert("uk_generated")
    assert looks_like_meeting_guide(services) is False


@pytest.mark.parametrize(
    "doc",
    [
        None,
        0,
        1.5,
        True,
        "",
        '[{"slug": "a", "day": 1}]',
        [],
        {},
        {"slug": "a", "day": 1, "time": "19:00"},
        [1, 2, 3],
        [None],
        [[]],
        [{}],
        [{"slug": "only-one-meeting-key", "name": "x"}],
        [{"id": 1, "slug": "hello-world", "title": "A blog post", "status": "publish"}],  # a WordPress post list
        [{"slug": "a", "day": 1}, "x", "y"],  # one meeting among strings is not most of them
        [[[[[[[[]]]]]]]],
    ],
)
def test_other_json_values_are_not_meeting_guide_feeds(doc):
    assert looks_like_meeting_guide(doc) is False


def test_detection_looks_at_the_first_items_only():
    doc = [{"slug": "a", "day": 1, "time": "19:00"}] * 5 + ["anything"] * 1000
    assert looks_like_meeting_guide(doc) is True


# --- the spec's own example --------------------------------------------------------------


def test_the_spec_example_maps_to_exact_hsds_values():
    services, problems, _ = convert("spec_example")
    assert problems == []
    (svc,) = services
    sid = stable_id("meeting-guide-service", "spec_example", "sunday-serenity-14")
    assert svc["id"] == sid and looks_like_uuid(sid)
    assert svc["name"] == "Sunday Serenity"
    assert svc["description"] == "Ring buzzer. Meeting is on the 2nd floor.\n\nGroup: The Serenity Group"
    assert svc["url"] == "https://district123.org/meetings/sunday-serenity"
    assert svc["status"] == "active"
    assert svc["last_modified"] == "2014-05-31T14:32:23Z"
    assert svc["schedules"] == [
        {
            "id": stable_id("meeting-guide-schedule", "spec_example", "sunday-serenity-14"),
            "freq": "WEEKLY",
            "byday": "SU",  # Meeting Guide day 0 is Sunday
            "opens_at": "18:00",
            "closes_at": "19:30",
            "attending_type": "in-person",
        }
    ]
    (venue,) = locations(svc)
    assert venue["location_type"] == "physical"
    assert venue["name"] == "Alano Club"
    assert "latitude" not in venue  # none given, none invented
    (address,) = venue["addresses"]
    assert {k: v for k, v in address.items() if k != "id"} == {
        "address_1": "123 Main Street",
        "city": "Anytown",
        "state_province": "CA",
        "postal_code": "98765",
        "country": "US",
        "address_type": "physical",
    }
    assert terms(svc, "meeting-type") == [("O", "Open"), ("T", "Transgender"), ("LGBTQ", "LGBTQ")]
    assert svc["phones"] == []  # the publisher's phone is the contact's, not the meeting's


def test_the_publisher_is_the_organisation_and_its_contact():
    (svc,), _, warnings = convert("spec_example")
    assert svc["organization"] == {
        "id": stable_id("meeting-guide-organization", "District 123"),
        "name": "District 123",
        "description": "District 123: mutual-aid meetings from a Meeting Guide meeting list.",
    }
    assert svc["organization_id"] == svc["organization"]["id"]
    (contact,) = svc["contacts"]
    assert contact["name"] == "District 123"
    assert contact["email"] == "info@district123.org"
    assert [p["number"] for p in contact["phones"]] == ["+1-123-456-7890"]
    # the fields HSDS has no place for are each reported once
    assert sorted(w.path for w in warnings) == [
        "$[0].entity_location",
        "$[0].entity_logo",
        "$[0].entity_url",
        "$[0].feedback_emails",
    ]
    assert (
        warnings[0].message
        == "'entity_location' (about the list's publisher) has no place in HSDS 3.0: left out of 1 meeting(s)"
    )


def test_the_fellowship_argument_names_the_organisation():
    (svc,), _, _ = convert("spec_example", fellowship="Alcoholics Anonymous")
    assert svc["organization"]["name"] == "Alcoholics Anonymous"
    assert svc["organization"]["id"] == stable_id("meeting-guide-organization", "Alcoholics Anonymous")


def test_every_meeting_gets_the_mutual_aid_category():
    (svc,), _, _ = convert("spec_example")
    category = [a for a in svc["attributes"] if a["link_type"] == "category"]
    assert len(category) == 1
    (attribute,) = category
    assert attribute["taxonomy_term_id"] == MUTUAL_AID == "d0dfe024-a02f-5ac9-b79c-1541354d9afa"
    assert attribute["link_id"] == svc["id"] and attribute["link_entity"] == "service"
    term = attribute["taxonomy_term"]
    assert (term["id"], term["code"], term["name"], term["taxonomy"]) == (
        MUTUAL_AID,
        "mutual-aid",
        "Mutual aid",
        "category",
    )
    # and the LGBTQ and T types say who it is for, in our client-group vocabulary (once)
    assert terms(svc, "client_group") == [("lgbtq", "LGBTQ+ people")]
    assert terms(svc, "delivery_mode") == [("in-person", "In person")]


def test_meeting_type_terms_are_stable_and_labelled_from_the_spec():
    (svc,), _, _ = convert("spec_example")
    types = [a["taxonomy_term"] for a in svc["attributes"] if a["link_type"] == "meeting-type"]
    assert types[0]["id"] == term_id("meeting-type", "O") == stable_id("term", "meeting-type", "O")
    assert types[0]["taxonomy"] == "meeting-type"
    assert types[0]["description"] == "Meeting type O of the Meeting Guide specification."


# --- the real feed slice ------------------------------------------------------------------


def test_the_real_feed_slice_converts_without_problems():
    services, problems, warnings = convert("sussexaa_slice")
    assert problems == []
    assert len(services) == 6
    assert [(w.path, w.message) for w in warnings] == [
        ("$[0].district", "'district' (not a Meeting Guide field) has no place in HSDS 3.0: left out of 4 meeting(s)"),
        (
            "$[0].edit_url",
            "'edit_url' (for sending changes to the list's publisher) has no place in HSDS 3.0: left out of 6 meeting(s)",
        ),
        (
            "$[0].location_url",
            "'location_url' (not a Meeting Guide field) has no place in HSDS 3.0: left out of 6 meeting(s)",
        ),
    ]


def test_the_real_feed_online_hybrid_and_temporarily_closed_meetings():
    services = by_name(convert("sussexaa_slice", fellowship="Alcoholics Anonymous")[0])
    online = services["Recovering Sisters Tuesday"]
    assert [loc["location_type"] for loc in locations(online)] == ["virtual"]  # "Sussex County, DE, USA" is an area
    assert locations(online)[0]["url"] == "https://us02web.zoom.us/j/83985035184?pwd=SDd5VUdlRkFkUkJmQ3Vaa2xjNDRmdz09"
    assert locations(online)[0]["description"] == "Meeting ID: 839 8503 5184 Passcode: Serenity"
    assert online["schedules"][0]["attending_type"] == "online"
    assert online["schedules"][0]["byday"] == "TU"
    assert [p["number"] for p in online["phones"]] == ["13017158592"]
    assert online["phones"][0]["description"] == (
        "Dial-in for the online meeting (one-tap: 13017158592,,83985035184#,,,,85642151#). "
        "Dial-in: 301-715-8592. Enter Meeting ID: 839 8503 5184#, Passcode: 85642151"
    )
    assert terms(online, "gender") == [("female", "Women only")]
    assert ("ONL", "Online") in terms(online, "meeting-type")  # a code the spec listed until 2022

    hybrid = services["Love & Service"]
    assert hybrid["schedules"][0]["attending_type"] == "hybrid"
    assert [loc["location_type"] for loc in locations(hybrid)] == ["physical", "virtual"]
    assert locations(hybrid)[0]["latitude"] == 38.709294
    assert locations(hybrid)[0]["addresses"][0]["address_1"] == "20276 Bay Vista Rd, Rehoboth Beach, DE 19971, USA"
    assert locations(hybrid)[0]["addresses"][0]["city"] == ""  # formatted_address is kept whole, not guessed apart
    assert hybrid["email"] == "loveandservicerehoboth@gmail.com"

    closed = services["Wake Up Call Step Online"]  # type TC: its venue is closed, it meets online
    assert closed["status"] == "active"
    assert closed["schedules"][0]["attending_type"] == "online"
    assert [loc["location_type"] for loc in locations(closed)] == ["virtual"]
    assert closed["description"].endswith(
        "Location temporarily closed: St. George's Chapel, 20271 Beaver Dam Rd, Harbeson, DE 19951, USA."
    )

    late = services["Last Call"]
    assert (late["schedules"][0]["opens_at"], late["schedules"][0]["closes_at"]) == ("23:00", "00:00")


# --- the generated UK feed ---------------------------------------------------------------


def test_the_generated_uk_feed_converts_every_meeting():
    services, problems, warnings = convert("uk_generated")
    assert problems == []
    assert len(services) == 32
    assert [(w.path, w.message) for w in warnings] == [
        ("$[3].country", 'is "UK"; written as "GB", its ISO 3166-1 code'),
        ("$[14].country", 'is "UK"; written as "GB", its ISO 3166-1 code'),
        ("$[22].country", 'is "UK"; written as "GB", its ISO 3166-1 code'),
        ("$[31].day", "no day is given: a meeting by appointment, listed without a schedule"),
    ]


def test_the_fellowship_is_inferred_from_type_codes_entity_group_or_the_feed():
    services = by_name(convert("uk_generated")[0])
    assert services["Sunday Serenity"]["organization"]["name"] == "Alcoholics Anonymous"
    assert services["Just for Today"]["organization"]["name"] == "Narcotics Anonymous"
    assert services["Friday Night Clean"]["organization"]["name"] == "Cocaine Anonymous"
    assert services["SMART Recovery Online"]["organization"]["name"] == "SMART Recovery"
    assert services["Recovery Cafe Peer Meeting"]["organization"]["name"] == "Example Recovery Network (fictional)"
    assert services["Warwick Peer Support"]["organization"]["name"] == "Yew Tree Peer Group (fictional)"
    assert services["Nuneaton Meeting by Arrangement"]["organization"]["name"] == "Mutual-aid meetings (uk_generated)"
    assert len({s["organization"]["id"] for s in services.values()}) == 7
    assert ("SMART", "SMART") in terms(services["SMART Recovery Online"], "meeting-type")  # unknown: named by its code


def test_uk_meetings_days_times_and_ways_to_attend():
    services = by_name(convert("uk_generated")[0])
    days = services["Just for Today"]["schedules"][0]
    assert (days["byday"], days["opens_at"], days["closes_at"]) == ("MO,WE,FR", "12:30", "13:30")
    assert services["Men's Step Meeting"]["schedules"][0] == {
        "id": stable_id("meeting-guide-schedule", "uk_generated", "cov-men-step"),
        "freq": "WEEKLY",
        "byday": "SA",
        "opens_at": "10:00",  # no end_time given: no closes_at invented
        "attending_type": "in-person",
    }
    assert services["Nuneaton Meeting by Arrangement"]["schedules"] == []

    hybrid = services["Rainbow Recovery"]
    assert hybrid["schedules"][0]["attending_type"] == "hybrid"
    assert [loc.get("url") for loc in locations(hybrid)] == [None, "https://meet.example.org/cov-rainbow"]
    assert [(p["number"], p["description"]) for p in hybrid["phones"]] == [
        ("01632 960001", "Dial-in for the online meeting.")
    ]
    assert terms(hybrid, "delivery_mode") == [("in-person", "In person"), ("online", "Online"), ("phone", "By phone")]
    assert terms(hybrid, "client_group") == [("lgbtq", "LGBTQ+ people")]

    online = services["Lunchtime Online"]
    assert [loc["location_type"] for loc in locations(online)] == ["virtual"]
    assert online["schedules"][0]["attending_type"] == "online"

    women = services["Monday Women's Meeting"]
    assert terms(women, "gender") == [("female", "Women only")]
    assert ("W", "Women") in terms(women, "meeting-type")
    assert terms(services["Men's Step Meeting"], "gender") == [("male", "Men only")]


def test_uk_addresses_are_split_only_as_the_feed_splits_them():
    services = by_name(convert("uk_generated")[0])
    whole = locations(services["Sunday Serenity"])[0]
    assert whole["latitude"] == 52.40806 and whole["longitude"] == -1.51056
    assert {k: v for k, v in whole["addresses"][0].items() if k != "id"} == {
        "address_1": "1 Imaginary Lane, Coventry, UK",
        "city": "",
        "state_province": "",
        "postal_code": "",
        "country": "",
        "address_type": "physical",
        "region": "Coventry",
    }
    parts = locations(services["Just for Today"])[0]["addresses"][0]
    assert (parts["address_1"], parts["city"], parts["state_province"], parts["country"]) == (
        "5 Pretend Parade",
        "Coventry",
        "West Midlands",
        "GB",
    )
    # Polesworth has no coordinates in places.toml, so the feed gives none and none are made up
    assert "latitude" not in locations(services["Polesworth SMART"])[0]


def test_meetings_at_one_venue_share_one_location():
    services = by_name(convert("uk_generated")[0])
    first = locations(services["Sunday Serenity"])[0]
    second = locations(services["Monday Women's Meeting"])[0]
    assert first == second
    assert first["id"] != locations(services["Rainbow Recovery"])[0]["id"]


def test_ids_come_from_the_feed_name_and_slug():
    one, _, _ = convert("uk_generated")
    again, _, _ = convert("uk_generated")
    assert one == again
    other, _, _ = meetings_to_hsds3(load("uk_generated"), feed_name="another feed")
    assert one[0]["id"] != other[0]["id"]
    assert one[0]["id"] == stable_id("meeting-guide-service", "uk_generated", "cov-sunday-serenity")


def test_converted_meetings_work_for_open_now_and_filters(tmp_path):
    services, _, _ = convert("uk_generated")
    store = hsds_rows.open_new(tmp_path / "meetings.db")
    write_rows(store, check_services(services, "uk_generated"), {"edition": "test"}, mode="replace")
    sunday = store.get_service(stable_id("meeting-guide-service", "uk_generated", "cov-sunday-serenity"))
    assert sunday is not None
    assert sunday.categories == ("mutual-aid",)
    assert sunday.delivery_modes == ("in-person",)
    at = datetime(2026, 6, 7, 18, 30)
    assert at.weekday() == 6  # a Sunday
    assert open_state(sunday.schedules, at) == OpenState.OPEN
    assert open_state(sunday.schedules, datetime(2026, 6, 7, 19, 45)) == OpenState.CLOSED
    women = store.get_service(stable_id("meeting-guide-service", "uk_generated", "cov-monday-women"))
    assert women is not None and women.genders == ("female",)
    appointment = store.get_service(stable_id("meeting-guide-service", "uk_generated", "nun-by-appointment"))
    assert appointment is not None and open_state(appointment.schedules, at) == OpenState.UNKNOWN


# --- the broken feed: problems and repairs ------------------------------------------------


def test_broken_meetings_are_skipped_with_a_problem_each():
    services, problems, _ = convert("broken")
    assert [p.path for p in problems] == [
        "$[2].time",  # "half past seven"
        "$[3].name",  # missing
        "$[4].slug",  # the slug of $[0] again
        "$[6].day",  # 9
        "$[7]",  # not an object
        "$[13].time",  # 24:00 can end a meeting, not start one
        "$[14].slug",  # missing
    ]
    assert problems[2] == Problem(
        "$[4].slug", "slug 'repaired-monday' is also the slug of $[0]; the meeting was skipped"
    )
    assert problems[0].message == (
        "'half past seven' is not a time that can be read (the spec's form is \"HH:MM\"); the meeting was skipped"
    )
    assert [s["name"] for s in services] == [
        "Repaired Monday",
        "Repaired Tuesday",
        "Types Object",
        "By Appointment",
        "Bad End",
        "New York Time",
        "Odd Values",
        "42",
    ]


def test_repairs_are_warned_at_their_paths():
    _, _, warnings = convert("broken")
    said = {(w.path, w.message) for w in warnings}
    expected = {
        ("$[0].day", "is the text '1', not a number; read as day 1"),
        ("$[0].time", "is '7:30 PM', not \"HH:MM\"; read as 19:30"),
        ("$[0].end_time", "is '21:00:00', not \"HH:MM\"; read as 21:00"),
        ("$[0].latitude", "is the text '52.40806', not a number; read as 52.40806"),
        ("$[0].notes", "is null on 1 meeting(s) (the first is here); read as absent"),
        (
            "$[0].venmo",
            "'venmo' (a 7th Tradition (donation) handle) has no place in HSDS 3.0: left out of 1 meeting(s)",
        ),
        ("$[1].day", "is 2.0; read as day 2"),
        ("$[1].time", "is '19:30:00', not \"HH:MM\"; read as 19:30"),
        ("$[1].types", "is text, not a list; read as the codes ['O', 'D']"),
        ("$[5].types", "is an object, not a list of codes; left out"),
        ("$[8].day", "no day is given: a meeting by appointment, listed without a schedule"),
        (
            "$[9].end_time",
            "'25:00' is not a time that can be read (the spec's form is \"HH:MM\"); the end time was left out",
        ),
        ("$[10].timezone", "is America/New_York: the directory shows meeting times as UK time"),
        ("$[11].day[1]", "repeats day 1; listed once"),
        ("$[11].types[0]", "is the number 11, not text; read as the code '11'"),
        ("$[11].types[2]", "repeats the code 'O'; listed once"),
        ("$[11].latitude", "latitude and longitude are both 0 (a placeholder); left out"),
        ("$[11].conference_url", "'meet.example.org/odd-values' is not a web address (http or https); left out"),
        ("$[12].name", "is the number 42, not text; read as '42'"),
        ("$[12].time", "is '1930', not \"HH:MM\"; read as 19:30"),
    }
    assert expected <= said
    # a skipped meeting's repairs are not reported: its problem says all there is
    assert not [w for w in warnings if w.path.startswith(("$[2].", "$[3].", "$[4].", "$[6].", "$[13].", "$[14]."))]


def test_repaired_values_are_exact():
    services = by_name(convert("broken")[0])
    monday = services["Repaired Monday"]
    assert {k: monday["schedules"][0][k] for k in ("byday", "opens_at", "closes_at")} == {
        "byday": "MO",
        "opens_at": "19:30",
        "closes_at": "21:00",
    }
    venue = locations(monday)[0]
    assert (venue["latitude"], venue["longitude"]) == (52.40806, -1.51056)
    assert venue["addresses"][0]["country"] == "GB"
    assert "description" not in monday  # notes was null
    assert terms(services["Repaired Tuesday"], "meeting-type") == [("O", "Open"), ("D", "Discussion")]
    assert terms(services["Types Object"], "meeting-type") == []
    assert services["Bad End"]["schedules"][0] == {
        "id": stable_id("meeting-guide-schedule", "broken", "bad-end"),
        "freq": "WEEKLY",
        "byday": "SU",
        "opens_at": "18:00",
        "attending_type": "in-person",
    }
    odd = services["Odd Values"]
    assert odd["schedules"][0]["byday"] == "MO,WE"
    assert odd["schedules"][0]["opens_at"] == "12:00"
    assert "latitude" not in locations(odd)[0]
    assert [loc["location_type"] for loc in locations(odd)] == ["physical"]  # the bad link is not a virtual room
    assert odd["last_modified"] == "2024-01-15T10:30:00-08:00"
    assert terms(odd, "meeting-type") == [("11", "11th Step Meditation"), ("O", "Open"), ("XYZ", "XYZ")]
    new_york = services["New York Time"]["schedules"][0]
    assert new_york["notes"] == "Times are America/New_York time."
    assert "timezone" not in new_york  # HSDS's timezone is a number; a tz name has no fixed offset
    assert services["42"]["id"] == stable_id("meeting-guide-service", "broken", "4242")


@pytest.mark.parametrize(
    ("meeting", "path", "message"),
    [
        ({"day": 1, "time": "19:61"}, "$[0].time", "'19:61' is not a time that can be read"),
        ({"day": 1, "time": "13:00 PM"}, "$[0].time", "'13:00 PM' is not a time that can be read"),
        ({"day": 1, "time": 1930}, "$[0].time", "1930 is not a time"),
        ({"day": True, "time": "19:00"}, "$[0].day", "True is not a day"),
        ({"day": [1, "Funday"], "time": "19:00"}, "$[0].day[1]", "'Funday' is not a day"),
        ({"day": -1, "time": "19:00"}, "$[0].day", "-1 is not a day"),
        ({"slug": ["a"], "day": 1}, "$[0].slug", "['a'] is not a slug"),
        ({"name": "   ", "day": 1}, "$[0].name", "has no name"),
    ],
)
def test_values_that_cannot_be_read_skip_the_meeting(meeting, path, message):
    doc = [{"name": "A meeting", "slug": "a-meeting", **meeting}]
    services, problems, _ = meetings_to_hsds3(doc, feed_name="t")
    assert services == []
    assert [p.path for p in problems] == [path]
    assert problems[0].message.startswith(message)


@pytest.mark.parametrize(
    ("time", "opens"),
    [
        ("19:30", "19:30"),
        ("7:30", "07:30"),
        ("7:30 PM", "19:30"),
        ("7:30pm", "19:30"),
        ("7 p.m.", "19:00"),
        ("12:00 AM", "00:00"),
        ("12:15 pm", "12:15"),
        ("Noon", "12:00"),
        ("midnight", "00:00"),
        ("19:30:00", "19:30"),
        ("0730", "07:30"),
    ],
)
def test_time_forms_feeds_use_are_read(time, opens):
    services, problems, warnings = meetings_to_hsds3(
        [{"name": "m", "slug": "m", "day": 3, "time": time}], feed_name="t"
    )
    assert problems == []
    assert services[0]["schedules"][0]["opens_at"] == opens
    assert [w.path for w in warnings] == ([] if time == "19:30" else ["$[0].time"])


def test_an_implausible_end_time_is_left_out():
    doc = [{"name": "m", "slug": "m", "day": 3, "time": "19:00", "end_time": "18:00"}]
    services, _, warnings = meetings_to_hsds3(doc, feed_name="t")
    assert "closes_at" not in services[0]["schedules"][0]
    assert warnings == [
        Problem("$[0].end_time", "18:00 is not a plausible end for a meeting starting at 19:00; left out")
    ]


def test_inactive_meetings_keep_their_record_with_status_inactive():
    doc = [
        {"name": "a", "slug": "a", "day": 1, "time": "19:00", "formatted_address": "1 Imaginary Lane", "types": ["TC"]},
        {"name": "b", "slug": "b", "day": 1, "time": "19:00", "attendance_option": "inactive"},
    ]
    services, problems, _ = meetings_to_hsds3(doc, feed_name="t")
    assert problems == []
    assert [s["status"] for s in services] == ["inactive", "inactive"]


def test_problem_paths_use_the_given_prefix_and_a_non_list_is_one_problem():
    _, problems, _ = meetings_to_hsds3(load("broken"), feed_name="broken", path="$.meetings")
    assert problems[0].path == "$.meetings[2].time"
    assert meetings_to_hsds3({"meetings": []}, feed_name="t") == (
        [],
        [Problem("$", "expected a list of Meeting Guide meetings, found dict")],
        [],
    )


def test_hostile_values_never_raise_and_still_validate():
    doc = json.loads(
        '[{"name": "n", "slug": "a", "day": NaN, "time": "19:00"},'
        ' {"name": "n", "slug": "b", "day": 1, "time": "19:00", "latitude": NaN, "longitude": Infinity,'
        '  "timezone": NaN, "types": [NaN, 1e400, {}, "O"], "updated": "yesterday", "email": "nope",'
        '  "name2": {"x": 1}, "location": ["x"], "approximate": 3, "regions": [1, 2], "url": "javascript:alert(1)"},'
        ' {"name": "\\ud800 lone", "slug": "\\udc80", "day": [], "time": "19:00", "notes": "x\\ud800y",'
        '  "formatted_address": "1 Imaginary Lane", "regions": ["\\udfff"]}]'
    )
    services, problems, warnings = meetings_to_hsds3(doc, feed_name="t")
    assert [p.path for p in problems] == ["$[0].day"]
    assert [s["name"] for s in services] == ["n", "\ufffd lone"]
    assert services[1]["description"] == "x\ufffdy"
    assert locations(services[1])[0]["addresses"][0]["region"] == "\ufffd"
    for n, svc in enumerate(services):
        assert validate_object("service", svc, f"$[{n}]") == []
    json.dumps(services, allow_nan=False)  # nothing JSON cannot write
    assert ("$[1].url", "'javascript:alert(1)' is not a web address (http or https); left out") in {
        (w.path, w.message) for w in warnings
    }


# --- every meeting validates ---------------------------------------------------------------


@pytest.mark.parametrize("name", FEEDS)
def test_every_converted_meeting_validates_against_hsds_3(name):
    services, _, _ = convert(name)
    assert services
    for n, svc in enumerate(services):
        assert validate_object("service", svc, f"$[{n}]") == []
    # and the whole list flattens with no conflicting copies (shared venues, organisations, terms)
    check_services(copy.deepcopy(services), name)


def test_validation_can_fail_on_a_broken_conversion():
    (svc,), _, _ = convert("spec_example")
    svc["schedules"][0]["freq"] = "FORTNIGHTLY"
    assert [p.path for p in validate_object("service", svc, "$")] == ["$.schedules[0].freq"]


# --- type labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("W", "Women"),
        ("LGBTQ", "LGBTQ"),
        ("12x12", "12 Steps & 12 Traditions"),
        ("AL-AN", "Concurrent with Al-Anon"),
        ("TC", "Location Temporarily Closed"),
        ("ONL", "Online"),
        ("XYZ", "XYZ"),
        ("", ""),
    ],
)
def test_type_label(code, label):
    assert type_label(code) == label
