"""Atomic, private file writes for anything that holds a referral.

A temp file in the target's own folder (so no copy lands in a shared /tmp), made private
(0600) from the start, flushed to disk, then renamed over the target: a reader or a crash
sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, readable by this user only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def private_folder(path: Path) -> Path:
    """Create a folder only this user can open (where the OS supports it)."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:  # e.g. some network drives: the files inside are still encrypted
        pass
    return path
