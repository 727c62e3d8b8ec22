"""Taxonomy terms inside a nested HSDS service: finding them, keying them, and linking a service to ours.

Helpers of ``taxonomy_map``: where a service's foreign terms are (HSDS 3.0 attributes, ORUK
1.0 ``service_taxonomys``), what a term's meaning depends on, and the attribute that links a
service to one of our own terms, written as our own database writes it.
"""

from __future__ import annotations

from collections.abc import Iterator

from coventry_directory.core.ids import stable_id
from coventry_directory.core.taxonomy import Vocabulary, taxonomy_id, term_id, vocabularies

Target = tuple[str, str]  # (our taxonomy, our code)

_TERM_KEYS = ("id", "code", "name", "taxonomy", "vocabulary", "term_uri", "taxonomy_id", "parent_id")


def term_key(term: dict) -> tuple | None:
    """What a term's meaning depends on, as a hashable key (None when a value is not hashable)."""
    key = tuple(term.get(k) for k in _TERM_KEYS)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def our_link(attribute: object, ours: dict[str, Target]) -> bool:
    """True for an attribute pointing at one of our terms by id (nested term or not)."""
    return isinstance(attribute, dict) and attribute.get("taxonomy_term_id") in ours


def terms_of(service: dict) -> Iterator[dict]:
    """The taxonomy terms a service carries: HSDS 3.0 attributes and ORUK 1.0 service_taxonomys."""
    for attr in service.get("attributes") or []:
        if isinstance(attr, dict) and isinstance(attr.get("taxonomy_term"), dict):
            yield attr["taxonomy_term"]
    taxonomys = service.get("service_taxonomys")
    for link in taxonomys if isinstance(taxonomys, list) else []:
        if isinstance(link, dict) and isinstance(link.get("taxonomy"), dict):
            yield link["taxonomy"]


def our_attribute(service_id: str, taxonomy: str, code: str, position: int = 0) -> dict:
    """The HSDS attribute linking a service to one of our terms, with the term nested whole.

    The term and its taxonomy are written as our own database writes them, so a service
    that gets the same term this way and from our own export flattens without a conflict.
    """
    vocab: Vocabulary = vocabularies()[taxonomy]
    term, tid = next(t for t in vocab.terms if t.code == code), term_id(taxonomy, code)
    detail = {"id": taxonomy_id(taxonomy), "name": vocab.title, "description": vocab.description, "version": "1"}
    nested = {"id": tid, "code": code, "name": term.name, "description": term.description, "taxonomy": taxonomy}
    nested |= {"language": "en", "taxonomy_id": detail["id"]}
    attribute = {"id": stable_id("mapped-attribute", service_id, taxonomy, code), "link_id": service_id}
    attribute |= {"link_entity": "service", "link_type": taxonomy, "taxonomy_term_id": tid, "value": str(position)}
    return {**attribute, "taxonomy_term": {**nested, "taxonomy_detail": detail}}
