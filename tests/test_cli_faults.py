"""The faults a probe found in the command line, each pinned: what it did before, what it must do now.

The broad sweep is tests/test_cli_hostile.py; these are the cases that need a set-up of their
own (two editions installed, a killed install's leftovers, a log that cannot be written, a
disk that fills up between writing a PDF and logging it) or that must work, not fail.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from test_bundle import make_bundle

from coventry_directory.cli import main
from coventry_directory.exchange.install import previous_path
from coventry_directory.exchange.signing import SIGNING_KEY_ENV, TRUSTED_KEYS_ENV, generate_keypair, load_signing_key
from coventry_directory.store import database_files
from coventry_directory.userdata import installed_directory_path


@pytest.fixture
def publisher(tmp_path, monkeypatch):
    generate_keypair(tmp_path / "keys" / "publisher.key", tmp_path / "keys" / "publisher.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "keys"))
    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "keys" / "publisher.key"))
    return load_signing_key(tmp_path / "keys" / "publisher.key")


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.endswith("\n") and len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_installing_the_installed_bundle_again_is_refused_and_the_rollback_copy_survives(
    built_directory, tmp_path, publisher, capsys
):
    # Before: the second install of B was accepted and replaced directory.previous.db (A) with B.
    old = make_bundle(built_directory, tmp_path, publisher, "2030-01-01")
    new = make_bundle(built_directory, tmp_path, publisher, "2030-06-01")
    assert main(["bundle", "install", str(old)]) == 0
    assert main(["bundle", "install", str(new)]) == 0
    capsys.readouterr()
    target = installed_directory_path()
    installed, kept = target.read_bytes(), previous_path(target).read_bytes()
    assert main(["bundle", "install", str(new)]) == 2
    assert "already installed" in one_line(capsys)
    assert target.read_bytes() == installed and previous_path(target).read_bytes() == kept
    assert main(["bundle", "rollback"]) == 0
    assert database_files.read_info(target)["edition"] == "2030-01-01"


def test_leftovers_of_a_killed_install_are_removed_when_the_next_command_starts(installed_directory, capsys):
    folder = installed_directory.parent
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = [folder / f"directory.db.incoming-{dead.stdout.strip()}"]
    stale.append(folder / f"directory.db.incoming-{dead.stdout.strip()}-journal")
    live = folder / f"directory.db.incoming-{os.getppid()}"  # a running process's install: not ours to touch
    for path in [*stale, live]:
        path.write_bytes(b"half an edition")
    assert main(["languages"]) == 0
    assert [p for p in stale if p.exists()] == [] and live.exists()
    assert installed_directory.is_file()


def test_an_unexpected_error_when_the_log_cannot_be_written_either(monkeypatch, capsys, tmp_path):
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("COVENTRY_DIRECTORY_HOME", str(tmp_path / "afile" / "home"))

    def broken(args):
        raise ZeroDivisionError("a message with a client's name")

    monkeypatch.setattr("coventry_directory.cli.leaflets.cmd_languages", broken)  # a bug, planted
    assert main(["languages"]) == 1
    err = one_line(capsys)
    assert "unexpected error (ZeroDivisionError) in 'languages'" in err
    assert "the log could not be written either" in err and "client" not in err


def test_a_pdf_that_could_not_be_logged_is_not_left_behind(referral_form, tmp_path, monkeypatch, capsys):
    # Before: a full disk at the log step left the PDF (personal data) and printed a traceback.
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorname = "SQLITE_FULL"

    def log_printed(*args, **kwargs):
        raise full

    monkeypatch.setattr("coventry_directory.referrals.desk.log_printed", log_printed)
    out = tmp_path / "referral.pdf"
    assert main(["referral", "render", referral_form, "-o", str(out)]) == 1
    err = one_line(capsys)
    assert "no space left on the disk holding" in err and "user.db" in err
    assert not out.exists()


def test_a_file_whose_name_is_not_utf8_can_still_be_imported(built_directory, tmp_path, capsys):
    # Text arguments are cleaned; paths keep their bytes, so the file the user named is the file opened.
    from coventry_directory.exchange.hsds_json import export_json
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(built_directory, readonly=True)
    try:
        written = export_json(store, tmp_path / "export")
    finally:
        store.close()
    odd = tmp_path / os.fsdecode(b"caf\xe9.json")
    shutil.copyfile(written, odd)
    target = tmp_path / "imported.db"
    assert main(["import", str(odd), "--db", str(target)]) == 0
    assert database_files.read_info(target)["edition"]
    assert "caf" in capsys.readouterr().out  # printed (escaped), not a UnicodeEncodeError


@pytest.fixture
def referral_form(installed_directory, tmp_path):
    import json

    from test_referral_support import form_data

    path = tmp_path / "form.json"
    path.write_text(json.dumps(form_data("cov-cgl-adult")), encoding="utf-8")
    return str(path)


# --- bench/relevance_bench.py: its arguments and how it prints a distance -----------------------------
BENCH = os.path.join(os.path.dirname(__file__), os.pardir, "bench")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sizes", "abc"], "argument --sizes: want whole numbers of 0 or more, comma-separated"),
        (["--sizes", "0,-5"], "argument --sizes: want whole numbers of 0 or more"),
        (["--sizes", ","], "argument --sizes: want whole numbers of 0 or more"),
        (["--repeat", "0"], "argument --repeat: want a whole number of 1 or more, not '0'"),
        (["--repeat", "x"], "argument --repeat: want a whole number of 1 or more, not 'x'"),
    ],
)
def test_the_relevance_bench_refuses_bad_arguments_in_one_line_and_exit_2(argv, message):
    # argparse refuses them before anything is built or timed
    done = subprocess.run(
        [sys.executable, os.path.join(BENCH, "relevance_bench.py"), *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_the_relevance_bench_words_distances_as_the_app_does_never_0_km(directory_db, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(BENCH, "relevance"))
    monkeypatch.syspath_prepend(BENCH)
    import relevance_bench
    from relevance_set import Query

    from coventry_directory.core.search import SearchEngine
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(directory_db, readonly=True)
    try:
        query = Query(id="near-rugby", text="", persona="", kinds=(), seed=(), quote="", must=(), near="Rugby")
        keys, error, shown = relevance_bench.engine_keys(SearchEngine(store), query)
    finally:
        store.close()
    assert error is None and keys[0] == "cgl-warwickshire-rugby-hub"
    assert shown[0] == "cgl-warwickshire-rugby-hub (in Rugby)"  # it printed "cgl-warwickshire-rugby-hub 0 km"
    assert all(" 0 km" not in line for line in shown)
    assert any(line.endswith(" km)") and "(about " in line for line in shown)
