"""``publish``: one step from the TOML sources to a signed bundle, an HSDS export and release notes.

Every test publishes a copy of the real ``resources/directory`` through the command line
(``coventry_directory.cli.main``), signed with a throwaway key the app is told to trust
(``COVENTRY_DIRECTORY_TRUSTED_KEYS``), and checks the real files: the bundle verifies and
installs, the export holds every service, the notes say what changed. "Today" is fixed in the
UK, so nothing depends on the machine's clock or time zone. A refusal leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.core import clock
from coventry_directory.core.directory_source import read_directory
from coventry_directory.exchange import bundles, publishing
from coventry_directory.exchange.signing import SIGNING_KEY_ENV, TRUSTED_KEYS_ENV, generate_keypair
from coventry_directory.resources import directory_source_dir
from coventry_directory.store.directory import DirectoryStore

TODAY = dt.date(2026, 12, 2)
KEY = "nat-adfam"  # a national service in services/national.toml
GONE = "cov-cgl-adult"  # a Coventry service, removed from the copy to show up as removed


@pytest.fixture(autouse=True)
def uk_today(monkeypatch):
    """Today is TODAY in the UK, whatever the machine's clock and zone say."""
    monkeypatch.setattr(clock, "uk_today", lambda: TODAY)


@pytest.fixture
def keys(tmp_path, monkeypatch) -> dict[str, Path]:
    """A throwaway publisher key the app trusts (also the default key), and a stranger's it does not."""
    generate_keypair(tmp_path / "keys" / "publisher.key", tmp_path / "trusted" / "publisher.pem")
    generate_keypair(tmp_path / "keys" / "stranger.key", tmp_path / "keys" / "stranger.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "trusted"))
    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "keys" / "publisher.key"))
    return {"publisher": tmp_path / "keys" / "publisher.key", "stranger": tmp_path / "keys" / "stranger.key"}


@pytest.fixture
def sources(tmp_path) -> Path:
    """A copy of the real directory sources."""
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    return root


def expected(sources: Path) -> tuple[str, int, int]:
    """What the sources hold (they change as keepers work): the edition date, services, organisations."""
    read = read_directory(sources)
    return max(s.assured_date or "" for s in read.services), len(read.services), len(read.organizations)


def publish(sources: Path, out: Path, *extra: str) -> int:
    return main(["publish", "-o", str(out), "--source-dir", str(sources), *extra])


def everything_under(folder: Path) -> set[str]:
    """Every path under ``folder``, but the user-data folder (``home``: every command makes it, as main() starts)."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.relative_to(folder).parts[0] != "home"}


def services_in(db: Path) -> list:
    store = DirectoryStore.open(db, readonly=True)
    try:
        return store.all_services()
    finally:
        store.close()


def test_publish_writes_a_verified_bundle_an_export_and_notes(keys, sources, tmp_path, capsys):
    edition, count, organisations = expected(sources)
    out = tmp_path / "releases" / "2026-12"
    assert publish(sources, out, "--maintainer-email", "corrections@example.org", "--source", "Keepers") == 0
    said = capsys.readouterr().out
    assert f"Published edition {edition} ({count} services) in {out}" in said

    bundle = out / f"coventry-directory-{edition}.zip"
    assert everything_under(out) == {bundle.name, "hsds", "hsds/services.json", "release-notes.md"}
    # the bundle is real: verified by the app's own check, and installable
    manifest = bundles.verify_bundle(bundle)
    assert manifest["edition"] == edition and manifest["maintainer_email"] == "corrections@example.org"
    assert manifest["source"] == "Keepers" and manifest["counts"]["service"] == count
    assert main(["bundle", "verify", str(bundle)]) == 0
    assert main(["bundle", "install", str(bundle), "--db", str(tmp_path / "installed.db")]) == 0
    assert len(services_in(tmp_path / "installed.db")) == count
    # the HSDS export beside it holds the same services
    exported = json.loads((out / "hsds" / "services.json").read_text(encoding="utf-8"))
    assert len(exported) == count and {s["id"] for s in exported} == {
        s.id for s in services_in(tmp_path / "installed.db")
    }
    notes = (out / "release-notes.md").read_text(encoding="utf-8")
    assert notes.startswith(f"# Coventry Directory: edition {edition}\n\nPublished 2026-12-02.")
    assert f"- {count} services from {organisations} organisations." in notes
    assert (
        f"`{bundle.name}` (key id `{manifest['key_id']}`; database SHA-256 `{manifest['database']['sha256']}`)" in notes
    )
    if os.name == "posix":  # a release is for handing out
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o755
        assert stat.S_IMODE(os.stat(bundle).st_mode) == 0o644
        assert stat.S_IMODE(os.stat(out / "release-notes.md").st_mode) == 0o644
    assert sorted(p.name for p in out.parent.iterdir()) == ["2026-12"]  # no work folder left beside it


def test_the_notes_give_the_diff_against_the_previous_edition(keys, sources, tmp_path, capsys):
    edition, count, _ = expected(sources)
    assert publish(sources, tmp_path / "first") == 0
    first = tmp_path / "first" / f"coventry-directory-{edition}.zip"
    # a keeper's round: a check recorded, a name changed, a service taken out
    assert main(["assure", KEY, "--by", "Jo Keeper", "--how", "phone", "--source-dir", str(sources)]) == 0
    national = sources / "services" / "national.toml"
    national.write_text(national.read_text(encoding="utf-8").replace('name = "Adfam"', 'name = "Adfam UK"'), "utf-8")
    _remove_service(sources, GONE)
    capsys.readouterr()

    assert publish(sources, tmp_path / "second", "--previous", str(first), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["edition"] == TODAY.isoformat() and doc["services"] == count - 1
    assert doc["previous"] == {
        "compared_with": first.name,
        "edition": edition,
        "counts": {"added": 0, "removed": 1, "changed": 1, "unchanged": count - 2},
    }
    assert Path(doc["bundle"]).name == f"coventry-directory-{TODAY.isoformat()}.zip"
    notes = Path(doc["release_notes"]).read_text(encoding="utf-8")
    assert f"## Changes since edition {edition}" in notes
    assert f"Compared with {first.name}: 0 added, 1 removed, 1 changed, {count - 2} unchanged." in notes
    assert "### Removed (1)" in notes and f"- `{GONE}`:" in notes
    changed = next(line for line in notes.splitlines() if line.startswith(f"- `{KEY}`: Adfam UK"))
    assert "name" in changed and "assured date" in changed and "verification" in changed
    assert f"## Checked with the service since edition {edition} (1)" in notes
    assert f"- `{KEY}`: Adfam UK: 2026-12-02 by phone (Jo Keeper)" in notes


def _remove_service(sources: Path, key: str) -> None:
    """Take the ``[[service]]`` table with ``key`` (and its sub-tables) out of its file."""
    for path in (sources / "services").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if f'key = "{key}"' not in text:
            continue
        blocks = text.split("\n[[service]]\n")
        kept = [b for b in blocks if f'key = "{key}"' not in b.split("\n[[service.", 1)[0]]
        assert len(kept) == len(blocks) - 1
        path.write_text("\n[[service]]\n".join(kept), encoding="utf-8")
        return
    raise AssertionError(f"no service {key}")


def test_by_default_it_compares_with_the_edition_this_computer_has(keys, sources, tmp_path, installed_directory):
    _, count, _ = expected(sources)
    assert publish(sources, tmp_path / "out") == 0
    notes = (tmp_path / "out" / "release-notes.md").read_text(encoding="utf-8")
    assert f"installed on this computer: 0 added, 0 removed, 0 changed, {count} unchanged." in notes


def test_with_no_earlier_edition_the_notes_give_the_counts(keys, sources, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(publishing, "current_edition", lambda: None)
    assert publish(sources, tmp_path / "out") == 0
    assert "No earlier edition to compare with" in capsys.readouterr().out
    notes = (tmp_path / "out" / "release-notes.md").read_text(encoding="utf-8")
    assert "No earlier edition was found to compare this one with." in notes
    assert "- Verification: " in notes


def test_an_empty_folder_the_keeper_made_is_used(keys, sources, tmp_path):
    (tmp_path / "out").mkdir()
    assert publish(sources, tmp_path / "out") == 0
    assert (tmp_path / "out" / "release-notes.md").is_file()


# --- refusals: one line, the right exit code, nothing left behind ---------------------------------
def _breaks_a_phone(sources: Path) -> None:
    national = sources / "services" / "national.toml"
    text = national.read_text(encoding="utf-8")
    national.write_text(text.replace('number = "111"', 'number = "0800 000 0001"', 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("case", "code", "says"),
    [
        ("uncited phone", 1, "does not appear in its cited sources"),
        ("not toml", 1, "not valid TOML"),
        ("untrusted key", 2, "which this app does not trust"),
        ("no key", 2, "no signing key"),
        ("public key given", 2, "is not a usable private key"),
        ("not sources", 2, "is not a folder of directory sources"),
        ("no source dir", 2, "no such folder"),
        ("release exists", 2, "never overwrites a release"),
        ("file in the way", 2, "is not a folder"),
        ("previous not an edition", 2, "is neither a directory database"),
        ("previous missing", 2, "does not exist"),
        ("previous a folder", 2, "is a folder"),
        ("previous unsigned", 2, "is not signed"),
    ],
)
def test_a_refused_publish_writes_nothing(keys, sources, tmp_path, capsys, monkeypatch, case, code, says):
    out = tmp_path / "made" / "for-it" / "release"
    extra: list[str] = []
    source_dir = sources
    if case == "uncited phone":
        _breaks_a_phone(sources)
    elif case == "not toml":
        (sources / "services" / "national.toml").write_text("this is = = not toml\n", encoding="utf-8")
    elif case == "untrusted key":
        extra = ["--signing-key", str(keys["stranger"])]
    elif case == "no key":
        monkeypatch.delenv(SIGNING_KEY_ENV)
    elif case == "public key given":
        extra = ["--signing-key", str(tmp_path / "trusted" / "publisher.pem")]
    elif case == "not sources":
        source_dir = tmp_path / "empty"
        source_dir.mkdir()
    elif case == "no source dir":
        source_dir = tmp_path / "nowhere"
    elif case == "release exists":
        out.mkdir(parents=True)
        (out / "old-notes.md").write_text("an earlier release", encoding="utf-8")
    elif case == "file in the way":
        out.parent.mkdir(parents=True)
        out.write_text("a file", encoding="utf-8")
    elif case == "previous not an edition":
        (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
        extra = ["--previous", str(tmp_path / "notes.txt")]
    elif case == "previous missing":
        extra = ["--previous", str(tmp_path / "missing.zip")]
    elif case == "previous a folder":
        extra = ["--previous", str(tmp_path)]
    elif case == "previous unsigned":
        import zipfile

        with zipfile.ZipFile(tmp_path / "unsigned.zip", "w") as zf:
            zf.writestr("manifest.json", "{}")
        extra = ["--previous", str(tmp_path / "unsigned.zip")]
    before = everything_under(tmp_path)
    capsys.readouterr()

    assert main(["publish", "-o", str(out), "--source-dir", str(source_dir), *extra]) == code
    captured = capsys.readouterr()
    assert says in captured.err and len(captured.err.splitlines()) == 1 and captured.out == "", captured.err
    assert everything_under(tmp_path) == before  # no release, no work folder, no folder made for it


def test_a_full_disk_midway_leaves_no_half_set(keys, sources, tmp_path, capsys, monkeypatch):
    def full(store, out_dir, **_):
        Path(out_dir).mkdir()
        (Path(out_dir) / "services.json").write_bytes(b"[{")  # half written when the disk filled
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(out_dir) / "services.json"))

    monkeypatch.setattr(publishing, "export_json", full)
    before = everything_under(tmp_path)
    assert publish(sources, tmp_path / "new" / "release") == 1
    assert "no space left" in capsys.readouterr().err.lower()
    assert everything_under(tmp_path) == before


def test_ctrl_c_midway_leaves_nothing(keys, sources, tmp_path, monkeypatch):
    def interrupted(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(publishing, "release_notes", interrupted)
    before = everything_under(tmp_path)
    assert publish(sources, tmp_path / "release") == 1
    assert everything_under(tmp_path) == before


def test_the_core_api_without_the_command_line(keys, sources, tmp_path):
    from coventry_directory.exchange.signing import load_signing_key

    done = publishing.publish(
        tmp_path / "out", load_signing_key(keys["publisher"]), source_dir=sources, previous=None, today=TODAY
    )
    assert done.bundle.is_file() and done.hsds.is_file() and done.release_notes.is_file()
    assert (done.edition, done.services) == expected(sources)[:2]
    assert done.to_dict()["manifest"]["key_id"] == done.manifest["key_id"]
