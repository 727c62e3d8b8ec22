"""The judged query set (queries.toml) and the scores a ranking gets against it.

Read by bench/relevance_bench.py and tests/test_relevance_set.py. Nothing here runs a
search: it loads the judged set, checks its shape, and scores a ranked list of service
keys against one query's judgements.

- success@k: one of the query's ``must`` services is among the first k results.
- nDCG@k: discounted cumulative gain of the first k results over the best possible order
  of the judged services, with gain 2^grade - 1 (a ``must`` service has grade 2, an
  ``also`` service grade 1, anything else 0) and discount log2(rank + 1).
- clean@k, for queries the directory has no right answer to (``expect_none``): the first
  k results hold nothing outside the query's ``also`` list (no results at all is clean).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUERIES_FILE = Path(__file__).resolve().with_name("queries.toml")
FORMAT = 1

PERSONAS = (
    "gp",
    "police",
    "probation",
    "housing",
    "hospital",
    "social-care",
    "outreach",
    "volunteer",
    "parent",
    "young-person",
    "service-user",
)
KINDS = ("professional", "colloquial", "misspelt", "other-language", "place", "filter")
LANGUAGES = ("en", "pl", "ro", "pa", "ur", "ar")
# Filters fields a query may set under `filters` (near and age have their own keys).
FILTER_FIELDS = ("categories", "substances", "groups", "routes", "modes", "gender", "language", "free")
MUST_GRADE, ALSO_GRADE = 2, 1

_QUERY_KEYS = {
    "id",
    "text",
    "near",
    "age",
    "filters",
    "persona",
    "kinds",
    "seed",
    "quote",
    "language",
    "reviewed",
    "expect_none",
    "must",
    "also",
}
_REQUIRED = ("id", "text", "persona", "kinds", "seed", "quote", "must")


class QuerySetError(ValueError):
    """The judged set is malformed; the message names the query and the problem."""


@dataclass(frozen=True)
class Judgement:
    """One service a query expects, by its stable directory key, and why."""

    key: str
    why: str


@dataclass(frozen=True)
class Query:
    """One judged query: what is typed, who types it, and what must come first."""

    id: str
    text: str
    persona: str
    kinds: tuple[str, ...]
    seed: tuple[str, ...]
    quote: str
    must: tuple[Judgement, ...]
    also: tuple[Judgement, ...] = ()
    near: str | None = None
    age: int | None = None
    filters: tuple[tuple[str, Any], ...] = ()  # Filters field name -> value, as the search API takes it
    language: str = "en"
    reviewed: bool = True
    expect_none: bool = False

    @property
    def answerable(self) -> bool:
        """True when the directory holds a service that must come first."""
        return not self.expect_none

    def grades(self) -> dict[str, int]:
        """Service key -> relevance grade (must 2, also 1)."""
        out = {j.key: ALSO_GRADE for j in self.also}
        out.update({j.key: MUST_GRADE for j in self.must})
        return out

    def judged_keys(self) -> list[str]:
        """Every service key the query names."""
        return [j.key for j in (*self.must, *self.also)]


def _judgements(qid: str, field: str, raw: object) -> tuple[Judgement, ...]:
    if not isinstance(raw, list):
        raise QuerySetError(f"{qid}: {field} must be a list of {{key, why}} tables")
    out = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"key", "why"}:
            raise QuerySetError(f"{qid}: each {field} entry needs exactly a key and a why, not {item!r}")
        key, why = item["key"], item["why"]
        if not isinstance(key, str) or not key or not isinstance(why, str) or not why.strip():
            raise QuerySetError(f"{qid}: {field} entry {item!r} needs a non-empty key and why")
        out.append(Judgement(key, why.strip()))
    return tuple(out)


def _query(raw: dict) -> Query:
    qid = raw.get("id", "?")
    unknown = set(raw) - _QUERY_KEYS
    if unknown:
        raise QuerySetError(f"{qid}: unknown field(s) {sorted(unknown)}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise QuerySetError(f"{qid}: missing {missing}")
    if not isinstance(raw["text"], str):
        raise QuerySetError(f"{qid}: text must be a string")
    filters = raw.get("filters", {})
    if not isinstance(filters, dict) or set(filters) - set(FILTER_FIELDS):
        raise QuerySetError(f"{qid}: filters may only set {FILTER_FIELDS}, not {filters!r}")
    age = raw.get("age")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120):
        raise QuerySetError(f"{qid}: age must be a whole number from 0 to 120")
    seed = raw["seed"]
    if not isinstance(seed, list) or not seed or not all(isinstance(s, str) for s in seed):
        raise QuerySetError(f"{qid}: seed must be a non-empty list of citations")
    kinds = raw["kinds"]
    if not isinstance(kinds, list) or not kinds or set(kinds) - set(KINDS):
        raise QuerySetError(f"{qid}: kinds must be a non-empty list from {KINDS}")
    query = Query(
        id=qid,
        text=raw["text"],
        persona=raw["persona"],
        kinds=tuple(kinds),
        seed=tuple(seed),
        quote=raw["quote"],
        must=_judgements(qid, "must", raw["must"]),
        also=_judgements(qid, "also", raw.get("also", [])),
        near=raw.get("near"),
        age=age,
        filters=tuple(sorted(filters.items())),
        language=raw.get("language", "en"),
        reviewed=raw.get("reviewed", True),
        expect_none=raw.get("expect_none", False),
    )
    _check(query)
    return query


def _check(q: Query) -> None:
    """The rules every query keeps (each with a message naming the query)."""
    if q.persona not in PERSONAS:
        raise QuerySetError(f"{q.id}: persona {q.persona!r} is not one of {PERSONAS}")
    if q.language not in LANGUAGES:
        raise QuerySetError(f"{q.id}: language {q.language!r} is not one of {LANGUAGES}")
    if (q.language != "en") != ("other-language" in q.kinds):
        raise QuerySetError(f"{q.id}: an other-language query names its language, and only such a query does")
    if q.language != "en" and q.reviewed is not False:
        raise QuerySetError(f"{q.id}: an other-language query stays reviewed = false until a fluent speaker checks it")
    if not isinstance(q.expect_none, bool) or not isinstance(q.reviewed, bool):
        raise QuerySetError(f"{q.id}: expect_none and reviewed are true or false")
    if q.expect_none == bool(q.must):
        raise QuerySetError(f"{q.id}: a query has must-come-first services, or expect_none = true, not both")
    keys = q.judged_keys()
    if len(keys) != len(set(keys)):
        raise QuerySetError(f"{q.id}: a service is judged twice")
    if not q.text.strip() and not q.filters and q.near is None and q.age is None:
        raise QuerySetError(f"{q.id}: a query needs text or a filter")
    if (q.filters or q.age is not None) and "filter" not in q.kinds:
        raise QuerySetError(f"{q.id}: a query that sets an age or filters is of kind 'filter'")
    if not q.quote.strip():
        raise QuerySetError(f"{q.id}: quote must not be empty")


def load_queries(path: Path = QUERIES_FILE) -> list[Query]:
    """Every judged query in ``path``, checked (QuerySetError names the first problem)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    if data.get("format") != FORMAT:
        raise QuerySetError(f"{path.name}: format must be {FORMAT}")
    queries = [_query(raw) for raw in data.get("query", [])]
    ids = [q.id for q in queries]
    if len(ids) != len(set(ids)):
        raise QuerySetError(f"{path.name}: query ids are not unique")
    return queries


# --- scores ------------------------------------------------------------------------------
def success_at(ranked: Sequence[str], must: Sequence[str], k: int = 3) -> bool:
    """True when one of ``must`` is among the first ``k`` keys of ``ranked``."""
    wanted = set(must)
    return any(key in wanted for key in ranked[:k])


def ndcg_at(ranked: Sequence[str], grades: dict[str, int], k: int = 5) -> float:
    """Normalised discounted cumulative gain of the first ``k`` of ``ranked`` (0.0 to 1.0).

    A key counts once (a repeat gains nothing). With no judged service at all the ideal
    gain is zero and so is the score.
    """
    seen: set[str] = set()
    dcg = 0.0
    for i, key in enumerate(ranked[:k]):
        if key in seen:
            continue
        seen.add(key)
        dcg += (2 ** grades.get(key, 0) - 1) / math.log2(i + 2)
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def clean_at(ranked: Sequence[str], allowed: Sequence[str], k: int = 3) -> bool:
    """True when the first ``k`` keys hold nothing outside ``allowed`` (an empty list is clean)."""
    ok = set(allowed)
    return all(key in ok for key in ranked[:k])


def first_rank(ranked: Sequence[str], must: Sequence[str]) -> int | None:
    """The 1-based rank of the first ``must`` key in ``ranked``, or None."""
    wanted = set(must)
    return next((i for i, key in enumerate(ranked, 1) if key in wanted), None)


@dataclass(frozen=True)
class Score:
    """One query's scores for one ranking."""

    query: str
    answerable: bool
    success3: bool
    ndcg5: float
    clean3: bool
    rank: int | None


def score(query: Query, ranked: Sequence[str]) -> Score:
    """Score the ranked service keys one search returned for ``query``."""
    must = [j.key for j in query.must]
    return Score(
        query=query.id,
        answerable=query.answerable,
        success3=success_at(ranked, must) if query.answerable else False,
        ndcg5=ndcg_at(ranked, query.grades()) if query.answerable else 0.0,
        clean3=clean_at(ranked, [j.key for j in query.also]),
        rank=first_rank(ranked, must),
    )


@dataclass(frozen=True)
class Summary:
    """Mean scores over a set of queries: success@3 and nDCG@5 over the answerable ones."""

    answerable: int
    success3: float
    ndcg5: float
    no_answer: int
    clean3: float


def summarise(scores: Sequence[Score]) -> Summary:
    """The means of ``scores`` (answerable and no-answer queries counted apart)."""
    ans = [s for s in scores if s.answerable]
    none = [s for s in scores if not s.answerable]
    return Summary(
        answerable=len(ans),
        success3=sum(s.success3 for s in ans) / len(ans) if ans else 0.0,
        ndcg5=sum(s.ndcg5 for s in ans) / len(ans) if ans else 0.0,
        no_answer=len(none),
        clean3=sum(s.clean3 for s in none) / len(none) if none else 0.0,
    )
