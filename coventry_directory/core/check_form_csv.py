"""The check form as a CSV a provider opens in a spreadsheet, and the strict reading of the one they return.

Written as UTF-8 with a byte-order mark (so Excel shows accents and other scripts right),
CRLF line ends and one fixed header row, :data:`HEADER`; there is no comment row (the
instructions are on the PDF form and in docs/keeping-the-directory.md). A cell that would
start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with an
apostrophe in front, so no spreadsheet runs it as a formula; reading takes the apostrophe
off again.

Reading a returned file (:func:`read_returned`) is strict, because whatever it holds goes
into the keeper's queue: the same header, known record keys of one organisation, known
field ids, yes/no answers, at most :data:`MAX_ROWS` rows and :data:`MAX_CELL` characters a
cell, UTF-8 with or without the byte-order mark. Anything else is refused with one line
naming the row (as a spreadsheet numbers it: the header is row 1), and nothing is queued.
A returned row becomes a proposal when it says the listing is wrong, gives a correction or
comments (:attr:`ReturnedRow.is_proposal`). Qt-free and SQL-free.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from coventry_directory.core.check_forms import (
    FIELD_LABELS,
    ORGANIZATION_FIELDS,
    SERVICE_FIELDS,
    CheckForm,
    CheckFormError,
)
from coventry_directory.core.correction_queue import ORGANIZATION, SERVICE, proposal_id
from coventry_directory.core.directory_source import DirectorySources
from coventry_directory.core.models import Organization
from coventry_directory.core.text import HIDDEN_IN_RECORD

HEADER = (
    "record",
    "field",
    "label",
    "we_list",
    "last_checked",
    "source",
    "correct_as_listed",
    "correction",
    "comment",
)
MAX_BYTES = 2 << 20  # 2 MB: a form for the largest organisation is tens of KB
MAX_ROWS = 5_000
MAX_CELL = 5_000  # characters a cell: a correction is a few lines
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_YES, _NO = ("yes", "y"), ("no", "n")
_CONTROL = HIDDEN_IN_RECORD  # what a record may not hold, so neither may a returned form
_CORRECTION, _COMMENT, _ANSWER = HEADER.index("correction"), HEADER.index("comment"), HEADER.index("correct_as_listed")


def neutralise(cell: str) -> str:
    """``cell`` as written to the CSV: an apostrophe in front of what a spreadsheet would take for a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def restore(cell: str) -> str:
    """``cell`` as read back: the apostrophe :func:`neutralise` added is taken off (only that one)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def form_csv(form: CheckForm) -> bytes:
    """The CSV bytes of ``form``: BOM, header, one row per field, the answer columns empty."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in form.rows:
        cells = (row.record, row.field, row.label, row.we_list, row.last_checked, row.source_text, "", "", "")
        writer.writerow([neutralise(c) for c in cells])
    return (BOM + out.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class ReturnedRow:
    """One row of a returned form, checked."""

    number: int  # as a spreadsheet numbers it (the header is 1)
    kind: str  # SERVICE or ORGANIZATION
    record: str
    field: str
    we_list: str  # what the form said we list (as returned)
    correct: bool | None  # the provider's yes / no, None when left empty
    correction: str | None
    comment: str | None

    @property
    def label(self) -> str:
        """The field's label on the form."""
        return FIELD_LABELS[self.field]

    @property
    def is_proposal(self) -> bool:
        """True when the row says the listing is wrong, or gives a correction or a comment."""
        return self.correct is False or bool(self.correction) or bool(self.comment)

    @property
    def fingerprint(self) -> str:
        """The proposal's stable id: from the row's own cells (``core.correction_queue.proposal_id``)."""
        answer = "" if self.correct is None else "yes" if self.correct else "no"
        return proposal_id(
            [self.kind, self.record, self.field, self.we_list, answer, self.correction or "", self.comment or ""]
        )


@dataclass(frozen=True)
class ReturnedForm:
    """A returned check form: the organisation it is about and its rows."""

    organization_key: str
    organization_name: str
    rows: tuple[ReturnedRow, ...]

    @property
    def proposals(self) -> list[ReturnedRow]:
        """The rows that say something should change."""
        return [r for r in self.rows if r.is_proposal]


def read_returned(data: bytes, where: str, sources: DirectorySources) -> ReturnedForm:
    """Read and check a returned check form (the file's bytes; ``where`` names it in messages).

    CheckFormError, one line naming the row, for anything that is not a check form as this
    app writes it and a provider fills it in; ``sources`` says which keys exist.
    """
    text = _text(data, where)
    delimiter = _delimiter(text)
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise CheckFormError(f"{where} is not a well-formed CSV file ({exc}); save it again as CSV") from None
    if not table or [c.strip().lstrip(BOM).casefold() for c in table[0]] != list(HEADER) + [""] * (
        len(table[0]) - len(HEADER)
    ):
        raise CheckFormError(
            f"{where}: row 1 is not the check form's header ({','.join(HEADER)}): it is not a returned "
            "check form, or its first row was changed"
        )
    filled = [(n, row) for n, row in enumerate(table[1:], start=2) if any(c.strip() for c in row)]
    if len(filled) > MAX_ROWS:
        raise CheckFormError(f"{where} has more than {MAX_ROWS:,} rows: it is not a check form this app wrote")
    if not filled:
        raise CheckFormError(f"{where} has the header but no rows: there is nothing to import")
    lookup = _Lookup(sources)
    rows = [_row(number, cells, where, lookup) for number, cells in filled]
    assert lookup.organization is not None  # set by the first row
    return ReturnedForm(lookup.organization.key, lookup.organization.name, tuple(rows))


def _text(data: bytes, where: str) -> str:
    if len(data) > MAX_BYTES:
        raise CheckFormError(f"{where} is larger than a check form can be ({MAX_BYTES >> 20} MB)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CheckFormError(f"{where} is UTF-16 text: save it as 'CSV UTF-8 (comma delimited)' and import that")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckFormError(
            f"{where} is not UTF-8 text (byte {exc.start:,} is not): save it as 'CSV UTF-8 (comma delimited)'"
        ) from None
    text = text.removeprefix(BOM)
    if not text.strip():
        raise CheckFormError(f"{where} is empty: it holds no check form")
    if "\x00" in text:
        raise CheckFormError(f"{where} holds NUL characters: it is not a CSV file")
    return text


def _delimiter(text: str) -> str:
    """',' - or ';', which a spreadsheet set to a language that writes decimal commas saves with."""
    first = text.split("\n", 1)[0]
    return ";" if "," not in first and first.count(";") >= len(HEADER) - 1 else ","


class _Lookup:
    """The sources' records by kind and key, and the one organisation a returned form may be about."""

    def __init__(self, sources: DirectorySources):
        self.organizations = {o.key: o for o in sources.organizations}
        self.services = {s.key: s for s in sources.services}
        self.organization: Organization | None = None  # the form's organisation, from its first row

    def owner(self, kind: str, key: str, number: int, where: str) -> Organization:
        """The organisation the record belongs to; CheckFormError when there is no such record."""
        if kind == ORGANIZATION:
            org = self.organizations.get(key)
            if org is None:
                raise CheckFormError(f"{where}: row {number}: no organisation with key {_shown(key)} in the sources")
            return org
        service = self.services.get(key)
        if service is None:
            raise CheckFormError(f"{where}: row {number}: no service with key {_shown(key)} in the sources")
        return service.organization


_KINDS = {field: SERVICE for field, _ in SERVICE_FIELDS} | {field: ORGANIZATION for field, _ in ORGANIZATION_FIELDS}


def _row(number: int, cells: Sequence[str], where: str, lookup: _Lookup) -> ReturnedRow:
    at = f"{where}: row {number}"
    if len(cells) > len(HEADER) and any(c.strip() for c in cells[len(HEADER) :]):
        raise CheckFormError(f"{at} has more columns than the header ({len(HEADER)}): fill in only the columns given")
    cells = [*cells[: len(HEADER)], *[""] * (len(HEADER) - len(cells))]
    if any(len(c) > MAX_CELL for c in cells):
        raise CheckFormError(f"{at} has a cell longer than {MAX_CELL:,} characters")
    record, field = restore(cells[0]).strip(), restore(cells[1]).strip()
    kind = _KINDS.get(field)
    if kind is None:
        raise CheckFormError(f"{at}: field {_shown(field)} is not one of the check form's fields ({', '.join(_KINDS)})")
    owner = lookup.owner(kind, record, number, where)
    if lookup.organization is None:
        lookup.organization = owner
    elif owner.key != lookup.organization.key:
        raise CheckFormError(
            f"{at}: {record} belongs to {owner.name} ({owner.key}), not to {lookup.organization.name} "
            f"({lookup.organization.key}): a check form is about one organisation"
        )
    answer = restore(cells[_ANSWER]).strip().casefold()
    if answer not in ("", *_YES, *_NO):
        raise CheckFormError(f"{at}: correct_as_listed must be yes, no or empty, not {_shown(answer)}")
    return ReturnedRow(
        number=number,
        kind=kind,
        record=record,
        field=field,
        we_list=restore(cells[HEADER.index("we_list")]).strip(),
        correct=None if not answer else answer in _YES,
        correction=_written(cells[_CORRECTION], f"{at}, correction"),
        comment=_written(cells[_COMMENT], f"{at}, comment"),
    )


def _written(cell: str, at: str) -> str | None:
    """What the provider wrote in a cell, checked: one text, no control characters, no formula (None when empty)."""
    neutralised = cell.lstrip().startswith("'") and cell.lstrip()[1:].startswith(FORMULA_START)
    text = restore(cell.strip()).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    if _CONTROL.search(text):
        raise CheckFormError(f"{at} holds control or text-direction characters")
    if not neutralised and _formula(text):
        raise CheckFormError(
            f"{at} begins with {text[0]!r} like a spreadsheet formula; write it as words "
            "(or start it with an apostrophe) and import the file again"
        )
    return text


_PLAIN_SIGNED = re.compile(r"[+-](?:\s.*|[\d\s()]*)", re.S)  # "- Mondays", "+44 (0)24 7601 0241", "-1"


def _formula(text: str) -> bool:
    """True for text a spreadsheet would run: '=...', '@...', a tab or return first, or '+'/'-' before a formula.

    '+44 24 7601 0241' and '- Mondays' are words a provider writes, so they pass; a sign
    before anything else ("-1+cmd|' /C calc'!A0", "+SUM(A1)") is refused.
    """
    if text[0] in "=@\t\r":
        return True
    return text[0] in "+-" and not _PLAIN_SIGNED.fullmatch(text)


def _shown(value: str) -> str:
    """A value from the file for a message: quoted, one line, cut short."""
    one = _CONTROL.sub("?", value.replace("\n", " "))
    return repr(one if len(one) <= 60 else one[:57] + "...")
