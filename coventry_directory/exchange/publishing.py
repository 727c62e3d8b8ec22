"""Publishing an edition in one step: build from the TOML sources, sign, export, write release notes.

``coventry-directory publish -o DIR`` (docs/cli.md) runs :func:`publish`, which reuses the
code of the single steps rather than repeating them:

1. ``core.build.build_database``: the TOML sources compiled with every honesty check of
   ``build-db --check`` (a source that fails them stops here, nothing written);
2. ``exchange.bundles.build_bundle``: the signed bundle, as ``bundle build`` makes it, then
   ``verify_bundle`` on it, so a bundle that installed apps would refuse (signed with a key
   they do not trust) is never published;
3. ``exchange.hsds_json.export_json``: the HSDS 3.0 export, as ``export --format hsds-json``;
4. ``core.release_notes``: the edition date, its counts and, against the edition this
   computer has (or ``previous``), ``core.edition_diff``'s services added, removed, changed
   and checked with the service.

All of it is written into a hidden folder beside ``DIR`` and renamed to ``DIR`` only when
complete: a failure or a crash leaves no ``DIR`` at all, never a bundle without its notes.
The folder and its files are for handing out (0755, 0644).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coventry_directory.atomic_write import SHARED, fsync_dir, new_folder, write_text_atomic
from coventry_directory.core.build import build_database
from coventry_directory.core.clock import uk_today
from coventry_directory.core.edition_diff import EditionDiff, Side, diff_services
from coventry_directory.core.release_notes import ReleaseFacts, release_notes
from coventry_directory.core.text import clean_text
from coventry_directory.exchange import bundles
from coventry_directory.exchange.edition_files import read_edition
from coventry_directory.exchange.errors import BundleError
from coventry_directory.exchange.hsds_json import JSON_FILE_NAME, export_json
from coventry_directory.resources import bundled_database_path, directory_source_dir
from coventry_directory.store.directory import DirectoryStore

HSDS_FOLDER = "hsds"
NOTES_FILE = "release-notes.md"
PUBLIC_FOLDER = 0o755


class PublishInputError(ValueError):
    """``publish`` was asked for something it will not do (an existing folder, an untrusted key): bad input."""


@dataclass(frozen=True)
class Publication:
    """What one publish wrote, and what its release notes compared the edition with."""

    folder: Path
    bundle: Path
    hsds: Path
    release_notes: Path
    manifest: dict
    edition: str
    services: int
    previous: str | None  # what the edition was compared with, in words; None when nothing
    diff: EditionDiff | None

    def to_dict(self) -> dict:
        """The ``publish --json`` object (a file name's bytes that are not UTF-8 shown as U+FFFD: JSON is text)."""
        return {
            "folder": clean_text(str(self.folder)),
            "bundle": clean_text(str(self.bundle)),
            "hsds": clean_text(str(self.hsds)),
            "release_notes": clean_text(str(self.release_notes)),
            "edition": self.edition,
            "services": self.services,
            "previous": None
            if self.diff is None
            else {"compared_with": self.previous, "edition": self.diff.old.edition, "counts": self.diff.counts()},
            "manifest": self.manifest,
        }


def bundle_name(edition: str) -> str:
    """The bundle's file name, by edition as docs/publishing.md advises (the newest sorts last)."""
    return f"coventry-directory-{edition or 'undated'}.zip"


def current_edition() -> tuple[Path, str] | None:
    """The edition this computer has now, to compare a new one with, and what to call it; None if none.

    The installed edition (its own copy when imported sources sit beside it, so that their
    services do not count as removed), else the edition shipped with the app. Nothing is
    built or changed to find it.
    """
    from coventry_directory.exchange.sources import EDITION, Home
    from coventry_directory.userdata import installed_directory_path

    installed = installed_directory_path()
    home = Home(installed, bundled_database_path())
    if home.composed() and home.source_path(EDITION).is_file():
        return home.source_path(EDITION), "the edition installed on this computer"
    if installed.is_file():
        return installed, "the edition installed on this computer"
    if bundled_database_path().is_file():
        return bundled_database_path(), "the edition shipped with the app"
    return None


def check_output_folder(out_dir: Path) -> None:
    """Refuse (PublishInputError) an ``out_dir`` that exists and is not an empty folder: a release is never overwritten."""
    if out_dir.is_dir() and not out_dir.is_symlink():
        try:
            with os.scandir(out_dir) as entries:
                empty = next(entries, None) is None
        except OSError as exc:
            raise PublishInputError(f"{out_dir} cannot be read: {exc.strerror or exc}") from None
        if not empty:
            raise PublishInputError(
                f"{out_dir} already exists and is not empty; publish writes a new folder and never overwrites a release"
            )
        return
    if out_dir.exists() or out_dir.is_symlink():
        raise PublishInputError(f"{out_dir} already exists and is not a folder; name a new folder for the release")


def publish(
    out_dir: Path,
    signing_key: Ed25519PrivateKey,
    *,
    source_dir: Path | None = None,
    maintainer_email: str | None = None,
    source: str | None = None,
    previous: Path | None = None,
    today: dt.date | None = None,
) -> Publication:
    """Build, sign, verify, export and describe the edition of ``source_dir`` into the new folder ``out_dir``.

    ``previous`` is the edition to compare with (a database or a bundle; default
    :func:`current_edition`); ``today`` the publication date (default: today in the UK).
    Raises DirectorySourceError for sources that fail their checks, PublishInputError for an
    existing ``out_dir``, a ``source_dir`` that holds no sources or a key installed apps would
    not trust, BundleError or
    EditionFileError for a ``previous`` that cannot be read, OSError for a disk that cannot
    be written; in every case nothing is left behind.
    """
    out_dir = Path(out_dir)
    check_output_folder(out_dir)
    source_dir = source_dir or directory_source_dir()
    if not (source_dir / "taxonomy.toml").is_file():
        raise PublishInputError(f"{source_dir} is not a folder of directory sources (it has no taxonomy.toml)")
    compare = (Path(previous), clean_text(Path(previous).name)) if previous is not None else current_edition()
    with new_folder(out_dir.parent):  # folders made for it go again if publishing fails
        try:
            scratch = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.publishing-", dir=out_dir.parent))
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(out_dir)) from exc
        try:
            publication = _publish_into(
                scratch, out_dir, signing_key, source_dir, maintainer_email, source, compare, today or uk_today()
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)  # only the work files are left in it by then
    return publication


def _publish_into(
    scratch: Path,
    out_dir: Path,
    signing_key: Ed25519PrivateKey,
    source_dir: Path,
    maintainer_email: str | None,
    source: str | None,
    compare: tuple[Path, str] | None,
    today: dt.date,
) -> Publication:
    work, release = scratch / "work", scratch / "release"
    work.mkdir()
    release.mkdir()
    before = read_edition(compare[0], work / "previous", "the previous edition") if compare else None
    db = work / "directory.db"
    info = build_database(db, source_dir)  # the sources' honesty checks: DirectorySourceError stops here
    edition = info["edition"]
    bundle = release / bundle_name(edition)
    manifest = bundles.build_bundle(db, bundle, signing_key, source=source, maintainer_email=maintainer_email)
    try:
        bundles.verify_bundle(bundle)
    except BundleError as exc:
        raise PublishInputError(
            f"the bundle was signed with key id {manifest.get('key_id')}, which this app does not trust "
            "(resources/keys, or COVENTRY_DIRECTORY_TRUSTED_KEYS): installed apps would refuse it, so nothing "
            "was published"
            if exc.kind == "untrusted"
            else f"the bundle just made failed its own check ({exc.kind}); nothing was published"
        ) from None
    store = DirectoryStore.open(db, readonly=True)
    try:
        hsds = export_json(store, release / HSDS_FOLDER)
        services = store.all_services()
    finally:
        store.close()
    diff = None
    if before is not None:
        diff = diff_services(
            before.services,
            services,
            before.side(compare[1] if compare else "previous"),
            Side("new", "database", edition or None, len(services)),
        )
    facts = ReleaseFacts(
        edition=edition,
        published_on=today,
        bundle_file=bundle.name,
        hsds_file=f"{HSDS_FOLDER}/{JSON_FILE_NAME}",
        key_id=str(manifest.get("key_id")),
        database_sha256=str(manifest["database"]["sha256"]),
        organizations=int(info["organization_count"]),
    )
    notes = write_text_atomic(
        release / NOTES_FILE, release_notes(facts, services, diff, compare[1] if compare else None) + "\n", mode=SHARED
    )
    for folder in (release / HSDS_FOLDER, release):
        os.chmod(folder, PUBLIC_FOLDER)  # made private by mkdtemp; a release is for handing out
    if out_dir.is_dir() and os.name != "posix":
        out_dir.rmdir()  # an empty folder the keeper made (checked above); POSIX renames over it itself
    os.rename(release, out_dir)  # the whole set appears at once
    fsync_dir(out_dir.parent)
    return Publication(
        folder=out_dir,
        bundle=out_dir / bundle.name,
        hsds=out_dir / hsds.relative_to(release),
        release_notes=out_dir / notes.name,
        manifest=manifest,
        edition=edition,
        services=len(services),
        previous=compare[1] if compare and before is not None else None,
        diff=diff,
    )
