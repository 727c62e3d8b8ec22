"""What the real directory sources hold, worked out from them: tests never hard-code a count the keepers change."""

from __future__ import annotations

from coventry_directory.core.directory_source import read_directory

EDITION_SERVICES: int = len(read_directory().services)  # the services the shipped edition describes
