"""Assurance: a keeper records, in a service's own TOML source, that its record was checked.

``coventry-directory assure`` (docs/cli.md) calls :func:`assure`. The edit is the smallest
one that says what happened: ``assured_date``, ``assured_by``, ``assured_how``,
``review_due`` and ``verification`` are set (new keys go just after ``assured_date``), a
note or a "may still have changed" reason is added if given, and one left from an earlier
check is removed. Comments, blank lines and every other key stay exactly as they were
(tomlkit edits the record's own syntax tree, and every other line is the file's own:
``source_files.edit_record``).

Nothing is written unless all of this holds, in this order:

1. the arguments are sane (:func:`make_assurance`) and the key names one service;
2. the folder and the file can be written;
3. the edited file means what the old one meant, with only those keys changed (read back
   with ``tomllib``, the parser the build uses);
4. the sources with the edited file pass the same checks as ``build-db --check``;
5. the file did not change while we worked.

The file is then replaced atomically (``atomic_write``), keeping its permissions and line
endings. Qt-free and SQL-free, like the rest of ``core``.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coventry_directory.core.directory_records import ASSURED_BY_MAX, ASSURED_HOW, REVIEW_DUE_YEARS, latest_review_due
from coventry_directory.core.review import default_review_due
from coventry_directory.core.source_files import (
    SourceEditRefused,
    SourceInputError,
    edit_record,
    find_record,
    insert_after,
    plain,
    read_text,
    require_writable,
    write_checked,
)
from coventry_directory.core.text import one_line

NOTE_MAX = 2000  # a note, not a report: the longest one line an error message would show
_CHANGING = "provider-may-have-changed"
# Keys assure may add or remove, in the order they are written after assured_date.
ASSURANCE_KEYS = (
    "assured_date",
    "assured_by",
    "assured_how",
    "review_due",
    "assurance_note",
    "may_have_changed_reason",
    "verification",
)


# The command line reports these as bad input (exit 2) and as sources it will not write (exit 1).
AssuranceInputError = SourceInputError
AssuranceRefused = SourceEditRefused


@dataclass(frozen=True)
class Assurance:
    """One check of one record: who, how, when, until when, and what they noted."""

    by: str
    how: str
    on: dt.date
    review_due: dt.date
    note: str | None = None
    may_have_changed_reason: str | None = None  # set: the provider may still have changed, and why

    def values(self) -> dict[str, str]:
        """The TOML keys this check sets, in :data:`ASSURANCE_KEYS` order (the unset ones are removed)."""
        out = {
            "assured_date": self.on.isoformat(),
            "assured_by": self.by,
            "assured_how": self.how,
            "review_due": self.review_due.isoformat(),
            "assurance_note": self.note,
            "may_have_changed_reason": self.may_have_changed_reason,
            "verification": _CHANGING if self.may_have_changed_reason else "confirmed",
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Assured:
    """What :func:`assure` changed: the file, and each key's value before and after (None: absent)."""

    key: str
    path: Path
    before: dict[str, str | None]
    after: dict[str, str | None]
    alert: str | None

    def changed(self) -> dict[str, tuple[str | None, str | None]]:
        """Each key whose value changed: (before, after)."""
        return {k: (self.before[k], self.after[k]) for k in ASSURANCE_KEYS if self.before[k] != self.after[k]}


def make_assurance(
    *,
    by: str,
    how: str,
    today: dt.date,
    note: str | None = None,
    may_have_changed_reason: str | None = None,
    review_due: str | None = None,
) -> Assurance:
    """An :class:`Assurance` from the command line's words; AssuranceInputError names what is wrong."""
    if how not in ASSURED_HOW:
        raise AssuranceInputError(f"--how must be one of {', '.join(ASSURED_HOW)}, not {how!r}")
    due = default_review_due(today) if review_due is None else _day(review_due, "--review-due")
    if due <= today:
        raise AssuranceInputError(f"--review-due {due.isoformat()} is not after today ({today.isoformat()})")
    if due > latest_review_due(today):
        # a record nobody need check for decades would never come up in review again
        raise AssuranceInputError(
            f"--review-due {due.isoformat()} is more than {REVIEW_DUE_YEARS} years away: "
            f"give a date up to {latest_review_due(today).isoformat()}"
        )
    return Assurance(
        by=_one_line(by, "--by", ASSURED_BY_MAX),
        how=how,
        on=today,
        review_due=due,
        note=None if note is None else _one_line(note, "--note", NOTE_MAX),
        may_have_changed_reason=(
            None
            if may_have_changed_reason is None
            else _one_line(may_have_changed_reason, "--still-may-have-changed", NOTE_MAX)
        ),
    )


def _one_line(value: str, option: str, longest: int) -> str:
    """``value`` as one line of real text (``core.text.one_line``), else AssuranceInputError."""
    return one_line(value, option, longest, AssuranceInputError)


def _day(text: str, option: str) -> dt.date:
    """A date written YYYY-MM-DD (the one way the sources write dates), else AssuranceInputError saying what is wrong."""
    written = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if written is None:
        raise AssuranceInputError(f"{option} must be a date written YYYY-MM-DD, e.g. 2027-06-01, not {text!r}")
    year, month, day = (int(part) for part in written.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        pass
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif year < dt.MINYEAR:
        why = "there is no year 0"
    else:
        why = f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"
    raise AssuranceInputError(f"{option} {written[0]}: that date does not exist ({why})")


def assure(root: Path, key: str, assurance: Assurance) -> Assured:
    """Write ``assurance`` into the source record of service ``key`` under ``root`` (see the module notes).

    Raises AssuranceInputError for a key no service has (naming close ones), OSError for a
    folder or file that cannot be read or written, and AssuranceRefused when the edit would
    not pass the checks or the file changed meanwhile: in every case nothing is written.
    """
    path, index = find_service(root, key)
    require_writable(path)
    original, text = read_text(path)
    values = assurance.values()
    edited, before, alert = _edit(text, index, values)
    _same_but_for(text, edited, index, values)
    write_checked(root, {path: (original, edited)}, f"{key} was not assured, {path} is unchanged")
    after = {k: values.get(k) for k in ASSURANCE_KEYS}
    return Assured(key=key, path=path, before=before, after=after, alert=alert)


def find_service(root: Path, key: str) -> tuple[Path, int]:
    """The file holding ``[[service]]`` ``key`` and its position among that file's services (``source_files.find_record``)."""
    return find_record(root, key, "service")


def _edit(text: str, index: int, values: dict[str, str]) -> tuple[str, dict[str, str | None], str | None]:
    """The file's text with the assurance written into service ``index``; and that service's old values and alert."""

    def write(table) -> tuple[dict[str, str | None], str | None]:
        before = {k: _plain(table.get(k)) for k in ASSURANCE_KEYS}
        after_key = "assured_date"
        for name in ASSURANCE_KEYS:
            if name not in values:
                if name in table:
                    del table[name]  # left from an earlier check: it does not belong to this one
                continue
            if name in table or after_key not in table:
                table[name] = values[name]  # in place: its line, and any comment on it, stay where they are
            else:
                insert_after(table, after_key, name, values[name])
            after_key = name
        return before, _plain(table.get("alert"))

    edited, (before, alert) = edit_record(text, "service", index, write)
    return edited, before, alert


def _plain(value) -> str | None:
    """A tomlkit value as the text tomllib would give (None when absent)."""
    unwrapped = plain(value)
    return unwrapped if unwrapped is None or isinstance(unwrapped, str) else str(unwrapped)


def _same_but_for(old: str, new: str, index: int, values: dict[str, str]) -> None:
    """Prove the edit changed only the assurance keys of service ``index``: read both back as the build does."""
    expected = copy.deepcopy(tomllib.loads(old))
    record = expected["service"][index]
    for name in ASSURANCE_KEYS:
        record.pop(name, None)
    record.update(values)
    try:
        got = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise AssuranceRefused(f"the edited file would not be valid TOML ({exc}); nothing was written") from None
    if got != expected:  # a tomlkit bug, not anything the keeper did
        raise AssuranceRefused("the edit would have changed more than this record's assurance; nothing was written")
