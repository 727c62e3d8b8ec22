"""Fault injection: the installer is killed (SIGKILL) at every step and at random moments.

Each time, the directory the app opens afterwards must be exactly the old edition or
exactly the new one - byte for byte - and must open and pass SQLite's integrity check.
A later install must then still work.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coventry_directory.core.editions import current_directory_path, open_directory
from coventry_directory.exchange import bundles
from coventry_directory.exchange.install import CHECKPOINTS, CRASH_ENV, previous_path
from coventry_directory.exchange.signing import TRUSTED_KEYS_ENV, generate_keypair, load_signing_key
from coventry_directory.store import database_files, hsds_rows
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.userdata import installed_directory_path

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pad(store: DirectoryStore, megabytes: int = 24) -> None:
    """Make the new edition big (incompressible change records), so installing takes a while.

    Random kills then land during the copy, the checks and the swap, not only at start-up.
    """
    rng = random.Random(1)
    rows = [
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "resource_id": "x",
            "resource_type": "padding",
            "last_action_date": "2030-06-01",
            "last_action_type": "test",
            "field_name": "x",
            "previous_value": "",
            "replacement_value": rng.randbytes(2048).hex(),
            "updated_by": "fault test",
        }
        for n in range(megabytes * 256)
    ]
    with hsds_rows.atomic(store):
        hsds_rows.insert_rows(store, "metadata", rows)


@pytest.fixture
def editions(built_directory, tmp_path, monkeypatch):
    """An installed old edition, a bundle of a new one, and the bytes of each."""
    generate_keypair(tmp_path / "k.key", tmp_path / "k.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "k.pem"))
    key = load_signing_key(tmp_path / "k.key")
    paths = {}
    for name, edition in (("old", "2030-01-01"), ("new", "2030-06-01")):
        db = tmp_path / f"{name}.db"
        shutil.copyfile(built_directory, db)
        store = DirectoryStore.open(db)
        hsds_rows.set_info(store, {"edition": edition})
        if name == "new":
            pad(store)
        store.close()
        paths[name] = tmp_path / f"{name}.zip"
        bundles.build_bundle(db, paths[name], key, source="fault test")
    target = installed_directory_path()
    bundles.install_bundle(paths["old"], target, {})
    old_copy = tmp_path / "installed-old.db"
    shutil.copyfile(target, old_copy)
    new_sha = bundles.verify_bundle(paths["new"])["database"]["sha256"]
    return {
        "bundle": paths["new"],
        "target": target,
        "old_copy": old_copy,
        "digests": {sha(old_copy): "2030-01-01", new_sha: "2030-06-01"},
    }


def install_command(bundle: Path, extra_env: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, **(extra_env or {})}
    return [sys.executable, "-m", "coventry_directory", "bundle", "install", str(bundle)], env


def assert_old_or_new(editions) -> str:
    """The directory the app would open is one whole edition; returns which."""
    target = editions["target"]
    assert current_directory_path() == target, "the installed directory vanished"
    digest = sha(target)
    assert digest in editions["digests"], "the installed file is neither the old nor the new edition"
    info = database_files.check_database(target)  # integrity_check passes
    assert info["edition"] == editions["digests"][digest]
    store = open_directory()
    try:
        assert store.count_services() > 0
    finally:
        store.close()
    return info["edition"]


def reset_to_old(editions) -> None:
    shutil.copyfile(editions["old_copy"], editions["target"])
    previous_path(editions["target"]).unlink(missing_ok=True)


def test_killed_at_every_step_leaves_old_or_new(editions):
    seen = {}
    for step in CHECKPOINTS:
        reset_to_old(editions)
        cmd, env = install_command(editions["bundle"], {CRASH_ENV: str(step)})
        result = subprocess.run(cmd, check=False, env=env, capture_output=True, timeout=60)
        assert result.returncode == -signal.SIGKILL, (step, result.stderr.decode())
        seen[step] = assert_old_or_new(editions)
    # early steps die before the swap, late ones after it; both outcomes really happen
    assert seen[1] == "2030-01-01" and seen[max(CHECKPOINTS)] == "2030-06-01"
    # after all that, a normal install works and leaves no staging files behind
    reset_to_old(editions)
    cmd, env = install_command(editions["bundle"])
    assert subprocess.run(cmd, check=False, env=env, capture_output=True, timeout=60).returncode == 0
    assert assert_old_or_new(editions) == "2030-06-01"
    assert not list(editions["target"].parent.glob("*.incoming-*"))


def test_killed_at_random_moments_leaves_old_or_new(editions):
    cmd, env = install_command(editions["bundle"])
    reset_to_old(editions)
    started = time.monotonic()
    assert subprocess.run(cmd, check=False, env=env, capture_output=True, timeout=60).returncode == 0
    full_run = time.monotonic() - started
    outcomes = []
    # a sweep over the second half of a run (imports take the first), with a little jitter:
    # the kills land while copying, checking, swapping and after
    rng = random.Random(7)
    for i in range(12):
        reset_to_old(editions)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full_run * (0.55 + 0.45 * i / 11 + rng.uniform(-0.03, 0.03)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        outcomes.append(assert_old_or_new(editions))
    print("random kills:", outcomes)
    assert set(outcomes) <= {"2030-01-01", "2030-06-01"}
