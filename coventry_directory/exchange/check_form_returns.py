"""Providers' returned check forms (CSV) into the keeper's correction queue, as proposals beside workers' notes.

``check-form import FILE --by NAME`` and keeper mode read a returned form strictly
(``core.check_form_csv``: the header, keys of one organisation, known fields, sizes), then
queue one proposal for each row that says the listing is wrong, corrects it or comments on
it, in one transaction (``store.correction_queue``): a file goes in whole or not at all.
Each proposal names the record and field, what the directory lists now (read from the same
sources) and the value proposed, and says it came "from provider check form, ORGANISATION,
returned by NAME". Its id comes from the returned row, so importing the file again adds
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coventry_directory.core.check_form_csv import MAX_BYTES, ReturnedForm, ReturnedRow, read_returned
from coventry_directory.core.check_forms import NOT_KNOWN, CheckForm, CheckFormError, form_for
from coventry_directory.core.correction_queue import (
    BY_MAX,
    ORGANIZATION,
    ImportCount,
    Proposal,
    ReportedNote,
    one_line,
    utc_stamp,
)
from coventry_directory.core.directory_source import DirectorySources, read_directory
from coventry_directory.core.text import clean_text
from coventry_directory.input_files import InputFileError, read_input
from coventry_directory.store.correction_queue import CorrectionQueueStore
from coventry_directory.store.user import UserStore


@dataclass(frozen=True)
class CheckFormImport:
    """What one returned form held and what it added to the queue."""

    file: str
    organization_key: str
    organization_name: str
    rows: int  # rows of the form read
    count: ImportCount  # its proposals: how many, how many new

    @property
    def confirmed(self) -> int:
        """Rows that propose nothing (answered "yes", or left as they were)."""
        return self.rows - self.count.notes


def read_check_form_file(path: Path, sources: DirectorySources) -> ReturnedForm:
    """Read and check a returned form; CheckFormError (one line naming the row) for anything wrong with it."""
    try:
        data = read_input(path, "the returned check form", MAX_BYTES)
    except InputFileError as exc:  # missing, a folder, a pipe, too large: said the way every file is
        raise CheckFormError(str(exc)) from None
    return read_returned(data, str(path), sources)


def import_check_form(path: Path, user_store: UserStore, by: str, root: Path | None = None) -> CheckFormImport:
    """Queue the proposals of the returned form ``path``, returned by ``by``, checked against the sources at ``root``.

    CheckFormError for a file that is not a returned form; CorrectionQueueError for a ``by``
    that is not one short line; DirectorySourceError when the sources fail their checks.
    Nothing is queued unless all of it can be.
    """
    who = one_line(by, "--by", BY_MAX)
    sources = read_directory(root)
    returned = read_check_form_file(Path(path), sources)
    form = form_for(sources, returned.organization_key)
    origin = f"provider check form, {returned.organization_name}, returned by {who}"
    proposals = returned.proposals
    notes = [_note(row, form, sources, origin) for row in proposals]
    source = clean_text(Path(path).name)
    count = CorrectionQueueStore(user_store).add(notes, [row.record for row in proposals], source, utc_stamp())
    return CheckFormImport(source, returned.organization_key, returned.organization_name, len(returned.rows), count)


def _note(row: ReturnedRow, form: CheckForm, sources: DirectorySources, origin: str) -> ReportedNote:
    listed = form.row(row.kind, row.record, row.field)
    now = listed.we_list if listed is not None and listed.known else None
    if row.kind == ORGANIZATION:
        org = next(o for o in sources.organizations if o.key == row.record)
        record_id, name = org.id, org.name
    else:
        service = next(s for s in sources.services if s.key == row.record)
        record_id, name = service.id, service.name
    return ReportedNote(
        service_id=record_id,
        note=proposal_words(row, now),
        created_at=utc_stamp(),  # a returned form says nothing of when it was filled in
        service_name=name,
        reported_by=origin,
        proposal=Proposal(row.kind, row.field, now, row.correction, row.fingerprint),
    )


def proposal_words(row: ReturnedRow, listed: str | None) -> str:
    """The proposal as the queue's note text, for every list that shows notes: the field, what we list, the change."""
    lines = [f"{row.label}: we list: {listed or NOT_KNOWN}"]
    if row.correction:
        lines.append(f"Proposed: {row.correction}")
    elif row.correct is False:
        lines.append("Said to be wrong; no correction given.")
    if row.comment:
        lines.append(f"Comment: {row.comment}")
    return "\n".join(lines)
