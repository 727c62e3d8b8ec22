"""Opening the files a user hands us (a referral form, an HSDS import, a signing key) safely.

Whatever path arrives, reading it must end quickly with the file's bytes or one plain
reason, never hang and never exhaust memory:

- only a **regular file** is read. A named pipe would block ``open`` until a writer comes
  (for ever), a device such as ``/dev/zero`` never ends, a folder cannot be read: each is
  refused *before* it is read, by opening without blocking (``O_NONBLOCK``) and checking
  what was opened (``fstat``), so a pipe swapped in after a check cannot slip through;
- **sizes are capped**: the caller says how big its kind of file can sensibly be;
- a path that cannot be reached says **why** - missing, a file where a folder should be,
  no permission - rather than "does not exist" for all of them;
- JSON nested deeper than Python can parse (``[[[[...]]]]``) is refused as
  :class:`JsonTooDeep`, a ValueError, not a RecursionError.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import IO, Any

_NOT_FILES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)
_CHUNK = 1 << 20


class InputFileError(Exception):
    """A file the user named cannot be used as input; the message says which and why (bad input)."""


class JsonTooDeep(ValueError):
    """JSON nested more deeply than can be read (a ValueError, like any other JSON that cannot be read)."""


def unreachable_reason(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be opened, in words: missing, under a file, no permission ..."""
    code = exc.errno
    if code == errno.ENOENT:
        return "does not exist"
    if code == errno.ENOTDIR:
        blocker = next((p for p in reversed(path.parents) if p.is_file()), None)
        return (
            f"cannot exist: {blocker} is a file, not a folder"
            if blocker
            else "cannot exist: part of it is not a folder"
        )
    if code in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    if code == errno.ELOOP:
        return "cannot be read: it is a loop of symbolic links"
    if code == errno.ENAMETOOLONG:
        return "cannot exist: the name is too long"
    return f"cannot be read: {exc.strerror or exc.__class__.__name__}"


def kind_of(mode: int) -> str | None:
    """What a file of this ``st_mode`` is, in words, when it is not a regular file; None for one."""
    for test, kind in _NOT_FILES:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def open_input(path: Path | str, what: str, max_bytes: int, *, text: bool = False, encoding: str = "utf-8") -> IO[Any]:
    """``path`` opened for reading, once it is known to be a regular file of at most ``max_bytes``.

    ``what`` names the file in messages ("the referral form", "the signing key"). Raises
    :class:`InputFileError` for anything else. ``text=True`` gives a text file (newlines
    kept as they are, for the csv module).
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputFileError(f"{what} {path} {unreachable_reason(path, exc)}") from exc
    try:
        info = os.fstat(fd)
        kind = kind_of(info.st_mode)
        if kind is not None:
            raise InputFileError(f"{what} {path} is {kind}, not a file")
        if info.st_size > max_bytes:
            raise InputFileError(
                f"{what} {path} is {_size(info.st_size)}, more than the {_size(max_bytes)} it can sensibly be"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: ordinary reads from here on
        if text:
            return open(fd, encoding=encoding, newline="")
        return open(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_identity(path: Path | str) -> tuple[int, int, int, int]:
    """Which file ``path`` is, and which version of it: device, inode, size and modification time.

    Two readings of a file with the same identity read the same bytes; a file replaced (a
    download renamed over it) or changed in place in between has another.
    """
    info = os.stat(path)
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def read_input(path: Path | str, what: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_input`); never more than ``max_bytes``."""
    with open_input(path, what, max_bytes) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew after it was checked
        raise InputFileError(f"{what} {path} is more than the {_size(max_bytes)} it can sensibly be")
    return data


def parse_json(data: str | bytes) -> Any:
    """``json.loads``, with nesting too deep to read raised as :class:`JsonTooDeep`."""
    try:
        return json.loads(data)
    except RecursionError:
        raise JsonTooDeep("the JSON is nested too deeply to read") from None


def unencodable_paths(data: Any, prefix: str = "$", limit: int = 100) -> list[str]:
    r"""JSON paths of the strings (values or keys) in ``data`` that hold a lone surrogate; at most ``limit``.

    JSON may spell one (``"\ud800"``), and Python then holds a string that no file,
    database or terminal can encode. Walked without recursion, so any depth is fine.
    """
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(data, prefix)]
    while stack and len(found) < limit:
        value, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                found.append(path)
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                if isinstance(key, str) and _SURROGATE.search(key):
                    found.append(f"{path} key {len(found) + 1}")
                stack.append((item, f"{path}.{key}" if isinstance(key, str) else path))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(value))))
    return found[:limit]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"
