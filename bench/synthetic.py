"""A synthetic directory of N services for benchmarks, built through the real store.

Words, categories, towns and eligibility are drawn (with a fixed seed) from the real
directory and gazetteer, so the text and facet statistics look like a large real feed.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from coventry_directory.core.directory_source import read_directory
from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import AREAS, Location, Organization, Service
from coventry_directory.store.directory import DirectoryStore

TOWNS = [
    ("Coventry", "coventry"),
    ("Nuneaton", "nuneaton-bedworth"),
    ("Bedworth", "nuneaton-bedworth"),
    ("Rugby", "rugby"),
    ("Leamington Spa", "warwick"),
    ("Warwick", "warwick"),
    ("Kenilworth", "warwick"),
    ("Stratford-upon-Avon", "stratford-on-avon"),
    ("Atherstone", "north-warwickshire"),
    ("Alcester", "stratford-on-avon"),
    ("Southam", "stratford-on-avon"),
    ("Coleshill", "north-warwickshire"),
]


def build_synthetic(path: Path, n: int, seed: int = 2026) -> Path:
    """Write a directory of ``n`` services to ``path`` (reused if it already exists)."""
    if path.exists():
        return path
    rng = random.Random(seed)
    real = read_directory()
    vocab = sorted({w for s in real.services for w in re.findall(r"[A-Za-z]{4,}", s.description)})
    keywords = sorted({k for s in real.services for k in s.keywords})
    cats = real.vocabularies["category"].codes()
    subs = real.vocabularies["substance"].codes()
    groups = real.vocabularies["client_group"].codes()
    routes = real.vocabularies["referral_route"].codes()
    modes = real.vocabularies["delivery_mode"].codes()
    orgs = [
        Organization(
            id=stable_id("organization", f"bench-{i}"),
            key=f"bench-org-{i}",
            name=f"{rng.choice(vocab).title()} Trust {i}",
            description="Synthetic organisation for benchmarks.",
        )
        for i in range(max(1, n // 20))
    ]
    services = []
    for i in range(n):
        town, area = rng.choice(TOWNS)
        org = rng.choice(orgs)
        loc = Location(
            id=stable_id("location", f"bench-{i}"), key=f"bench-loc-{i}", name=f"{town} base {i}", town=town, area=area
        )
        cat = rng.sample(cats, rng.randint(1, 3))
        lo = rng.choice([None, None, 18, 5, 13, 16])
        services.append(
            Service(
                id=stable_id("service", f"bench-{i}"),
                key=f"bench-{i}",
                name=f"{town} {rng.choice(vocab).lower()} {cat[0].replace('-', ' ')} service {i}",
                organization=org,
                description=" ".join(rng.choice(vocab) for _ in range(rng.randint(25, 70))),
                minimum_age=lo,
                maximum_age=rng.choice([None, None, 25]) if lo in (None, 5, 13) else None,
                assured_date="2026-11-24",
                verification="sourced",
                sources=("synthetic",),
                categories=tuple(cat),
                substances=tuple(rng.sample(subs, rng.randint(1, 3))),
                client_groups=tuple(rng.sample(groups, rng.randint(0, 2))),
                referral_routes=tuple(rng.sample(routes, rng.randint(1, 2))),
                delivery_modes=tuple(rng.sample(modes, rng.randint(1, 2))),
                catchment=(area,) if rng.random() < 0.7 else AREAS[1:] if area != "coventry" else ("coventry",),
                keywords=tuple(rng.sample(keywords, 3)),
                locations=[loc],
            )
        )
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    store = DirectoryStore.create(tmp)
    store.replace_directory(real.vocabularies, orgs, services, {"edition": "synthetic", "service_count": str(n)})
    store.close()
    tmp.replace(path)
    return path
