"""Filters tell the truth: known to fit (kept), not stated (kept, marked "check"), known not to fit (left out).

Every filter's outcome for every service of the real directory (plus a few records made
to say what the directory does not: languages, a fee) is worked out here from the
service's own record, independently of the SQL, and compared with what search keeps,
marks and counts, and with the order: within a tier, known before not stated.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from coventry_directory.cli import main
from coventry_directory.core import schedules as hours
from coventry_directory.core.eligibility import required_groups
from coventry_directory.core.filter_words import check_text, count_text
from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import Service
from coventry_directory.core.places import resolve_place
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.store import hsds_rows
from coventry_directory.store.schema import column_names

KNOWN, NOT_STATED, LEFT_OUT = "known", "not stated", "left out"


def _row(table: str, **values) -> tuple:
    return tuple(values.get(c) for c in column_names(table))


def _say_more(store) -> dict[str, str]:
    """Give a few services what no edition record says: languages, and a fee. Returns which got what."""
    ids = [r[0] for r in store._db.execute("SELECT id FROM service ORDER BY id LIMIT 3")]
    polish, english, charged = ids
    rows = [
        _row("language", id=stable_id("test-language", sid, code), service_id=sid, name=code, code=code)
        for sid, code in ((polish, "pl"), (polish, "en"), (english, "en"))
    ]
    with hsds_rows.atomic(store):
        hsds_rows.insert_values(store, "language", rows)
        store._db.execute("UPDATE service SET fees_description = '£10 a session' WHERE id = ?", [charged])
        hsds_rows.rebuild_search(store)
    return {"polish": polish, "english": english, "charged": charged}


@pytest.fixture
def engine(directory_store):
    store = directory_store
    _say_more(store)
    return SearchEngine(store)


def _codes_outcome(listed, wanted) -> str:
    if not listed:
        return NOT_STATED
    return KNOWN if set(listed) & set(wanted) else LEFT_OUT


def _outcome(svc: Service, field: str, value) -> str:
    """What the record itself says about one filter (the rules of docs/architecture.md, "Filters")."""
    if field == "substances":
        return _codes_outcome(svc.substances, [*value, "any"])
    if field == "gender":
        return _codes_outcome(svc.genders, [value, "any"])
    if field == "age":
        lo, hi = svc.minimum_age, svc.maximum_age
        if lo is None and hi is None:
            return NOT_STATED
        return KNOWN if (lo is None or lo <= value) and (hi is None or hi >= value) else LEFT_OUT
    if field == "languages":
        return _codes_outcome(svc.languages, [value])
    if field == "client_groups":
        # only for some groups (core.eligibility.required_groups): fits if one of them; else open to others
        only = required_groups(svc.client_groups, svc.groups_required)
        if only:
            return KNOWN if only & set(value) else LEFT_OUT
        return KNOWN if set(svc.client_groups) & set(value) else NOT_STATED
    if field == "free":
        fees = (svc.fees_description or "").strip()
        return NOT_STATED if not fees else KNOWN if fees.lower().startswith("free") else LEFT_OUT
    return _codes_outcome(getattr(svc, field), value)


# (Filters keyword, value, the field the search reports)
CASES = [
    ("substances", ("alcohol",), "substances"),
    ("substances", ("cannabis", "nps"), "substances"),
    ("gender", "female", "gender"),
    ("age", 15, "age"),
    ("age", 30, "age"),
    ("groups", ("homeless",), "client_groups"),
    ("groups", ("pregnant",), "client_groups"),
    ("routes", ("self-referral",), "referral_routes"),
    ("routes", ("court-custody-only",), "referral_routes"),
    ("modes", ("online",), "delivery_modes"),
    ("language", "pl", "languages"),
    ("free", True, "free"),
]


def _everything(engine) -> dict[str, Service]:
    ids = [h.id for h in engine.search("", limit=500).hits]  # every service that is not closed
    return {s.id: s for s in engine.store.services(ids)}


@pytest.mark.parametrize(("keyword", "value", "field"), CASES, ids=[f"{c[0]}={c[1]}" for c in CASES])
def test_each_filter_keeps_known_and_not_stated_and_counts_all_three(engine, keyword, value, field):
    services = _everything(engine)
    expected = {sid: _outcome(svc, field, value) for sid, svc in services.items()}
    result = engine.search("", Filters(**{keyword: value}), limit=500)
    kept = {h.id for h in result.hits}
    assert kept == {sid for sid, o in expected.items() if o != LEFT_OUT}
    for hit in result.hits:
        assert (field in hit.checks) == (expected[hit.id] == NOT_STATED), hit.key
        assert set(hit.checks) <= {field}
    counts = tuple(sum(1 for o in expected.values() if o == want) for want in (KNOWN, NOT_STATED, LEFT_OUT))
    assert result.filter_counts == {field: counts}
    # with no place every edition service serves the area (one tier): known ones come first
    order = [expected[h.id] for h in result.hits]
    assert order == sorted(order, key=lambda o: o != KNOWN)


def test_the_directory_gives_each_outcome_somewhere(engine):
    """The cases above are not all of one kind: each outcome occurs for most filters."""
    services = _everything(engine)
    seen = {(field, _outcome(svc, field, value)) for _, value, field in CASES for svc in services.values()}
    for field in ("substances", "age", "client_groups", "referral_routes", "languages", "free"):
        assert {(field, KNOWN), (field, NOT_STATED), (field, LEFT_OUT)} <= seen, field


def test_counts_for_one_filter_leave_out_what_another_rules_out(engine):
    services = _everything(engine)
    result = engine.search("", Filters(substances=("alcohol",), age=15, free=True), limit=500)
    fields = {"substances": ("alcohol",), "age": 15, "free": True}
    outcomes = {sid: {f: _outcome(svc, f, v) for f, v in fields.items()} for sid, svc in services.items()}
    for field in fields:
        others_keep = [o for o in outcomes.values() if all(o[f] != LEFT_OUT for f in fields if f != field)]
        counts = tuple(sum(1 for o in others_keep if o[field] == want) for want in (KNOWN, NOT_STATED, LEFT_OUT))
        assert result.filter_counts[field] == counts, field
    assert {h.id for h in result.hits} == {sid for sid, o in outcomes.items() if LEFT_OUT not in o.values()}
    for hit in result.hits:
        assert set(hit.checks) == {f for f, o in outcomes[hit.id].items() if o == NOT_STATED}
    # fewer things to check first (one tier, no words)
    assert [len(h.checks) for h in result.hits] == sorted(len(h.checks) for h in result.hits)


def _list_outcome(svc: Service, field: str, codes) -> str:
    if field == "categories":  # what a service is: never "not stated"
        return KNOWN if set(svc.categories) & set(codes) else LEFT_OUT
    if field in ("gender", "languages"):  # one choice, not a list of ticks
        return _outcome(svc, field, codes[0])
    return _outcome(svc, field, codes)


# The worker's ticks: an age, a substance and a category (each list's own ticks widen it)
TICKED = {"age": 15, "substances": ("alcohol",), "categories": ("treatment-adult", "young-people")}


def test_each_list_option_counts_what_ticking_it_would_keep(engine):
    services = _everything(engine)
    filters = Filters(age=15, substances=("alcohol",), categories=TICKED["categories"])
    result = engine.search("", filters, limit=500, option_counts=True)
    assert engine.search("", filters, limit=500).option_counts == {}  # only when asked for
    vocab = vocabularies()
    names = {
        "categories": "category",
        "substances": "substance",
        "client_groups": "client_group",
        "referral_routes": "referral_route",
        "delivery_modes": "delivery_mode",
    }
    assert set(result.option_counts) == {*names, "gender", "languages"}
    options = {field: [t.code for t in vocab[taxonomy].terms] for field, taxonomy in names.items()}
    options["gender"] = ["female", "male"]  # the choices of the Gender box ("any" is what fits every one)
    options["languages"] = [code for code in LANGUAGES if code != "en"]
    seen_unknown = seen_narrowed = False
    for field, codes in options.items():
        assert list(result.option_counts[field]) == codes
        # kept by every other filter: the age, and the other lists' ticks (not this list's own)
        others = {f: v for f, v in TICKED.items() if f != field}
        kept = [
            svc
            for svc in services.values()
            if all(
                (_list_outcome(svc, f, v) if f != "age" else _outcome(svc, f, v)) != LEFT_OUT for f, v in others.items()
            )
        ]
        for code in codes:
            outcomes = [_list_outcome(svc, field, (code,)) for svc in kept]
            expected = (outcomes.count(KNOWN), outcomes.count(NOT_STATED))
            assert result.option_counts[field][code] == expected, (field, code)
            seen_unknown |= expected[1] > 0
        seen_narrowed |= len(kept) < len(services)
    assert seen_unknown and seen_narrowed  # the cases are not all of one kind
    # an option's count is what that filter, ticked alone in its list, reports
    groups = engine.search(
        "", Filters(age=15, substances=("alcohol",), categories=TICKED["categories"], groups=("homeless",))
    )
    assert groups.filter_counts["client_groups"][:2] == result.option_counts["client_groups"]["homeless"]


def test_open_at_counts_open_not_known_and_closed(engine):
    at = datetime(2026, 11, 23, 21, 0)  # a Monday evening: SMART's online meetings run
    services = _everything(engine)
    states = {
        sid: hours.record_state(s.schedules, s.verification, s.evidence_date, at)[0] for sid, s in services.items()
    }
    result = engine.search("", Filters(open_at=at), limit=500)
    known, unknown, closed = result.filter_counts["open_at"]
    assert known == sum(1 for s in states.values() if s == hours.OpenState.OPEN) > 0
    assert closed == sum(1 for s in states.values() if s == hours.OpenState.CLOSED) > 0
    assert known + unknown + closed == len(services)
    assert all(states[h.id] != hours.OpenState.CLOSED for h in result.hits)
    assert {h.id for h in result.hits if "open_at" not in h.checks} == {
        sid for sid, s in states.items() if s == hours.OpenState.OPEN
    }


def test_counts_are_over_the_words_and_the_place(engine):
    result = engine.search("needle exchange", Filters(near="Rugby", free=True), limit=50)
    known, unknown, left_out = result.filter_counts["free"]
    plain = engine.search("needle exchange", Filters(near="Rugby"), limit=50)
    assert 0 < known + unknown + left_out < len(_everything(engine))
    assert known + unknown <= len(plain.hits)
    assert engine.search("needle exchange", Filters(near="Rugby"), limit=50).filter_counts == {}


def test_the_words_for_a_check_and_a_count():
    assert check_text(("languages", "free")) == "Check: languages not stated; cost not stated"
    assert check_text(()) == ""
    assert count_text("free", (3, 40, 1)) == "Free: 3 known to fit, 40 not stated (kept, marked “check”), 1 left out"


def test_cli_prints_counts_and_marks_and_json_carries_them(installed_directory, capsys):
    assert main(["search", "--language", "pl", "--free", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "Language: 0 known to fit, " in out and " not stated (kept, marked “check”), 0 left out" in out
    assert "Free: " in out and "check: languages not stated" in out
    assert main(["search", "--language", "pl", "--json", "--limit", "3"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and all(item["filters_not_known"] == ["languages"] for item in items)
    assert main(["search", "--age", "15", "--json", "--counts", "--limit", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"services", "filter_counts", "place"} and len(data["services"]) == 2
    age = data["filter_counts"]["age"]
    assert set(age) == {"known", "not_known", "excluded"} and age["excluded"] > 0 and age["known"] > 0
    assert data["place"] is None
    assert main(["search", "naloxone", "--near", "Hillfields", "--json", "--counts"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["filter_counts"] == {}
    assert data["place"]["name"] == "CV1 (Hillfields)" and data["place"]["area"] == "coventry"
    assert data["place"]["precision"] and "CV_postcode_area" in data["place"]["source"]


def test_the_app_shows_the_counts_and_marks_each_row(qtbot, open_window):
    from coventry_directory.ui.results_model import HitRole, row_summary

    window = open_window()
    assert window.filters.counts_box.isHidden()
    window.filters.free.setChecked(True)
    qtbot.waitUntil(lambda: not window.filters.counts_box.isHidden(), timeout=10_000)
    assert window.filters.counts.text().startswith("Free: ")
    hits = [window.model.index(i).data(HitRole) for i in range(window.model.rowCount())]
    unsure = [h for h in hits if h.checks]
    assert unsure and all("Check: cost not stated" in row_summary(h)[2] for h in unsure)
    assert all("Check:" not in row_summary(h)[2] or h.verdict for h in hits if not h.checks)
    window.filters.free.setChecked(False)
    qtbot.waitUntil(lambda: window.filters.counts_box.isHidden(), timeout=10_000)


# --- the review's cases: a capped draw, a calendar bank holiday, a blank code, required groups ----------
def test_a_known_fit_beyond_the_nearest_hundred_that_do_not_say_is_still_found(directory_store):
    from test_search_locality import _east, plant

    rugby = resolve_place("Rugby")
    centre = (rugby.latitude, rugby.longitude)
    specs = [
        {"key": f"zebra-{n}", "name": f"Zebrafinch support {n}", "point": _east(centre, 12 + 8 * n / 130)}
        for n in range(130)
    ]
    specs.append(
        {
            "key": "zebra-polish",
            "name": "Zebrafinch support in Polish",
            "point": _east(centre, 20.5),
            "languages": ["pl"],
        }
    )
    engine = plant(directory_store, specs)
    result = engine.search("zebrafinch", Filters(near="Rugby", language="pl"), limit=20)
    assert result.hits[0].key == "zebra-polish" and not result.hits[0].checks
    assert all(h.checks == ("languages",) for h in result.hits[1:])


def test_a_calendar_only_service_on_a_bank_holiday_outside_the_window_is_kept_and_marked(directory_store):
    store = directory_store
    sid = store._db.execute("SELECT service_id FROM service_facets WHERE has_schedule = 0 ORDER BY 1").fetchone()[0]
    with hsds_rows.atomic(store):
        # the first Monday of every month, 09:00-17:00: only the calendar can place it
        hsds_rows.insert_values(
            store,
            "schedule",
            [
                _row(
                    "schedule",
                    id=stable_id("test-first-monday"),
                    service_id=sid,
                    freq="MONTHLY",
                    byday="1MO",
                    opens_at="09:00",
                    closes_at="17:00",
                )
            ],
        )
        hsds_rows.rebuild_search(store)
    engine = SearchEngine(store)
    first, last = store.queries.date_window()
    holiday = datetime(2031, 5, 5, 10, 0)  # Early May bank holiday, the first Monday of May 2031
    assert hours.bank_holiday(holiday.date()) and holiday.date().isoformat() > last
    svc = store.get_service(sid)
    assert hours.record_state(svc.schedules, svc.verification, svc.evidence_date, holiday)[0] == "unknown"
    hit = next(h for h in engine.search("", Filters(open_at=holiday), limit=500).hits if h.id == sid)
    assert hit.checks == ("open_at",)
    ordinary = datetime(2031, 6, 2, 10, 0)  # the first Monday of June: open, by the calendar
    hit = next(h for h in engine.search("", Filters(open_at=ordinary), limit=500).hits if h.id == sid)
    assert hit.checks == () and hit.open_state == "open"


def test_a_blank_language_code_says_nothing(directory_store):
    store = directory_store
    sid = store._db.execute("SELECT id FROM service ORDER BY id LIMIT 1").fetchone()[0]
    with hsds_rows.atomic(store):
        row = _row("language", id=stable_id("test-blank-language"), service_id=sid, name="", code="  ")
        hsds_rows.insert_values(store, "language", [row])
        hsds_rows.rebuild_search(store)
    result = SearchEngine(store).search("", Filters(language="pl"), limit=500)
    hit = next(h for h in result.hits if h.id == sid)
    assert hit.checks == ("languages",)
    assert result.filter_counts["languages"] == (0, len(result.hits), 0)


def test_the_client_group_filter_follows_the_eligibility_rule(engine):
    from coventry_directory.core.eligibility import ClientProfile, Eligibility, assess

    result = engine.search("", Filters(groups=("adults",)), limit=500)
    marks = {h.id: h.checks for h in result.hits}
    for svc in engine.store.services([h.id for h in engine.search("", limit=500).hits]):
        verdict = assess(svc, ClientProfile(groups=("adults",)))
        if svc.id not in marks:
            # left out only when only for other groups, as an adult with nothing else would be told
            assert verdict.status == Eligibility.EXCLUDED and any("Only for" in r for r in verdict.reasons), svc.key
        elif not marks[svc.id]:
            assert "adults" in svc.client_groups, svc.key
    # adult offenders' services are for offenders: not known to fit "adults"
    every = engine.store.services([h.id for h in engine.search("", limit=500).hits])
    offenders = [s for s in every if set(s.client_groups) == {"offenders", "adults"} and s.groups_required]
    assert offenders and all(s.id not in marks for s in offenders)


def test_a_service_not_listed_as_running_is_never_open(engine):
    store = engine.store
    at = datetime(2026, 11, 23, 21, 0)  # SMART's online meetings run (Monday evening)
    smart = next(h for h in engine.search("smart", Filters(open_at=at), limit=20).hits if h.open_state == "open")
    with hsds_rows.atomic(store):
        store._db.execute("UPDATE service SET status = 'temporarily closed' WHERE id = ?", [smart.id])
        hsds_rows.rebuild_search(store)
    result = engine.search("smart", Filters(open_at=at), limit=20)
    hit = next(h for h in result.hits if h.id == smart.id)
    assert hit.open_state == "unknown" and "temporarily closed" in hit.open_reason
    assert hit.checks == ("open_at",)
    assert engine.search("smart", now=at).hits  # still found, and says so: never "open now"
    assert smart.id not in engine.open_ids(at)


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "--counts"],
        ["search", "--open-at", ""],
        ["search", "--open-at", "9999-12-23 10:00"],
        ["search", "--open-at", "0999-01-02 10:00"],
        ["search", "--language", "junk"],
        ["search", "--language", "polish"],
    ],
)
def test_filters_that_would_say_nothing_are_usage_errors(installed_directory, capsys, argv):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() and "Traceback" not in err


def test_open_at_results_say_then_not_now(installed_directory, capsys):
    assert main(["search", "smart", "--open-at", "2026-11-23 21:00", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "open then" in out and "open now" not in out
