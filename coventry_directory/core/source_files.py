"""Editing the directory's TOML sources safely: find a record, edit it in place, check, then write.

Shared by :mod:`coventry_directory.core.assurance` (``assure``) and
:mod:`coventry_directory.core.record_edit` (the keeper's editor). Edits go through tomlkit,
which changes the file's own syntax tree, so comments, blank lines and every other key
stay as they were and a diff shows only what the keeper changed. tomlkit does not always
write back what it read, though (it gathers a file's ``[[organization]]`` tables together,
and spells every ``[[service.phones]]`` header as the first one is spelled), so only the
edited record is parsed and written again (:func:`edit_record`), and within it every line
the edit left alone is the file's own (:func:`render`). Nothing is written unless the
folder and file can be written, the sources with the edited files pass the same checks as
``build-db --check``, and no file changed while the edit was worked out; then each file is
replaced atomically, keeping its permissions, line endings and any byte order mark.
Qt-free and SQL-free.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import tomlkit

from coventry_directory.atomic_write import write_text_atomic
from coventry_directory.core.directory_source import (
    BOM,
    DirectorySourceError,
    decode_source,
    read_directory,
    record_files,
)

KINDS = ("service", "organization")  # the top-level tables a record can be


class SourceInputError(ValueError):
    """What was asked cannot be done as asked (a key no record has, a bad value): bad input, exit 2."""


class SourceEditRefused(DirectorySourceError):
    """The edit was worked out but not written: the sources would fail their checks, or a file moved on.

    A DirectorySourceError, so the command line reports it as ``build-db`` reports wrong
    sources (exit 1); ``problems`` lists what the check found.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        Exception.__init__(self, message)
        self.problems = problems or []


def find_record(root: Path, key: str, kind: str = "service") -> tuple[Path, int]:
    """The file holding the ``[[kind]]`` table with ``key``, and its position among that file's tables of that kind.

    SourceInputError when no record has the key (with up to five close keys), or when the
    key is defined more than once (the build refuses that too).
    """
    if kind not in KINDS:
        raise ValueError(f"not a kind of record: {kind!r}")
    if not root.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder of directory sources", str(root))
    if not (root / "services").is_dir():
        raise SourceInputError(f"{root} has no services/ folder: it is not a folder of directory sources")
    found: list[tuple[Path, int]] = []
    keys: list[str] = []
    for path in record_files(root):
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(decode_source(path.read_bytes()))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # the check after the edit names it; here it only cannot hold the key
        tables = data.get(kind, [])
        for index, table in enumerate(tables if isinstance(tables, list) else []):
            if isinstance(table, dict) and isinstance(table.get("key"), str):
                keys.append(table["key"])
                if table["key"] == key:
                    found.append((path, index))
    word = "service" if kind == "service" else "organisation"
    if len(found) > 1:
        files = ", ".join(sorted({p.name for p, _ in found}))
        raise SourceInputError(f"{word} key {key!r} is defined more than once ({files}); fix that first")
    if not found:
        raise SourceInputError(f"no {word} with key {key!r} in {root}" + suggest(key, keys))
    return found[0]


def record_keys(root: Path, kind: str = "service") -> list[str]:
    """Every key of a ``[[kind]]`` table in the sources under ``root``, sorted (files that cannot be read are skipped)."""
    keys: set[str] = set()
    for path in record_files(root):
        try:
            data = tomllib.loads(decode_source(path.read_bytes())) if path.is_file() else {}
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        tables = data.get(kind, [])
        keys.update(
            t["key"]
            for t in (tables if isinstance(tables, list) else [])
            if isinstance(t, dict) and isinstance(t.get("key"), str)
        )
    return sorted(keys)


def suggest(key: str, keys: list[str]) -> str:
    """'; did you mean ...?' with up to five keys close to ``key`` (by spelling, then containing it)."""
    word = re.sub(r"[^a-z0-9-]+", "", key.casefold())  # keys are only these: the rest is a slip of the keyboard
    close = difflib.get_close_matches(word, keys, n=5, cutoff=0.6)
    close += [k for k in sorted(keys) if word and word in k and k not in close]
    return f"; did you mean {', '.join(close[:5])}?" if close else " (the keys are in the services/*.toml files)"


def require_writable(path: Path) -> None:
    """OSError, worded for the user, unless ``path`` and its folder can be written (checked before any work).

    A file whose owner may not write it was made read-only on purpose: refused even for an
    administrator, whom ``os.access`` would let through.
    """
    for target in (path.parent, path):
        if not target.exists() and target == path:
            continue  # a file still to be made: its folder decides
        if os.access(target, os.W_OK) and (target.is_dir() or os.stat(target).st_mode & stat.S_IWUSR):
            continue
        if hasattr(os, "statvfs") and os.statvfs(target).f_flag & os.ST_RDONLY:
            raise OSError(errno.EROFS, "read-only file system", str(path))  # worded "on a read-only disk"
        raise PermissionError(errno.EACCES, f"cannot write {target}: no permission; nothing was changed")


def read_text(path: Path) -> tuple[bytes, str]:
    """A source file's bytes and its text (without a byte order mark: :func:`write_checked` puts it back); SourceEditRefused when it is not UTF-8."""
    original = path.read_bytes()
    try:
        return original, decode_source(original)
    except UnicodeDecodeError:
        raise SourceEditRefused(f"{path} is not UTF-8 text; fix it first (build-db cannot read it either)") from None


def same_line_endings(original: str, edited: str) -> str:
    """``edited`` with CRLF line ends when ``original`` used only those (tomlkit writes new lines with LF)."""
    if "\r\n" in original and original.count("\r\n") == original.count("\n"):
        return re.sub(r"(?<!\r)\n", "\r\n", edited)
    return edited


# A record's header line, ``[[service]]`` or ``[[organization]]`` (``kind``), with spaces or a comment if any.
_RECORD_HEADER = r"^[ \t]*\[\[[ \t]*{kind}[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$"
Changed = TypeVar("Changed")
Hunk = tuple[int, int, list[str]]  # lines start:end of one text, and what another text has there instead


def edit_record(text: str, kind: str, index: int, change: Callable[[Any], Changed]) -> tuple[str, Changed]:
    """``text`` with its ``index``-th ``[[kind]]`` record changed by ``change`` (given the record's tomlkit table); and what ``change`` returned.

    Only the record's own text (from its header to the next record's) is parsed and written
    again, through :func:`render`: every other byte of the file stays as it was. When the
    record's text cannot be told apart for sure (a header-like line in a multi-line
    string), the whole file is the record's text.
    """
    start, end, position = _record_span(text, kind, index)
    own = text[start:end]
    doc = tomlkit.parse(own)
    result = change(doc[kind][position])
    return same_line_endings(text, text[:start] + render(own, doc) + text[end:]), result


def _record_span(text: str, kind: str, index: int) -> tuple[int, int, int]:
    """Where the ``index``-th ``[[kind]]`` record of ``text`` starts and ends, and its position there (0; ``index`` for the whole text)."""
    headers = [m.start() for m in re.finditer(_RECORD_HEADER.format(kind=kind), text, re.MULTILINE)]
    if index < len(headers):
        start = headers[index]
        records = re.finditer(_RECORD_HEADER.format(kind="(?:service|organization)"), text, re.MULTILINE)
        end = next((m.start() for m in records if m.start() > start), len(text))
        try:  # sure only when that text alone reads as that record, and the file has as many as headers
            alone, whole = tomllib.loads(text[start:end]).get(kind), tomllib.loads(text).get(kind)
        except tomllib.TOMLDecodeError:
            alone = whole = None
        if isinstance(whole, list) and len(whole) == len(headers) and alone == [whole[index]]:
            return start, end, 0
    return 0, len(text), index


def render(original: str, doc: Any) -> str:
    """``doc`` (parsed from ``original``, then edited) as text, with every line the edit left alone as ``original`` has it.

    tomlkit's text of the edited ``doc`` is compared with its text of ``original`` unedited:
    where those differ is the edit. Where the unedited text differs from ``original`` itself,
    tomlkit rewrote lines nobody changed, and the file's own lines are kept. When the two
    meet (the edit is beside a line tomlkit would move or rewrite), the edit cannot be made
    exactly: SourceEditRefused, and nothing is written.
    """
    edited = tomlkit.dumps(doc)
    unedited = tomlkit.dumps(tomlkit.parse(original))
    if unedited == original:
        return edited  # the usual case: tomlkit writes this text back exactly
    base, own, new = (t.splitlines(keepends=True) for t in (unedited, original, edited))
    edits = _hunks(base, new)
    kept: list[Hunk] = []
    for start, end, lines in _hunks(base, own, by_line=True):
        met = [(e_start, e_end) for e_start, e_end, _ in edits if _overlap(start, end, e_start, e_end)]
        if not met:
            kept.append((start, end, lines))
        elif start == end or not all(e_start <= start and end <= e_end for e_start, e_end in met):
            raise _cannot_keep(lines or base[start:end])
        # else: a line tomlkit rewrote, which the edit replaces anyway
    out: list[str] = []
    done = 0
    for start, end, lines in sorted(kept + edits, key=lambda h: (h[0], h[1])):
        out += base[done:start] + lines
        done = end
    merged = "".join(out + base[done:])
    try:
        same = tomllib.loads(merged) == tomllib.loads(edited)
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise _cannot_keep([])
    return merged


def _cannot_keep(lines: list[str]) -> SourceEditRefused:
    such = f" (such as {lines[0].strip()[:80]!r})" if lines and lines[0].strip() else ""
    return SourceEditRefused(
        f"tomlkit, which makes the edit, would also rewrite or move lines of this file that the edit does not "
        f"change{such}; nothing was written: make this change by hand"
    )


def _hunks(old: list[str], new: list[str], by_line: bool = False) -> list[Hunk]:
    """Where ``new`` differs from ``old``: (start, end in ``old``, the lines ``new`` has there instead).

    ``by_line``: lines replaced by as many are one hunk each, so that one line rewritten
    does not take its neighbours with it.
    """
    found: list[Hunk] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if by_line and tag == "replace" and i2 - i1 == j2 - j1:
            found += [(i1 + n, i1 + n + 1, [new[j1 + n]]) for n in range(i2 - i1)]
        else:
            found.append((i1, i2, new[j1:j2]))
    return found


def _overlap(start: int, end: int, other_start: int, other_end: int) -> bool:
    """True when two hunks of one text meet: they share a line, or one inserts inside the other (or where it inserts)."""
    if start == end and other_start == other_end:
        return start == other_start
    if start == end:
        return other_start < start < other_end
    if other_start == other_end:
        return start < other_start < end
    return start < other_end and other_start < end


def insert_after(table, after: str, name: str, value) -> None:
    """Add ``name`` on the line after ``after``, so related keys read as one group."""
    try:
        # tomlkit has no public "insert after"; its container's own is what its insert uses
        table.value._insert_after(after, name, value)
    except (AttributeError, KeyError):
        table[name] = value  # a tomlkit without it: the key goes after the table's other keys instead


def plain(value) -> object:
    """A tomlkit value as tomllib would give it (None when absent)."""
    if value is None:
        return None
    return value.unwrap() if hasattr(value, "unwrap") else value


def check_sources(root: Path, replaced: Mapping[Path, str], what: str) -> None:
    """Run the ``build-db --check`` checks on the sources with the edited files; SourceEditRefused if they fail.

    ``what`` names the edit in the message ("cov-emmaus was not assured").
    """
    try:
        read_directory(root, replaced=replaced)
    except DirectorySourceError as exc:
        try:
            read_directory(root)
            already = False
        except DirectorySourceError:
            already = True
        why = "the sources already fail 'build-db --check'" if already else "it would make 'build-db --check' fail"
        shown = "; ".join(exc.problems[:3]) + (f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else "")
        raise SourceEditRefused(
            f"{what}, nothing was written: {why} ({len(exc.problems)} problem(s): {shown})", exc.problems
        ) from None


def write_checked(root: Path, edits: Mapping[Path, tuple[bytes | None, str]], what: str) -> None:
    """Write each edited file (``path: (its bytes when read, None for a new file; new text)``) once all is sure.

    Checked first (:func:`check_sources`), then each file is compared with what was read:
    if someone saved one meanwhile, ours would undo theirs, so nothing is written. A file
    is replaced atomically with its own permissions (a new one gets the folder's usual 0644).
    """
    for path in edits:
        require_writable(path)
    check_sources(root, {path: text for path, (_, text) in edits.items()}, what)
    for path, (original, _) in edits.items():
        now = path.read_bytes() if path.exists() else None
        if now != original:
            raise SourceEditRefused(f"{path} changed while the edit was being made; {what}, run it again")
    for path, (original, text) in edits.items():
        mode = stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o644
        mark = BOM if original is not None and original.startswith(BOM.encode("utf-8")) else ""
        write_text_atomic(path, mark + text, mode=mode)  # a byte order mark the file had, it keeps
