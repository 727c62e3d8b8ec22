"""Which directory file the app opens: an installed edition, else the one shipped with it."""

from __future__ import annotations

from pathlib import Path

from coventry_directory.core.build import build_database
from coventry_directory.core.store import DirectoryStore, StoreError
from coventry_directory.resources import bundled_database_path, directory_source_dir, is_frozen
from coventry_directory.userdata import installed_directory_path


def current_directory_path() -> Path:
    """The path of the directory database to use, building it from source in a checkout."""
    installed = installed_directory_path()
    if installed.is_file():
        return installed
    bundled = bundled_database_path()
    if not bundled.is_file() and not is_frozen() and directory_source_dir().is_dir():
        # A fresh source checkout: compile the directory once, as the packaging step would.
        build_database(bundled)
    return bundled


def open_directory(path: Path | None = None) -> DirectoryStore:
    """Open the directory for reading (StoreError with a clear message on failure)."""
    path = path or current_directory_path()
    readonly = path == bundled_database_path()
    try:
        return DirectoryStore.open(path, readonly=readonly)
    except StoreError:
        raise
    except Exception as exc:  # an unexpected file problem still gets a plain message
        raise StoreError(f"The directory database {path} could not be opened: {exc}") from exc
