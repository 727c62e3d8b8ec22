"""Signed directory bundles for machines that are never online.

A bundle is a zip holding ``directory.db``, ``manifest.json`` (format, edition, created,
source, record counts, SHA-256 and size of the database, maintainer email) and
``manifest.sig`` (base64 Ed25519 signature of the manifest's exact bytes). The signature
covers the manifest and the manifest's hash covers the database, so one check proves
both came from the publisher unchanged.

Verification refuses, each with its own message (``BundleError.kind``): a missing file,
one that cannot be read (a folder, a pipe, no permission), a truncated or damaged archive,
something that is not a bundle, an unsigned bundle, one signed by a key the app does not
trust, a tampered one, a newer format than this app reads, and (on install) an edition
older than the installed one, or the very edition already installed - installing it again
would change nothing but the copy ``bundle rollback`` goes back to.

A directory made from sources other than the curated edition (files, feeds or meeting
lists imported beside it) is not signed unless asked (:func:`check_edition_only`): a
bundle is trusted as the keepers' edition, and must not carry imported data unknowingly.

A disk that fills up while a bundle is built or installed is reported as such (an OSError,
"no space left on the disk holding ..."), never as a damaged bundle, and leaves no scratch
file behind.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import zipfile
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from coventry_directory import __version__
from coventry_directory.atomic_write import SHARED, atomic_write, ensure_replaceable, new_folder
from coventry_directory.core.text import clean_text
from coventry_directory.disk_errors import database_writes
from coventry_directory.exchange.errors import BundleError
from coventry_directory.exchange.install import checkpoint, commit, remove_staging, staging_path
from coventry_directory.exchange.signing import key_id, trusted_keys
from coventry_directory.input_files import InputFileError, open_input, parse_json
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.errors import StoreError

FORMAT = "coventry-directory-bundle"
FORMAT_VERSION = 1
DB_MEMBER, MANIFEST_MEMBER, SIG_MEMBER = "directory.db", "manifest.json", "manifest.sig"
MAINTAINER_ENV = "COVENTRY_DIRECTORY_MAINTAINER_EMAIL"
_MAX_MANIFEST = 1 << 20  # a manifest is a few hundred bytes; refuse to read a huge one
MAX_BUNDLE_BYTES = 16 << 30  # far above any directory (100k services is a few hundred MB)
_CHUNK = 1 << 20


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_edition_only(db_path: Path) -> None:
    """Refuse (BundleError ``sources``) a directory made from more sources than the curated edition."""
    from coventry_directory.exchange.sources import EDITION, Home, list_sources, usable

    home = Home(Path(db_path))
    if not home.composed():
        return
    sources = usable(list_sources(home))
    others = [s.name for s in sources if s.kind != EDITION]
    if not others:
        return
    edition = next((s for s in sources if s.kind == EDITION and s.path is not None), None)
    alone = (
        f"bundle the edition's own copy: coventry-directory bundle build -o FILE --db {edition.path}"
        if edition is not None
        else "make it with 'coventry-directory build-db -o FILE.db' and bundle that with --db FILE.db"
    )
    listed = ", ".join(repr(name) for name in others)
    raise BundleError(
        "sources",
        f"{db_path} is not the curated edition alone: it also holds what was imported from {listed}. "
        f"A bundle of it would be signed as if the keepers had checked all of that. To bundle the curated "
        f"edition, {alone}; to bundle everything on purpose, add --include-sources. Nothing was written",
    )


def build_bundle(
    db_path: Path,
    out_path: Path,
    signing_key: Ed25519PrivateKey,
    *,
    source: str | None = None,
    maintainer_email: str | None = None,
    include_sources: bool = False,
) -> dict:
    """Write a signed bundle of the directory at ``db_path`` to ``out_path``; returns the manifest.

    A directory made from imported sources as well as the edition is refused unless
    ``include_sources`` (:func:`check_edition_only`). On any failure - a full disk included, reported as "no space left on the disk holding
    ``out_path``" - nothing is left behind: no scratch copy, no partial bundle, no folder
    made for it.
    """
    out_path = Path(out_path)
    if not include_sources:
        check_edition_only(Path(db_path))
    ensure_replaceable(out_path)  # refuse e.g. a device before the (slow) copy, not after
    work = out_path.with_name(out_path.name + ".building.db")
    with new_folder(out_path.parent), database_writes(out_path):
        try:
            manifest = _signed_manifest(db_path, work, signing_key, source, maintainer_email)
            manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            # atomic: a reader of out_path never sees half a bundle; 0644: a bundle is for handing out
            with (
                atomic_write(out_path, mode=SHARED) as fh,
                zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf,
            ):
                zf.writestr(MANIFEST_MEMBER, manifest_bytes)
                zf.writestr(SIG_MEMBER, base64.b64encode(signing_key.sign(manifest_bytes)))
                zf.write(work, DB_MEMBER)
        finally:
            remove_staging(work)  # the scratch copy and any journal SQLite left beside it
    return manifest


def _signed_manifest(db_path, work: Path, signing_key: Ed25519PrivateKey, source, maintainer_email) -> dict:
    """Copy the directory to ``work``, stamp its bundle details, and describe it."""
    try:
        database_files.copy_database(Path(db_path), work)
    except StoreError as exc:
        # copy_database says the *source* "cannot be copied" when the disk being written is full
        if getattr(exc.__cause__, "sqlite_errorname", None) == "SQLITE_FULL":
            raise exc.__cause__ from exc
        raise
    created = _now()
    store = hsds_rows.open_for_writing(work)  # brings an older file up to this app's schema
    try:
        info = store.info()
        email = maintainer_email or os.environ.get(MAINTAINER_ENV) or info.get("maintainer_email")
        source = source or info.get("source") or info.get("publisher") or str(db_path)
        # text for the manifest and the database: undecodable bytes (an odd file name, an odd
        # environment variable) are shown as U+FFFD rather than breaking the write
        email, source = (clean_text(email) if email else email), clean_text(source)
        # the installed copy then knows its own bundle details (the corrections email uses them)
        hsds_rows.set_info(store, {"bundle_created": created, "bundle_source": source, "maintainer_email": email})
        counts = {t: n for t, n in hsds_rows.table_counts(store).items() if n}
        store.vacuum()
    finally:
        store.close()
    sha, size = _sha256_file(work)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "edition": info.get("edition", ""),
        "created": created,
        "source": source,
        "counts": counts,
        "maintainer_email": email,
        "database": {"file": DB_MEMBER, "sha256": sha, "size": size},
        "key_id": key_id(signing_key.public_key()),
        "app_version": __version__,
    }


class _Bundle:
    """An opened bundle whose manifest signature has been checked."""

    def __init__(self, path: Path, trusted: dict[str, Ed25519PublicKey] | None = None):
        self.path = Path(path)
        try:
            # a regular file only: a folder, a pipe (which would block for ever) or a device is refused
            self._file = open_input(self.path, "the bundle", MAX_BUNDLE_BYTES)
        except InputFileError as exc:
            kind = "missing" if isinstance(exc.__cause__, FileNotFoundError) else "unreadable"
            raise BundleError(kind, str(exc)) from exc
        try:
            self.zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self._file.close()
            raise self._truncated(exc) from exc
        try:
            self._open_manifest(trusted)
        except BaseException:
            self.close()
            raise

    def _open_manifest(self, trusted: dict[str, Ed25519PublicKey] | None) -> None:
        names = set(self.zip.namelist())
        if MANIFEST_MEMBER not in names:
            raise BundleError(
                "not-a-bundle", f"{self.path} is not a Coventry Directory bundle (it has no {MANIFEST_MEMBER})"
            )
        if SIG_MEMBER not in names:
            raise BundleError(
                "unsigned", f"{self.path} is not signed (no {SIG_MEMBER}); only signed bundles are accepted"
            )
        raw = self._read_small(MANIFEST_MEMBER)
        self.manifest = self._check_signature(raw, self._read_small(SIG_MEMBER), trusted)
        if self.manifest.get("format") != FORMAT or not isinstance(self.manifest.get("format_version"), int):
            raise BundleError(
                "not-a-bundle", f"{self.path} is not a Coventry Directory bundle (unknown manifest format)"
            )
        if self.manifest["format_version"] > FORMAT_VERSION:
            raise BundleError(
                "format",
                f"{self.path} was made for a newer version of the app (bundle format "
                f"{self.manifest['format_version']}); update the app first",
            )
        db = self.manifest.get("database") or {}
        if DB_MEMBER not in names or self.zip.getinfo(DB_MEMBER).file_size != db.get("size"):
            raise BundleError(
                "tampered",
                f"{self.path} has been altered after it was signed: "
                f"{DB_MEMBER} is missing or not the size the manifest gives",
            )

    def _truncated(self, exc: Exception) -> BundleError:
        return BundleError(
            "truncated", f"{self.path} is truncated or damaged: it is not a complete bundle archive ({exc})"
        )

    def _read_small(self, name: str) -> bytes:
        if self.zip.getinfo(name).file_size > _MAX_MANIFEST:
            raise BundleError("not-a-bundle", f"{self.path} is not a Coventry Directory bundle ({name} is too large)")
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise self._truncated(exc) from exc

    def _check_signature(self, raw: bytes, sig_text: bytes, trusted) -> dict:
        trusted = trusted_keys() if trusted is None else trusted
        try:
            signature = base64.b64decode(sig_text, validate=True)
        except (binascii.Error, ValueError):
            signature = b""
        for key in trusted.values():
            try:
                key.verify(signature, raw)
            except InvalidSignature:
                continue
            return json.loads(raw)
        try:
            claimed = parse_json(raw).get("key_id")  # nesting too deep is a ValueError too
        except (ValueError, AttributeError):
            claimed = None
        if claimed and claimed not in trusted:
            raise BundleError(
                "untrusted", f"{self.path} is signed with a key this app does not trust (key id {claimed})"
            )
        raise BundleError(
            "tampered", f"{self.path} has been altered after it was signed: its signature does not match its manifest"
        )

    def copy_database(self, dst=None) -> str:
        """Stream directory.db (to ``dst`` if given) and return its SHA-256.

        A failure to *read* the archive is a damaged bundle (BundleError); a failure to write
        ``dst`` (a full disk) is raised as the OSError it is.
        """
        digest = hashlib.sha256()
        try:
            with self.zip.open(DB_MEMBER) as src:
                first = True
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    if dst is not None:
                        try:
                            dst.write(chunk)
                        except OSError as exc:
                            raise _WriteFailed(exc) from exc
                        if first:
                            checkpoint(1)  # a partly written staging file
                            first = False
        except _WriteFailed as failed:
            raise failed.error from None
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise self._truncated(exc) from exc
        if digest.hexdigest() != self.manifest["database"].get("sha256"):
            raise BundleError(
                "tampered",
                f"{self.path} has been altered after it was signed: {DB_MEMBER} does not match the signed SHA-256",
            )
        return digest.hexdigest()

    def close(self) -> None:
        """Close the archive and the file under it."""
        self.zip.close()
        self._file.close()


class _WriteFailed(Exception):
    """Carries an OSError from writing the copy past the handler for errors in reading the archive."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


def verify_bundle(path: Path, *, trusted: dict[str, Ed25519PublicKey] | None = None) -> dict:
    """Fully check a bundle (signature, format, database hash); returns its manifest."""
    bundle = _Bundle(path, trusted)
    try:
        bundle.copy_database()
        return bundle.manifest
    finally:
        bundle.close()


def check_not_older(manifest: dict, installed: dict[str, str], path: Path) -> None:
    """Refuse a bundle whose edition (then build time) is older than the installed one, or is the installed one.

    The same bundle again (same edition, same build time) would change nothing but the
    previous edition kept for ``bundle rollback``, which it would overwrite with a copy of
    itself: refused, so that a scheduled task running the same install again changes nothing.
    """
    new = (manifest.get("edition") or "", manifest.get("created") or "")
    old = (installed.get("edition") or "", installed.get("bundle_created") or "")
    if installed and new == old:
        raise BundleError(
            "installed",
            f"{path} holds edition {new[0] or 'unknown'} (made {new[1]}), which is already installed; "
            "nothing was changed",
        )
    if installed and new < old:
        raise BundleError(
            "downgrade",
            f"{path} holds edition {new[0] or 'unknown'} (made {new[1]}), older than the "
            f"installed edition {old[0]}; refusing to downgrade "
            "(use 'bundle rollback' to go back deliberately)",
        )


def install_bundle(
    path: Path, target: Path, installed_info: dict[str, str], *, trusted: dict[str, Ed25519PublicKey] | None = None
) -> dict:
    """Verify a bundle and atomically make it the installed directory at ``target``."""
    bundle = _Bundle(path, trusted)
    try:
        check_not_older(bundle.manifest, installed_info, Path(path))
        staged = staging_path(Path(target))
        try:
            # Not atomic_write: the staged file is one step of commit()'s swap, which fsyncs it
            # and refuses a target that is not a regular file.
            with open(staged, "wb") as fh:
                bundle.copy_database(fh)
            checkpoint(2)
        except OSError as exc:
            remove_staging(staged)
            if exc.filename is None or exc.filename == str(staged):  # name the file being installed
                raise OSError(exc.errno, exc.strerror, str(target)) from exc
            raise
        except BaseException:
            remove_staging(staged)
            raise
        commit(staged, Path(target))
        checkpoint(9)
        return bundle.manifest
    finally:
        bundle.close()
