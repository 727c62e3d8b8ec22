"""ORUK 1.0 -> HSDS 3.0: detection, field mapping, repairs and their warnings, problem paths, validity.

Fixtures are in tests/data/oruk1; its README says how each was made.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from functools import reduce
from pathlib import Path

import pytest

from coventry_directory.core.ids import looks_like_uuid, stable_id
from coventry_directory.exchange.flatten import flatten_services
from coventry_directory.exchange.hsds_schema import relations
from coventry_directory.exchange.oruk1 import looks_like_oruk1, oruk1_items, service_to_hsds3
from coventry_directory.exchange.validate import validate_object

DATA = Path(__file__).parent / "data" / "oruk1"


def load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def uuid_ids(obj):
    """Every id and foreign key as a UUID (uuid5 of its text), as the import pipeline will make them."""
    if isinstance(obj, list):
        return [uuid_ids(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    return {k: str(uuid.uuid5(uuid.NAMESPACE_URL, v)) if is_id(k, v) else uuid_ids(v) for k, v in obj.items()}


def is_id(key: str, value) -> bool:
    return (key == "id" or key.endswith("_id")) and isinstance(value, str) and not looks_like_uuid(value)


def pick(obj: dict, keys: str) -> list:
    return [obj.get(k) for k in keys.split()]


def convert(svc, path="$"):
    out, problems, warnings = service_to_hsds3(svc, path)
    assert (problems, out is None) == ([], False)
    return out, {w.path: w.message for w in warnings}  # the last warning for each path


def foreign_key_mismatches(table: str, obj: dict, path: str = "$") -> list[str]:
    """Every nested object whose foreign key differs from the id of the object it hangs from."""
    bad = []
    for rel in relations(table):
        value = obj.get(rel.prop)
        if rel.kind == "one" and isinstance(value, dict):
            bad += [f"{path}.{rel.fk}"] if obj.get(rel.fk) != value["id"] else []
            bad += foreign_key_mismatches(rel.table, value, f"{path}.{rel.prop}")
        elif rel.kind in ("many", "link") and isinstance(value, list):
            key = "link_id" if rel.kind == "link" else rel.fk
            for n, child in enumerate(value):
                if child.get(key) != obj["id"] or (rel.kind == "link" and child.get("link_entity") != table):
                    bad.append(f"{path}.{rel.prop}[{n}].{key}")
                bad += foreign_key_mismatches(rel.table, child, f"{path}.{rel.prop}[{n}]")
    return bad


def all_converted() -> list[dict]:
    items = [item for name in ("service.json", "services_page.json", "broken.json") for item in oruk1_items(load(name))]
    return [out for out, _p, _w in (service_to_hsds3(item, "$") for item in items) if out is not None]


# --- detection ---------------------------------------------------------------------------


def test_the_fixtures_and_oruk1_pages_are_detected_however_they_are_wrapped():
    assert [looks_like_oruk1(load(name)) for name in ("service.json", "services_page.json", "broken.json")] == [
        True
    ] * 3
    svc = load("service.json")
    assert looks_like_oruk1({"content": [svc], "totalElements": 1, "totalPages": 1, "number": 0}) is True
    assert looks_like_oruk1({"contents": [svc]}) is True
    assert looks_like_oruk1([svc]) is True
    # an empty 1.0 page is still a 1.0 page: its paging keys are Spring's, which only 1.0 APIs use
    empty = {"content": [], "totalElements": 0, "totalPages": 0, "number": 0, "size": 0, "first": True, "last": True}
    assert looks_like_oruk1(empty) is True


@pytest.mark.parametrize(
    "service",
    [
        {"id": "1", "service_at_locations": [{"location": {"id": "l", "physical_addresses": []}}]},
        {"id": "1", "cost_options": [{"id": "c", "option": "Session", "amount": 5}]},
        {"id": "1", "organization": {"id": "o", "name": "O", "url": "https://o.example.org"}},
        {"id": "1", "eligibilitys": []},
    ],
)
def test_each_weaker_sign_of_oruk1_is_enough(service):
    assert looks_like_oruk1(service) is True


def test_the_official_hsds3_example_is_not_oruk1():
    example = load("hsds3_service_full.json")
    assert looks_like_oruk1(example) is False
    assert looks_like_oruk1([example]) is False
    assert looks_like_oruk1({"contents": [example], "total_items": 1, "total_pages": 1}) is False


GARBAGE = [0, -1, 1.5, 10**30, "", "regular_schedules", None, True, False, [], {}, [[]], [{}], [1, 2, 3]]
GARBAGE += [{"content": {}}, {"content": "x", "totalElements": 3}, {"content": [[], None, 3]}, {"a": {"b": {}}}]
GARBAGE += [{"a": {"regular_schedules": []}}, [[{"regular_schedules": []}]], [{"content": []}], ["eligibilitys"]]


@pytest.mark.parametrize(
    "doc", [*GARBAGE, pytest.param(reduce(lambda doc, _: [doc], range(5000), []), id="a-list-5000-deep")], ids=repr
)
def test_garbage_is_not_oruk1(doc):
    assert looks_like_oruk1(doc) is False


def test_only_the_first_few_items_are_looked_at():
    svc = load("service.json")
    assert looks_like_oruk1([{}] * 5 + [svc]) is False
    assert looks_like_oruk1([{}] * 4 + [svc]) is True


def random_json(rng: random.Random, depth: int = 0):
    kind = rng.choice(["null", "bool", "int", "float", "str", "key"] + (["list", "dict"] if depth < 4 else []))
    if kind in ("list", "dict"):
        children = [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
        keys = ["content", "contents", "totalElements", "location", "x", "regular_schedules", "service_at_locations"]
        return children if kind == "list" else {rng.choice(keys): c for c in children}
    scalars = {"null": None, "bool": True, "int": -(10**20), "float": 1e300, "str": "\ud800", "key": "content"}
    return scalars[kind]


def test_detection_never_raises_on_random_json():
    rng = random.Random(20240601)
    assert {looks_like_oruk1(random_json(rng)) for _ in range(3000)} <= {True, False}


def test_the_items_of_each_shape():
    page, svc = load("services_page.json"), load("service.json")
    assert [s["id"] for s in oruk1_items(page)] == ["4b2f9d0e-1c3a-4e5f-8a7b-6c5d4e3f2a10", 1502, "svc-3"]
    assert oruk1_items({"contents": [svc]}) == [svc]
    assert oruk1_items(svc) == [svc]
    assert oruk1_items([svc, 3]) == [svc, 3]
    assert (oruk1_items("text"), oruk1_items(None)) == ([], [])


# --- the mapping ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full():
    return convert(load("service.json"))


def test_service_fields_and_the_organisation_website(full):
    out, _warnings = full
    assert out == load("service.hsds3.json")  # the whole conversion, as checked by hand
    assert (out["name"], out["status"], out["assured_date"]) == (load("service.json")["name"], "active", "2024-03-18")
    # no HSDS 3.0 home: kept as extension fields under their 1.0 names
    assert pick(out, "deliverable_type attending_type attending_access") == ["Counselling", "venue", "drop-in"]
    org = out["organization"]
    assert (org["website"], "url" in org) == ("https://recovery.example.org", False)
    assert out["organization_id"] == org["id"] == "2d1e0f9a-8b7c-4a5d-a6e3-f2c1b0a99801"


def test_regular_and_holiday_schedules(full):
    out, _warnings = full
    monday, wednesday, monthly, closed, holiday = out["schedules"]
    assert pick(monday, "byday freq opens_at closes_at") == ["MO", "WEEKLY", "09:00", "17:00"]
    assert pick(monday, "valid_from valid_to service_id") == ["2024-01-01", "2024-12-31", out["id"]]
    assert [wednesday["byday"], monthly["byday"], monthly["freq"]] == ["WE", "1SA", "MONTHLY"]
    assert pick(closed, "id valid_from valid_to opens_at") == ["holiday_schedule:1", "2024-12-25", "2024-12-26", None]
    assert closed["description"] == "Closed from 2024-12-25 to 2024-12-26."
    assert pick(holiday, "byday opens_at closes_at") == ["MO,TU,WE,TH,FR,SA,SU", "10:00", "14:00"]


def test_the_location_and_its_address(full):
    (sal,) = full[0]["service_at_locations"]
    loc = sal["location"]
    assert [sal["location_id"], loc["location_type"]] == ["loc-1", "physical"]
    assert pick(loc, "latitude longitude") == [52.4068, -1.5197]
    (address,) = loc["addresses"]
    assert pick(address, "postal_code address_1") == ["CV99 9ZZ", "1 Fictional Street"]
    assert pick(address, "address_type location_id") == ["physical", "loc-1"]
    assert loc["accessibility"][0]["description"] == "Step-free access and an accessible toilet"


def test_the_narrowest_age_range_and_the_eligibility_text(full):
    out, warnings = full
    assert (out["minimum_age"], out["maximum_age"]) == (18, 99)
    expected = "Adults who live in the fictional borough; Not for people under a treatment order"
    assert out["eligibility_description"] == expected
    assert warnings["$.eligibilitys"] == "gives several age ranges: the narrowest, 18 to 99, is used"


def test_taxonomy_terms_become_attributes(full):
    out, _warnings = full
    first, second = out["attributes"]
    assert pick(first, "link_id link_entity link_type") == [out["id"], "service", "service_taxonomy"]
    term = first["taxonomy_term"]
    assert pick(term, "name taxonomy") == ["Drug and alcohol support", "Example Service Categories"]
    assert pick(term, "code parent_id description") == ["drug-alcohol", "health", "Drug and alcohol support"]
    assert first["taxonomy_term_id"] == term["id"] == "drug-alcohol"
    assert "parent_id" not in second["taxonomy_term"]


def test_languages_cost_options_and_reviews(full):
    out, warnings = full
    assert [(lang["name"], lang.get("code")) for lang in out["languages"]] == [("English", None), ("Urdu", "ur")]
    phone_language = out["contacts"][0]["phones"][1]["languages"][0]
    assert pick(phone_language, "name code phone_id") == ["Polish", "pl", "p-2002"]
    assert pick(out["cost_options"][0], "amount currency") == [0, "GBP"]
    currency = warnings["$.cost_options[0].currency"]
    assert currency == "is missing: GBP, since the cost option says its amount is in pounds"
    assert "reviews" not in out and "reviews" not in out["organization"]
    dropped = "ORUK 1.0 reviews have no HSDS 3.0 home: dropped"
    assert warnings["$.reviews"] == warnings["$.organization.reviews"] == dropped


def test_no_currency_is_invented_and_words_are_no_amount():
    costs = [{"id": "a", "option": "Session", "amount": 5}, {"id": "b", "amount": "Free"}, {"id": "c", "amount": "£3"}]
    out, warnings = convert({"id": "s", "name": "S", "status": "active", "cost_options": costs})
    assert out["cost_options"] == [
        {"id": "a", "service_id": "s", "option": "Session", "amount": 5},
        {"id": "b", "service_id": "s", "amount_description": "Free"},
        {"id": "c", "service_id": "s", "amount": 3, "currency": "GBP"},
    ]
    assert warnings["$.cost_options[1].amount"] == "is 'Free', not an amount: moved to amount_description"


# --- repairs ---------------------------------------------------------------------------------


def test_every_repair_of_the_page_is_warned_about_where_it_was_made():
    found = []
    for n, item in enumerate(oruk1_items(load("services_page.json"))):
        _out, problems, warnings = service_to_hsds3(item, f"$.content[{n}]")
        found += [str(w) for w in warnings] + [str(p) for p in problems]
    assert found == (DATA / "services_page.warnings.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def messy():
    return convert(load("services_page.json")["content"][1], "$.content[1]")


def test_integer_ids_become_text_and_missing_ones_are_derived_from_the_parent(messy):
    out, warnings = messy
    assert out["id"] == "1502"
    assert warnings["$.content[1].id"] == "is the number 1502: used as the text id '1502'"
    assert out["organization"]["id"] == out["organization_id"] == "77"
    assert out["service_at_locations"][0]["location"]["id"] == "34"
    term = out["attributes"][0]["taxonomy_term"]
    assert pick(term, "id code name parent_id") == ["101", "101", "Harm reduction", "drug-alcohol"]
    contact = out["contacts"][0]
    assert contact["id"] == stable_id("oruk1", "1502", "contacts", 0)
    assert contact["phones"][0]["id"] == stable_id("oruk1", contact["id"], "phones", 0)
    expected = f"is missing: given the stable id {contact['id']}, from its parent's id and position"
    assert warnings["$.content[1].contacts[0].id"] == expected
    assert convert(load("services_page.json")["content"][1], "$.content[1]")[0] == out


def test_nulls_and_empty_strings_are_left_out(messy):
    out, warnings = messy
    assert [k for k in ("description", "url", "email", "fees", "accreditations") if k in out] == []
    assert warnings["$.content[1].description"] == "is null: left out"
    assert warnings["$.content[1].url"] == "is empty: left out"
    assert "funding" not in out  # a null list says "not known", where an empty one would say "none"


def test_numbers_given_as_text_become_numbers_and_a_phone_number_text(messy):
    out, warnings = messy
    assert (out["minimum_age"], out["maximum_age"]) == (18, 25)
    assert warnings["$.content[1].eligibilitys[0].minimum_age"] == "is the text '18': used as the number 18"
    loc = out["service_at_locations"][0]["location"]
    assert (loc["latitude"], loc["longitude"], out["cost_options"][0]["amount"]) == (52.4081, -1.5106, 2.5)
    assert "currency" not in out["cost_options"][0]
    assert out["contacts"][0]["phones"][0]["number"] == "1632960789"
    expected = "is the number 1632960789, not text: kept as the text '1632960789' (a number cannot start with 0: check that none was lost)"
    assert warnings["$.content[1].contacts[0].phones[0].number"] == expected


def test_day_numbers_times_dates_status_and_unknown_fields(messy):
    out, warnings = messy
    assert out["schedules"] == [
        {"id": "9", "service_id": "1502", "opens_at": "09:30", "closes_at": "16:00", "byday": "WE", "freq": "WEEKLY"}
    ]
    expected = "is the day number 3: read as WE (ISO 8601: 1 = Monday; ORUK 1.0 does not say how days are numbered)"
    assert warnings["$.content[1].regular_schedules[0].weekday"] == expected
    assert (out["assured_date"], out["status"], out["source_system"]) == ("2024-03-18", "active", "ExampleCMS")
    assert warnings["$.content[1].source_system"] == "is not an ORUK 1.0 field: kept as an extension field"
    (address,) = out["service_at_locations"][0]["location"]["addresses"]
    assert pick(address, "postal_code state_province country") == ["CV99 9ZY", "", ""]
    assert pick(out["languages"][0], "name code") == ["Polish", "pol"]


def test_dates_and_times_of_other_shapes():
    out, warnings = convert(load("services_page.json")["content"][0], "$.content[0]")
    weekdays, saturday = out["schedules"]
    assert pick(weekdays, "opens_at closes_at") + pick(saturday, "opens_at") == ["09:00:00", "21:00:00", "10:00"]
    assert pick(weekdays, "valid_from valid_to") == ["2024-04-01", "2025-03-31"]
    assert pick(weekdays, "byday interval") + pick(saturday, "byday freq") == ["MO,TU,WE,TH,FR", 1, "SA", "WEEKLY"]
    assert out["service_at_locations"] == []  # an empty list says "none"


def test_a_status_is_assumed_and_a_nameless_organisation_dropped():
    out, warnings = convert(load("services_page.json")["content"][2], "$.content[2]")
    assert out["status"] == "active"
    assert warnings["$.content[2].status"] == "is missing: taken as 'active', since the feed lists the service"
    assert "organization" not in out and "organization_id" not in out
    regular, holiday = out["schedules"]
    assert pick(regular, "id freq interval dtstart") == ["rs-30", "WEEKLY", 2, "2024-01-04"]
    assert holiday["id"] == "holiday_schedule:rs-30"  # the regular row's 1.0 id too: prefixed, so no collision
    assert (out["languages"], out["attributes"], "contacts" in out) == ([], [], False)


# --- problems ---------------------------------------------------------------------------------


def test_a_broken_record_is_unusable_and_says_where():
    first, second = load("broken.json")
    out, problems, _warnings = service_to_hsds3(first, "$[0]")
    assert out is None
    assert sorted(map(str, problems)) == [
        "$[0].contacts[0]: is text, not an object",
        "$[0].name: is missing: a service needs a name",
        "$[0].regular_schedules: is text, not a list",
        "$[0].status: is 'closed', not one of active, inactive, defunct, temporarily closed",
    ]
    assert convert(second, "$[1]")[0]["schedules"][0]["byday"] == "FR"


SAL = {"id": "x", "name": "X", "service_at_locations": [{"location": []}]}
PROBLEMS = [
    ("a service", "$[3]: is text, not an ORUK 1.0 service object"),
    ({"name": "No id", "status": "active"}, "$[3].id: is missing: a service needs an id"),
    (SAL, "$[3].service_at_locations[0].location: is a list, not an object"),
    ({"id": "x", "name": "X", "regular_schedules": [{}, 7]}, "$[3].regular_schedules[1]: is a number, not an object"),
]


@pytest.mark.parametrize(("svc", "expected"), PROBLEMS)
def test_problem_paths(svc, expected):
    out, problems, _warnings = service_to_hsds3(svc, "$[3]")
    assert (out, [str(p) for p in problems]) == (None, [expected])


# --- the output is valid HSDS 3.0 ---------------------------------------------------------------


def test_every_converted_fixture_validates_against_hsds3_and_its_keys_match():
    converted = all_converted()
    assert len(converted) == 5
    assert [validate_object("service", uuid_ids(out), "$") for out in converted] == [[]] * 5
    # and every foreign key equals the id of the object it refers to
    assert [foreign_key_mismatches("service", out) for out in converted] == [[]] * 5
    assert flatten_services([uuid_ids(out) for out in converted]).problems == []


def test_non_uuid_ids_stay_text_and_the_key_check_can_fail(full):
    out = copy.deepcopy(full[0])
    assert (out["contacts"][0]["id"], out["service_at_locations"][0]["location"]["id"]) == ("c-1001", "loc-1")
    out["contacts"][0]["phones"][0]["contact_id"] = "someone-else"
    assert foreign_key_mismatches("service", out) == ["$.contacts[0].phones[0].contact_id"]


JUNK = [None, "", " ", 0, -1, 7, 2.5, 1e308, 10**20, True, "x", "99:99", "31/02/2024", [], [None], {}, {"id": 3}]


def mutate(doc, rng: random.Random):
    """``doc`` with one value, somewhere inside it, replaced by junk."""
    doc = copy.deepcopy(doc)
    holder, key, node = None, None, doc
    for _ in range(rng.randrange(1, 6)):
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        holder, key = node, rng.choice(keys)
        node = holder[key]
    if holder is not None:
        holder[key] = copy.deepcopy(rng.choice(JUNK))
    return doc


def test_junk_anywhere_is_repaired_or_reported_never_raised():
    rng = random.Random(7)
    sources = [load("service.json"), *load("services_page.json")["content"]]
    for _ in range(400):
        out, problems, _warnings = service_to_hsds3(mutate(rng.choice(sources), rng), "$")
        assert (out is None) == bool(problems)
        if out is not None:
            assert validate_object("service", uuid_ids(out), "$") == []
            assert foreign_key_mismatches("service", out) == []
