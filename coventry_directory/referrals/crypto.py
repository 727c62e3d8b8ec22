"""Encryption at rest for the outbox: AES-256-GCM.

The key is kept in the OS keyring or derived from the user's passphrase with scrypt.

The outbox folder holds ``key.json``: which way the key is kept, the scrypt salt and cost
(never the key or the passphrase), and a sealed check value so a wrong passphrase is caught
at once instead of as "corrupt" referrals. A missing or damaged ``key.json`` while sealed
referrals wait is reported (:class:`OutboxKeyLost`), never replaced by a new key. Each referral file is ``MAGIC + nonce +
ciphertext``, authenticated together with its id so files cannot be swapped undetected.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from coventry_directory.referrals import credentials
from coventry_directory.referrals.files import write_private

MAGIC = b"CDOX1"
KEY_FILE = "key.json"
KEYRING_SERVICE = "coventry-directory-outbox"
MIN_PASSPHRASE = 8
# scrypt cost: 2**15 x 8 x 1 is about 32 MiB and a tenth of a second, the usual interactive setting.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_CHECK = b"coventry-directory outbox key check"


class OutboxKeyError(Exception):
    """The outbox key cannot be had; the message says what the user can do."""


class PassphraseNeeded(OutboxKeyError):
    """The outbox is protected by a passphrase and none was given."""


class WrongPassphrase(OutboxKeyError):
    """The passphrase does not open this outbox."""


class OutboxKeyLost(OutboxKeyError):
    """The key file is missing or damaged, or the key does not match it, while referrals are sealed.

    Never answered by making a new key: that would leave every sealed referral unreadable.
    The command line ends with exit code 1; the app says what to restore.
    """


class DecryptError(Exception):
    """A sealed file is damaged or belongs to another outbox."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` (bound to ``aad``, e.g. the item id)."""
    nonce = os.urandom(12)  # 96-bit random nonce: never reused in practice for one key
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, MAGIC + aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt what :func:`seal` made; DecryptError when it was changed or the key is wrong."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 12 + 16:
        raise DecryptError("not an outbox file")
    nonce, body = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
    try:
        return AESGCM(key).decrypt(nonce, body, MAGIC + aad)
    except InvalidTag:
        raise DecryptError("the file was changed, or it belongs to another outbox key") from None


def derive_key(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    """A 256-bit key from a passphrase (scrypt)."""
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def key_mode(folder: Path) -> str | None:
    """'keyring' or 'passphrase' for an existing outbox key, None when there is none yet."""
    try:
        return json.loads((folder / KEY_FILE).read_text(encoding="utf-8")).get("mode")
    except (OSError, ValueError):
        return None


def _key_matches(key: bytes, meta: dict) -> bool:
    try:
        return unseal(key, _unb64(meta["check"]), b"check") == _CHECK
    except DecryptError:
        return False


def _check_key(key: bytes, meta: dict) -> bytes:
    if _key_matches(key, meta):
        return key
    raise WrongPassphrase("that passphrase does not open the outbox")


def _open_existing(meta: dict, passphrase: str | None) -> bytes:
    if meta.get("mode") == "keyring":
        stored = credentials.keyring_get(KEYRING_SERVICE, meta["key_id"])
        if stored is None:
            raise OutboxKeyError(
                "the outbox key is kept in the system keyring, which is not available now; "
                "log in to the desktop session that created it"
            )
        key = _unb64(stored)
        if not _key_matches(key, meta):
            raise OutboxKeyLost(
                "the outbox key in the system keyring does not match the outbox key file; restore "
                f"{KEY_FILE} from the backup made with the referrals waiting in the outbox"
            )
        return key
    if passphrase is None:
        raise PassphraseNeeded("the outbox is encrypted with a passphrase; give it to open the outbox")
    key = derive_key(passphrase, _unb64(meta["salt"]), meta["n"], meta["r"], meta["p"])
    return _check_key(key, meta)


def _create(folder: Path, passphrase: str | None) -> bytes:
    if passphrase is None and credentials.keyring_usable():
        key, key_id = AESGCM.generate_key(bit_length=256), str(uuid.uuid4())
        if credentials.keyring_set(KEYRING_SERVICE, key_id, _b64(key)):
            meta = {"version": 1, "mode": "keyring", "key_id": key_id}
            meta["check"] = _b64(seal(key, _CHECK, b"check"))
            write_private(folder / KEY_FILE, json.dumps(meta, indent=2).encode("utf-8"))
            return key
    if passphrase is None:
        raise PassphraseNeeded("no system keyring here: choose a passphrase to encrypt the outbox")
    if len(passphrase) < MIN_PASSPHRASE:
        raise OutboxKeyError(f"choose an outbox passphrase of at least {MIN_PASSPHRASE} characters")
    salt = os.urandom(16)
    key = derive_key(passphrase, salt)
    meta = {
        "version": 1,
        "mode": "passphrase",
        "kdf": "scrypt",
        "salt": _b64(salt),
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "check": _b64(seal(key, _CHECK, b"check")),
    }
    write_private(folder / KEY_FILE, json.dumps(meta, indent=2).encode("utf-8"))
    return key


def sealed_count(folder: Path, suffix: str = ".ref") -> int:
    """How many sealed referral files wait in ``folder``."""
    try:
        return sum(1 for _ in folder.glob(f"*{suffix}"))
    except OSError:
        return 0


def check_not_lost(folder: Path) -> None:
    """Raise :class:`OutboxKeyLost` when referrals are sealed in ``folder`` but its key file is missing.

    Call it before asking for a passphrase, so nobody is asked to "choose" one for an outbox
    whose key has gone.
    """
    path = folder / KEY_FILE
    waiting = 0 if path.is_file() else sealed_count(folder)
    if waiting:
        raise OutboxKeyLost(
            f"the outbox key file {path} is missing, but {waiting} sealed referral(s) wait in {folder}. "
            f"Restore {KEY_FILE} from a backup of that folder. No new key was made, so nothing sealed was changed."
        )


def open_key(folder: Path, passphrase: str | None = None) -> bytes:
    """The outbox key: opened from ``key.json``, or created on first use.

    A new outbox keeps a random key in the OS keyring when there is one (and no passphrase
    was given); otherwise the key comes from the passphrase and is never stored anywhere.
    A key is only ever created for an outbox with nothing sealed in it: with sealed
    referrals and no key file, :class:`OutboxKeyLost` says what to restore.
    """
    path = folder / KEY_FILE
    waiting = sealed_count(folder)
    if path.is_file():
        damaged = f"the outbox key file {path} is damaged; restore it from a backup" + (
            "" if waiting else " (nothing is sealed in the outbox: deleting it starts a new one)"
        )
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not an object")
        except (OSError, ValueError):
            raise OutboxKeyLost(damaged) from None
        try:
            return _open_existing(meta, passphrase)
        except (KeyError, TypeError, ValueError, AttributeError):  # a hand-edited or truncated key file
            raise OutboxKeyLost(damaged) from None
    check_not_lost(folder)
    return _create(folder, passphrase)
