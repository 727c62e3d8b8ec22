"""Signed bundles: build, verify, install, roll back; every kind of bad bundle is refused clearly.

Keys are throwaway ones made per test; the app is told to trust them through
COVENTRY_DIRECTORY_TRUSTED_KEYS (the shipped dev key is checked separately).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.core.editions import current_directory_path, directory_age, edition_age, open_directory
from coventry_directory.exchange import bundles
from coventry_directory.exchange.errors import BundleError
from coventry_directory.exchange.install import previous_path
from coventry_directory.exchange.signing import (
    SIGNING_KEY_ENV,
    TRUSTED_KEYS_ENV,
    generate_keypair,
    load_signing_key,
    trusted_keys,
)
from coventry_directory.resources import resource_path
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.userdata import installed_directory_path


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A throwaway publisher key pair the app trusts, and a stranger's key it does not."""
    generate_keypair(tmp_path / "keys" / "publisher.key", tmp_path / "keys" / "publisher.pem")
    generate_keypair(tmp_path / "stranger.key", tmp_path / "stranger.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "keys"))
    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "keys" / "publisher.key"))
    return {
        "publisher": load_signing_key(tmp_path / "keys" / "publisher.key"),
        "stranger": load_signing_key(tmp_path / "stranger.key"),
    }


def edition_db(built_directory: Path, folder: Path, edition: str) -> Path:
    """A copy of the real directory that says it is ``edition``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"directory-{edition}.db"
    shutil.copyfile(built_directory, path)
    store = DirectoryStore.open(path)
    hsds_rows.set_info(store, {"edition": edition})
    store.close()
    return path


def make_bundle(built_directory, tmp_path, key, edition="2030-06-01", name=None) -> Path:
    out = tmp_path / (name or f"bundle-{edition}.zip")
    bundles.build_bundle(
        edition_db(built_directory, tmp_path / "dbs", edition),
        out,
        key,
        source="test publisher",
        maintainer_email="maintainer@example.org",
    )
    return out


def rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Copy a bundle, swapping or dropping members (what a tamperer would do)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            zout.writestr(name, (replace or {}).get(name, zin.read(name)))
    return dst


def test_build_writes_a_signed_manifest_covering_the_database(built_directory, tmp_path, keys):
    path = make_bundle(built_directory, tmp_path, keys["publisher"])
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["directory.db", "manifest.json", "manifest.sig"]
        manifest = json.loads(zf.read("manifest.json"))
        db_bytes = zf.read("directory.db")
    assert manifest["format_version"] == 1 and manifest["edition"] == "2030-06-01"
    assert manifest["source"] == "test publisher" and manifest["maintainer_email"] == "maintainer@example.org"
    assert manifest["counts"]["service"] > 0 and manifest["created"]
    assert manifest["database"]["sha256"] == hashlib.sha256(db_bytes).hexdigest()
    assert bundles.verify_bundle(path) == manifest


def test_install_is_verified_kept_and_can_be_rolled_back(built_directory, tmp_path, keys):
    old = make_bundle(built_directory, tmp_path, keys["publisher"], "2030-01-01")
    new = make_bundle(built_directory, tmp_path, keys["publisher"], "2030-06-01")
    target = installed_directory_path()
    bundles.install_bundle(old, target, {})
    assert current_directory_path() == target
    manifest = bundles.install_bundle(new, target, database_files.read_info(target))
    assert hashlib.sha256(target.read_bytes()).hexdigest() == manifest["database"]["sha256"]
    store = open_directory()
    try:
        assert store.info()["edition"] == "2030-06-01"
        assert store.info()["maintainer_email"] == "maintainer@example.org"
        assert store.count_services() == manifest["counts"]["service"]
    finally:
        store.close()
    assert database_files.read_info(previous_path(target))["edition"] == "2030-01-01"
    assert main(["bundle", "rollback"]) == 0
    assert database_files.read_info(target)["edition"] == "2030-01-01"
    assert database_files.read_info(previous_path(target))["edition"] == "2030-06-01"


def _bad_bundles(built_directory, tmp_path, keys) -> dict[str, Path]:
    good = make_bundle(built_directory, tmp_path, keys["publisher"])
    data = good.read_bytes()
    with zipfile.ZipFile(good) as zf:
        manifest = zf.read("manifest.json")
        db = bytearray(zf.read("directory.db"))
    db[len(db) // 2] ^= 0xFF
    bad = {
        "truncated": tmp_path / "truncated.zip",
        "tampered": rezip(good, tmp_path / "tampered-db.zip", {"directory.db": bytes(db)}),
        "tampered-manifest": rezip(
            good, tmp_path / "tampered-manifest.zip", {"manifest.json": manifest.replace(b"2030-06-01", b"2031-06-01")}
        ),
        "unsigned": rezip(good, tmp_path / "unsigned.zip", drop=("manifest.sig",)),
        "untrusted": make_bundle(built_directory, tmp_path, keys["stranger"], name="stranger.zip"),
        "not-a-bundle": tmp_path / "other.zip",
    }
    bad["truncated"].write_bytes(data[: len(data) * 2 // 3])
    with zipfile.ZipFile(bad["not-a-bundle"], "w") as zf:
        zf.writestr("hello.txt", "hi")
    return bad


def test_every_kind_of_bad_bundle_is_refused_with_its_own_message(built_directory, tmp_path, keys, capsys):
    bad = _bad_bundles(built_directory, tmp_path, keys)
    messages = {}
    for label, path in bad.items():
        with pytest.raises(BundleError) as err:
            bundles.verify_bundle(path)
        assert err.value.kind == label.split("-manifest")[0], (label, str(err.value))
        messages[label] = str(err.value).replace(str(path), "FILE")
        # the CLI: one line on stderr, exit 2, for verify and install alike
        for action in ("verify", "install"):
            assert main(["bundle", action, str(path)]) == 2
            err_text = capsys.readouterr().err
            assert len(err_text.strip().splitlines()) == 1 and "Traceback" not in err_text
    assert len(set(messages.values())) == len(messages)
    assert "truncated" in messages["truncated"] and "not signed" in messages["unsigned"]
    assert "altered" in messages["tampered"] and "does not trust" in messages["untrusted"]
    assert not installed_directory_path().exists()  # nothing was installed by any of them


def test_an_older_edition_is_refused_as_a_downgrade(built_directory, tmp_path, keys, capsys):
    new = make_bundle(built_directory, tmp_path, keys["publisher"], "2030-06-01")
    old = make_bundle(built_directory, tmp_path, keys["publisher"], "2030-01-01")
    assert main(["bundle", "install", str(new)]) == 0
    before = installed_directory_path().read_bytes()
    capsys.readouterr()
    assert main(["bundle", "install", str(old)]) == 2
    err = capsys.readouterr().err
    assert "older than the installed edition 2030-06-01" in err and "downgrade" in err
    assert installed_directory_path().read_bytes() == before
    with pytest.raises(BundleError) as exc:
        bundles.install_bundle(old, installed_directory_path(), database_files.read_info(installed_directory_path()))
    assert exc.value.kind == "downgrade"
    # verify alone does not judge editions: the bundle itself is sound
    assert bundles.verify_bundle(old)["edition"] == "2030-01-01"


def test_a_bundle_from_a_newer_format_is_refused(built_directory, tmp_path, keys):
    good = make_bundle(built_directory, tmp_path, keys["publisher"])
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["format_version"] = 99
    raw = json.dumps(manifest).encode()
    sig = base64.b64encode(keys["publisher"].sign(raw))
    path = rezip(good, tmp_path / "future.zip", {"manifest.json": raw, "manifest.sig": sig})
    with pytest.raises(BundleError) as err:
        bundles.verify_bundle(path)
    assert err.value.kind == "format" and "newer version" in str(err.value)


def test_cli_build_needs_a_usable_key(installed_directory, tmp_path, keys, monkeypatch, capsys):
    monkeypatch.delenv(SIGNING_KEY_ENV)
    assert main(["bundle", "build", "-o", str(tmp_path / "b.zip")]) == 2
    assert "signing key" in capsys.readouterr().err
    (tmp_path / "junk.key").write_text("not a key")
    assert main(["bundle", "build", "-o", str(tmp_path / "b.zip"), "--signing-key", str(tmp_path / "junk.key")]) == 2
    assert "not a usable private key" in capsys.readouterr().err
    key = tmp_path / "keys" / "publisher.key"
    assert main(["bundle", "build", "-o", str(tmp_path / "b.zip"), "--signing-key", str(key), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert main(["bundle", "verify", str(tmp_path / "b.zip")]) == 0
    store = DirectoryStore.open(installed_directory)
    try:
        assert manifest["counts"]["service"] == store.count_services()  # it bundled the current directory
    finally:
        store.close()


def test_the_shipped_public_key_is_trusted_and_no_private_key_ships(monkeypatch):
    monkeypatch.delenv(TRUSTED_KEYS_ENV, raising=False)
    assert len(trusted_keys()) >= 1
    for path in resource_path("keys").iterdir():
        assert b"PRIVATE" not in path.read_bytes(), path
    for path in resource_path().rglob("*"):
        if path.is_file() and path.suffix in (".pem", ".key"):
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_keygen_refuses_to_overwrite_a_key(tmp_path, capsys):
    args = ["bundle", "keygen", "--private-key", str(tmp_path / "k"), "--public-key", str(tmp_path / "k.pem")]
    assert main(args) == 0
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0  # owner-only
    assert main(args) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_staleness_says_the_edition_date_and_whether_it_is_too_old(installed_directory):
    info = {"edition": "2026-01-10"}
    fresh = edition_age(info, today=dt.date(2026, 3, 1))
    assert fresh.edition == dt.date(2026, 1, 10) and fresh.age_days == 50 and not fresh.stale
    old = edition_age(info, today=dt.date(2026, 9, 1))
    assert old.stale and "out of date" in old.message()
    assert edition_age(info, max_age_days=30, today=dt.date(2026, 3, 1)).stale
    unknown = edition_age({}, today=dt.date(2026, 3, 1))
    assert unknown.edition is None and unknown.stale and "not known" in unknown.message()
    real = directory_age()
    assert real.edition is not None and real.max_age_days == 180
