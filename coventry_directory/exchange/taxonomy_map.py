"""Other publishers' taxonomy terms -> ours, through the reviewed ``resources/taxonomy-map.toml``.

A service from another publisher's feed carries that publisher's terms (an LGA service
type, an Open Eligibility category...) and none of ours, so its categories would show as
not known. :func:`add_our_terms` adds HSDS attributes linking it to the terms of ours its
terms mean. The mapping is data a keeper reviews (docs/taxonomy-map.md); only reviewed
lines are used, and a target that is not one of our codes is refused with its line.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from coventry_directory.core.ids import looks_like_uuid
from coventry_directory.core.taxonomy import RECORD_TAXONOMY, taxonomy_id, term_id, vocabularies
from coventry_directory.exchange.taxonomy_terms import Target, our_attribute, our_link, term_key, terms_of
from coventry_directory.resources import resource_path

MAP_FILE = "taxonomy-map.toml"
FORMAT = 1
# The table of names that mean the same whatever vocabulary a term comes from.
NAMES_SECTION = "names"
_SECTION_KEYS = {"title", "source", "names", "term_uri", "terms"}
_ENTRY_KEYS = {"code", "name", "to", "reviewed", "by_name", "source"}
_URI = re.compile(r"^https?://(www\.)?", re.IGNORECASE)


class TaxonomyMapError(ValueError):
    """The mapping file cannot be used; the message names the file, the line and the entry."""


@dataclass(frozen=True)
class TermMapping:
    """One line of the mapping: a foreign term and the terms of ours it means."""

    section: str
    code: str | None
    name: str | None
    targets: tuple[Target, ...]
    reviewed: bool
    by_name: bool
    source: str
    line: int


@dataclass
class _Section:
    """One foreign vocabulary's reviewed lines, indexed the ways a term can be matched."""

    term_uri: str | None = None
    by_code: dict[str, TermMapping] = field(default_factory=dict)
    by_name: dict[str, TermMapping] = field(default_factory=dict)


def normalise_name(text: str) -> str:
    """A term name folded for matching: case, accents, punctuation, "&"/"and" and plurals.

    ``"Needle & Syringe Programmes"`` and ``"needle and syringe programme"`` fold alike.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    # "people's" is one word, not "people" and "s"
    text = text.replace("'", "").replace("\u2019", "").replace("&", " ")
    return " ".join(_singular(w) for w in re.findall(r"[^\W_]+", text) if w != "and")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    # "homeless", "anonymous", "diagnosis" are not plurals
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def vocabulary_key(text: str) -> str:
    """A vocabulary's name folded: ``"Open Eligibility"`` == ``"OpenEligibility"``."""
    return re.sub(r"[\W_]+", "", _URI.sub("", text.strip().casefold()).rstrip("/"))


def _uri_key(text: str) -> str | None:
    """A term URI folded (http or https, www, trailing slash), or None if it is not a URI."""
    text = text.strip()
    return _URI.sub("", text).rstrip("/").casefold() if _URI.match(text) else None


def _text(value: object) -> str | None:
    """A code or name as text: ORUK ids may be JSON numbers; blanks and other types are absent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _code_of(term: dict) -> str | None:
    """The publisher's code: HSDS 3.0 ``code``, else an ORUK 1.0 ``id`` (its code or URI, not a UUID)."""
    code, tid = _text(term.get("code")), _text(term.get("id"))
    return code if code is not None or tid is None or looks_like_uuid(tid) else tid


class TaxonomyMapping:
    """The reviewed mapping, ready to answer "which of our terms does this term mean?"."""

    def __init__(self, path: Path, entries: list[TermMapping], sections: dict[str, list[str]], uris: dict[str, str]):
        self.path = path
        self.entries = entries
        self._memo: dict[tuple, tuple[Target | None, list[Target]]] = {}
        self._vocab_of: dict[str, str] = {}
        self._sections: dict[str, _Section] = {}
        for section, names in sections.items():
            self._sections[section] = _Section(uris.get(section))
            for name in names:
                self._vocab_of[vocabulary_key(name)] = section
        self._by_uri: dict[str, TermMapping] = {}
        for entry in (e for e in entries if e.reviewed):
            sect = self._sections[entry.section]
            if entry.code is not None:
                sect.by_code[entry.code] = entry
                uri = _uri_key(sect.term_uri.replace("{code}", entry.code)) if sect.term_uri else None
                self._by_uri |= {uri: entry} if uri else {}
            if entry.name is not None and entry.by_name:
                sect.by_name.setdefault(normalise_name(entry.name), entry)
        # Our own terms, by HSDS id and by (taxonomy, code): they map to themselves.
        ours = vocabularies()
        self._our_ids = {term_id(v, t.code): (v, t.code) for v, vocab in ours.items() for t in vocab.terms}
        self._our_codes = {v: set(vocab.codes()) for v, vocab in ours.items()}
        self._our_taxonomy_ids = {taxonomy_id(v): v for v in ours}

    def unreviewed(self) -> list[TermMapping]:
        """Lines a keeper has not yet marked reviewed (read and checked, but not used)."""
        return [e for e in self.entries if not e.reviewed]

    def own_term(self, term: dict) -> Target | None:
        """``(taxonomy, code)`` when ``term`` is one of our own terms, else None."""
        tid = _text(term.get("id"))
        if tid in self._our_ids:
            return self._our_ids[tid]
        code = _code_of(term)
        taxonomy = _text(term.get("taxonomy")) or _text(term.get("vocabulary"))
        if taxonomy not in self._our_codes:
            taxonomy = self._our_taxonomy_ids.get(_text(term.get("taxonomy_id")) or "")
        if taxonomy in self._our_codes and code in self._our_codes[taxonomy]:
            return (taxonomy, code)
        return None

    def _section_of(self, term: dict) -> _Section | None:
        detail = term["taxonomy_detail"] if isinstance(term.get("taxonomy_detail"), dict) else {}
        for value in (term.get("taxonomy"), term.get("vocabulary"), detail.get("name"), detail.get("uri")):
            text = _text(value)
            if text and vocabulary_key(text) in self._vocab_of:
                return self._sections[self._vocab_of[vocabulary_key(text)]]
        return None

    def targets(self, term: dict) -> list[Target]:
        """Our ``(taxonomy, code)`` pairs for one foreign term (HSDS 3.0 or ORUK 1.0 keys).

        Tried in turn: one of our own terms (itself); the vocabulary's code; the term URI;
        the folded name within the vocabulary, then in ``[names]``. A code is only matched
        within a vocabulary the mapping knows, since "1180" means nothing on its own.
        """
        if not isinstance(term, dict):
            return []
        own = self.own_term(term)
        if own:
            return [own]
        code = _code_of(term)
        section = self._section_of(term)
        found = section.by_code.get(code) if section and code else None
        # A URI names its vocabulary itself, so it needs none (an ORUK id may be the URI).
        uris = [_uri_key(u) for u in (_text(term.get("term_uri")), code) if u]
        found = found or next((self._by_uri[k] for k in uris if k in self._by_uri), None)
        name = _text(term.get("name"))
        if found is None and name:
            key = normalise_name(name)
            found = (section.by_name.get(key) if section else None) or self._sections[NAMES_SECTION].by_name.get(key)
        return list(found.targets) if found else []

    def _lookup(self, term: dict) -> tuple[Target | None, list[Target]]:
        """(the term itself if it is ours, else the terms of ours it means), remembered per term.

        A national feed tags thousands of services with the same few dozen terms: each is
        worked out once.
        """
        key = term_key(term)
        memo = self._memo
        if key is not None and key in memo:
            return memo[key]
        own = self.own_term(term)
        answer = (own, [] if own else self.targets(term))
        if key is not None and len(memo) < 100_000:
            memo[key] = answer
        return answer

    def add_our_terms(self, service: dict) -> tuple[dict, list[str]]:
        """``service`` with attributes for the terms of ours its terms mean, and the unmapped names.

        ``service`` is a nested HSDS 3.0 service (as JSON, before flattening). Its own
        attributes are kept as they are; terms it already has are not added again, so a
        second call adds nothing. It is returned unchanged (the same object) when there is
        nothing to add; otherwise a shallow copy is returned and ``service`` is not changed.
        """
        sid = service.get("id") if isinstance(service, dict) else None
        attributes = service.get("attributes") if isinstance(service, dict) else None
        if not isinstance(sid, str) or not isinstance(attributes, (list, type(None))):
            return service, []  # nothing to link to: the schema check reports the shape
        have = [self._our_ids[a["taxonomy_term_id"]] for a in attributes or [] if our_link(a, self._our_ids)]
        wanted: list[Target] = []
        unmapped: list[str] = []
        for term in terms_of(service):
            own, found = self._lookup(term)
            if own:
                have.append(own)
                continue
            wanted += found
            label = _text(term.get("name")) or _text(term.get("code")) or _text(term.get("id"))
            if not found and label and label not in unmapped:
                unmapped.append(label)
        # value is the position within the taxonomy, as for our own records: after theirs
        position = Counter(tax for tax, _ in set(have))
        new = []
        for tax, code in dict.fromkeys(wanted):
            if (tax, code) in have:
                continue
            have.append((tax, code))
            new.append(our_attribute(sid, tax, code, position[tax]))
            position[tax] += 1
        if not new:
            return service, unmapped
        return {**service, "attributes": [*(attributes or []), *new]}, unmapped


def load_mapping(path: Path | None = None) -> TaxonomyMapping:
    """Read and check the mapping file (the bundled one by default); TaxonomyMapError if unusable."""
    path = Path(path) if path is not None else resource_path(MAP_FILE)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyMapError(f"{path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyMapError(f"{path}: not valid TOML: {exc}") from None
    return _Checker(path, text.splitlines()).mapping(data)


@lru_cache(maxsize=1)
def bundled_mapping() -> TaxonomyMapping:
    """The mapping shipped with the app, read once."""
    return load_mapping()


def add_our_terms(service: dict, mapping: TaxonomyMapping | None = None) -> tuple[dict, list[str]]:
    """:meth:`TaxonomyMapping.add_our_terms` with the bundled mapping unless one is given."""
    return (mapping or bundled_mapping()).add_our_terms(service)


class _Checker:
    """Turns the parsed file into entries, refusing anything a keeper could have mistyped."""

    def __init__(self, path: Path, lines: list[str]):
        self.path = path
        self.lines = lines
        self.ours = {name: set(v.codes()) for name, v in vocabularies().items() if name != RECORD_TAXONOMY}

    def fail(self, line: int, where: str, problem: str) -> TaxonomyMapError:
        return TaxonomyMapError(f"{self.path} line {line}, {where}: {problem}")

    def line_of(self, section: str, *patterns: str) -> int:
        """The line of a section's header, or of the first line after it matching a pattern."""
        header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
        start = next((i for i, line in enumerate(self.lines) if header.match(line)), 0)
        for pattern in patterns:
            for i in range(start, len(self.lines)):
                if re.search(pattern, self.lines[i]):
                    return i + 1
        return start + 1

    def mapping(self, data: dict) -> TaxonomyMapping:
        if data.get("format") != FORMAT:
            raise TaxonomyMapError(f"{self.path}: needs format = {FORMAT} (found {data.get('format')!r})")
        if not isinstance(data.get(NAMES_SECTION), dict):
            raise TaxonomyMapError(f"{self.path}: has no [{NAMES_SECTION}] table")
        entries: list[TermMapping] = []
        sections: dict[str, list[str]] = {}
        for section, body in data.items():
            if section == "format":
                continue
            self.check_section(section, body)
            names = body.get("names", [])
            for other, other_names in sections.items():
                if {vocabulary_key(n) for n in names} & {vocabulary_key(n) for n in other_names}:
                    raise self.fail(self.line_of(section), f"[{section}]", f"shares a vocabulary name with [{other}]")
            sections[section] = names
            entries += [self.entry(section, n, raw) for n, raw in enumerate(body["terms"], 1)]
        self.check_unique(entries)
        uris = {name: body["term_uri"] for name, body in data.items() if isinstance(body, dict) and "term_uri" in body}
        return TaxonomyMapping(self.path, entries, sections, uris)

    def check_section(self, section: str, body: object) -> None:
        if not isinstance(body, dict):
            raise self.fail(self.line_of(section, rf"^\s*{re.escape(section)}\s*="), section, "is not a table")
        allowed = {"title", "terms"} if section == NAMES_SECTION else _SECTION_KEYS
        needed = {"terms"} if section == NAMES_SECTION else {"source", "names", "terms"}
        names, uri, terms = body.get("names", []), body.get("term_uri"), body.get("terms")
        problems = [f"unknown key {k!r}" for k in sorted(set(body) - allowed)]
        problems += [f"needs {k}" for k in sorted(needed - set(body))]
        checks = {
            "source must be text": isinstance(body.get("source", ""), str),
            "names must be a list of non-empty texts": names == [] or _texts(names),
            "term_uri must be text holding {code}": uri is None or (isinstance(uri, str) and "{code}" in uri),
            "terms must be a list of tables": isinstance(terms, list) and all(isinstance(t, dict) for t in terms),
        }
        problems += [problem for problem, ok in checks.items() if not ok]
        if problems:
            raise self.fail(self.line_of(section), f"[{section}]", problems[0])

    def entry(self, section: str, n: int, raw: dict) -> TermMapping:
        code, name, to, source = raw.get("code"), raw.get("name"), raw.get("to", []), raw.get("source")
        label = ", ".join(f"{k} {v!r}" for k, v in (("code", code), ("name", name)) if isinstance(v, str))
        where = f"[{section}] term {n}" + (f" ({label})" if label else "")
        patterns = [rf"\b{k}\s*=\s*{re.escape(json.dumps(v))}" for k, v in (("code", code), ("name", name)) if v]
        line = self.line_of(section, *patterns)
        unknown = sorted(set(raw) - _ENTRY_KEYS)
        checks = {
            f"unknown key {unknown[0]!r}" if unknown else "": not unknown,
            "code and name must be text": all(v is None or (isinstance(v, str) and v.strip()) for v in (code, name)),
            "needs a code or a name": code is not None or name is not None,
            f"[{NAMES_SECTION}] lines have no code: it needs a vocabulary": section != NAMES_SECTION or code is None,
            "needs reviewed = true or false": isinstance(raw.get("reviewed"), bool),
            "by_name must be true or false": isinstance(raw.get("by_name", True), bool),
            "needs source: where the term is published": isinstance(source, str) and bool(source.strip()),
            'needs to = ["taxonomy:code", ...] (our terms)': _texts(to),
        }
        problem = next((p for p, ok in checks.items() if not ok), None)
        if problem is not None:
            raise self.fail(line, where, problem)
        targets = tuple(dict.fromkeys(self.target(line, where, t) for t in to))
        code, name = (v.strip() if v else None for v in (code, name))
        return TermMapping(
            section, code, name, targets, raw["reviewed"], raw.get("by_name", True), raw["source"].strip(), line
        )

    def target(self, line: int, where: str, text: str) -> Target:
        taxonomy, _, code = text.partition(":")
        if taxonomy not in self.ours:
            why = f"we have no taxonomy {taxonomy!r} (ours: {', '.join(sorted(self.ours))})"
        elif code not in self.ours[taxonomy]:
            why = f"{taxonomy} has no code {code!r} (see resources/directory/taxonomy.toml)"
        else:
            return (taxonomy, code)
        raise self.fail(line, where, f"{text!r} is not one of our terms: {why}")

    def check_unique(self, entries: list[TermMapping]) -> None:
        """A code twice in one vocabulary, or a name that would match two different meanings."""
        codes: dict[tuple[str, str], TermMapping] = {}
        names: dict[tuple[str, str], TermMapping] = {}
        for e in entries:
            first = codes.setdefault((e.section, e.code), e) if e.code is not None else e
            if first is not e:
                raise self.fail(e.line, f"[{e.section}] code {e.code!r}", f"is also on line {first.line}")
            if e.name is not None and e.by_name and e.reviewed:
                first = names.setdefault((e.section, normalise_name(e.name)), e)
                if first.targets != e.targets:
                    why = f"means something else on line {first.line}; set by_name = false on one of them"
                    raise self.fail(e.line, f"[{e.section}] name {e.name!r}", why)


def _texts(value: object) -> bool:
    """True for a non-empty list of non-empty texts."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)
