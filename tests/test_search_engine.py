"""Search filters, open-now, eligibility with reasons, and safety for any input."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coventry_directory.core.eligibility import ClientProfile, Eligibility, assess
from coventry_directory.core.places import UnknownPlace
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.store.directory import DirectoryStore


@pytest.fixture(scope="module")
def engine(built_directory):
    store = DirectoryStore.open(built_directory)
    yield SearchEngine(store)
    store.close()


def keys(result):
    return [h.key for h in result.hits]


def test_empty_query_lists_everything_passing_filters(engine):
    result = engine.search("", Filters(categories=("naloxone",)), limit=100)
    assert result.hits
    assert all("naloxone" in h.categories for h in result.hits)


def test_or_within_a_group_and_across_groups(engine):
    both = engine.search("", Filters(categories=("naloxone", "needle-syringe")), limit=200)
    for h in both.hits:
        assert {"naloxone", "needle-syringe"} & set(h.categories)
    narrowed = engine.search(
        "", Filters(categories=("naloxone", "needle-syringe"), routes=("self-referral",)), limit=200
    )
    assert set(keys(narrowed)) <= set(keys(both))
    routes = {h.id: engine.store.get_service(h.id).referral_routes for h in both.hits}
    # three outcomes: listed (kept), not stated (kept, marked to check), other routes only (left out)
    assert {h.id for h in narrowed.hits} == {sid for sid, r in routes.items() if "self-referral" in r or not r}
    for h in narrowed.hits:
        assert ("referral_routes" in h.checks) == (not routes[h.id])
    assert any(not h.checks for h in narrowed.hits) and any(h.checks for h in narrowed.hits)

    court = engine.search("", Filters(routes=("court-custody-only",)), limit=500)
    known, unknown, left_out = court.filter_counts["referral_routes"]
    every = {h.id: engine.store.get_service(h.id).referral_routes for h in engine.search("", limit=500).hits}
    assert left_out == sum(1 for r in every.values() if r and "court-custody-only" not in r) > 0
    assert known == sum(1 for r in every.values() if "court-custody-only" in r) > 0
    assert unknown == sum(1 for r in every.values() if not r) == len(court.hits) - known


def test_age_filter_keeps_unknown_ranges_and_drops_known_misfits(engine):
    result = engine.search("", Filters(age=15), limit=500)
    found = set(keys(result))
    assert "compass-warwickshire-cypdas" in found  # 5-25
    assert "cgl-warwickshire-adult-service" not in found  # 18+
    assert "nat-samaritans" in found  # no age limit known


def test_near_sorts_by_distance(engine):
    result = engine.search("", Filters(near="Rugby", categories=("treatment-adult",)), limit=50)
    dists = [h.distance_km for h in result.hits if h.distance_km is not None]
    assert dists == sorted(dists) and dists[0] == 0.0


def test_unknown_place_is_a_clear_error(engine):
    with pytest.raises(UnknownPlace, match="Rugby"):
        engine.search("", Filters(near="Rugbee"))


def test_open_at_uses_schedules(engine):
    # SMART Recovery's online meetings run Monday 20:30-22:00 (sourced timetable)
    monday_evening = datetime(2026, 11, 23, 21, 0)
    result = engine.search("smart", Filters(open_at=monday_evening), limit=20)
    assert "nat-smart-recovery-online" in keys(result)
    # open then, or hours not known (kept, marked to check); never a service closed then
    assert all(h.open_state == "open" or "open_at" in h.checks for h in result.hits)
    assert all(h.open_state != "closed" for h in result.hits)
    smart = next(h for h in result.hits if h.key == "nat-smart-recovery-online")
    assert smart.open_state == "open" and "open_at" not in smart.checks
    tuesday_morning = datetime(2026, 11, 24, 9, 0)
    assert "nat-smart-recovery-online" not in keys(engine.search("smart", Filters(open_at=tuesday_morning)))


def test_historic_hours_never_claim_open(engine):
    # CARA's Friday night hours are from 2016: shown, but never "open now"
    friday_night = datetime(2026, 11, 27, 23, 45)
    hit = next(h for h in engine.search("CARA", now=friday_night).hits if h.key == "cov-cara-alcohol-ambulance")
    assert hit.open_state == "unknown" and "2016" in hit.open_reason or "not known" in hit.open_reason


def test_json_shape(engine):
    item = engine.search("naloxone", Filters(near="Rugby")).hits[0].to_dict()
    for key in ("id", "name", "organization", "categories", "distance_km", "open_now", "score"):
        assert key in item
    assert item["open_now"] in ("open", "closed", "unknown")


# --- eligibility -----------------------------------------------------------------------


def test_sixteen_year_old_in_rugby_using_cannabis(engine):
    profile = ClientProfile(age=16, area="rugby", substances=("cannabis",))
    svc = {h.key: h for h in engine.search("", Filters(near="Rugby"), limit=500, profile=profile).hits}
    assert svc["compass-warwickshire-cypdas"].verdict.status == Eligibility.ELIGIBLE
    adult = svc["cgl-warwickshire-adult-service"].verdict
    assert adult.status == Eligibility.EXCLUDED and "Ages 18+ only" in adult.reasons
    coventry = svc["cov-positive-choices"].verdict
    assert coventry.status == Eligibility.EXCLUDED and "Coventry residents only" in coventry.reasons


@pytest.mark.parametrize(
    ("key", "profile", "status", "reason"),
    [
        (
            "cgl-warwickshire-adult-service",
            ClientProfile(age=30, area="coventry"),
            Eligibility.EXCLUDED,
            "Warwickshire residents only",
        ),
        ("cgl-warwickshire-adult-service", ClientProfile(age=30, area="rugby"), Eligibility.ELIGIBLE, None),
        (
            "cgl-warwickshire-criminal-justice-service",
            ClientProfile(age=30, area="rugby"),
            Eligibility.EXCLUDED,
            "Only for: Offenders and prison leavers",  # "offenders, adults" is not "any adult"
        ),
        (
            "nat-al-anon",
            ClientProfile(age=15, area="rugby"),
            Eligibility.EXCLUDED,
            "Only for: Families and carers, Children affected by others' use",  # not every young person
        ),
        (
            "cov-st-basils-youth-hub",
            ClientProfile(age=30, area="coventry", groups=("homeless",)),
            Eligibility.EXCLUDED,
            "Ages 18–24 only",
        ),
        (
            "nat-samaritans",
            ClientProfile(age=70, area="stratford-on-avon"),
            Eligibility.CHECK,
            None,
        ),  # no age range stated
        ("nat-aa", ClientProfile(age=30, substances=("cannabis",)), Eligibility.EXCLUDED, "Works with Alcohol only"),
        (
            "cov-pharmacy-naloxone",
            ClientProfile(age=30, area="coventry", substances=("cannabis",)),
            Eligibility.CHECK,
            None,
        ),
    ],
)
def test_verdicts_with_reasons(directory_store, key, profile, status, reason):
    verdict = assess(directory_store.get_service(key), profile)
    assert verdict.status == status, verdict
    if reason:
        assert reason in verdict.reasons


def test_unknown_facts_mean_check_not_no(directory_store):
    emmaus = directory_store.get_service("cov-emmaus")  # no catchment in any source
    verdict = assess(emmaus, ClientProfile(age=40, area="rugby"))
    assert verdict.status == Eligibility.CHECK and "Area served not known" in verdict.checks


# --- any input is safe ------------------------------------------------------------------

NASTY = [
    '"',
    '""',
    "'",
    "AND(",
    "OR",
    "NOT",
    "NEAR(a b)",
    "*",
    "a*",
    "^",
    "-",
    "name:x",
    "{name}:x",
    "'; DROP TABLE service; --",
    "\x00",
    "\u200f\u202e",
    "x" * 10_000,
    "🙂" * 50,
    "ਪੰਜਾਬੀ",
    "سلام",
    "  ",
    "\n\t",
    "NEAR",
    "(",
    ")",
    "a AND",
    "+",
    "\\",
    "%",
    "_",
    "CV21 3AB",
    "99999999999999999999",
    "፩፪ year old",
    "x ፫",
    "aged ፬",
]  # Ethiopic digits: isdigit() but not int()


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_never_raise(engine, text):
    engine.search(text)
    engine.search(text, Filters(categories=("naloxone",), age=30, substances=("alcohol",)))


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_fuzz_10000_queries_never_raise(engine, text):
    result = engine.search(text, limit=5)
    assert len(result.hits) <= 5


def test_a_court_only_route_is_a_check_not_a_reason_to_turn_a_parent_away(directory_store):
    """FDAC takes parents in care proceedings, referred by the court: a parent is not "not eligible"."""
    parent = ClientProfile(age=30, area="coventry", groups=("families-carers",))
    verdict = assess(directory_store.get_service("cw-fdac"), parent)
    assert verdict.status == Eligibility.CHECK
    assert "Court, custody or care-proceedings referral only" in verdict.checks and not verdict.reasons


def test_criminal_justice_service_is_for_adult_offenders(directory_store):
    service = directory_store.get_service("cgl-warwickshire-criminal-justice-service")
    offender = assess(service, ClientProfile(age=30, area="rugby", groups=("offenders",)))
    assert offender.status != Eligibility.EXCLUDED
    young = assess(service, ClientProfile(age=16, area="rugby", groups=("offenders",)))
    assert young.status == Eligibility.EXCLUDED and "Ages 18+ only" in young.reasons


def test_a_service_for_the_providers_own_clients_is_a_check_not_can_use(directory_store):
    """IPS employment takes only existing CGL clients, referred by their CGL worker: never a plain "Can use"."""
    verdict = assess(directory_store.get_service("cgl-ips-employment-coventry-warwickshire"), ClientProfile(age=30))
    assert verdict.status == Eligibility.CHECK
    assert "Only for people already using this provider's services, through their own worker." in verdict.checks


# --- words the search could not use are said, never dropped in silence ------------------
def test_a_word_no_service_holds_is_named_and_the_other_words_answer(engine):
    result = engine.search("needle exchange flibbertigibbet", limit=50)
    assert "No service mentions “flibbertigibbet”: the results are for your other words." in result.notes
    assert set(keys(result)) >= set(keys(engine.search("needle exchange", limit=10)))
    alone = engine.search("flibbertigibbet", limit=50)
    assert alone.hits == [] and alone.notes == ["No service mentions “flibbertigibbet”."]


def test_an_unknown_word_after_near_is_said_to_be_no_place_the_directory_knows(engine):
    result = engine.search("naloxone near Atlantis", limit=50)
    assert result.place is None and result.hits
    assert result.notes == [
        "“atlantis” is not a place the directory knows, so the results are from anywhere: "
        "try a town, village or postcode."
    ]
    # a place chosen in the box is what the results are near: the word is then only a word
    boxed = engine.search("naloxone near Atlantis", Filters(near="Rugby"), limit=50)
    assert boxed.place is not None and boxed.place.name == "Rugby"
    assert "No service mentions “atlantis”: the results are for your other words." in boxed.notes


@pytest.mark.parametrize("typed", ["!!! ...", "\ufffd\ufffd", "💉"])
def test_a_query_with_nothing_to_search_for_says_every_service_is_shown(engine, typed):
    result = engine.search(typed, limit=500)
    assert keys(result) == keys(engine.search("", limit=500))
    assert result.notes == [
        f"Nothing in “{typed}” can be searched for, so every service is shown: "
        "try words such as “needle exchange”, or a place."
    ]


@pytest.mark.parametrize("typed", ["methadone", "methadoen", "smokes", "narkotyki", "needle exchange bidford", ""])
def test_words_the_directory_can_use_get_no_such_note(engine, typed):
    notes = engine.search(typed, limit=5).notes
    assert not any("No service mentions" in n or "not a place" in n or "Nothing in" in n for n in notes), notes


def test_a_postcode_from_elsewhere_is_named_whole_not_searched_as_two_words(engine):
    result = engine.search("naloxone SW1A 1AA", limit=50)
    assert result.place is None and result.hits
    assert result.notes == [
        "“SW1A 1AA” is not a postcode this directory knows (it covers Coventry, Warwickshire and around), "
        "so the results are from anywhere."
    ]
    assert keys(result) == keys(engine.search("naloxone", limit=50))  # its halves searched nothing
    known = engine.search("naloxone cv21 2dt", limit=5)
    assert known.place is not None and known.place.name == "CV21" and not known.query.unknown_postcode


def test_a_pasted_run_of_unknown_words_is_named_once_each_and_then_counted(engine):
    result = engine.search("needle exchange qqxa qqxb qqxa qqxc qqxd qqxe", limit=5)
    unknown = [n for n in result.notes if n.startswith("No service mentions")]
    assert unknown == [
        "No service mentions “qqxa”: the results are for your other words.",
        "No service mentions “qqxb”: the results are for your other words.",
        "No service mentions “qqxc”: the results are for your other words.",
        "No service mentions 2 more words typed.",
    ]
    long = engine.search("near " * 300, limit=5).notes
    assert long == [
        "Nothing in “near near near near near near near near…” can be searched for, so every service is shown: "
        "try words such as “needle exchange”, or a place."
    ]
