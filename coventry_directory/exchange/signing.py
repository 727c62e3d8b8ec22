"""Ed25519 keys for directory bundles: making, loading, trusting.

The app trusts the public keys shipped in ``resources/keys/*.pem``. The publisher's
private key never ships: ``bundle build`` reads it from ``--signing-key`` or the
``COVENTRY_DIRECTORY_SIGNING_KEY`` variable (docs/publishing.md says how to make and
guard it). ``COVENTRY_DIRECTORY_TRUSTED_KEYS`` (files or folders, separated like PATH)
replaces the shipped keys - for a private publisher, and for the tests' throwaway keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from coventry_directory.atomic_write import SHARED, ensure_replaceable, fsync_dir, new_folder, write_bytes_atomic
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.input_files import InputFileError, read_input
from coventry_directory.resources import resource_path

SIGNING_KEY_ENV = "COVENTRY_DIRECTORY_SIGNING_KEY"
PASSPHRASE_ENV = "COVENTRY_DIRECTORY_SIGNING_KEY_PASSPHRASE"
TRUSTED_KEYS_ENV = "COVENTRY_DIRECTORY_TRUSTED_KEYS"
MAX_KEY_BYTES = 64 << 10  # a PEM key is a few hundred bytes


class SigningKeyError(ExchangeError):
    """A signing key is missing, unreadable or of the wrong kind (bad input, exit 2)."""


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of SHA-256 of its bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_keypair(private_path: Path, public_path: Path, passphrase: str | None = None) -> str:
    """Write a new private key (owner-only permissions) and its public key; returns the key id.

    Refuses to overwrite an existing private key: losing one means no more bundles that
    installed apps will accept.

    Either both files are written or neither is: if anything fails after the private key
    was made (a full disk, a public-key path that is a folder), the new private key is
    removed again, so a half-made pair never lingers.
    """
    private_path, public_path = Path(private_path), Path(public_path)
    if os.path.abspath(private_path) == os.path.abspath(public_path):
        raise SigningKeyError(f"the private and the public key cannot both be {private_path}")
    ensure_replaceable(public_path)  # a folder or a device there: refused before any key is made
    key = Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8", "surrogateescape"))
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    # new_folder: the folders made for the keys are removed again if the pair cannot be made
    with new_folder(private_path.parent), new_folder(public_path.parent):
        # O_EXCL, not atomic_write: the point is to never replace an existing key, which a
        # rename cannot promise. The key is flushed to disk before the public half is written.
        try:
            fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise SigningKeyError(f"{private_path} already exists; refusing to overwrite a signing key") from exc
        try:
            _write_all(fd, pem, private_path)
            fsync_dir(private_path.parent)
            public = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            write_bytes_atomic(public_path, public, mode=SHARED)  # 0644: a public key is for handing out
        except BaseException:
            with contextlib.suppress(OSError):
                private_path.unlink(missing_ok=True)  # ours: made by the O_EXCL open above
            raise
    return key_id(key.public_key())


def _write_all(fd: int, data: bytes, path: Path) -> None:
    """Write ``data`` to the open ``fd`` and flush it to disk; a failure names ``path``."""
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        if exc.filename is None:  # a failed write names no file
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def load_signing_key(path: Path | str | None = None) -> Ed25519PrivateKey:
    """The publisher's private key from ``path`` or the environment (SigningKeyError if unusable)."""
    path = path or os.environ.get(SIGNING_KEY_ENV)
    if not path:
        raise SigningKeyError(f"no signing key: give --signing-key FILE or set {SIGNING_KEY_ENV}")
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        # a regular file of a sane size only: not a pipe that blocks, nor /dev/zero that never ends
        data = read_input(Path(path), "the signing key", MAX_KEY_BYTES)
        key = serialization.load_pem_private_key(
            data, password=passphrase.encode("utf-8", "surrogateescape") if passphrase else None
        )
    except InputFileError as exc:
        raise SigningKeyError(str(exc)) from exc
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key {path}: {exc.strerror or exc}") from exc
    except TypeError as exc:
        # cryptography raises TypeError both ways round: say which one this is
        if passphrase:
            raise SigningKeyError(f"the signing key {path} is not encrypted: unset {PASSPHRASE_ENV}") from exc
        raise SigningKeyError(f"the signing key {path} is encrypted: set {PASSPHRASE_ENV}") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"{path} is not a usable private key (wrong passphrase or format)") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key")
    return key


def _key_files() -> list[Path]:
    override = os.environ.get(TRUSTED_KEYS_ENV)
    places = [Path(p) for p in override.split(os.pathsep) if p] if override else [resource_path("keys")]
    files: list[Path] = []
    for place in places:
        files += sorted(place.glob("*.pem")) if place.is_dir() else [place]
    return files


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """{key id: public key} of every key bundles may be signed with (unreadable files skipped)."""
    keys = {}
    for path in _key_files():
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError, UnsupportedAlgorithm):
            continue
        if isinstance(key, Ed25519PublicKey):
            keys[key_id(key)] = key
    return keys
