"""Reads and checks the human-readable directory sources (``resources/directory/*.toml``).

The result is a list of :class:`Service` objects ready for the store. Checking is strict
because the files are the directory's source of truth: every code must be in the
taxonomy, every record must cite a source that exists, and every phone number, postcode
and opening time must appear in the text of a source it cites.

This module holds the :class:`SourceReader` (field and citation checks, the problem list)
and :func:`read_directory`; the readers of each kind of record are in
:mod:`coventry_directory.core.directory_records`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coventry_directory.core.directory_records import read_organization, read_service
from coventry_directory.core.models import CODE_FIELDS, Location, Organization, Service
from coventry_directory.core.source_documents import SourceDocument, load_documents, normal
from coventry_directory.core.taxonomy import Vocabulary, load_vocabularies
from coventry_directory.core.text import HIDDEN_IN_RECORD
from coventry_directory.resources import directory_source_dir

FACTS_DOCUMENT = "facts-2026"  # the facts sheet's id in sources.toml: web pages are cited through it
_CITATION_LINE = re.compile(r"^(?P<doc>[a-z0-9-]+) L(?P<line>\d+)$")
_URL = re.compile(r"^https?://\S+$")
_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\.?"
# A service's or organisation's web address: http(s) with a host, or a bare site name as the
# sources print it ("childline.org.uk"), never another scheme (javascript:, data:, file:).
WEB_ADDRESS = re.compile(rf"(?:https?://{_HOST}(?::\d{{1,5}})?|{_HOST})(?:[/?#]\S*)?", re.IGNORECASE)
BOM = "\ufeff"  # a byte order mark some editors put first in a UTF-8 file


class DirectorySourceError(Exception):
    """The sources have problems; ``problems`` lists each as 'file: key: message'."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the directory sources:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class DirectorySources:
    """Everything read from the source folder."""

    vocabularies: dict[str, Vocabulary]
    documents: dict[str, SourceDocument]
    organizations: list[Organization]
    services: list[Service]


class SourceReader:
    """Collects problems while turning TOML tables into models."""

    def __init__(self, root: Path, replaced: Mapping[Path, str] | None = None):
        self.root = root
        self.vocabularies = load_vocabularies(root / "taxonomy.toml")
        self.documents = load_documents(root, replaced)
        facts = self.documents.get(FACTS_DOCUMENT)
        self.facts_entries = facts_entries(facts.lines) if facts else {}
        self.problems: list[str] = []
        self.where = ""

    def problem(self, message: str) -> None:
        """Record a problem at the current place in the sources."""
        self.problems.append(f"{self.where}: {message}")

    def register(self, registry: dict[str, Any], item: Any, kind: str) -> None:
        """Add a keyed record to ``registry``; a key used twice is a problem (the later one wins)."""
        if item.key in registry:
            self.problem(f"{kind} key {item.key!r} is defined twice")
        registry[item.key] = item

    # --- citations --------------------------------------------------------------
    def citations(self, table: dict, required: bool = True) -> tuple[str, ...]:
        """The table's ``source`` citations, each checked (none at all is a problem when required)."""
        raw = table.get("source", [])
        if isinstance(raw, str):
            raw = [raw]
        if required and not raw:
            self.problem("no source cited")
        for cite in raw:
            self._check_citation(cite)
        return tuple(raw)

    def _check_citation(self, cite: str) -> None:
        match = _CITATION_LINE.match(cite)
        if match:
            doc = self.documents.get(match["doc"])
            line = int(match["line"])
            if doc is None:
                self.problem(f"cites unknown document {match['doc']!r}")
            elif not 1 <= line <= len(doc.lines):
                self.problem(f"cites {cite!r} but {doc.id} has {len(doc.lines)} lines")
        elif _URL.match(cite):
            if cite not in self.facts_entries:
                self.problem(f"cites a URL that is not in the facts sheet as the source of a fact: {cite}")
        else:
            self.problem(f"citation {cite!r} is neither 'DOC L<line>' nor a URL from the facts sheet")

    def cited_text(self, cites: tuple[str, ...]) -> str:
        """The text a set of citations points at: a URL's own entries in the facts sheet, ±3 lines for docs.

        A URL's entries are only the facts the sheet cites to that page, so a phone number
        the sheet gives for another page never passes as this page's.
        """
        chunks = []
        for cite in cites:
            match = _CITATION_LINE.match(cite)
            if match and match["doc"] in self.documents:
                lines = self.documents[match["doc"]].lines
                n = int(match["line"])
                chunks.append("\n".join(lines[max(0, n - 4) : n + 3]))
            elif _URL.match(cite):
                chunks.append(self.facts_entries.get(cite, ""))
        return "\n".join(chunks)

    def require_in_sources(self, value: str, cites: tuple[str, ...], what: str) -> None:
        """A contact fact must appear in a source it cites (digits compared for numbers)."""
        text = self.cited_text(cites)
        if what == "phone":
            digits = re.sub(r"\D", "", value)
            if len(digits) < 3:  # "ring the office" is no number: it would be found in any text
                self.problem(f"phone {value!r} has no number in it")
            elif digits not in re.sub(r"\D", "", text):
                self.problem(f"phone {value!r} does not appear in its cited sources")
        elif normal(value) not in normal(text):
            self.problem(f"{what} {value!r} does not appear in its cited sources")

    # --- fields -----------------------------------------------------------------
    def codes(self, table: dict, key: str) -> tuple[str, ...]:
        """A list of taxonomy codes; a code the field's vocabulary lacks is a problem."""
        values = table.get(key, [])
        vocab = self.vocabularies[CODE_FIELDS[key]]
        for v in values:
            if v not in vocab.codes():
                self.problem(f"{key}: {v!r} is not a {vocab.name} code")
        return tuple(values)

    def text(self, table: dict, key: str) -> str | None:
        """An optional text field, stripped (blank is None; a value that is not text is a problem)."""
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(f"{key} must be text")
            return None
        return value.strip() or None

    def web_address(self, table: dict, key: str) -> str | None:
        """An optional web address (:data:`WEB_ADDRESS`); anything else there is a problem."""
        value = self.text(table, key)
        if value and not WEB_ADDRESS.fullmatch(value):
            self.problem(
                f"{key} {value!r} is not a web address: write https://... or a site name like childline.org.uk"
            )
        return value

    def visible_text(self, table: dict, where: str = "") -> None:
        """Every text in ``table`` (its lists and sub-tables too) shows what it holds: no control or direction characters."""
        for key, value in table.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, dict):
                    self.visible_text(item, f"{where}{key}.")
                elif isinstance(item, str) and (hidden := HIDDEN_IN_RECORD.search(item)):
                    self.problem(f"{where}{key} holds a control or text-direction character (U+{ord(hidden[0]):04X})")

    def age(self, table: dict, key: str) -> int | None:
        """An optional age in whole years, 0 to 120 (anything else is a problem)."""
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:  # true is no age
            self.problem(f"{key} must be a whole number of years")
            return None
        return value


_CITED = re.compile(r"\[(https?://[^\]\s]+)\]")
_SAME = re.compile(r"\[same\]", re.IGNORECASE)
_SEEN = re.compile(r"\(?\bseen (?:on )?\d{4}-\d{2}-\d{2}\)?\.?", re.IGNORECASE)
_SOURCE_FOR_ALL = re.compile(r"^\s*(?:\*\*)?sources? for all\b", re.IGNORECASE)


def facts_entries(lines: list[str]) -> dict[str, str]:
    """Each URL the facts sheet cites, with the lines of facts cited to it (joined).

    A fact is a line ending in ``[URL]`` (one or more); ``[same]`` cites the page(s) of the
    fact before it; "Source for all: [URL]" under a heading cites that page for every fact
    of the section that cites none itself. A heading, or a line with no citation outside
    such a section ("NOT FOUND" notes), belongs to no page.
    """
    entries: dict[str, list[str]] = {}
    last: list[str] = []
    section: list[str] = []
    for line in lines:
        if line.lstrip().startswith("#"):
            last, section = [], []
            continue
        urls = _CITED.findall(line)
        if urls and _SOURCE_FOR_ALL.match(line):
            section = urls
            continue
        if not urls:
            urls = last if _SAME.search(line) else section
        fact = _SEEN.sub("", _CITED.sub("", line))  # the day seen and the page's address are no part of the fact
        for url in dict.fromkeys(urls):
            entries.setdefault(url, []).append(fact)
        if urls:
            last = urls
    return {url: "\n".join(found) for url, found in entries.items()}


def record_files(root: Path, also: Iterable[Path] = ()) -> list[Path]:
    """The files that may hold ``[[organization]]`` and ``[[service]]`` tables, in reading order (some may not exist).

    ``also``: files an edit is about to make, so that they are checked before they exist.
    """
    services = {*(root / "services").glob("*.toml"), *(p for p in also if p.parent == root / "services")}
    return [root / "organizations.toml", *sorted(p for p in services if p.suffix == ".toml")]


def decode_source(data: bytes) -> str:
    """A source file's text from its bytes, without a leading byte order mark (UnicodeDecodeError if not UTF-8).

    tomllib takes a byte order mark for a stray character ("Invalid statement at line 1"),
    which would send a keeper looking for a fault the file does not have.
    """
    return data.decode("utf-8").removeprefix(BOM)


def read_directory(root: Path | None = None, replaced: Mapping[Path, str] | None = None) -> DirectorySources:
    """Read and check every source file; raise DirectorySourceError listing all problems.

    ``replaced`` gives the text to read instead of some files (by path), so that an edit can
    be checked before it is written (``core.assurance``); a services file there that does
    not exist yet is read too (``core.record_edit.new_service``).
    """
    root = root or directory_source_dir()
    replaced = replaced or {}
    reader = SourceReader(root, replaced)
    tables: list[tuple[str, dict]] = []
    for path in record_files(root, replaced):
        try:
            if path in replaced:
                tables.append((path.name, tomllib.loads(replaced[path])))
            elif path.exists():
                tables.append((path.name, tomllib.loads(decode_source(path.read_bytes()))))
        except tomllib.TOMLDecodeError as exc:
            reader.problems.append(f"{path.name}: not valid TOML: {exc}")
        except UnicodeDecodeError:
            reader.problems.append(f"{path.name}: not UTF-8 text")
    orgs: dict[str, Organization] = {}
    locations: dict[str, Location] = {}
    for name, data in tables:
        for org_table in data.get("organization", []):
            reader.where = name
            org = read_organization(reader, org_table, locations)
            if org is None:
                continue
            reader.register(orgs, org, "organisation")
    services: dict[str, Service] = {}
    for name, data in tables:
        for svc_table in data.get("service", []):
            reader.where = name
            svc = read_service(reader, svc_table, orgs, locations)
            if svc is None:
                continue
            reader.register(services, svc, "service")
    if reader.problems:
        raise DirectorySourceError(reader.problems)
    return DirectorySources(
        vocabularies=reader.vocabularies,
        documents=reader.documents,
        organizations=sorted(orgs.values(), key=lambda o: o.key),
        services=sorted(services.values(), key=lambda s: s.key),
    )
