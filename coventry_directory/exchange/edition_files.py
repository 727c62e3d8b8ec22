"""Two editions read for comparing (``edition diff``, "What's new"): a directory database or a signed bundle.

Neither file is ever changed. A bundle is checked and unpacked by the installer's own code
(:func:`coventry_directory.exchange.bundles.install_bundle`, into a scratch folder): its
signature, format and database hash are checked exactly as ``bundle install`` checks them,
and a refused bundle is the same :class:`~coventry_directory.exchange.errors.BundleError`.
A database from an older version of the app is upgraded in a scratch copy, never in place.

Whatever is wrong with a file named for comparing (missing, a folder, neither a database nor
a bundle, damaged, not a directory) is an :class:`EditionFileError`: bad input, one line.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coventry_directory.core.edition_diff import EditionDiff, Side, diff_services
from coventry_directory.core.models import Service
from coventry_directory.exchange import bundles
from coventry_directory.exchange.errors import BundleError, ExchangeError
from coventry_directory.input_files import InputFileError, open_input
from coventry_directory.store import database_files
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.errors import StoreError

DATABASE, BUNDLE = "database", "bundle"
_SQLITE_HEADER = b"SQLite format 3\x00"
_ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first member, or the end record of an empty archive


class EditionFileError(InputFileError):
    """A file named for comparing cannot be read as an edition; the message says which and why (bad input)."""


@dataclass
class Edition:
    """One edition as read: where it came from, what it was, its directory_info and every service."""

    path: Path
    kind: str
    info: dict[str, str]
    services: list[Service]

    def side(self, label: str) -> Side:
        """This edition as the diff describes it, called ``label``."""
        return Side(label, self.kind, self.info.get("edition") or None, len(self.services))


def kind_of_file(path: Path, what: str) -> str:
    """``database`` or ``bundle``, from the file's first bytes (not its name); EditionFileError otherwise.

    ``what`` names the file in messages ("the old edition"). A folder, a pipe or a device is
    refused before it is read, as every file the user names is (``input_files``).
    """
    with open_input(path, what, bundles.MAX_BUNDLE_BYTES) as fh:
        head = fh.read(len(_SQLITE_HEADER))
    if head == _SQLITE_HEADER:
        return DATABASE
    if head[:4] in _ZIP_HEADERS:
        return BUNDLE
    if not head:
        raise EditionFileError(f"{what} {path} is empty: it is neither a directory database nor a directory bundle")
    raise EditionFileError(f"{what} {path} is neither a directory database (.db) nor a directory bundle")


def read_edition(path: Path, scratch: Path, what: str = "the edition") -> Edition:
    """Read every service of the database or bundle at ``path``; ``scratch`` is an empty folder to work in."""
    path = Path(path)
    kind = kind_of_file(path, what)
    scratch.mkdir(parents=True, exist_ok=True)
    if kind == BUNDLE:
        # Verified and unpacked as an install would, but into the scratch folder: the same checks,
        # the same refusals, and nothing installed. An empty "installed" edition: no downgrade check.
        db = scratch / "bundle.db"
        try:
            bundles.install_bundle(path, db, {})
        except BundleError:
            raise  # refused (unsigned, tampered ...): its own message says why
        except ExchangeError as exc:  # the installer's check of the database inside failed
            raise EditionFileError(f"{what} {path} holds a database that failed its check: {exc}") from exc
    else:
        db = path
    store = _open(db, path, scratch, copy=kind == BUNDLE)
    try:
        return Edition(path, kind, store.info(), store.all_services())
    except Exception as exc:
        worded = _worded(exc, path)
        if worded is None:
            raise
        raise worded from exc
    finally:
        store.close()


def _open(db: Path, named: Path, scratch: Path, *, copy: bool) -> DirectoryStore:
    """The store on ``db``: read-only when it is the user's own file, else (our scratch copy) upgradable."""
    try:
        database_files.check_database(db, thorough=False)  # damaged, not SQLite, not a directory: said here
        if copy:
            return DirectoryStore.open(db)
        try:
            return DirectoryStore.open(db, readonly=True)
        except StoreError:
            # From an older version of the app: upgrade a copy, so the user's file stays as it is.
            upgraded = scratch / "upgraded.db"
            database_files.copy_database(db, upgraded, sync=False)
            return DirectoryStore.open(upgraded)
    except Exception as exc:
        worded = _worded(exc, named)
        if worded is None:
            raise  # a full disk writing the scratch copy, say: reported as what it is
        raise worded from exc


def _worded(exc: Exception, path: Path) -> EditionFileError | None:
    """A database problem met reading ``path``, as bad input about that file; None for any other error."""
    if isinstance(exc, StoreError):
        # the store's advice is for the app's own directory, not for a file named to compare
        return EditionFileError(str(exc).replace(" Reinstall the directory or restore a backup.", ""))
    if isinstance(getattr(exc, "sqlite_errorname", None), str):  # a sqlite3.Error (only the store imports sqlite3)
        return EditionFileError(f"{path} cannot be read as a directory database: {exc}")
    return None


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are one file (the same path, a link, or the same file by another name)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def compare_files(old: Path, new: Path, *, label: Callable[[Path], str] = str) -> EditionDiff:
    """What changed from the edition at ``old`` to the one at ``new`` (each a database or a bundle).

    ``label`` names each file in the result (the command line passes one that makes any
    file name printable). The same file twice is refused: it can only be a slip.
    """
    old, new = Path(old), Path(new)
    kind_of_file(old, "the old edition")  # both checked before the slow reading of either
    kind_of_file(new, "the new edition")
    if same_file(old, new):
        names = str(old) if str(old) == str(new) else f"{old} and {new}"
        raise EditionFileError(f"the old and the new edition are the same file ({names}): there is nothing to compare")
    with tempfile.TemporaryDirectory(prefix="coventry-directory-diff-") as scratch:
        before = read_edition(old, Path(scratch) / "old", "the old edition")
        after = read_edition(new, Path(scratch) / "new", "the new edition")
    return diff_services(before.services, after.services, before.side(label(old)), after.side(label(new)))
