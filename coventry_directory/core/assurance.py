"""Assurance: a keeper records, in a service's own TOML source, that its record was checked.

``coventry-directory assure`` (docs/cli.md) calls :func:`assure`. The edit is the smallest
one that says what happened: ``assured_date``, ``assured_by``, ``assured_how``,
``review_due`` and ``verification`` are set (new keys go just after ``assured_date``), a
note or a "may still have changed" reason is added if given, and one left from an earlier
check is removed. Comments, blank lines and every other key stay exactly as they were
(tomlkit edits the file's own syntax tree, it does not rewrite the file).

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

import copy
import datetime as dt
import difflib
import errno
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from coventry_directory.atomic_write import write_text_atomic
from coventry_directory.core.directory_records import ASSURED_BY_MAX, ASSURED_HOW
from coventry_directory.core.directory_source import DirectorySourceError, read_directory, record_files
from coventry_directory.core.review import default_review_due

NOTE_MAX = 2000  # a note, not a report: the longest one line an error message would show
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # no line breaks or terminal codes in a one-line value
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


class AssuranceInputError(ValueError):
    """The arguments cannot make an assurance (the command line reports it as bad input, exit 2)."""


class AssuranceRefused(DirectorySourceError):
    """The edit was worked out but not written: the sources would fail their checks, or the file moved on.

    A DirectorySourceError, so the command line reports it as ``build-db`` reports wrong
    sources (exit 1); ``problems`` lists what the check found.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        Exception.__init__(self, message)
        self.problems = problems or []


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
    """``value`` stripped, if it is one line of real text: not blank, no control characters, UTF-8, not too long."""
    text = value.strip()
    if not text:
        raise AssuranceInputError(f"{option} needs some text")
    if "\ufffd" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        # the command line turns bytes that are not UTF-8 into U+FFFD: a garbled name is no record of who
        raise AssuranceInputError(f"{option} holds bytes that are not UTF-8 text")
    if _CONTROL.search(text):
        raise AssuranceInputError(f"{option} must be one line, without control characters")
    if len(text) > longest:
        raise AssuranceInputError(f"{option} is longer than {longest} characters")
    return text


def _day(text: str, option: str) -> dt.date:
    """A date written YYYY-MM-DD (the one way the sources write dates), else AssuranceInputError."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise AssuranceInputError(f"{option} must be a date written YYYY-MM-DD, e.g. 2027-06-01, not {text!r}")


def assure(root: Path, key: str, assurance: Assurance) -> Assured:
    """Write ``assurance`` into the source record of service ``key`` under ``root`` (see the module notes).

    Raises AssuranceInputError for a key no service has (naming close ones), OSError for a
    folder or file that cannot be read or written, and AssuranceRefused when the edit would
    not pass the checks or the file changed meanwhile: in every case nothing is written.
    """
    path, index = find_service(root, key)
    _require_writable(path)
    original = path.read_bytes()
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise AssuranceRefused(f"{path} is not UTF-8 text; fix it first (build-db cannot read it either)") from None
    values = assurance.values()
    edited, before, alert = _edit(text, index, values)
    _same_but_for(text, edited, index, values)
    _check(root, path, edited, key)
    if path.read_bytes() != original:  # someone else saved it meanwhile: ours would undo theirs
        raise AssuranceRefused(f"{path} changed while {key} was being assured; nothing was written, run assure again")
    write_text_atomic(path, edited, mode=stat.S_IMODE(os.stat(path).st_mode))
    after = {k: values.get(k) for k in ASSURANCE_KEYS}
    return Assured(key=key, path=path, before=before, after=after, alert=alert)


def find_service(root: Path, key: str) -> tuple[Path, int]:
    """The file holding ``[[service]]`` ``key`` and its position among that file's services.

    AssuranceInputError when no service has the key (with up to five close keys), or when
    the key is defined more than once (the build refuses that too).
    """
    if not root.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder of directory sources", str(root))
    if not (root / "services").is_dir():
        raise AssuranceInputError(f"{root} has no services/ folder: it is not a folder of directory sources")
    found: list[tuple[Path, int]] = []
    keys: list[str] = []
    for path in record_files(root):
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # the check after the edit names it; here it only cannot hold the key
        services = data.get("service", [])
        for index, table in enumerate(services if isinstance(services, list) else []):
            if isinstance(table, dict) and isinstance(table.get("key"), str):
                keys.append(table["key"])
                if table["key"] == key:
                    found.append((path, index))
    if len(found) > 1:
        files = ", ".join(sorted({p.name for p, _ in found}))
        raise AssuranceInputError(f"service key {key!r} is defined more than once ({files}); fix that first")
    if not found:
        raise AssuranceInputError(f"no service with key {key!r} in {root}" + _suggest(key, keys))
    return found[0]


def _suggest(key: str, keys: list[str]) -> str:
    """'; did you mean ...?' with up to five keys close to ``key`` (by spelling, then containing it)."""
    word = re.sub(r"[^a-z0-9-]+", "", key.casefold())  # keys are only these: the rest is a slip of the keyboard
    close = difflib.get_close_matches(word, keys, n=5, cutoff=0.6)
    close += [k for k in sorted(keys) if word and word in k and k not in close]
    return f"; did you mean {', '.join(close[:5])}?" if close else " (the keys are in the services/*.toml files)"


def _require_writable(path: Path) -> None:
    """OSError, worded for the user, unless ``path`` and its folder can be written (checked before any work).

    A file whose owner may not write it was made read-only on purpose: refused even for an
    administrator, whom ``os.access`` would let through.
    """
    for target in (path.parent, path):
        if os.access(target, os.W_OK) and (target.is_dir() or os.stat(target).st_mode & stat.S_IWUSR):
            continue
        if hasattr(os, "statvfs") and os.statvfs(target).f_flag & os.ST_RDONLY:
            raise OSError(errno.EROFS, "read-only file system", str(path))  # worded "on a read-only disk"
        raise PermissionError(errno.EACCES, f"cannot write {target}: no permission; nothing was changed")


def _edit(text: str, index: int, values: dict[str, str]) -> tuple[str, dict[str, str | None], str | None]:
    """The file's text with the assurance written into service ``index``; and that service's old values and alert."""
    doc = tomlkit.parse(text)
    table = doc["service"][index]
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
            _insert_after(table, after_key, name, values[name])
        after_key = name
    out = tomlkit.dumps(doc)
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        out = re.sub(r"(?<!\r)\n", "\r\n", out)  # tomlkit writes new lines with \n: keep a CRLF file CRLF
    return out, before, _plain(table.get("alert"))


def _insert_after(table, after: str, name: str, value: str) -> None:
    """Add ``name`` on the line after ``after``, so a record's assurance reads as one group."""
    try:
        # tomlkit has no public "insert after"; its container's own is what its insert uses
        table.value._insert_after(after, name, value)
    except AttributeError:
        table[name] = value  # a tomlkit without it: the key goes after the table's other keys instead


def _plain(value) -> str | None:
    """A tomlkit value as the text tomllib would give (None when absent)."""
    if value is None:
        return None
    unwrapped = value.unwrap() if hasattr(value, "unwrap") else value
    return unwrapped if isinstance(unwrapped, str) else str(unwrapped)


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


def _check(root: Path, path: Path, edited: str, key: str) -> None:
    """Run the ``build-db --check`` checks on the sources with the edited file; AssuranceRefused if they fail."""
    try:
        read_directory(root, replaced={path: edited})
    except DirectorySourceError as exc:
        try:
            read_directory(root)
            already = False
        except DirectorySourceError:
            already = True
        why = "the sources already fail 'build-db --check'" if already else "it would make 'build-db --check' fail"
        shown = "; ".join(exc.problems[:3]) + (f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else "")
        raise AssuranceRefused(
            f"{key} was not assured, {path} is unchanged: {why} ({len(exc.problems)} problem(s): {shown})",
            exc.problems,
        ) from None
