"""One change at a time to a directory's sources: an exclusive lock on a file beside it.

Two imports at once would each compose the directory from the sources as they found them,
and the second swap would silently drop the first's source. The lock is the operating
system's (``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows), so it is released
when the process ends, however it ends: a killed import never leaves the directory locked
(the file itself is removed when the command ends; one left by a killed command is harmless).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from coventry_directory.exchange.errors import ExchangeError


class SourcesBusy(ExchangeError):
    """Another import or sources command is changing this directory now (exit code 1)."""


def lock_path(target: Path) -> Path:
    """The lock file of the directory at ``target``."""
    return target.with_name(target.name + ".lock")


@contextlib.contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold the directory's lock for the block; SourcesBusy at once if another process holds it."""
    path = lock_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            _lock(fd)
        except OSError:
            raise SourcesBusy(
                f"another import or sources command is changing {target} right now; nothing was changed. "
                "Try again when it has finished."
            ) from None
        try:
            yield
        finally:
            # the file goes while still locked, so no trace of the command is left in the data
            # folder; a process that opened it just before then holds a lock on a file gone
            # from the folder, a window of microseconds
            if os.name != "nt":
                with contextlib.suppress(OSError):
                    path.unlink()
            _unlock(fd)
    finally:
        os.close(fd)
        if os.name == "nt":  # Windows will not delete an open file
            with contextlib.suppress(OSError):
                path.unlink()


if os.name == "nt":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
