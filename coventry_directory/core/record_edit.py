"""The keeper's edits to a record in the TOML sources, each with the citation it rests on.

The keeper window (``ui.keeper_window``) builds a :class:`RecordEdit` (fields to set or
remove, and for a service its whole new lists of phones and schedules) and a
:class:`Citation` (a line of a source document, or a web page with the words quoted and
the day they were seen). :func:`preview` works out the edited files without writing them:
the diff a reviewer will see, and the problems ``build-db --check`` would report, so the
window can show them as the keeper types. :func:`save` writes them through
``core.source_files`` (checked, then atomic) and :func:`new_service` adds a record.

The citation goes into the ``source`` of what changed: the record for its own fields, each
new or changed phone or schedule for that entry. A web page is added to the facts sheet as
a fact with its quote, the page and the day seen ("Keepers' additions"), because the build
takes a URL only as the source of a fact the sheet gives, and checks a phone number or a
time against that page's own facts. Qt-free and SQL-free.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from coventry_directory.core.directory_source import FACTS_DOCUMENT, DirectorySourceError, decode_source, read_directory
from coventry_directory.core.source_documents import load_documents
from coventry_directory.core.source_files import (
    SourceEditRefused,
    SourceInputError,
    edit_record,
    find_record,
    insert_after,
    plain,
    read_text,
    require_writable,
    same_line_endings,
    write_checked,
)
from coventry_directory.core.text import NOT_ONE_LINE

KEEPERS_HEADING = "## Keepers' additions"
QUOTE_MAX = 1000
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
_URL = re.compile(r"^https?://[^\s\[\]]+$")

# What the editor may set on a service, and the kind of value each takes (README: "A service file").
TEXT_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "fees_description",
    "alert",
    "evidence_date",
    "status",
    "coverage",
)
AGE_FIELDS = ("minimum_age", "maximum_age")
CODE_LIST_FIELDS = (
    "categories",
    "genders",
    "substances",
    "client_groups",
    "referral_routes",
    "delivery_modes",
    "catchment",
    "languages",
    "keywords",
    "locations",
)
FLAG_FIELDS = ("groups_required",)
SERVICE_FIELDS = TEXT_FIELDS + AGE_FIELDS + CODE_LIST_FIELDS + FLAG_FIELDS
PHONE_KEYS = ("number", "type", "description")
SCHEDULE_KEYS = (  # every key read_schedule reads: an entry rebuilt from these loses nothing
    "location",
    "freq",
    "byday",
    "bymonthday",
    "interval",
    "opens_at",
    "closes_at",
    "description",
    "notes",
    "valid_from",
    "valid_to",
)


@dataclass(frozen=True)
class Citation:
    """Where an edited fact comes from: ``wdna-2022 L1234``, or a web page, its words quoted and the day seen."""

    document: str | None = None
    line: int | None = None
    url: str | None = None
    quote: str | None = None
    seen: dt.date | None = None

    @property
    def is_web(self) -> bool:
        """True for a web page (added to the facts sheet), False for a line of a source document."""
        return self.url is not None

    def source(self) -> str:
        """The citation as a record's ``source`` list holds it."""
        return self.url if self.url is not None else f"{self.document} L{self.line}"

    def facts_line(self) -> str:
        """The fact the facts sheet gains for a web page: the quoted words, the day seen, the page."""
        seen = self.seen.isoformat() if self.seen else ""
        return f"- “{self.quote}” (seen {seen}) [{self.url}]"

    def problems(self, root: Path, today: dt.date) -> list[str]:
        """What is missing or wrong, in words for the keeper (empty: a citation the build will take)."""
        if self.url is not None:
            out = []
            if not _URL.fullmatch(self.url.strip()):
                out.append("the web address must start http:// or https:// and hold no spaces or brackets")
            quote = (self.quote or "").strip()
            if not quote:
                out.append("quote the words on the page that say this fact")
            elif len(quote) > QUOTE_MAX or NOT_ONE_LINE.search(quote):
                out.append(
                    f"the quote must be one line of at most {QUOTE_MAX} characters, "
                    "without control or hidden text-direction characters"
                )
            elif "[" in quote or "]" in quote:
                out.append("leave square brackets out of the quote (the facts sheet uses them for web addresses)")
            if self.seen is None:
                out.append("say on which day you saw the page")
            elif self.seen > today:
                out.append("the day the page was seen cannot be after today")
            return out
        documents = load_documents(root)
        doc = documents.get(self.document or "")
        if doc is None:
            return [f"choose one of the source documents ({', '.join(sorted(documents))})"]
        if self.line is None or not 1 <= self.line <= len(doc.lines):
            return [f"{doc.id} has lines 1 to {len(doc.lines)}"]
        return []


@dataclass(frozen=True)
class RecordEdit:
    """One keeper's change to one record: fields to set (None removes one), and a service's whole new phones and schedules."""

    key: str
    kind: str = "service"
    fields: Mapping[str, object] = field(default_factory=dict)
    phones: Sequence[Mapping[str, object]] | None = None  # None: left as they are
    schedules: Sequence[Mapping[str, object]] | None = None


@dataclass(frozen=True)
class Preview:
    """The edit worked out: each file's bytes as read and its new text, the diff, and what the check says."""

    files: dict[Path, tuple[bytes | None, str]]
    diff: str
    problems: list[str]

    @property
    def changed(self) -> bool:
        """True when the edit changes any file."""
        return any(original is None or decode_source(original) != text for original, text in self.files.values())


def preview(root: Path, edit: RecordEdit, citation: Citation, today: dt.date) -> Preview:
    """The files ``edit`` would write, their diff, and every problem (the citation's, then the build check's).

    Raises SourceInputError for a key no record has or a field the editor does not know.
    """
    problems = citation.problems(root, today)
    # an incomplete citation is named once, in the keeper's words: the edit is checked without it
    files = _edited_files(root, edit, citation if not problems else None)
    try:
        read_directory(root, replaced={path: text for path, (_, text) in files.items()})
    except DirectorySourceError as exc:
        problems += exc.problems
    return Preview(files, _diff(root, files), problems)


def save(root: Path, edit: RecordEdit, citation: Citation, today: dt.date, opened: bytes | None = None) -> Preview:
    """Write ``edit``: only when the citation is complete and the sources pass their checks (else nothing is written).

    ``opened`` is the record's file as it was when the keeper opened the record: if it has
    changed since (another keeper, a git pull), the edit is refused rather than undo theirs.
    """
    result = preview(root, edit, citation, today)
    wrong = citation.problems(root, today)
    if wrong:
        raise SourceInputError("the citation is not complete: " + "; ".join(wrong))
    path, _index = find_record(root, edit.key, edit.kind)
    if opened is not None and result.files[path][0] != opened:
        raise SourceEditRefused(
            f"{path.name} was changed by someone else since {edit.key} was opened; nothing was written: "
            "open the record again and make the change on what it says now"
        )
    if result.changed:
        write_checked(root, result.files, f"{edit.key} was not saved")
    return result


@dataclass(frozen=True)
class NewService:
    """What a new record starts with: what the build requires of every service."""

    key: str
    organization: str
    name: str
    description: str
    categories: Sequence[str]


def new_service(root: Path, file_name: str, record: NewService, citation: Citation, today: dt.date) -> Preview:
    """Add ``record`` as a ``[[service]]`` at the end of ``services/file_name``, citing ``citation``.

    The record starts with what the build requires (the rest is edited after, each with its
    own citation); ``assured_date`` is today and ``verification`` "sourced".
    """
    key = record.key
    if not _KEY.fullmatch(key):
        raise SourceInputError("a key is 2 to 80 characters: lower-case letters, digits and hyphens")
    try:
        find_record(root, key, "service")
    except SourceInputError as exc:
        if "no service with key" not in str(exc):
            raise
    else:
        raise SourceInputError(f"a service with key {key!r} exists already")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*\.toml", file_name):
        raise SourceInputError("the file is a name like coventry-treatment.toml in the services/ folder")
    wrong = citation.problems(root, today)
    if wrong:
        raise SourceInputError("the citation is not complete: " + "; ".join(wrong))
    path = root / "services" / file_name
    require_writable(path)
    original, text = read_text(path) if path.exists() else (None, "")
    table = tomlkit.table()
    table["key"] = key
    table["organization"] = record.organization
    table["name"] = record.name
    table["description"] = record.description
    table["categories"] = list(record.categories)
    table["status"] = "active"
    table["assured_date"] = today.isoformat()
    table["verification"] = "sourced"
    table["source"] = [citation.source()]
    added = tomlkit.document()
    added["service"] = tomlkit.aot()
    added["service"].append(table)
    # added after the file's own text, which stays as it is (tomlkit would regroup a whole file's tables)
    body = text if text.endswith("\n") or not text else text + "\n"
    files = _facts_with(root, citation) if citation.is_web else {}  # first, as in _edited_files
    files[path] = (original, same_line_endings(text, body + ("\n" if body else "") + tomlkit.dumps(added)))
    write_checked(root, files, f"{key} was not added")
    return Preview(files, _diff(root, files), [])


def _edited_files(root: Path, edit: RecordEdit, citation: Citation | None) -> dict[Path, tuple[bytes | None, str]]:
    """Each file the edit touches: (its bytes as read, its new text); with no citation, nothing is cited."""
    unknown = sorted(set(edit.fields) - set(SERVICE_FIELDS)) if edit.kind == "service" else []
    if unknown:
        raise SourceInputError(f"the editor does not set {', '.join(unknown)}")
    path, index = find_record(root, edit.key, edit.kind)
    original, text = read_text(path)
    cite = citation.source() if citation is not None else None

    def change(table) -> bool:
        touched = False
        after = "name"
        for name, value in edit.fields.items():
            old = plain(table.get(name))
            if value is None or value == "" or value == []:
                if name in table:
                    del table[name]  # unknown now: shown as unknown, never as a blank
                    touched = True
                continue
            if old == value:
                continue
            if name in table:
                table[name] = value  # in place: its line, and any comment on it, stay where they are
            else:
                insert_after(table, after if after in table else "name", name, value)
            after = name
            touched = True
        if touched and cite is not None:
            _cite(table, cite)
        for list_name, keys, given in (
            ("phones", PHONE_KEYS, edit.phones),
            ("schedules", SCHEDULE_KEYS, edit.schedules),
        ):
            if given is not None:
                _replace_entries(table, list_name, keys, given, cite)
        return touched

    edited, touched = edit_record(text, edit.kind, index, change)
    _says_it(edited, edit, index, cite if touched else None)
    # the facts sheet first: should the record's write then fail, an extra fact harms nothing,
    # where a record citing a page the sheet lacks would fail the build
    files = _facts_with(root, citation) if citation is not None and citation.is_web and edited != text else {}
    files[path] = (original, edited)
    return files


def _says_it(edited: str, edit: RecordEdit, index: int, cite: str | None) -> None:
    """Read the edited file back as the build does: the record must hold each new value and its citation.

    tomlkit can place an appended list item after a comment in an unusual layout, where it
    is no longer part of the list: then nothing is written.
    """
    try:
        record = tomllib.loads(edited)[edit.kind][index]
    except (tomllib.TOMLDecodeError, KeyError, IndexError):
        raise SourceInputError(f"the edit of {edit.key} would not read back as TOML; edit this file by hand") from None
    sources = record.get("source", [])
    sources = [sources] if isinstance(sources, str) else sources
    wrong = [name for name, value in edit.fields.items() if value not in (None, "", []) and record.get(name) != value]
    if wrong or (cite is not None and cite not in sources):
        what = ", ".join(wrong) if wrong else "its citation"
        raise SourceInputError(f"in this file's layout the edit of {edit.key} would lose {what}; edit the file by hand")


def _cite(table, cite: str) -> None:
    """Add ``cite`` to the table's ``source`` list unless it is there."""
    sources = table.get("source")
    if sources is None:
        table["source"] = [cite]
    elif isinstance(plain(sources), str):
        if plain(sources) != cite:
            table["source"] = [plain(sources), cite]
    else:
        listed = plain(sources)
        if isinstance(listed, list) and cite not in listed:
            sources.append(cite)


def _replace_entries(
    table, list_name: str, keys: Sequence[str], given: Sequence[Mapping[str, object]], cite: str | None
) -> None:
    """Make the table's ``[[list_name]]`` entries ``given``: unchanged ones kept as they are, new or changed ones citing ``cite``."""
    old = list(table.get(list_name) or [])
    old_values = [{k: plain(e.get(k)) for k in keys if e.get(k) not in (None, "")} for e in old]
    wanted = [{k: v for k, v in entry.items() if k in keys and v not in (None, "")} for entry in given]
    if wanted == old_values:
        return
    if old and wanted[: len(old)] == old_values:
        # only added at the end: the entries there stay in the file as they are written
        for values in wanted[len(old) :]:
            entry = _entry(keys, values, cite)
            entry.add(tomlkit.nl())  # a blank line before whatever header follows, as between the others
            table[list_name].append(entry)
        return
    hidden = sorted({k for e in old for k in e if k not in keys and k != "source"})
    if hidden:  # rebuilt from the editor's columns, an entry would lose them
        raise SourceInputError(
            f"its {list_name} have fields the editor does not show ({', '.join(hidden)}): edit them by hand"
        )
    entries = tomlkit.aot()
    for values in wanted:
        if values in old_values:
            entries.append(old[old_values.index(values)])  # as it was, with its own sources
        else:
            entries.append(_entry(keys, values, cite))
    if entries:
        table[list_name] = entries
    elif list_name in table:
        del table[list_name]


def _entry(keys: Sequence[str], values: Mapping[str, object], cite: str | None):
    """A new ``[[phones]]`` or ``[[schedules]]`` entry: ``values`` in the order of ``keys``, citing ``cite``."""
    entry = tomlkit.table()
    for k in keys:
        if k in values:
            entry[k] = values[k]
    if cite is not None:
        entry["source"] = [cite]
    return entry


def _facts_with(root: Path, citation: Citation) -> dict[Path, tuple[bytes | None, str]]:
    """The facts sheet with the web citation's fact added under the keepers' heading (once)."""
    doc = load_documents(root).get(FACTS_DOCUMENT)
    if doc is None:
        raise SourceInputError(f"sources.toml lists no facts sheet ({FACTS_DOCUMENT}) to cite a web page through")
    original, text = read_text(doc.path)
    line = citation.facts_line()
    if line in text.splitlines():
        return {}
    body = text if text.endswith("\n") or not text else text + "\n"
    if KEEPERS_HEADING not in body.splitlines():
        body += f"\n{KEEPERS_HEADING}\nFacts added in keeper mode, each with the words quoted, the day the page was seen and the page.\n"
    return {doc.path: (original, same_line_endings(text, body + line + "\n"))}


def _diff(root: Path, files: Mapping[Path, tuple[bytes | None, str]]) -> str:
    """A unified diff of every edited file, named relative to ``root`` (what a reviewer reads)."""
    out: list[str] = []
    for path, (original, text) in files.items():
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        old = decode_source(original) if original is not None else ""
        out += difflib.unified_diff(
            old.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    return "".join(out)
