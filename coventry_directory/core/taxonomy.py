"""Our published taxonomy: the vocabularies that make eligibility and categories computable.

The public vocabularies come from ``resources/directory/taxonomy.toml``. The ``record``
vocabulary is internal: it carries provenance and keys as HSDS attributes so they survive
HSDS export and import.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from coventry_directory.core.ids import stable_id
from coventry_directory.core.models import Term
from coventry_directory.i18n import _
from coventry_directory.resources import directory_source_dir

RECORD_TAXONOMY = "record"
# Internal record terms: what each attribute value means.
RECORD_TERMS: tuple[tuple[str, str, str], ...] = (
    ("key", "Directory key", "The stable key of a record in the directory sources."),
    ("source", "Source", "A citation for the facts in this record: a document line or a URL."),
    ("evidence-date", "Evidence date", "The date of the newest source describing this record."),
    ("keyword", "Search keyword", "An extra word a worker might search for."),
    ("groups-required", "Client group required", "Only people in one of the listed client groups may use it."),
    ("coverage", "Coverage", "local or national."),
    ("town", "Town", "The town a location is in, for approximate distances."),
    ("assured-by", "Assured by", "Who last checked this record (a name or a role)."),
    ("assured-how", "Assured how", "How it was last checked: phone, email, web, visit or provider-form."),
    ("review-due", "Review due", "The date this record is next due to be checked."),
    ("assurance-note", "Assurance note", "What the keeper noted when it was last checked."),
    ("may-have-changed-reason", "Why the provider may have changed", "Why a checked record may still be out of date."),
)


@dataclass(frozen=True)
class Vocabulary:
    """One taxonomy: its name, description and ordered terms."""

    name: str
    title: str
    description: str
    terms: tuple[Term, ...]

    def codes(self) -> tuple[str, ...]:
        """Codes in their published order."""
        return tuple(t.code for t in self.terms)

    def label(self, code: str) -> str:
        """The English label for ``code`` (the code itself if unknown)."""
        for term in self.terms:
            if term.code == code:
                return term.name
        return code


def taxonomy_id(name: str) -> str:
    """The HSDS id of one of our taxonomies."""
    return stable_id("taxonomy", name)


def term_id(taxonomy: str, code: str) -> str:
    """The HSDS id of one of our taxonomy terms."""
    return stable_id("term", taxonomy, code)


def load_vocabularies(path: Path | None = None) -> dict[str, Vocabulary]:
    """Read the public vocabularies from taxonomy.toml, plus the internal record terms."""
    path = path or directory_source_dir() / "taxonomy.toml"
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    vocabularies = {}
    for name, body in data["taxonomy"].items():
        terms = tuple(Term(name, code, label, desc) for code, label, desc in body["terms"])
        vocabularies[name] = Vocabulary(name, body["name"], body["description"], terms)
    vocabularies[RECORD_TAXONOMY] = Vocabulary(
        RECORD_TAXONOMY,
        "Record",
        "Keys and provenance of directory records.",
        tuple(Term(RECORD_TAXONOMY, c, n, d) for c, n, d in RECORD_TERMS),
    )
    return vocabularies


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, Vocabulary]:
    """The bundled vocabularies, read once."""
    return load_vocabularies()


def label(taxonomy: str, code: str) -> str:
    """The label of a term of a bundled vocabulary, in the active language.

    The English labels reach the catalogs through i18n/extract.py (they live in
    taxonomy.toml, not in code), so translating here covers every place a label is shown.
    """
    vocab = vocabularies().get(taxonomy)
    return _(vocab.label(code)) if vocab else code
