"""Where a service is, and whom it serves, decide its place in the results (core.locality).

Services planted beside the real directory (the shipped edition): a feed service with an address
in Leeds and no coordinates, one whose coordinates are impossible, near services of
different strengths, a service matching a substance word and another word, and language
codes in other scripts. Each test states one rule of docs/architecture.md, "Search".
"""

from __future__ import annotations

import math

import pytest

from coventry_directory.core.ids import stable_id
from coventry_directory.core.locality import FAR, NEAR, SERVES, locality_of
from coventry_directory.core.places import resolve_place
from coventry_directory.core.search import Filters, SearchEngine
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, term_id
from coventry_directory.store import hsds_rows
from coventry_directory.store.schema import column_names

RUGBY = (52.37, -1.26)


def _row(table: str, **values) -> tuple:
    return tuple(values.get(c) for c in column_names(table))


def _east(point: tuple[float, float], km: float) -> tuple[float, float]:
    lat, lon = point
    return lat, lon + km / (111.2 * math.cos(math.radians(lat)))


def plant(store, specs: list[dict]) -> SearchEngine:
    """Add services (name, description, point, address, catchment, substances, languages) and rebuild search."""
    org = stable_id("test-org", "planted")
    services, locations, links, addresses, attributes, languages = [], [], [], [], [], []
    for spec in specs:
        sid = stable_id("test-service", spec["key"])
        services.append(
            _row(
                "service",
                id=sid,
                organization_id=org,
                name=spec["name"],
                description=spec.get("description", ""),
                status="active",
            )
        )
        if "point" in spec or "address" in spec:
            loc = stable_id("test-location", spec["key"])
            lat, lon = spec.get("point", (None, None))
            locations.append(
                _row("location", id=loc, location_type="physical", name="Base", latitude=lat, longitude=lon)
            )
            links.append(
                _row("service_at_location", id=stable_id("test-sal", spec["key"]), service_id=sid, location_id=loc)
            )
            if "address" in spec:
                postcode, city = spec["address"]
                addresses.append(
                    _row(
                        "address",
                        id=stable_id("test-address", spec["key"]),
                        location_id=loc,
                        address_1="1 High Street",
                        city=city,
                        postal_code=postcode,
                        country="GB",
                        address_type="physical",
                    )
                )
        codes = [("catchment", c) for c in spec.get("catchment", ())] + [
            ("substance", c) for c in spec.get("substances", ())
        ]
        codes.append((RECORD_TAXONOMY, "key"))
        for k, (taxonomy, code) in enumerate(codes):
            attributes.append(
                _row(
                    "attribute",
                    id=stable_id("test-attribute", spec["key"], k),
                    link_id=sid,
                    taxonomy_term_id=term_id(taxonomy, code),
                    link_type=taxonomy,
                    link_entity="service",
                    value=spec["key"] if code == "key" else str(k),
                )
            )
        for k, code in enumerate(spec.get("languages", ())):
            languages.append(_row("language", id=stable_id("test-language", spec["key"], k), service_id=sid, code=code))
    with hsds_rows.atomic(store):
        hsds_rows.insert_values(store, "organization", [_row("organization", id=org, name="Planted Trust")])
        for table, rows in (
            ("service", services),
            ("location", locations),
            ("service_at_location", links),
            ("address", addresses),
            ("attribute", attributes),
            ("language", languages),
        ):
            hsds_rows.insert_values(store, table, rows)
        hsds_rows.rebuild_search(store)
    return SearchEngine(store)


def keys(engine: SearchEngine, text: str, limit: int = 20, **filters) -> list[str]:
    return [h.key for h in engine.search(text, Filters(**filters), limit=limit).hits]


def test_the_tiers():
    rugby = locality_of(resolve_place("Rugby"))
    assert rugby.tier_of(" rugby ", False, False, False, 40.0) == SERVES  # its catchment
    assert rugby.tier_of(" coventry ", True, False, False, 300.0) == SERVES  # national
    assert rugby.tier_of("", False, False, False, 5.0) == SERVES  # no catchment, in town
    assert rugby.tier_of("", False, False, False, 20.0) == NEAR
    assert rugby.tier_of(" coventry ", False, False, False, 20.0) == NEAR  # near, serving others
    assert rugby.tier_of("", False, False, False, None) == NEAR  # nowhere known
    assert rugby.tier_of("", False, False, True, None) == FAR  # an address elsewhere
    assert rugby.tier_of("", False, True, False, 60.0) == FAR  # the edition is no catchment
    assert locality_of(None).tier_of("", False, True, False, None) == SERVES  # but with no place it is


def test_a_service_with_an_address_elsewhere_never_outranks_a_local_one(directory_store):
    engine = plant(
        directory_store,
        [
            {"key": f"leeds-{n}", "name": f"Needle exchange drop-in Leeds {n}", "address": ("LS1 4AP", "Leeds")}
            for n in range(3)
        ],
    )
    facets = engine.store.queries.facet_rows([stable_id("test-service", "leeds-0")])
    assert next(iter(facets.values()))["elsewhere"] == 1
    for near in (None, "CV1 1AA", "Rugby"):
        found = keys(engine, "needle exchange", near=near)
        local = [k for k in found if not k.startswith("leeds-")]
        assert local, near
        assert found.index(local[0]) < min((found.index(k) for k in found if k.startswith("leeds-")), default=99)


def test_impossible_coordinates_are_placed_by_the_address(directory_store):
    # the official HSDS example publishes latitude 100, longitude 101
    engine = plant(
        directory_store,
        [{"key": "odd-point", "name": "Zebrafoo clinic", "point": (100.0, 101.0), "address": ("CV21 2DT", "Rugby")}],
    )
    hit = engine.search("zebrafoo", Filters(near="Rugby")).hits[0]
    assert hit.key == "odd-point" and hit.distance_km is not None and hit.distance_km < 5


def test_a_service_asked_for_by_its_whole_name_comes_first(directory_store):
    engine = plant(directory_store, [{"key": "named", "name": "Community support service 101"}])
    assert keys(engine, "Community support service 101")[0] == "named"
    assert keys(engine, "community support service 101", near="Rugby")[0] == "named"


def test_the_order_does_not_depend_on_the_page_size(directory_store):
    specs = [
        {"key": f"weak-{n}", "name": f"Drop-in {n}", "description": "Also zebrafoo.", "point": _east(RUGBY, 12 + n)}
        for n in range(4)
    ]
    specs.append({"key": "strong", "name": "Zebrafoo service", "point": _east(RUGBY, 22)})
    engine = plant(directory_store, specs)
    full = keys(engine, "zebrafoo", limit=10, near="Rugby")
    assert full[0] == "strong"  # the name match, 22 km away, beats description matches at 12 km
    for limit in (1, 2, 3, 5):
        assert keys(engine, "zebrafoo", limit=limit, near="Rugby") == full[:limit]


def test_a_substance_word_and_another_word_find_the_service_matching_both(directory_store):
    engine = plant(
        directory_store,
        [{"key": "both", "name": "Alcohol zebrafoo clinic", "point": _east(RUGBY, 12)}],
    )
    assert keys(engine, "alcohol zebrafoo", near="Rugby")[0] == "both"


def test_filter_codes_keep_their_identity(directory_store):
    engine = plant(
        directory_store,
        [
            {"key": "pa", "name": "Zebrafoo pa", "languages": ["ਪੰਜਾਬੀ"]},
            {"key": "ar", "name": "Zebrafoo ar", "languages": ["العربية"]},
            {"key": "upper", "name": "Zebrafoo upper", "languages": ["PL"]},
        ],
    )
    assert keys(engine, "zebrafoo", language="العربية") == ["ar"]
    assert keys(engine, "zebrafoo", language="ਪੰਜਾਬੀ") == ["pa"]
    assert keys(engine, "zebrafoo", language="pl") == []  # "PL" is another code, as the facets say


@pytest.mark.parametrize("limit", [1, 20, 500])
def test_a_filter_with_no_words_and_no_place_lists_by_name(directory_store, limit):
    engine = SearchEngine(directory_store)
    hits = engine.search("", Filters(categories=("naloxone",)), limit=limit).hits
    names = [h.name.casefold() for h in hits if h.score == hits[0].score]
    assert names == sorted(names)
