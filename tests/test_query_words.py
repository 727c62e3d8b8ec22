"""The client's words, against the real shipped directory.

No English word is "corrected" into another; slang and professional terms are known; and
queries in the leaflet languages find services.

Every case here was once wrong: "my son smokes weed" searched for "makes", "fără adăpost"
found an ambulance, and "bupe", "dv", "pregnant", "chemsex" and the app's own Polish labels
found nothing.
"""

from __future__ import annotations

import tomllib

import pytest

from coventry_directory.core import query_words
from coventry_directory.core.query import Vocabulary, parse_query
from coventry_directory.core.query_words import (
    SynonymFileError,
    english_meaning,
    foreign_index,
    foreign_key,
    is_english,
    phrase,
    synonym_index,
)
from coventry_directory.core.search import SearchEngine
from coventry_directory.resources import resource_path


@pytest.fixture(scope="module")
def engine(built_directory):
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(built_directory)
    yield SearchEngine(store)
    store.close()


def keys(engine, query: str, limit: int = 5) -> list[str]:
    """The keys of the top ``limit`` hits for ``query``."""
    return [h.key for h in engine.search(query, limit=limit).hits]


# --- a real English word is never "corrected" ------------------------------------------------
def test_smokes_is_not_corrected_and_the_cannabis_service_is_found(engine):
    result = engine.search("my son smokes weed", limit=3)
    assert result.query.corrections == {}
    assert not any("Showing results for" in note for note in result.notes)
    assert all(t.text != "makes" for g in result.query.groups for t in g.terms)
    assert "cov-positive-choices" in [h.key for h in result.hits]


def test_an_english_word_has_no_corrections_even_beside_a_near_directory_word():
    vocabulary = Vocabulary({"makes": 50, "bude": 900})
    assert vocabulary.corrections("smokes") == []
    assert vocabulary.corrections("heroine") == []  # English, so the heroin synonym carries it instead
    assert vocabulary.corrections("mkaes") == ["makes"]  # not a word: correction still works


def test_a_word_typed_with_accents_is_never_corrected(engine):
    parsed = parse_query("fără", engine.vocabulary)
    assert parsed.corrections == {}


def test_typos_are_still_corrected(engine):
    for typed, fixed in [("nalaxone", "naloxone"), ("methodone", "methadone"), ("samaratins", "samaritans")]:
        assert parse_query(typed, engine.vocabulary).corrections == {typed: fixed}


def test_a_correction_prefers_synonym_words_then_the_edition_then_english():
    # a synonym-list word wins even one edit further away than a word only a feed uses
    assert Vocabulary({"nalaxonee": 1000}).corrections("nalaxonne")[0] == "naloxone"
    # at equal distance, the edition's own words beat a far more used feed word...
    vocabulary = Vocabulary({"bedworth": 1, "bedwarth": 500}, preferred={"bedworth"})
    assert vocabulary.corrections("bedwerth")[0] == "bedworth"
    # ...and an English word beats a name only a feed uses
    assert Vocabulary({"bedwarth": 500, "bedroom": 1}).corrections("bedrom")[0] == "bedroom"


def test_the_english_word_list_is_the_cited_scowl_list():
    path = resource_path("search", "english-words.txt")
    listed = path.read_text(encoding="ascii").split()
    assert 50_000 <= len(listed) <= 80_000
    assert listed == sorted(set(listed))
    assert all(w.isalpha() and w.islower() for w in listed)
    for word in ("smokes", "behaviour", "centre", "pregnant", "weed"):
        assert is_english(word)
    for word in ("bude", "bupe", "nalaxone", "methodone", "narkotyki", "fara", "cara"):
        assert not is_english(word)
    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    assert "462a205bafd7299ca60deadb0cdd3730fd0efa56" in readme and "SCOWL" in readme
    assert "Kevin Atkinson" in (path.parent / "english-words-COPYRIGHT.txt").read_text(encoding="utf-8")


# --- colloquial and professional terms ----------------------------------------------------------
def test_bupe_near_coventry_finds_opioid_substitution(engine):
    result = engine.search("bupe coventry", limit=3)
    assert result.query.corrections == {}  # it once became "Bude"
    assert "cov-pharmacy-supervised-consumption" in [h.key for h in result.hits]
    assert "cgl-warwickshire-opioid-substitution-prescribing" in keys(engine, "bupe", 3)


def test_dv_finds_the_services_that_mention_domestic_abuse(engine):
    found = keys(engine, "dv", 10)
    assert {"cw-fdac", "helping-hands-leamington-drop-in"} <= set(found)
    assert set(keys(engine, "domestic violence", 10)) == set(found)


def test_pregnant_finds_adult_treatment(engine):
    hits = engine.search("pregnant coventry", limit=5).hits
    assert "cov-cgl-adult" in [h.key for h in hits]
    assert all("treatment-adult" in h.categories for h in hits)


def test_chemsex_finds_services_for_any_substance(engine):
    result = engine.search("chemsex coventry", limit=5)
    assert result.query.groups[0].substance == "any"
    assert "cov-cgl-adult" in [h.key for h in result.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("script", "cgl-warwickshire-opioid-substitution-prescribing"),
        ("gear", "cgl-warwickshire-opioid-substitution-prescribing"),
        ("heroine", "cgl-warwickshire-opioid-substitution-prescribing"),
        ("spice", "cgl-warwickshire-leamington-hub"),
        ("weed", "cov-positive-choices"),
    ],
)
def test_slang_finds_the_service(engine, query, expected):
    assert expected in keys(engine, query, 5)


def test_every_synonym_group_says_whether_it_is_reviewed():
    with open(resource_path("search", "synonyms.toml"), "rb") as fh:
        groups = tomllib.load(fh)["group"]
    assert groups and all(isinstance(g.get("reviewed"), bool) for g in groups)
    assert any(not g["reviewed"] for g in groups)  # the new terms wait for a worker's review


def test_a_group_without_reviewed_is_refused(monkeypatch):
    monkeypatch.setattr(query_words, "_synonym_data", lambda: {"group": [{"terms": ["x"]}], "substances": {}})
    query_words.synonym_groups.cache_clear()
    try:
        with pytest.raises(SynonymFileError, match="reviewed"):
            query_words.synonym_groups()
    finally:
        query_words.synonym_groups.cache_clear()


# --- other languages ----------------------------------------------------------------------------
def test_polish_labels_and_words_find_services(engine):
    assert set(keys(engine, "narkotyki", 10)) == set(keys(engine, "drug", 10))
    assert set(keys(engine, "narkotyków", 10)) == set(keys(engine, "drug", 10))  # another ending
    assert "cov-positive-choices" in keys(engine, "marihuana", 3)  # the app's own label
    assert "cov-positive-choices" in keys(engine, "marihuanę", 3)
    assert "nat-ca" in keys(engine, "kokaina", 3)
    assert parse_query("alkohol").translations == {"alkohol": "alcohol"}


def test_romanian_homeless_finds_housing_not_the_ambulance(engine):
    for query in ("fără adăpost", "fara adapost"):
        result = engine.search(query, limit=20)
        found = [h.key for h in result.hits]
        assert result.query.corrections == {}
        assert "cov-cara-alcohol-ambulance" not in found
        assert all("housing" in h.categories for h in result.hits[:3])
        assert "cov-cyrenians" in found[:3]


@pytest.mark.parametrize("query", ["ਸ਼ਰਾਬ", "شراب", "كحول", "الكحول", "alkohol", "alcool"])
def test_alcohol_in_other_languages_finds_the_alcohol_services(engine, query):
    assert set(keys(engine, query, 10)) == set(keys(engine, "alcohol", 10))


def test_every_catalog_language_finds_housing_by_its_label(engine):
    from coventry_directory.i18n.catalogs import translated_codes, translation_for

    for code in translated_codes():
        label = translation_for(code).gettext("Housing and homelessness")
        assert label != "Housing and homelessness", code
        hits = engine.search(label, limit=3).hits
        assert hits and all("housing" in h.categories for h in hits), (code, label)


def test_multilingual_entries_are_marked_and_point_at_english_terms():
    with open(resource_path("search", "synonyms-multilingual.toml"), "rb") as fh:
        entries = tomllib.load(fh)["entry"]
    assert {"pl", "ro", "pa", "ur", "ar"} <= {e["lang"] for e in entries}
    for entry in entries:
        assert entry["reviewed"] is False, entry  # until a fluent speaker has checked them
        means = phrase(entry["means"])
        assert means in synonym_index() or (" " not in means and is_english(means)), entry


def test_no_foreign_word_takes_over_an_english_one():
    for key in foreign_index():
        assert key not in synonym_index(), key
        assert not all(is_english(w) for w in key.split()), key
    assert foreign_key("care") is None and foreign_key("crack") is None
    assert "crack" in english_meaning("crack").english


def test_an_inflection_must_share_most_of_the_word():
    assert foreign_index()[foreign_key("narkotykami")].english == "drug"
    assert foreign_index()[foreign_key("bezdomnych")].english == "homeless"
    assert foreign_key("narkoza") is None  # anaesthesia: shares "narko", but "narkotyk" goes on for three


def test_a_translated_word_is_said_and_marked_unchecked(engine):
    result = engine.search("bezdomny")
    assert "Also searched as “homeless” (for “bezdomny”: a translation not yet checked by a fluent speaker)." in (
        result.notes
    )
    assert not any("Also searched" in n for n in engine.search("homeless").notes)  # English: nothing to say


def test_a_translation_counts_as_checked_only_when_every_source_of_it_is(monkeypatch):
    own = [
        {"lang": "pl", "means": "homeless", "words": ["zzbezdach"], "reviewed": True},
        {"lang": "pl", "means": "homeless", "words": ["zzniesprawdzone"], "reviewed": False},
        # listed again as checked: its other sources (the shipped list, the Polish catalog: unchecked) still count
        {"lang": "pl", "means": "drug", "words": ["narkotyki"], "reviewed": True},
    ]
    entries = [*query_words.multilingual_entries(), *own]
    monkeypatch.setattr(query_words, "multilingual_entries", lambda: entries)
    query_words.foreign_index.cache_clear()
    try:
        index = query_words.foreign_index()
        assert index["zzbezdach"].reviewed is True
        assert index["zzniesprawdzone"].reviewed is False
        assert index["narkotyki"].reviewed is False
    finally:
        query_words.foreign_index.cache_clear()
