"""Sources, after a second fault probe: ``--db`` folders tidied and restored, conflicts listed, deep records, Ctrl+C.

Through the real command line (``cli.main``) on the real shipped directory copied per
test, with real SQLite files and real files in ``tmp_path``. Large files are really large
(past the size that is streamed), as a national feed is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from edition_facts import EDITION_SERVICES
from test_exchange_hsds_support import uid
from test_sources import count, run, service, sources, write
from test_sources_faults import import_json, padded
from test_sources_merge import HUB_ID

DEEP = "[" * 10_000 + "]" * 10_000  # deeper than Python's parser (or marshal) can go
DEAD_PID = 2**22 + 12345  # above Linux's largest process id: never a running process


def _dead_pid() -> int:
    pid = DEAD_PID
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            pass
        pid += 1


# --- 1. a --db directory's leftovers of a killed import are tidied, as the installed one's are ---------
def test_a_killed_imports_leftovers_beside_a_db_file_are_removed_when_its_process_is_gone(tmp_path, capsys):
    db = tmp_path / "x.db"
    write(tmp_path / "a.json", [service(n) for n in range(3)])
    write(tmp_path / "b.json", [service(n) for n in range(10, 12)])
    assert run(capsys, "import", str(tmp_path / "a.json"), "--db", str(db))[0] == 0
    assert run(capsys, "import", str(tmp_path / "b.json"), "--db", str(db))[0] == 0
    folder = tmp_path / "x.sources"
    dead, alive = _dead_pid(), os.getppid()  # the test runner's parent is running for the whole test
    stale = [
        folder / f"a.db.incoming-{dead}",
        folder / f"a.db.incoming-{dead}-journal",
        tmp_path / f"x.db.incoming-{dead}",
    ]
    live = folder / f"b.db.incoming-{alive}"  # an import still running elsewhere: never touched
    for path in [*stale, live]:
        path.write_bytes(b"half an import")
    code, out, err = run(capsys, "sources", "--db", str(db))
    assert code == 0, err
    assert [p for p in stale if p.exists()] == []
    assert live.exists()
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".db") == ["a.db", "b.db"]


# --- 2. restore-edition with --db -----------------------------------------------------------------
def test_restore_edition_with_db_brings_back_the_edition_that_db_had(directory_db, tmp_path, capsys):
    write(tmp_path / "a.json", [service(n) for n in range(4)])
    assert run(capsys, "import", str(tmp_path / "a.json"), "--db", str(directory_db))[0] == 0
    code, out, err = run(capsys, "sources", "remove", "edition", "--db", str(directory_db))
    assert code == 0, err
    assert (tmp_path / "directory.sources" / "edition.db.removed").is_file() and count(directory_db) == 4
    code, out, err = run(capsys, "sources", "restore-edition", "--db", str(directory_db))
    assert code == 0, err
    assert out.startswith("Restored the edition this directory had before it was removed (20")
    assert count(directory_db) == EDITION_SERVICES + 4
    assert not (tmp_path / "directory.sources" / "edition.db.removed").exists()  # it is the edition again
    code, out, _ = run(capsys, "sources", "--db", str(directory_db), "--json")
    assert [(s["name"], s["kind"], s["services"]) for s in json.loads(out)["sources"]] == [
        ("edition", "edition", EDITION_SERVICES),
        ("a", "file", 4),
    ]


# --- 3. services left out as conflicts are listed by `sources show`, and not counted ----------------
def _hostile(tmp_path: Path) -> Path:
    thief = service(1, name="Payday loans")
    thief["id"] = HUB_ID  # the id of the edition's St Basils hub, for another service
    return write(tmp_path / "hostile.json", [thief, service(8)])


def test_sources_show_lists_services_left_out_as_conflicts_and_counts_what_went_in(
    installed_directory, tmp_path, capsys
):
    assert run(capsys, "import", str(_hostile(tmp_path)))[0] == 0
    listed = sources(capsys)["hostile"]
    assert (listed["services"], listed["problems"]) == (1, 1)
    code, out, err = run(capsys, "sources", "show", "hostile")
    assert code == 0, err
    assert "  services: 1 (1 more left out, below)\n" in out
    assert "  1 record(s) skipped:\n" in out
    assert f"    service {HUB_ID}: uses the id of a different service already in the directory; left out\n" in out
    code, shown, err = import_json(capsys, "sources", "show", "hostile")
    assert shown["services"] == 1 and shown["problems"] == 1
    assert shown["problem_list"] == [
        {
            "path": f"service {HUB_ID}",
            "reason": "uses the id of a different service already in the directory; left out",
        }
    ]
    line = next(line for line in run(capsys, "sources")[1].splitlines() if line.startswith("hostile"))
    assert "1 service(s)" in line and "1 record(s) skipped" in line
    # made again without the edition, nothing conflicts: both services go in and nothing is listed
    assert run(capsys, "sources", "remove", "edition")[0] == 0
    again = sources(capsys)["hostile"]
    assert (again["services"], again["problems"]) == (2, 0)


def test_an_import_counting_left_out_services_is_not_a_shrink_when_done_again(installed_directory, tmp_path, capsys):
    hostile = _hostile(tmp_path)
    assert run(capsys, "import", str(hostile))[0] == 0
    code, out, err = run(capsys, "import", str(hostile))
    assert code == 0, err
    assert "Updated the source 'hostile'" in out and sources(capsys)["hostile"]["services"] == 1


# --- 4. a record nested too deeply: skipped with that reason, in a small file as in a large one -------
@pytest.mark.parametrize("large", [True, False], ids=["streamed", "whole"])
def test_a_record_nested_too_deeply_is_skipped_with_that_reason(installed_directory, tmp_path, capsys, large):
    deep = json.dumps(service(2))[:-1] + f', "extra": {DEEP}}}'
    records = [json.dumps(service(1)), deep, json.dumps(service(3))]
    (tmp_path / "deep.json").write_bytes(padded(records, large=large))
    code, result, err = import_json(capsys, "import", str(tmp_path / "deep.json"))
    assert code == 0, err
    assert result["services"] == 2 and result["skipped"] == 1
    assert result["problems"] == [{"path": "$[1]", "reason": "is nested too deeply to read"}]
    assert "surrogate" not in json.dumps(result)


@pytest.mark.parametrize("large", [True, False], ids=["streamed", "whole"])
def test_strict_refuses_a_file_with_a_record_nested_too_deeply_saying_so(installed_directory, tmp_path, capsys, large):
    deep = json.dumps(service(2))[:-1] + f', "extra": {DEEP}}}'
    (tmp_path / "deep.json").write_bytes(padded([json.dumps(service(1)), deep], large=large))
    code, out, err = run(capsys, "import", str(tmp_path / "deep.json"), "--strict")
    assert code == 2 and "$[1]: is nested too deeply to read" in err and "Traceback" not in err
    assert list(sources(capsys)) == ["edition"]


def test_one_object_nested_too_deeply_is_refused_saying_so(installed_directory, tmp_path, capsys):
    (tmp_path / "deep.json").write_text(json.dumps(service(1))[:-1] + f', "extra": {DEEP}}}', encoding="utf-8")
    code, out, err = run(capsys, "import", str(tmp_path / "deep.json"))
    assert code == 2 and "$: is nested too deeply to read" in err and "surrogate" not in out + err


# --- 7. control characters in a file's name are shown escaped --------------------------------------
def test_the_sources_listing_shows_control_characters_in_a_file_name_escaped(installed_directory, tmp_path, capsys):
    odd = write(tmp_path / "bad\nname\x1b[31m.json", [service(1)])
    code, out, err = run(capsys, "import", str(odd))
    assert code == 0, err
    code, out, err = run(capsys, "sources")
    assert code == 0, err
    assert f"    from {tmp_path}/bad\\x0aname\\x1b[31m.json\n" in out
    assert "\x1b" not in out and not any(line.startswith("name") for line in out.splitlines())
    name = next(s for s in sources(capsys) if s != "edition")
    code, out, err = run(capsys, "sources", "show", name)
    assert code == 0 and f"  from: {tmp_path}/bad\\x0aname\\x1b[31m.json\n" in out and "\x1b" not in out


# --- 9. what import --json counts, sources --json's edition, and Ctrl+C ---------------------------------
def test_prepared_in_workers_counts_only_services_that_went_in(tmp_path, monkeypatch):
    """Batches 1, 2, 4 and 5 of six are a worker's (as in test_sources): a skipped record and a duplicate there."""
    from test_sources import _read_streamed

    from coventry_directory.exchange import json_stream

    monkeypatch.setattr(json_stream, "STREAM_FROM", 0)
    records = [service(n) for n in range(1400)]
    records[300] = {"id": uid("svc", "300"), "status": "active"}  # no name: skipped, in a worker's batch
    records[301] = dict(records[302])  # the same service twice: listed once
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(records), encoding="utf-8")
    (services, skipped, _, _), _ = _read_streamed(feed, tmp_path / "one.db", 1)
    assert (services, skipped) == (1398, 1)
    assert _read_streamed.in_workers == 898  # the 900 of those batches, less the two that did not go in


def test_sources_json_gives_each_sources_edition(installed_directory, tmp_path, capsys):
    write(tmp_path / "a.json", [service(1)])
    assert run(capsys, "import", str(tmp_path / "a.json"))[0] == 0
    listed = sources(capsys)
    assert listed["edition"]["edition"] is not None and listed["edition"]["edition"].startswith("20")
    assert f"edition {listed['edition']['edition']}" in run(capsys, "sources")[1]
    assert listed["a"]["edition"] is None  # no service of it says when it was checked


def _interrupt_when_composing(patch):
    from coventry_directory.store import compose

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    patch.setattr(compose, "compose", stop)


def test_ctrl_c_during_an_import_says_nothing_was_changed_and_exits_130(
    installed_directory, tmp_path, capsys, monkeypatch
):
    write(tmp_path / "a.json", [service(1)])
    before = installed_directory.read_bytes()
    with monkeypatch.context() as patch:  # only this patch is undone after: the test's own data folder stays
        _interrupt_when_composing(patch)
        code, out, err = run(capsys, "import", str(tmp_path / "a.json"))
    assert code == 130
    assert err.endswith("coventry-directory: Stopped; nothing was changed.\n") and "Traceback" not in err
    assert installed_directory.read_bytes() == before
    assert not (installed_directory.parent / "directory.sources").exists()
    assert list(sources(capsys)) == ["edition"]


def test_ctrl_c_during_an_import_with_json_is_one_json_object(installed_directory, tmp_path, capsys, monkeypatch):
    write(tmp_path / "a.json", [service(1)])
    _interrupt_when_composing(monkeypatch)
    code, result, err = import_json(capsys, "import", str(tmp_path / "a.json"))
    assert code == 130 and result["ok"] is False and result["exit_code"] == 130
    assert result["reason"] == "Stopped; nothing was changed."


def test_ctrl_c_after_the_directory_was_swapped_says_how_to_finish(installed_directory, tmp_path, capsys, monkeypatch):
    from coventry_directory.exchange import source_changes

    write(tmp_path / "a.json", [service(1)])
    assert run(capsys, "import", str(tmp_path / "a.json"))[0] == 0
    write(tmp_path / "a.json", [service(1), service(2)])
    real = source_changes.fsync_file

    def stop_at_the_source(path):  # the directory is in place; the source's own file is not yet
        if ".incoming-" in path.name and path.parent.name == "directory.sources":
            raise KeyboardInterrupt
        real(path)

    with monkeypatch.context() as patch:
        patch.setattr(source_changes, "fsync_file", stop_at_the_source)
        code, out, err = run(capsys, "import", str(tmp_path / "a.json"))
    assert code == 130 and "Traceback" not in err
    assert "Stopped part-way: the directory is out of step with its sources." in err
    assert "coventry-directory sources rebuild" in err
    assert run(capsys, "sources", "rebuild")[0] == 0
    assert sources(capsys)["a"]["services"] == 1 and count(installed_directory) == EDITION_SERVICES + 1


@pytest.mark.skipif(os.name != "posix", reason="signals as POSIX has them")
def test_a_worker_process_ignores_ctrl_c_which_the_terminal_sends_it_too(tmp_path):
    """Ctrl+C goes to the whole process group: a worker must not answer it with a traceback of its own."""
    script = (
        "import multiprocessing, signal\n"
        "from coventry_directory.exchange import prepare\n"
        "ctx = multiprocessing.get_context('spawn')\n"
        "def exit_code(ignoring):\n"
        "    p = ctx.Process(target=signal.raise_signal, args=(signal.SIGINT,))\n"
        "    if ignoring:\n"
        "        with prepare._ctrl_c_not_for_workers():\n"
        "            p.start()\n"
        "    else:\n"
        "        p.start()\n"
        "    p.join()\n"
        "    return p.exitcode\n"
        "if __name__ == '__main__':\n"
        "    print(exit_code(False), exit_code(True), signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n"
    )
    (tmp_path / "workers.py").write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(tmp_path / "workers.py")], capture_output=True, text=True, timeout=120)
    # without: the worker dies of KeyboardInterrupt (exit 1, a traceback); with: it carries on (exit 0)
    assert done.stdout == "1 0 True\n", done.stderr


def test_messages_of_several_sentences_end_with_a_full_stop(tmp_path, capsys):
    db = tmp_path / "x.db"
    write(tmp_path / "a.json", [service(n) for n in range(10)])
    assert run(capsys, "import", str(tmp_path / "a.json"), "--db", str(db))[0] == 0
    code, _, err = run(capsys, "sources", "remove", "a", "--db", str(db))
    assert code == 2 and err.endswith("would leave the directory empty. Nothing was changed.\n"), err
    write(tmp_path / "a.json", [service(1)])
    code, _, err = run(capsys, "import", str(tmp_path / "a.json"), "--db", str(db))
    assert code == 2 and err.endswith("If the source really has shrunk, import it again with --allow-shrink.\n"), err
    folder = tmp_path / "mixed"
    folder.mkdir()
    write(folder / "1.json", [service(1)])
    write(folder / "2.json", [{"name": "A meeting", "day": 1, "time": "19:00", "slug": "m"}])  # a meeting list
    code, _, err = run(capsys, "import", str(folder), "--db", str(db))
    assert code == 2 and err.endswith("import them one at a time. Nothing was changed.\n"), err
