"""The reviewed mapping from other publishers' taxonomy terms to ours (resources/taxonomy-map.toml)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from coventry_directory.core.ids import stable_id
from coventry_directory.core.taxonomy import taxonomy_id, term_id
from coventry_directory.exchange.flatten import flatten_services
from coventry_directory.exchange.importing import import_file
from coventry_directory.exchange.taxonomy_map import (
    TaxonomyMapError,
    add_our_terms,
    bundled_mapping,
    load_mapping,
    normalise_name,
    vocabulary_key,
)
from coventry_directory.exchange.taxonomy_terms import our_attribute
from coventry_directory.exchange.validate import validate_object
from coventry_directory.resources import resource_path
from coventry_directory.store.directory import DirectoryStore

DATA = Path(__file__).parent / "data" / "taxonomy"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"  # the id of the spec's example service
ESD = "esdServiceTypes"
UUID = "5c4d79d7-cc55-470e-9f1f-8cad074e4000"


def example_service() -> dict:
    """The official HSDS 3.0 example service (a fresh copy each time)."""
    return json.loads((DATA / "service_full.json").read_text(encoding="utf-8"))


def foreign_attribute(n: int, code: str, name: str, taxonomy: str = ESD) -> dict:
    """A valid HSDS 3.0 attribute carrying another publisher's term."""
    tid = f"00000000-0000-4000-8000-{n:012d}"
    return {
        "id": f"00000000-0000-4000-9000-{n:012d}",
        "link_id": SERVICE_ID,
        "link_type": taxonomy,
        "link_entity": "service",
        "taxonomy_term_id": tid,
        "taxonomy_term": {"id": tid, "code": code, "name": name, "description": "", "taxonomy": taxonomy},
    }


# --- loading and checking the file ------------------------------------------------------------


def test_the_bundled_mapping_loads_and_every_line_is_reviewed_and_cited():
    mapping = load_mapping()
    assert mapping.path == resource_path("taxonomy-map.toml")
    assert mapping.unreviewed() == []
    assert sorted({e.section for e in mapping.entries}) == ["esd", "names", "open_eligibility"]
    esd = [e for e in mapping.entries if e.section == "esd"]
    assert [(e.code, e.name) for e in esd[:2]] == [("1373", "Needle exchange"), ("727", "Alcohol advice and support")]


def test_a_planted_bad_target_in_the_bundled_file_names_its_line_and_entry(tmp_path):
    text = resource_path("taxonomy-map.toml").read_text(encoding="utf-8")
    planted = text.replace('to = ["category:needle-syringe"]', 'to = ["category:needle-syring"]', 1)  # [esd] 1373
    assert planted != text
    line = next(n for n, s in enumerate(planted.splitlines(), 1) if 'code = "1373"' in s)
    path = tmp_path / "taxonomy-map.toml"
    path.write_text(planted, encoding="utf-8")
    with pytest.raises(TaxonomyMapError) as caught:
        load_mapping(path)
    assert str(caught.value) == (
        f"{path} line {line}, [esd] term 1 (code '1373', name 'Needle exchange'): 'category:needle-syring' "
        "is not one of our terms: category has no code 'needle-syring' (see resources/directory/taxonomy.toml)"
    )


HEAD = 'format = 1\n\n[names]\ntitle = "t"\nterms = [\n'


@pytest.mark.parametrize(
    ("lines", "line", "problem"),
    [
        (
            '  { name = "X", to = ["categry:housing"], reviewed = true, source = "s" },\n',
            6,
            "[names] term 1 (name 'X'): 'categry:housing' is not one of our terms: we have no taxonomy 'categry' "
            "(ours: catchment, category, client_group, delivery_mode, gender, referral_route, substance, verification)",
        ),
        (
            '  { name = "X", to = ["record:key"], reviewed = true, source = "s" },\n',
            6,
            "[names] term 1 (name 'X'): 'record:key' is not one of our terms: we have no taxonomy 'record' "
            "(ours: catchment, category, client_group, delivery_mode, gender, referral_route, substance, verification)",
        ),
        (
            '  { name = "A", to = ["category:housing"], reviewed = true, source = "s" },\n'
            '  { name = "X", taget = ["category:housing"], reviewed = true, source = "s" },\n',
            7,
            "[names] term 2 (name 'X'): unknown key 'taget'",
        ),
        (
            '  { name = "X", to = ["category:housing"], source = "s" },\n',
            6,
            "[names] term 1 (name 'X'): needs reviewed = true or false",
        ),
        (
            '  { name = "X", to = ["category:housing"], reviewed = true },\n',
            6,
            "[names] term 1 (name 'X'): needs source: where the term is published",
        ),
        (
            '  { name = "X", to = [], reviewed = true, source = "s" },\n',
            6,
            """[names] term 1 (name 'X'): needs to = ["taxonomy:code", ...] (our terms)""",
        ),
        (
            '  { code = "7", name = "X", to = ["category:housing"], reviewed = true, source = "s" },\n',
            6,
            "[names] term 1 (code '7', name 'X'): [names] lines have no code: it needs a vocabulary",
        ),
        (
            '  { name = "Drug service", to = ["category:housing"], reviewed = true, source = "s" },\n'
            '  { name = "drug-services", to = ["category:helpline"], reviewed = true, source = "s" },\n',
            7,
            "[names] name 'drug-services': means something else on line 6; set by_name = false on one of them",
        ),
    ],
)
def test_a_bad_line_is_refused_naming_its_line_and_entry(tmp_path, lines, line, problem):
    path = tmp_path / "map.toml"
    path.write_text(HEAD + lines + "]\n", encoding="utf-8")
    with pytest.raises(TaxonomyMapError) as caught:
        load_mapping(path)
    assert str(caught.value) == f"{path} line {line}, {problem}"


def test_a_code_twice_in_a_vocabulary_is_refused(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text(
        'format = 1\n[names]\nterms = []\n\n[esd]\ntitle = "t"\nsource = "s"\nnames = ["esdServiceTypes"]\nterms = [\n'
        '  { code = "1373", to = ["category:needle-syringe"], reviewed = true, source = "s" },\n'
        '  { code = "1373", to = ["category:naloxone"], reviewed = true, source = "s" },\n]\n',
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyMapError) as caught:
        load_mapping(path)
    assert str(caught.value) == f"{path} line 10, [esd] code '1373': is also on line 10"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "format = 1\n[names\n",
            "not valid TOML: Expected ']' at the end of a table declaration (at line 2, column 7)",
        ),
        ("[names]\nterms = []\n", "needs format = 1 (found None)"),
        ("format = 1\n", "has no [names] table"),
    ],
)
def test_an_unusable_file_is_refused(tmp_path, text, message):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyMapError) as caught:
        load_mapping(path)
    assert str(caught.value) == f"{path}: {message}"


def test_an_unreviewed_line_is_read_but_not_used(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text(
        HEAD + '  { name = "Recovery cafe", to = ["category:recovery-support"], reviewed = false, source = "s" },\n]\n'
    )
    mapping = load_mapping(path)
    assert [(e.name, e.line) for e in mapping.unreviewed()] == [("Recovery cafe", 6)]
    assert mapping.targets({"name": "Recovery cafe"}) == []


# --- which of our terms a foreign term means ----------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # LGA service list, ORUK 1.0 service_taxonomys[].taxonomy: id is the code
        ({"id": "1373", "name": "Needle exchange", "vocabulary": ESD}, [("category", "needle-syringe")]),
        ({"id": 727, "name": "Alcohol advice and support", "vocabulary": ESD}, [("substance", "alcohol")]),
        (
            {"id": "http://id.esd.org.uk/service/1100", "name": "Drug treatment and testing orders", "vocabulary": ESD},
            [("category", "criminal-justice"), ("client_group", "offenders")],
        ),
        # LGA service list, HSDS 3.0 taxonomy_term: id is a UUID, code is the code
        (
            {"id": UUID, "code": "112", "name": "Homelessness support", "taxonomy": ESD},
            [("category", "housing"), ("client_group", "homeless")],
        ),
        (
            {"id": UUID, "code": "1284", "name": "?", "taxonomy_detail": {"uri": "http://id.esd.org.uk/list/services"}},
            [("category", "mental-health")],
        ),
        # by term URI alone (http or https, trailing slash), whatever the vocabulary is called
        (
            {"id": UUID, "name": "?", "term_uri": "https://id.esd.org.uk/service/1598/"},
            [("client_group", "offenders"), ("client_group", "young-people")],
        ),
        # the LGA term for clearing discarded needles is deliberately not a needle exchange
        ({"id": "428", "name": "Syringe disposal", "vocabulary": ESD}, []),
        # Open Eligibility
        ({"id": UUID, "code": "1180", "name": "Detox", "taxonomy": "Open Eligibility"}, [("category", "detox-rehab")]),
        ({"id": "20016", "name": "Ex-Offenders", "vocabulary": "OpenEligibility"}, [("client_group", "offenders")]),
        ({"id": "1305", "name": "Help Hotlines", "vocabulary": "Open Eligibility"}, [("category", "helpline")]),
        (
            {"code": "1182", "name": "Residential Treatment", "taxonomy": "Open Eligibility"},
            [("category", "detox-rehab")],
        ),
        # ...whose name alone is ambiguous there (1229 and 1300 are not addiction treatment)
        ({"name": "Residential Treatment", "taxonomy": "Open Eligibility"}, []),
        ({"code": "1300", "name": "Residential Treatment", "taxonomy": "Open Eligibility"}, []),
        ({"name": "Opioid Dependency", "taxonomy": "Open Eligibility"}, [("substance", "opiates")]),
        ({"name": "LGBTQ+", "vocabulary": "Open Eligibility"}, [("client_group", "lgbtq")]),
        # a code means nothing in another vocabulary, or in one we do not know
        ({"code": "1180", "name": "?", "taxonomy": ESD}, []),
        ({"code": "1373", "name": "?", "taxonomy": "Somebody's list"}, []),
        # [names]: in any vocabulary, folded
        (
            {"id": UUID, "name": "Alcoholics Anonymous", "taxonomy": "Somebody's list"},
            [("category", "mutual-aid"), ("substance", "alcohol")],
        ),
        ({"name": "NEEDLE & SYRINGE PROGRAMMES"}, [("category", "needle-syringe")]),
        (
            {"name": "Young People\u2019s Drug and Alcohol Services"},
            [("category", "young-people"), ("client_group", "young-people")],
        ),
        ({"name": "AA"}, []),
        # a code our taxonomy does not have is not ours
        ({"id": UUID, "taxonomy": "category", "code": "gambling", "name": "?"}, []),
        # the official HSDS 3.0 example term is a placeholder
        ({"id": "3f7b145d-84af-42d7-8fae-eaca714b02b2", "code": "code", "name": "name", "taxonomy": "taxonomy"}, []),
        ({}, []),
    ],
)
def test_foreign_terms_map_to_exactly_these_terms_of_ours(term, expected):
    assert bundled_mapping().targets(term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ({"id": term_id("category", "housing"), "name": "Housing and homelessness"}, ("category", "housing")),
        ({"id": UUID, "taxonomy": "substance", "code": "crack", "name": "Crack cocaine"}, ("substance", "crack")),
        ({"id": "veterans", "vocabulary": "client_group", "name": "Veterans"}, ("client_group", "veterans")),
        ({"id": UUID, "taxonomy_id": taxonomy_id("referral_route"), "code": "drop-in"}, ("referral_route", "drop-in")),
    ],
)
def test_our_own_terms_map_to_themselves(term, expected):
    assert bundled_mapping().own_term(term) == expected
    assert bundled_mapping().targets(term) == [expected]


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Needle & Syringe Programmes", "needle syringe programme"),
        ("needle and syringe programme", "needle syringe programme"),
        ("Young People\u2019s Service", "young people service"),
        ("young people's services", "young people service"),
        ("Alcoholics Anonymous", "alcoholic anonymous"),
        ("Families", "family"),
        ("Homeless", "homeless"),
        ("Dual Diagnosis", "dual diagnosis"),
        ("12-Step", "12 step"),
        ("LGBTQ+", "lgbtq"),
        ("  Café  ", "cafe"),
        ("Housing - sheltered - homeless people", "housing sheltered homeless people"),
    ],
)
def test_names_fold_case_punctuation_and_plurals(name, folded):
    assert normalise_name(name) == folded


def test_vocabulary_names_fold_spaces_and_urls():
    assert vocabulary_key("Open Eligibility") == vocabulary_key("OpenEligibility") == "openeligibility"
    assert vocabulary_key("https://www.id.esd.org.uk/list/services/") == "idesdorguklistservices"


# --- adding our terms to a service -------------------------------------------------------------


def test_the_official_example_service_is_left_as_it_is():
    service = example_service()
    before = copy.deepcopy(service)
    out, unmapped = add_our_terms(service)
    assert out is service and out == before
    assert unmapped == ["name"]
    assert validate_object("service", out, "$") == []


def needle_attribute(value: str = "0") -> dict:
    """What add_our_terms adds for category:needle-syringe, spelled out."""
    return {
        "id": stable_id("mapped-attribute", SERVICE_ID, "category", "needle-syringe"),
        "link_id": SERVICE_ID,
        "link_entity": "service",
        "link_type": "category",
        "taxonomy_term_id": term_id("category", "needle-syringe"),
        "value": value,
        "taxonomy_term": {
            "id": term_id("category", "needle-syringe"),
            "code": "needle-syringe",
            "name": "Needle and syringe programme",
            "description": "Clean injecting equipment, sharps bins and return of used equipment.",
            "taxonomy": "category",
            "language": "en",
            "taxonomy_id": taxonomy_id("category"),
            "taxonomy_detail": {
                "id": taxonomy_id("category"),
                "name": "Service category",
                "description": "What kind of help a service gives.",
                "version": "1",
            },
        },
    }


def test_foreign_terms_get_our_terms_added_and_the_rest_are_reported():
    service = example_service()
    service["attributes"].append(foreign_attribute(1, "1373", "Needle exchange"))
    service["attributes"].append(foreign_attribute(2, "1746", "Stopping smoking"))
    # ORUK 1.0 style: the term under service_taxonomys, id = the publisher's code
    service["service_taxonomys"] = [
        {"id": "st-1", "taxonomy": {"id": "727", "name": "Alcohol advice and support", "vocabulary": ESD}}
    ]
    before = copy.deepcopy(service)
    problems_before = validate_object("service", service, "$")
    # the spec's placeholders (link_entity "link_entity"...) are reported by flattening, before and after
    flat_problems_before = flatten_services([service]).problems

    out, unmapped = add_our_terms(service)

    assert service == before  # the input is not changed
    assert out["attributes"][:3] == before["attributes"]  # theirs are kept as they are
    assert out["attributes"][3] == needle_attribute()
    assert [(a["link_type"], a["taxonomy_term"]["code"], a["value"]) for a in out["attributes"][3:]] == [
        ("category", "needle-syringe", "0"),
        ("substance", "alcohol", "0"),
    ]
    assert unmapped == ["name", "Stopping smoking"]
    assert validate_object("service", out, "$") == problems_before
    assert flatten_services([out]).problems == flat_problems_before
    assert [p.path for p in flat_problems_before] == [
        "$[0].attributes[0].link_entity",
        "$[0].metadata[0].resource_type",
    ]


def test_adding_twice_adds_nothing_more():
    service = example_service()
    service["attributes"].append(foreign_attribute(1, "1373", "Needle exchange"))
    once, unmapped_once = add_our_terms(service)
    twice, unmapped_twice = add_our_terms(once)
    assert twice is once
    assert unmapped_once == unmapped_twice == ["name"]
    assert len(twice["attributes"]) == 3


def test_terms_the_service_already_has_are_not_added_again():
    service = example_service()
    service["attributes"] = [
        our_attribute(SERVICE_ID, "category", "housing"),  # ours already (as our own export writes it)
        our_attribute(SERVICE_ID, "record", "keyword"),  # our internal terms are ours too: not "unmapped"
        foreign_attribute(1, "112", "Homelessness support"),  # category:housing, client_group:homeless
        foreign_attribute(2, "103", "Housing - sheltered - homeless people"),  # the same two again
        foreign_attribute(3, "1373", "Needle exchange"),
    ]
    out, unmapped = add_our_terms(service)
    added = [(a["link_type"], a["taxonomy_term"]["code"], a["value"]) for a in out["attributes"][5:]]
    # value is the position in the record: after the category it already had
    assert added == [("client_group", "homeless", "0"), ("category", "needle-syringe", "1")]
    assert out["attributes"][6] == needle_attribute("1")
    assert unmapped == []


def test_an_imported_service_shows_the_categories_its_terms_mean(tmp_path, user_home):
    service = example_service()
    service["attributes"].append(foreign_attribute(1, "1373", "Needle exchange"))
    service["attributes"].append(foreign_attribute(2, "727", "Alcohol advice and support"))
    out, _ = add_our_terms(service)
    (tmp_path / "theirs.json").write_text(json.dumps([out]), encoding="utf-8")
    import_file(tmp_path / "theirs.json", tmp_path / "dir.db")
    store = DirectoryStore.open(tmp_path / "dir.db", readonly=True)
    try:
        imported = store.get_service(SERVICE_ID)
    finally:
        store.close()
    assert imported is not None
    assert (imported.categories, imported.substances, imported.client_groups) == (("needle-syringe",), ("alcohol",), ())
