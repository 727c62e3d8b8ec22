"""Which directory file the app opens: an installed edition, else the one shipped with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from coventry_directory.core.build import build_database
from coventry_directory.core.clock import uk_today
from coventry_directory.i18n import _
from coventry_directory.resources import bundled_database_path, directory_source_dir, is_frozen
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.errors import StoreError
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


# --- staleness: how old the directory's edition is --------------------------
DEFAULT_MAX_AGE_DAYS = 180


@dataclass(frozen=True)
class EditionAge:
    """The edition date of a directory and whether it is older than ``max_age_days``.

    ``stale`` is also True when the edition date is not known: an unknown age cannot be
    vouched for, and the UI should then say so rather than look current.
    """

    edition: dt.date | None
    age_days: int | None
    max_age_days: int
    stale: bool

    def message(self) -> str:
        """One plain-English line for the UI or the command line."""
        if self.edition is None:
            return _("The directory's edition date is not known; check services before referring.")
        when = self.edition.isoformat()
        if self.stale:
            return _(
                "This directory edition is from {when} ({days} days ago): details may be out of date. "
                "Install a newer bundle or sync the feed."
            ).format(when=when, days=self.age_days)
        return _("Directory edition {when}.").format(when=when)


def edition_age(
    info: dict[str, str], *, max_age_days: int = DEFAULT_MAX_AGE_DAYS, today: dt.date | None = None
) -> EditionAge:
    """How old the edition described by ``info`` (directory_info) is, against ``max_age_days``."""
    today = today or uk_today()
    try:
        edition = dt.date.fromisoformat(str(info.get("edition") or "")[:10])
    except ValueError:
        return EditionAge(None, None, max_age_days, True)
    age = (today - edition).days
    return EditionAge(edition, age, max_age_days, age > max_age_days)


def directory_age(
    path: Path | None = None, *, max_age_days: int = DEFAULT_MAX_AGE_DAYS, today: dt.date | None = None
) -> EditionAge:
    """:func:`edition_age` of the directory the app uses (or of the file at ``path``)."""
    store = open_directory(path)
    try:
        info = store.info()
    finally:
        store.close()
    return edition_age(info, max_age_days=max_age_days, today=today)
