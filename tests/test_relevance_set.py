"""The relevance benchmark's judged query set (bench/relevance/queries.toml) and its scores.

The set must be well-formed, name only services the shipped directory has, say who each
query comes from and where in the source documents, and cover every persona and kind of
query; the scoring functions must compute success@3 and nDCG@5 right. Nothing here is
timed: the benchmark itself is bench/relevance_bench.py.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "relevance"))

from relevance_set import (  # noqa: E402 - the bench folder is put on the path first
    KINDS,
    PERSONAS,
    QuerySetError,
    clean_at,
    first_rank,
    load_queries,
    ndcg_at,
    score,
    success_at,
    summarise,
)

from coventry_directory.core.search import Filters  # noqa: E402
from coventry_directory.core.taxonomy import vocabularies  # noqa: E402

SOURCES = ROOT / "resources" / "directory"
SHIPPED = ROOT / "resources" / "directory.db"
QUERIES = load_queries()
FILTER_TAXONOMY = {
    "categories": "category",
    "substances": "substance",
    "groups": "client_group",
    "routes": "referral_route",
    "modes": "delivery_mode",
}


def _plain(text: str) -> str:
    """Text folded for comparing a quote with its line: case, curly quotes, spacing."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for curly, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, plain)
    return " ".join(text.split())


def _document_lines() -> dict[str, list[str]]:
    with open(SOURCES / "sources.toml", "rb") as fh:
        docs = tomllib.load(fh)["document"]
    return {d["id"]: (SOURCES / d["file"]).read_text(encoding="utf-8").splitlines() for d in docs}


# --- the judged set -----------------------------------------------------------------------------
def test_the_set_is_large_enough_and_covers_every_persona_and_kind():
    assert len(QUERIES) >= 60
    personas = {q.persona for q in QUERIES}
    assert personas == set(PERSONAS), set(PERSONAS) - personas
    kinds = {k for q in QUERIES for k in q.kinds}
    assert kinds == set(KINDS), set(KINDS) - kinds
    for language in ("pl", "ro", "pa", "ur", "ar"):
        assert any(q.language == language for q in QUERIES), language
    # each kind is more than a token: at least five queries of it
    for kind in KINDS:
        assert sum(kind in q.kinds for q in QUERIES) >= 5, kind
    assert sum(q.answerable for q in QUERIES) >= 60


def test_the_set_holds_the_questions_the_issue_names():
    texts = {_plain(q.text) for q in QUERIES}
    for words in (
        "my son smokes weed",
        "bupe",
        "script",
        "chemsex",
        "dv",
        "needle exchange near bedworth",
        "naloxone rugby",
        "methadone stratford",
        "alcohol age 16 leamington",
        "family support coventry",
    ):
        assert words in texts, words
    assert any(q.age is not None for q in QUERIES)
    assert any(dict(q.filters).get("gender") for q in QUERIES)
    assert any("pregnant" in dict(q.filters).get("groups", ()) for q in QUERIES)


def test_every_named_service_is_in_the_shipped_directory():
    from coventry_directory.core.directory_source import read_directory
    from coventry_directory.store.directory import DirectoryStore

    assert SHIPPED.is_file(), "resources/directory.db is missing: run .venv/bin/coventry-directory build-db"
    named = {k for q in QUERIES for k in q.judged_keys()}
    in_sources = {s.key for s in read_directory().services}
    assert named <= in_sources, f"not in resources/directory/services: {sorted(named - in_sources)}"
    store = DirectoryStore.open(SHIPPED, readonly=True)
    try:
        missing = sorted(k for k in named if store.resolve_service_id(k) is None)
    finally:
        store.close()
    assert not missing, f"resources/directory.db is stale (run build-db): {missing}"


def test_every_query_has_a_persona_and_a_seed_line_that_says_it():
    lines = _document_lines()
    for q in QUERIES:
        assert q.persona in PERSONAS, q.id
        found = []
        for cite in q.seed:
            m = re.fullmatch(r"([a-z0-9-]+) L([0-9]+)", cite)
            assert m, f"{q.id}: seed {cite!r} is not 'DOC-ID L<line>'"
            doc, line = m.group(1), int(m.group(2))
            assert doc in lines, f"{q.id}: no source document {doc!r}"
            assert 1 <= line <= len(lines[doc]) and lines[doc][line - 1].strip(), (
                f"{q.id}: {cite} is not a line of text"
            )
            found.append(_plain(lines[doc][line - 1]))
        assert any(_plain(q.quote) in text for text in found), f"{q.id}: {q.quote!r} is not on {q.seed}"


def test_every_judgement_gives_a_reason_and_no_answer_queries_say_so():
    for q in QUERIES:
        for j in (*q.must, *q.also):
            assert len(j.why) > 15, (q.id, j.key)
        if q.expect_none:
            assert not q.must, q.id
        else:
            assert q.must, q.id
    assert any(q.expect_none for q in QUERIES)


def test_other_language_queries_are_marked_unreviewed_with_their_language():
    other = [q for q in QUERIES if "other-language" in q.kinds]
    assert len(other) >= 10
    for q in other:
        assert q.language in ("pl", "ro", "pa", "ur", "ar"), q.id
        assert q.reviewed is False, q.id
    assert all(q.language == "en" for q in QUERIES if q not in other)


def test_filters_are_the_search_api_s_with_real_codes():
    fields = {f.name for f in dataclasses.fields(Filters)}
    vocab = vocabularies()
    for q in QUERIES:
        for name, value in q.filters:
            assert name in fields, f"{q.id}: Filters has no field {name!r}"
            if name in FILTER_TAXONOMY:
                codes = vocab[FILTER_TAXONOMY[name]].codes()
                assert isinstance(value, list) and value and set(value) <= set(codes), (q.id, name, value)
            elif name == "gender":
                assert value in ("female", "male"), q.id
        Filters(**dict(q.filters))  # the API takes them as they are


def test_a_malformed_set_is_refused(tmp_path):
    good = (
        'format = 1\n[[query]]\nid = "a"\ntext = "naloxone"\npersona = "gp"\nkinds = ["place"]\n'
        'seed = ["cov-2023 L161"]\nquote = "Naloxone"\nmust = [{ key = "cov-pharmacy-naloxone", why = "the kits" }]\n'
    )
    path = tmp_path / "q.toml"
    path.write_text(good)
    assert [q.id for q in load_queries(path)] == ["a"]
    for broken, message in (
        (good.replace('"gp"', '"plumber"'), "persona"),
        (good.replace('kinds = ["place"]', 'kinds = ["place"]\nnearby = "Rugby"'), "unknown field"),
        (good.replace('kinds = ["place"]', 'kinds = ["place"]\nlanguage = "pl"'), "other-language"),
        (good.replace('kinds = ["place"]', 'kinds = ["other-language"]\nlanguage = "pl"'), "reviewed = false"),
        (good.replace('kinds = ["place"]', 'kinds = ["place"]\nexpect_none = true'), "not both"),
        (good.replace('kinds = ["place"]', 'kinds = ["place"]\nage = 16'), "kind 'filter'"),
        (good.replace('why = "the kits"', 'why = ""'), "non-empty key and why"),
        (good + good.split("\n", 1)[1], "not unique"),
    ):
        path.write_text(broken)
        with pytest.raises(QuerySetError, match=message):
            load_queries(path)


# --- the scores -----------------------------------------------------------------------------------
def test_success_at_3_looks_at_the_first_three_only():
    assert success_at(["a", "x", "y"], ["a"])
    assert success_at(["x", "y", "b"], ["a", "b"])
    assert not success_at(["x", "y", "z", "a"], ["a"])
    assert not success_at([], ["a"])
    assert first_rank(["x", "y", "z", "a"], ["b", "a"]) == 4
    assert first_rank(["x"], ["a"]) is None


def test_ndcg_at_5_by_hand():
    grades = {"a": 2, "b": 1}
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at(["a", "b", "x"], grades) == pytest.approx(1.0)
    # b first (gain 1 at rank 1), a third (gain 3 at rank 3, discount log2(4) = 2)
    assert ndcg_at(["b", "x", "a"], grades) == pytest.approx((1 + 3 / 2) / ideal)
    assert ndcg_at(["x", "a"], grades) == pytest.approx((3 / math.log2(3)) / ideal)
    assert ndcg_at(["x", "y", "z", "w", "v", "a"], grades) == 0.0  # sixth is past the cut
    assert ndcg_at(["a", "a"], grades) == pytest.approx(3 / ideal)  # a repeat gains nothing
    assert ndcg_at([], grades) == 0.0
    assert ndcg_at(["a"], {}) == 0.0


def test_clean_at_3_and_a_query_s_scores():
    assert clean_at([], ["a"])
    assert clean_at(["a", "b", "c", "x"], ["a", "b", "c"])
    assert not clean_at(["a", "x"], ["a"])
    by_id = {q.id: q for q in QUERIES}
    q = by_id["outreach-naloxone-rugby"]
    s = score(q, ["x", "cgl-warwickshire-naloxone", "cgl-warwickshire-adult-service"])
    assert s.answerable and s.success3 and s.rank == 2
    ideal = 3 + 3 / math.log2(3) + 1 / 2
    assert s.ndcg5 == pytest.approx((3 / math.log2(3) + 1 / 2) / ideal)
    none = by_id["gp-chemsex-coventry"]
    assert score(none, []).clean3 and not score(none, []).answerable
    assert not score(none, ["cw-fdac"]).clean3
    summary = summarise([s, score(q, []), score(none, []), score(none, ["cw-fdac"])])
    assert (summary.answerable, summary.success3, summary.no_answer, summary.clean3) == (2, 0.5, 2, 0.5)
    assert summary.ndcg5 == pytest.approx(s.ndcg5 / 2)
