"""Local answers first among 100,000 far-away services that match the words better.

The real directory (the shipped edition) gets 100,000 distractors: services whose names hold
every word the judged queries use, with every category, substance and age the filters
ask for, placed across England at least 60 km from Coventry and Warwickshire, and with
ids that sort before every real service. The index numbers services along a curve
through their places (``store.search_index``): tens of thousands of distractors come
before every real service in it, so the full-text index meets them first. A search that
took the first N matches in index order (what the first version did) sees only
distractors. For one judged query of each kind (bench/relevance/queries.toml:
words with a place, a place in the words, a postcode, filters with no words, an age and
a place, a substance filter, no place at all), the service that must come first is in
the top three, and no distractor comes before any local result.
"""

from __future__ import annotations

import math
import shutil
import tomllib
from pathlib import Path

import pytest
from edition_facts import EDITION_SERVICES

from coventry_directory.core.ids import stable_id
from coventry_directory.core.locality import LOCAL_KM
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, term_id
from coventry_directory.store import hsds_rows
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.schema import column_names

QUERIES = Path(__file__).resolve().parent.parent / "bench" / "relevance" / "queries.toml"
DISTRACTORS = 100_000
DISTRACTOR_NAME = "Needle exchange naloxone methadone alcohol drug test on arrest treatment service {n}"
# What every distractor lists: the categories and substances the chosen queries filter on.
CATEGORIES = ("needle-syringe", "naloxone", "treatment-adult", "young-people", "criminal-justice")
SUBSTANCES = ("alcohol", "opiates", "any")
COVENTRY = (52.40806, -1.51056)
MIN_KM = 60.0  # every distractor is at least this far from Coventry and Warwickshire's edge

# One judged query of each kind (ids from bench/relevance/queries.toml).
KINDS = {
    "words and a place filter": "gp-refer-alcohol-nuneaton",
    "a place in the words": "outreach-needle-exchange-near-bedworth",
    "a place in the words, served by catchment": "outreach-naloxone-rugby",
    "a postcode": "service-user-naloxone-cv1",
    "a filter and a place, no words": "outreach-naloxone-category-rugby",
    "an age filter and a place": "parent-alcohol-age-16-leamington-filters",
    "a substance filter and a place": "service-user-help-alcohol-stratford-filter",
    "no place": "police-test-on-arrest",
}


def _judged() -> dict[str, dict]:
    with open(QUERIES, "rb") as fh:
        return {q["id"]: q for q in tomllib.load(fh)["query"]}


def _far_points(count: int) -> list[tuple[float, float]]:
    """``count`` points on a grid over England and Wales (repeating), none near Coventry and Warwickshire."""
    grid = []
    for i in range(240):
        for j in range(240):
            lat, lon = 50.4 + i * 0.02, -4.6 + j * 0.028
            dy = (lat - COVENTRY[0]) * 111.2
            dx = (lon - COVENTRY[1]) * 111.2 * math.cos(math.radians(lat))
            if math.hypot(dx, dy) >= MIN_KM + 35:  # Coventry to Warwickshire's far edge is under 35 km
                grid.append((lat, lon))
    return [grid[n % len(grid)] for n in range(count)]


def _row(table: str, **values) -> tuple:
    return tuple(values.get(c) for c in column_names(table))


def _plant(store: DirectoryStore, count: int) -> None:
    """Write ``count`` distractor services straight into the HSDS tables, then rebuild the search index."""
    org = "00000000-0000-4000-8000-000000000000"
    services, locations, links, attributes = [], [], [], []
    for n, (lat, lon) in enumerate(_far_points(count)):
        sid = f"00000000-0000-4000-8000-{n + 1:012d}"  # before every real id
        services.append(
            _row(
                "service",
                id=sid,
                organization_id=org,
                name=DISTRACTOR_NAME.format(n=n),
                description="Needle exchange, naloxone, methadone and alcohol treatment, test on arrest.",
                status="active",
                minimum_age=0,
                maximum_age=120,
                assured_date="2026-11-01",
            )
        )
        loc = stable_id("distractor-location", n)
        locations.append(
            _row("location", id=loc, location_type="physical", name=f"Base {n}", latitude=lat, longitude=lon)
        )
        links.append(_row("service_at_location", id=stable_id("distractor-sal", n), service_id=sid, location_id=loc))
        codes = [("category", c) for c in CATEGORIES] + [("substance", s) for s in SUBSTANCES]
        codes.append((RECORD_TAXONOMY, "key"))
        for k, (taxonomy, code) in enumerate(codes):
            value = f"distractor-{n}" if code == "key" else str(k)
            attributes.append(
                _row(
                    "attribute",
                    id=stable_id("distractor-attribute", n, k),
                    link_id=sid,
                    link_type=taxonomy,
                    link_entity="service",
                    taxonomy_term_id=term_id(taxonomy, code),
                    value=value,
                )
            )
    with hsds_rows.atomic(store):
        hsds_rows.insert_values(store, "organization", [_row("organization", id=org, name="Distractor Trust")])
        hsds_rows.insert_values(store, "service", services)
        hsds_rows.insert_values(store, "location", locations)
        hsds_rows.insert_values(store, "service_at_location", links)
        hsds_rows.insert_values(store, "attribute", attributes)
        hsds_rows.rebuild_search(store)


@pytest.fixture(scope="module")
def engine(built_directory, tmp_path_factory):
    """The real directory plus 100,000 distractors, built once for this module."""
    path = tmp_path_factory.mktemp("scale") / "directory.db"
    shutil.copyfile(built_directory, path)
    store = DirectoryStore.open(path)
    _plant(store, DISTRACTORS)
    yield SearchEngine(store)
    store.close()


def _filters(q: dict) -> Filters:
    extra = q.get("filters", {})
    return Filters(near=q.get("near"), age=q.get("age"), **{k: v for k, v in extra.items()})


def test_the_distractors_are_there_and_match_better(engine):
    store = engine.store
    assert store.count_services() == EDITION_SERVICES + DISTRACTORS
    # the index meets thousands of distractors before any real service (its first N are all distractors)
    before = store._db.execute(
        "SELECT count(*) FROM service_facets WHERE rowid < "
        "(SELECT min(rowid) FROM service_facets WHERE key NOT LIKE 'distractor-%')"
    ).fetchone()[0]
    assert before >= 10_000
    # a distractor outscores the real answer on words alone: it is only its place that loses
    hits = engine.search("needle exchange", limit=500).hits
    assert any(h.key.startswith("distractor-") for h in hits)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_local_answer_comes_first_among_100k_distractors(engine, kind):
    q = _judged()[KINDS[kind]]
    must = {m["key"] for m in q["must"]}
    hits = engine.search(q["text"], _filters(q), limit=20).hits
    top3 = [h.key for h in hits[:3]]
    assert must & set(top3), f"{kind}: {q['text']!r} near {q.get('near')!r} gave {top3}"
    # a distractor comes before a real service only if that one is far too (core.locality)
    first_far = next((i for i, h in enumerate(hits) if h.key.startswith("distractor-")), len(hits))
    for h in hits[first_far:]:
        if not h.key.startswith("distractor-"):
            assert h.distance_km is not None and h.distance_km > LOCAL_KM, [x.key for x in hits]
    for h in hits:
        if h.key.startswith("distractor-"):
            assert h.distance_km is None or h.distance_km > LOCAL_KM
