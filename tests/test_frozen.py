"""The frozen app: build the one-folder bundle, then run it as a locked-down PC would.

The bundle is built once for this module with ``packaging/build.py`` (about a minute on
two cores), into a temporary folder. Every run of it happens in a clean environment: no
project virtualenv on PATH, no PYTHONPATH, a fresh HOME and a working folder outside the
repository, so nothing can come from the source tree.

Set ``COVENTRY_DIRECTORY_BUNDLE=dist/coventry-directory`` to test an existing build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import build  # packaging/build.py

SIZE_TARGET_LINUX = 140e6  # bytes unpacked: what fits a locked-down PC's home folder or a small USB stick


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The built one-folder app."""
    given = os.environ.get("COVENTRY_DIRECTORY_BUNDLE")
    if given:
        return Path(given).resolve()
    build.ensure_build_tools()  # CI's machine may lack them; without them the ICU data stays full size
    out = tmp_path_factory.mktemp("frozen")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--no-setup",
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    return out / "dist" / build.APP


@pytest.fixture
def run(bundle, tmp_path):
    """Run the frozen executable with arguments in a clean environment; returns the CompletedProcess."""
    home = tmp_path / "clean-home"
    home.mkdir()

    def _run(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        full_env = {**build.clean_env(home), **(env or {})}
        assert ".venv" not in full_env["PATH"] and "PYTHONPATH" not in full_env
        return subprocess.run(
            [str(build.executable(bundle)), *args],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
        )

    _run.home = home
    return _run


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def _self_test(run) -> dict:
    result = run("self-test", "--json")
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


def test_frozen_self_test_passes(run):
    result = run("self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    report = _self_test(run)
    assert report["ok"] and report["frozen"] is True
    names = {c["name"] for c in report["checks"]}
    assert {
        "sqlite-fts5",
        "directory",
        "leaflets",
        "qt-plugins",
        "qt-translations",
        "qt-text",
        "keyring",
        "user-data",
    } <= names
    assert "_internal" in report["resources"] or "_MEI" in report["resources"]


def test_frozen_search_finds_naloxone(run):
    result = run("search", "naloxone", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits, "no naloxone services found"
    assert {"id", "name", "organization", "categories", "distance_km", "open_now", "score"} <= set(hits[0])
    assert any("naloxone" in hit["categories"] for hit in hits[:3])


def test_frozen_leaflet_prints_in_arabic_script(run, tmp_path):
    key = json.loads(run("search", "naloxone", "--json").stdout)[0]["id"]
    out = tmp_path / "leaflet.pdf"
    result = run("leaflet", key, "--lang", "ar", "--accept-unreviewed", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_frozen_gui_shows_its_window(run):
    result = run(env={"COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN": "1"})
    assert result.returncode == 0, result.stderr
    assert "window shown: Coventry Directory" in result.stderr


def test_per_user_mode_never_writes_beside_the_executable(bundle, run):
    assert not (bundle / "portable.txt").exists()
    before = _snapshot(bundle)
    report = _self_test(run)
    run("search", "alcohol", "--json")
    run(env={"COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN": "1"})
    assert _snapshot(bundle) == before, "the app wrote into its own folder"
    detail = next(c["detail"] for c in report["checks"] if c["name"] == "user-data")
    assert detail.startswith("per-user: ")
    folder = Path(detail.removeprefix("per-user: ").removesuffix(" (writable)"))
    assert bundle not in folder.parents
    if sys.platform.startswith("linux"):
        assert folder == run.home / ".local" / "share" / "coventry-directory"
        assert list((folder / "logs").glob("*.log")), "the GUI kept no log in the per-user folder"


def test_portable_mode_keeps_everything_beside_the_executable(bundle, run):
    marker, data = bundle / "portable.txt", bundle / "data"
    assert not data.exists()
    marker.write_text("portable\n")
    try:
        report = _self_test(run)
        detail = next(c["detail"] for c in report["checks"] if c["name"] == "user-data")
        assert detail == f"portable: {data} (writable)"
        result = run(env={"COVENTRY_DIRECTORY_QUIT_WHEN_SHOWN": "1"})
        assert result.returncode == 0, result.stderr
        assert list((data / "logs").glob("*.log")), "the GUI kept no log beside the executable"
        assert not (run.home / ".local" / "share" / "coventry-directory").exists()
    finally:
        marker.unlink()
        shutil.rmtree(data, ignore_errors=True)


def test_bundle_ships_the_database_not_its_sources(bundle):
    resources = next(bundle.rglob("resources/directory.db")).parent
    # the taxonomy (labels) and the cited documents (their titles and lines in the details),
    # never the records the database is built from
    shipped = sorted(p.name for p in (resources / "directory").iterdir())
    assert shipped == ["sources", "sources.toml", "taxonomy.toml"]
    assert not (resources / "directory" / "services").exists()
    for needed in ("places.toml", "search/synonyms.toml", "keys", "fonts", "locale", "hsds-3.0/schema"):
        assert (resources / needed).exists(), needed
    assert not list(bundle.rglob("tkinter")) and not list(bundle.rglob("pytest"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the size target is for the Linux bundle")
def test_linux_bundle_meets_its_size_target(bundle):
    size = build.folder_size(bundle)
    assert size <= SIZE_TARGET_LINUX, f"bundle is {size / 1e6:.1f} MB, over the {SIZE_TARGET_LINUX / 1e6:.0f} MB target"


def _large_feed(path: Path, count: int) -> Path:
    """An HSDS 3.0 file of ``count`` services, large enough to be streamed (fictional; Ofcom drama numbers)."""
    words = "Drug and alcohol recovery support, one to one and in groups, for adults and their families. "
    with open(path, "w", encoding="utf-8") as out:
        out.write("[")
        for n in range(count):
            org = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"org/{n // 10}")), "name": f"Provider {n // 10}"}
            service = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"svc/{n}")),
                "name": f"Recovery service {n}",
                "status": "active",
                "description": words * 12,
                "organization_id": org["id"],
                "organization": org,
                "phones": [
                    {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tel/{n}")), "number": f"01632 96{n % 10000:04d}"}
                ],
            }
            out.write(("," if n else "") + json.dumps(service))
        out.write("]")
    return path


def test_frozen_import_of_a_large_file_shares_the_work_with_worker_processes(run, tmp_path):
    """The frozen executable, started again as a worker process (freeze_support), prepares its share of a large file."""
    feed = _large_feed(tmp_path / "national.json", 7000)
    assert feed.stat().st_size > 8 << 20  # streamed, so shared with workers
    result = run("import", str(feed), "--source", "national", "--json", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["services"] == 7000 and report["skipped"] == 0
    if (os.cpu_count() or 1) >= 2:  # one core: no worker (it is all done in the importing process)
        assert report["prepared_in_workers"] > 0, report
    found = json.loads(run("search", "Recovery service 6999", "--json").stdout)
    assert any(hit["name"] == "Recovery service 6999" for hit in found)
