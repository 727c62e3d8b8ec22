"""Editing the directory's TOML sources safely: find a record, edit it in place, check, then write.

Shared by :mod:`coventry_directory.core.assurance` (``assure``) and
:mod:`coventry_directory.core.record_edit` (the keeper's editor). Edits go through tomlkit,
which changes the file's own syntax tree, so comments, blank lines and every other key
stay as they were and a diff shows only what the keeper changed. Nothing is written unless
the folder and file can be written, the sources with the edited files pass the same checks
as ``build-db --check``, and no file changed while the edit was worked out; then each file
is replaced atomically, keeping its permissions and line endings. Qt-free and SQL-free.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path

from coventry_directory.atomic_write import write_text_atomic
from coventry_directory.core.directory_source import DirectorySourceError, read_directory, record_files

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
            data = tomllib.loads(path.read_bytes().decode("utf-8"))
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
            data = tomllib.loads(path.read_bytes().decode("utf-8")) if path.is_file() else {}
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
    """A source file's bytes and its text; SourceEditRefused when it is not UTF-8."""
    original = path.read_bytes()
    try:
        return original, original.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceEditRefused(f"{path} is not UTF-8 text; fix it first (build-db cannot read it either)") from None


def same_line_endings(original: str, edited: str) -> str:
    """``edited`` with CRLF line ends when ``original`` used only those (tomlkit writes new lines with LF)."""
    if "\r\n" in original and original.count("\r\n") == original.count("\n"):
        return re.sub(r"(?<!\r)\n", "\r\n", edited)
    return edited


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
    for path, (_, text) in edits.items():
        mode = stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o644
        write_text_atomic(path, text, mode=mode)
