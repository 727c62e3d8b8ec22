"""Atomic file writes: a reader, a crash or a power cut sees the old file or the new one, never half.

Every file the app writes for keeps - referral PDFs, the sealed outbox, key files, leaflets,
HSDS exports, bundles, the built directory, translation catalogs - goes through here:

1. a temp file is made in the target's own folder with ``mkstemp``, so it is private (0600)
   from its first byte and no copy of it ever lands in a shared ``/tmp``; being in the same
   folder also means the final rename never crosses file systems;
2. the data is written, flushed and ``fsync``-ed, so the bytes are on disk before the name is;
3. the file gets its final permission (0600 for private data, 0644 for what is meant to be
   shared), set explicitly rather than left to the umask, so the result never depends on how
   the user's shell is set up;
4. ``os.replace`` swaps it in (atomic on POSIX and Windows);
5. the folder is ``fsync``-ed, so the rename itself survives a power cut (POSIX only:
   Windows has no directory handles to flush, and NTFS journals the rename).

On any error the temp file is removed and the target is left exactly as it was.

Only a regular file (or nothing) may be replaced. A directory, a device (``-o /dev/full``
would otherwise swap the device node for an ordinary file), a named pipe or a socket is
refused with :class:`NotARegularFile`, before anything is written.

A symlink at the target is *replaced by the new file*; the link is never followed. Writing
through a link would put private data wherever the link points - somewhere another user
can read, or over a file the user never named - and a link planted in a shared folder is
the classic way to trick a program into doing so. Replacing the link keeps the data at the
path the caller chose, with the permission the caller chose. Refusing instead would be
just as safe, but would stop a user who links a file on purpose for no security gain.
Symlinked *folders* on the way to the target are followed as usual.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600  # only this user: anything that can hold personal data or a secret
SHARED = 0o644  # readable by others: leaflets, exports, bundles, catalogs

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


class NotARegularFile(OSError):
    """The target exists and is not a regular file (a folder, device, pipe or socket).

    An OSError, so callers that already report file errors report this one too; its
    message (``str(exc)``, also ``exc.strerror``) is a plain sentence.
    """

    def __init__(self, path: Path | str, kind: str):
        message = f"{path} is {kind}, not a regular file; refusing to replace it"
        super().__init__(message)
        # callers print ``exc.strerror or exc`` (then ``exc.filename``, left empty: the message names it)
        self.strerror = message
        self.path = Path(path)


def ensure_replaceable(path: Path | str) -> None:
    """Raise :class:`NotARegularFile` unless ``path`` is missing, a regular file or a symlink.

    ``lstat`` on purpose: a symlink is judged as a link (it will be replaced, not followed),
    so a link to ``/dev/full`` is fine to replace while ``/dev/full`` itself is not.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    for test, kind in _KINDS:
        if test(mode):
            raise NotARegularFile(path, kind)


def fsync_file(path: Path | str) -> None:
    """Flush a file's bytes to the disk, so a power cut cannot leave it half-written."""
    # O_RDONLY is enough for fsync on POSIX; Windows needs a handle opened for writing.
    flags = os.O_RDONLY if os.name == "posix" else os.O_RDWR
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path | str) -> None:
    """Make a rename (or a new file) in ``folder`` durable; a no-op where the OS cannot.

    Windows has no directory handles to flush; some file systems (network shares) refuse
    to fsync a folder, which is no reason to fail a write that has already happened.
    """
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_file(src: Path | str, dst: Path | str, *, mode: int | None = None) -> Path:
    """Durably swap a finished file ``src`` in as ``dst`` (same folder); returns ``dst``.

    For files something else wrote (SQLite, a zip library): fsync ``src``, set ``mode``
    (when given), refuse a ``dst`` that is not a regular file, ``os.replace``, fsync the
    folder. ``src`` is left in place if anything fails before the rename; removing it is
    the caller's job, since only the caller knows whether it is a scratch file.
    """
    src, dst = Path(src), Path(dst)
    fsync_file(src)
    if mode is not None:
        os.chmod(src, mode)
    ensure_replaceable(dst)
    os.replace(src, dst)
    fsync_dir(dst.parent)
    return dst


@contextlib.contextmanager
def atomic_write(
    path: Path | str, *, mode: int = PRIVATE, binary: bool = True, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Write ``path`` atomically: yields a file object; the target changes only if the block succeeds.

    ``mode`` is the final permission (default private, 0600). ``binary=False`` gives a text
    file in ``encoding`` with ``newline`` as for :func:`open`. The folder must exist.
    Raises :class:`NotARegularFile` (before writing anything) when the target is a folder,
    device, pipe or socket; a symlink is replaced, not followed (see the module notes).
    """
    path = Path(path)
    ensure_replaceable(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        _name_target(exc, path)
        raise
    try:
        fh: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        ensure_replaceable(path)  # again: something may have appeared there while we wrote
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, NotARegularFile):
            _name_target(exc, path)
        raise
    fsync_dir(path.parent)


def _name_target(exc: OSError, path: Path) -> None:
    """Make ``exc`` name the file the caller asked for, not the hidden temp file (or nothing).

    A full disk while writing names no file at all, and a folder that cannot be written
    names the temp file's made-up name; the user knows neither, so both become ``path``.
    """
    if exc.filename is None or Path(os.fsdecode(exc.filename)).name.startswith(f".{path.name}."):
        exc.filename = str(path)


@contextlib.contextmanager
def new_folder(folder: Path | str) -> Iterator[Path]:
    """Make ``folder`` (and missing parents) for the block's files; if the block fails, remove what was made.

    Only the folders this call created, and only while they are empty: a failed export
    into a new folder leaves no empty folder behind, and never touches one that was there.
    """
    folder = Path(folder)
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty(made)
        if exc.filename is None:
            exc.filename = str(folder)
        raise
    try:
        yield folder
    except BaseException:
        _remove_empty(made)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for path in folders:  # deepest first
        with contextlib.suppress(OSError):
            path.rmdir()  # fails, harmlessly, on a folder that is not empty


def write_bytes_atomic(path: Path | str, data: bytes, *, mode: int = PRIVATE) -> Path:
    """Write ``data`` to ``path`` atomically with permission ``mode``; returns the path."""
    with atomic_write(path, mode=mode) as fh:
        fh.write(data)
    return Path(path)


def write_text_atomic(path: Path | str, text: str, *, mode: int = PRIVATE, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (no newline translation) with permission ``mode``."""
    with atomic_write(path, mode=mode, binary=False, encoding=encoding, newline="") as fh:
        fh.write(text)
    return Path(path)
