"""Private file writes for anything that holds a referral, and private folders for them.

Writes go through :mod:`coventry_directory.atomic_write`: a temp file in the target's own
folder (so no copy lands in a shared /tmp), private (0600) from its first byte, flushed to
disk, then renamed over the target - a reader or a crash sees the old file or the new one,
never half of one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from coventry_directory.atomic_write import PRIVATE, write_bytes_atomic


def write_private(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, readable by this user only (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes_atomic(path, data, mode=PRIVATE)


def private_folder(path: Path) -> Path:
    """Create a folder only this user can open (where the OS supports it)."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # e.g. some network drives: the files inside are still encrypted
        os.chmod(path, 0o700)
    return path
