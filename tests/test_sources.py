"""Sources: each import adds or updates one named source beside the shipped edition, and nothing shrinks silently.

Through the real command line, on the real shipped directory (copied per test), with real
SQLite files. The public material (official HSDS examples, the ORUK validator's data) is
in ``test_sources_public.py``; merging rules in ``test_sources_merge.py``.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from edition_facts import EDITION_SERVICES
from test_exchange_hsds_support import uid

from coventry_directory.cli import main
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.input_files import file_identity


def service(n: int, **extra) -> dict:
    """A small valid HSDS 3.0 service of an imaginary council feed, number ``n``."""
    org = {"id": uid("org", "council"), "name": "Imaginary Council", "description": "A council."}
    return {
        "id": uid("svc", str(n)),
        "name": f"Community support service {n}",
        "status": "active",
        "description": f"Help number {n}.",
        "organization_id": org["id"],
        "organization": org,
        **extra,
    }


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sources(capsys) -> dict[str, dict]:
    code, out, _ = run(capsys, "sources", "--json")
    assert code == 0
    return {s["name"]: s for s in json.loads(out)["sources"]}


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM service").fetchone()[0]


def test_a_plain_directory_lists_its_edition_as_its_one_source(installed_directory, capsys):
    listed = sources(capsys)
    assert list(listed) == ["edition"]
    assert listed["edition"]["kind"] == "edition" and listed["edition"]["services"] == EDITION_SERVICES
    code, out, _ = run(capsys, "sources")
    assert code == 0 and out.startswith(f"edition  [edition]  {EDITION_SERVICES} service(s), edition 20")


def test_two_imports_are_two_sources_and_the_edition_stays(installed_directory, tmp_path, capsys):
    a = write(tmp_path / "council-a.json", [service(n) for n in range(5)])
    b = write(tmp_path / "council-b.json", [service(n) for n in range(100, 103)])
    code, out, err = run(capsys, "import", str(a))
    assert code == 0, err
    assert "Added the source 'council-a'" in out and "5 service(s) read" in out
    assert f"The directory now has {EDITION_SERVICES + 5} service(s)" in out
    assert run(capsys, "import", str(b))[0] == 0
    listed = sources(capsys)
    assert [(n, s["kind"], s["services"]) for n, s in listed.items()] == [
        ("edition", "edition", EDITION_SERVICES),
        ("council-a", "file", 5),
        ("council-b", "file", 3),
    ]
    assert count(installed_directory) == EDITION_SERVICES + 8
    # the shipped services are still found, and an imported one names its source
    code, out, _ = run(capsys, "search", "naloxone", "--near", "Rugby", "--json")
    hits = json.loads(out)
    assert hits and hits[0]["source"] == "edition"
    code, out, _ = run(capsys, "search", "Community support service 101", "--json")
    assert json.loads(out)[0]["source"] == "council-b"


def test_importing_again_updates_that_source_only(installed_directory, tmp_path, capsys):
    write(tmp_path / "feed.json", [service(n) for n in range(6)])
    assert run(capsys, "import", str(tmp_path / "feed.json"))[0] == 0
    write(tmp_path / "other.json", [service(50)])
    assert run(capsys, "import", str(tmp_path / "other.json"))[0] == 0
    write(tmp_path / "feed.json", [service(n) for n in range(4)])  # two services ended
    code, out, err = run(capsys, "import", str(tmp_path / "feed.json"))
    assert code == 0, err
    assert "Updated the source 'feed'" in out
    assert {n: s["services"] for n, s in sources(capsys).items()} == {
        "edition": EDITION_SERVICES,
        "feed": 4,
        "other": 1,
    }
    assert count(installed_directory) == EDITION_SERVICES + 5


@pytest.mark.parametrize(
    ("content", "shape"),
    [("[]", "an empty list"), ('{"contents": [], "total_pages": 1}', "an empty page"), ("{}", "an empty object")],
)
def test_an_empty_input_changes_nothing(installed_directory, tmp_path, capsys, content, shape):
    before = installed_directory.read_bytes()
    (tmp_path / "empty.json").write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "import", str(tmp_path / "empty.json"))
    assert code == 2, shape
    assert "nothing was changed" in err.lower() and "Traceback" not in err
    assert installed_directory.read_bytes() == before
    assert list(sources(capsys)) == ["edition"]


def test_a_shrunken_update_is_refused_unless_allowed(installed_directory, tmp_path, capsys):
    write(tmp_path / "feed.json", [service(n) for n in range(10)])
    assert run(capsys, "import", str(tmp_path / "feed.json"))[0] == 0
    before = installed_directory.read_bytes()
    write(tmp_path / "feed.json", [service(n) for n in range(3)])
    code, _, err = run(capsys, "import", str(tmp_path / "feed.json"))
    assert code == 2
    assert "has 3 service(s)" in err and "has 10" in err and "--allow-shrink" in err
    assert installed_directory.read_bytes() == before
    assert sources(capsys)["feed"]["services"] == 10
    code, _, err = run(capsys, "import", str(tmp_path / "feed.json"), "--allow-shrink")
    assert code == 0, err
    assert sources(capsys)["feed"]["services"] == 3


def test_two_bad_records_of_fifty_are_skipped_and_listed(installed_directory, tmp_path, capsys):
    records = [service(n) for n in range(50)]
    records[7] = {"id": uid("svc", "7"), "status": "active"}  # no name: cannot be listed
    records[31] = "not a service"
    write(tmp_path / "council.json", records)
    code, out, err = run(capsys, "import", str(tmp_path / "council.json"), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["services"] == 48 and result["skipped"] == 2
    assert [p["path"] for p in result["problems"]] == ["$[7]", "$[31]"]
    assert "has no name" in result["problems"][0]["reason"]
    assert count(installed_directory) == EDITION_SERVICES + 48
    code, out, _ = run(capsys, "sources", "show", "council")
    assert code == 0 and "2 record(s) skipped" in out and "$[31]: is not a service object" in out


def test_strict_keeps_all_or_nothing(installed_directory, tmp_path, capsys):
    records = [service(n) for n in range(5)]
    records[2]["email"] = None  # repaired when tolerant; a problem when strict
    write(tmp_path / "council.json", records)
    before = installed_directory.read_bytes()
    code, out, err = run(capsys, "import", str(tmp_path / "council.json"), "--strict")
    assert code == 2 and "Nothing was changed" in err
    assert "$[2].email" in out
    assert installed_directory.read_bytes() == before
    code, out, err = run(capsys, "import", str(tmp_path / "council.json"), "--json")
    assert code == 0, err
    assert json.loads(out)["repairs"]["null left out"] == 1


def test_real_world_faults_are_repaired_with_the_meaning_kept(installed_directory, tmp_path, capsys):
    records = [
        {
            "id": "1043",  # not a UUID: made a stable one
            "name": "Drop-in advice",
            "status": "open all hours",  # not an HSDS status: kept, shown as unknown
            "email": None,
            "minimum_age": "18",
            "phones": [{"id": 7, "number": 1632960000}],
        }
    ]
    write(tmp_path / "live.json", records)
    code, out, err = run(capsys, "import", str(tmp_path / "live.json"), "--json")
    assert code == 0, err
    repairs = json.loads(out)["repairs"]
    assert repairs["id made a UUID"] == 2 and repairs["number sent as text"] == 1 and repairs["status"] == 1
    code, out, _ = run(capsys, "search", "Drop-in advice", "--json")
    hit = json.loads(out)[0]
    assert hit["service_status"] == "open all hours" and hit["source"] == "live"
    with sqlite3.connect(installed_directory) as conn:
        sid, age = conn.execute("SELECT id, minimum_age FROM service WHERE name = 'Drop-in advice'").fetchone()
        assert age == 18 and len(sid) == 36
        assert conn.execute("SELECT number FROM phone WHERE service_id = ?", [sid]).fetchone() == ("1632960000",)
    # the same feed again gives the same ids: nothing new
    code, out, _ = run(capsys, "import", str(tmp_path / "live.json"), "--json")
    assert json.loads(out)["directory_services"] == EDITION_SERVICES + 1


def test_defunct_and_inactive_services_are_hidden_unless_asked_for(installed_directory, tmp_path, capsys):
    records = [
        service(1, name="Harbour naloxone point", status="defunct"),
        service(2, name="Harbour naloxone van", status="inactive"),
        service(3, name="Harbour naloxone desk", status="temporarily closed"),
    ]
    write(tmp_path / "harbour.json", records)
    assert run(capsys, "import", str(tmp_path / "harbour.json"))[0] == 0
    code, out, _ = run(capsys, "search", "harbour", "--json")
    assert [h["name"] for h in json.loads(out)] == ["Harbour naloxone desk"]
    code, out, _ = run(capsys, "search", "harbour")
    assert "status: temporarily closed" in out
    code, out, _ = run(capsys, "search", "harbour", "--include-closed", "--json")
    assert {h["name"] for h in json.loads(out)} == {n["name"] for n in records}


def test_remove_takes_away_only_what_that_source_brought(installed_directory, tmp_path, capsys):
    write(tmp_path / "council.json", [service(n) for n in range(4)])
    assert run(capsys, "import", str(tmp_path / "council.json"))[0] == 0
    code, out, err = run(capsys, "sources", "remove", "council")
    assert code == 0, err
    assert f"now has {EDITION_SERVICES} service(s)" in out
    assert list(sources(capsys)) == ["edition"]
    code, _, err = run(capsys, "sources", "remove", "edition")
    assert code == 2 and "only source" in err
    code, _, err = run(capsys, "sources", "remove", "nothing-called-this")
    assert code == 2 and "no source called 'nothing-called-this'" in err and "edition" in err


def test_replace_makes_one_source_and_the_edition_can_be_restored(installed_directory, tmp_path, capsys):
    write(tmp_path / "a.json", [service(n) for n in range(3)])
    write(tmp_path / "b.json", [service(n) for n in range(10, 12)])
    assert run(capsys, "import", str(tmp_path / "a.json"))[0] == 0
    code, out, err = run(capsys, "import", str(tmp_path / "b.json"), "--replace")
    assert code == 0, err
    assert list(sources(capsys)) == ["b"] and count(installed_directory) == 2
    code, out, err = run(capsys, "sources", "restore-edition")
    assert code == 0, err
    assert list(sources(capsys)) == ["edition", "b"] and count(installed_directory) == EDITION_SERVICES + 2


def test_a_named_source_and_a_bad_name(installed_directory, tmp_path, capsys):
    write(tmp_path / "services.json", [service(1)])
    assert run(capsys, "import", str(tmp_path / "services.json"), "--source", "Warwickshire County Council")[0] == 0
    assert "Warwickshire County Council" in sources(capsys)
    code, _, err = run(capsys, "import", str(tmp_path / "services.json"), "--source", "../../etc")
    assert code == 2 and "not a usable source name" in err


def test_a_crash_between_source_and_directory_is_mended_by_rebuild(installed_directory, tmp_path, capsys):
    write(tmp_path / "council.json", [service(n) for n in range(3)])
    assert run(capsys, "import", str(tmp_path / "council.json"))[0] == 0
    # as if the process died after the new source was in place but before the directory was swapped
    sources_dir = installed_directory.with_name("directory.sources")
    (source_file,) = [p for p in sources_dir.glob("council*.db")]
    with sqlite3.connect(source_file) as conn:
        conn.execute("UPDATE directory_info SET value = 'changed' WHERE key = 'source_stamp'")
    code, out, _ = run(capsys, "sources")
    assert "sources rebuild" in out
    assert run(capsys, "sources", "rebuild")[0] == 0
    assert "sources rebuild" not in run(capsys, "sources")[1]


@pytest.mark.parametrize("shape", ["list", "page"])
def test_a_large_file_is_read_service_by_service_with_the_same_result(
    installed_directory, tmp_path, capsys, monkeypatch, shape
):
    from coventry_directory.exchange import json_stream

    records = [service(n) for n in range(30)]
    records[4] = {"id": uid("svc", "4"), "status": "active"}  # no name: skipped, streamed or not
    doc = records if shape == "list" else {"total_pages": 1, "page_number": 1, "contents": records}
    write(tmp_path / "whole.json", doc)
    write(tmp_path / "streamed.json", doc)
    code, out, err = run(capsys, "import", str(tmp_path / "whole.json"), "--json")
    assert code == 0, err
    whole = json.loads(out)
    monkeypatch.setattr(json_stream, "STREAM_FROM", 0)  # every file counts as large
    seen = []
    original = json_stream.stream_items
    monkeypatch.setattr(json_stream, "stream_items", lambda *a, **k: seen.append(1) or original(*a, **k))
    code, out, err = run(capsys, "import", str(tmp_path / "streamed.json"), "--json")
    assert code == 0, err
    streamed = json.loads(out)
    assert seen and streamed["services"] == whole["services"] == 29
    assert streamed["problems"] == whole["problems"]
    assert streamed["problems"][0]["path"] == ("$[4]" if shape == "list" else "$.contents[4]")
    assert streamed["counts"] == whole["counts"]


def test_a_broken_large_file_changes_nothing(installed_directory, tmp_path, capsys, monkeypatch):
    from coventry_directory.exchange import json_stream

    monkeypatch.setattr(json_stream, "STREAM_FROM", 0)
    text = json.dumps([service(n) for n in range(10)])
    (tmp_path / "cut.json").write_text(text[: len(text) // 2], encoding="utf-8")  # a download cut short
    before = installed_directory.read_bytes()
    code, out, err = run(capsys, "import", str(tmp_path / "cut.json"))
    assert code == 2 and "not valid JSON near byte" in out + err and "cut short" in err and "Traceback" not in err
    assert installed_directory.read_bytes() == before
    assert list(sources(capsys)) == ["edition"]


def _read_streamed(path, db, workers, reopen_path=None):
    """Read ``path`` as a streamed file into a new source database ``db``, sharing with ``workers`` processes."""
    from coventry_directory.exchange import prepare
    from coventry_directory.exchange.json_stream import stream_items
    from coventry_directory.exchange.reading import ReadResult, StoreSink, converted_items, read_services
    from coventry_directory.store import hsds_rows

    doc = stream_items(path)
    store = hsds_rows.open_new(db)
    try:
        items = converted_items(doc, "hsds", "council", ReadResult(FlatData()))
        reopen = prepare.Reopen(str(reopen_path or path), "hsds", "council", file_identity(path))
        result = read_services(items, "council", sink=StoreSink(store), workers=workers, reopen=reopen)
        tables = {t: hsds_rows.read_table(store, t) for t in ("service", "phone", "organization", "attribute")}
    finally:
        store.close()
    _read_streamed.in_workers = result.prepared_in_workers  # type: ignore[attr-defined]
    return (result.services, result.skipped, result.problems, dict(result.repairs)), tables


def test_services_prepared_with_worker_processes_give_the_same_rows(tmp_path, monkeypatch):
    """A large file is shared with worker processes that read it themselves: order and result must not change."""
    from coventry_directory.exchange import json_stream

    monkeypatch.setattr(json_stream, "STREAM_FROM", 0)
    records = [service(n, phones=[{"id": str(n), "number": f"01632 960{n:03d}"}]) for n in range(1400)]
    records[10] = {"id": uid("svc", "10"), "status": "active"}  # skipped either way
    records[20] = dict(records[21])  # the same service twice: listed once either way
    records[900]["phones"][0]["number"] = None  # a fault a worker repairs, in a worker's batch
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(records), encoding="utf-8")
    here = _read_streamed(feed, tmp_path / "here.db", 0)
    assert here[0][:2] == (1398, 1) and _read_streamed.in_workers == 0
    assert _read_streamed(feed, tmp_path / "one.db", 1) == here
    assert _read_streamed.in_workers == 900  # batches 1, 2, 4 and 5 of six (250 each, the last 150): 0 and 3 here
    assert _read_streamed(feed, tmp_path / "two.db", 2) == here
    assert _read_streamed.in_workers > 0
    # a worker that cannot read the file leaves its batches to this process: the same again
    assert _read_streamed(feed, tmp_path / "lost.db", 1, reopen_path=tmp_path / "gone.json") == here
    assert _read_streamed.in_workers == 0


def test_a_large_file_changed_while_it_is_read_changes_nothing(tmp_path, monkeypatch):
    """Read a piece at a time, a file replaced midway (a download renamed over it) would mix two files."""
    from coventry_directory.exchange import json_stream
    from coventry_directory.exchange.errors import ExchangeError
    from coventry_directory.exchange.reading import StoreSink, read_document
    from coventry_directory.store import hsds_rows

    monkeypatch.setattr(json_stream, "STREAM_FROM", 0)
    feed = write(tmp_path / "feed.json", [service(n) for n in range(900)])
    doc = json_stream.stream_items(feed)

    def replaced_midway(items):
        for n, item in enumerate(items):
            if n == 300:
                write(tmp_path / "new.json", [service(n, name=f"Other {n}") for n in range(900)])
                (tmp_path / "new.json").replace(feed)
            yield item

    doc.rest = replaced_midway(doc.rest)
    store = hsds_rows.open_new(tmp_path / "source.db")
    try:
        with pytest.raises(ExchangeError, match="changed while it was being read"):
            read_document(doc, "hsds", "council", sink=StoreSink(store), workers=1)
    finally:
        store.close()


def test_batches_are_shared_so_this_process_keeps_one_in_three_with_one_worker():
    from coventry_directory.exchange.prepare import _owner

    assert [_owner(n, 1) for n in range(6)] == [-1, 0, 0, -1, 0, 0]
    shared = [_owner(n, 3) for n in range(7)]
    assert shared.count(-1) == 1 and all(shared.count(k) == 2 for k in range(3))


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere():
    from coventry_directory.cli.progress import CommandProgress

    bar, lines = _Terminal(), io.StringIO()
    on_terminal = CommandProgress(bar=bar, lines=lines)
    on_terminal("reading", 50, 100)
    on_terminal.finish()
    assert "[###############               ]  50%" in bar.getvalue() and bar.getvalue().endswith("\r")
    assert lines.getvalue() == ""
    plain, out = CommandProgress(bar=io.StringIO(), lines=io.StringIO()), None
    for stage, done in (("reading", 0), ("reading", 10), ("checking", 0), ("composing", 0)):
        plain(stage, done, None)
    out = plain.lines.getvalue()
    assert out == "Reading the file…\nChecking services…\nMaking the directory from its sources…\n"
    quiet = CommandProgress(quiet=True, bar=io.StringIO(), lines=io.StringIO())
    quiet("reading", 1, 2)
    assert quiet.lines.getvalue() == "" and quiet.bar.getvalue() == ""


def test_an_import_says_what_it_is_doing(installed_directory, tmp_path, capsys):
    write(tmp_path / "council.json", [service(n) for n in range(3)])
    code, out, err = run(capsys, "import", str(tmp_path / "council.json"))
    assert code == 0 and err == ""
    assert out.startswith("Reading the file…\nChecking services…\nWriting the source…\nMaking the directory")
    code, out, _ = run(capsys, "import", str(tmp_path / "council.json"), "--json")
    assert json.loads(out)["services"] == 3  # nothing but the JSON on stdout


def test_a_result_row_says_first_when_a_service_is_not_running(installed_directory, tmp_path, capsys):
    from coventry_directory.core.search import Filters, SearchEngine
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.ui.results_model import row_summary

    write(tmp_path / "harbour.json", [service(3, name="Harbour naloxone desk", status="temporarily closed")])
    assert run(capsys, "import", str(tmp_path / "harbour.json"))[0] == 0
    store = DirectoryStore.open(installed_directory)
    try:
        (hit,) = SearchEngine(store).search("harbour naloxone desk", Filters(), limit=1).hits
    finally:
        store.close()
    assert hit.status == "temporarily closed" and hit.sources == ("harbour",)
    assert row_summary(hit)[2].startswith("Temporarily closed · ")


def test_a_name_that_makes_another_sources_file_name_gets_a_file_of_its_own(installed_directory, tmp_path, capsys):
    from coventry_directory.exchange.sources import Home, file_stem

    write(tmp_path / "a.json", [service(1)])
    write(tmp_path / "b.json", [service(2)])
    assert run(capsys, "import", str(tmp_path / "a.json"), "--source", "A")[0] == 0
    clash = file_stem("A")  # the file name source "A" got, used as another source's name
    assert run(capsys, "import", str(tmp_path / "b.json"), "--source", clash)[0] == 0
    assert {n: s["services"] for n, s in sources(capsys).items()} == {"edition": EDITION_SERVICES, "A": 1, clash: 1}
    assert len(list(Home(installed_directory).sources_dir.glob("*.db"))) == 3


def test_control_characters_blank_names_and_odd_statuses_are_dealt_with(installed_directory, tmp_path, capsys):
    records = [
        service(1, name="Clear\x1b[2J\x1b[Hscreen \u202eevil"),
        service(2, name="   "),
        service(3, name="Shouting closed", status=" INACTIVE"),
        service(4, name="Huge age", maximum_age=1e999, minimum_age="inf"),
    ]
    write(tmp_path / "odd.json", records)
    code, out, err = run(capsys, "import", str(tmp_path / "odd.json"), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["services"] == 3 and [p["path"] for p in result["problems"]] == ["$[1].name"]
    # the name as shown, control characters gone, finds it first (typed whole, it is the one asked for)
    code, out, _ = run(capsys, "search", "Clear[2J[Hscreen evil", "--json")
    assert json.loads(out)[0]["name"] == "Clear[2J[Hscreen evil"
    code, out, _ = run(capsys, "search", "shouting closed", "--json")
    assert all(h["name"] != "Shouting closed" for h in json.loads(out))  # inactive: hidden
    code, out, err = run(capsys, "eligible", "--age", "30")
    assert code == 0, err
    code, out, err = run(capsys, "export", "--format", "hsds-json", "-o", str(tmp_path / "out"))
    assert code == 0 and "Infinity" not in (tmp_path / "out" / "services.json").read_text(encoding="utf-8")


def test_a_damaged_source_file_is_listed_and_can_be_removed(installed_directory, tmp_path, capsys):
    write(tmp_path / "a.json", [service(1)])
    write(tmp_path / "b.json", [service(2)])
    assert run(capsys, "import", str(tmp_path / "a.json"))[0] == 0
    assert run(capsys, "import", str(tmp_path / "b.json"))[0] == 0
    damaged = installed_directory.with_name("directory.sources") / "a.db"  # "a" is its own file name
    damaged.write_bytes(damaged.read_bytes()[:5000])  # a disk fault, a half-copied file
    listed = sources(capsys)
    assert listed[damaged.stem]["kind"] == "damaged" and listed["b"]["services"] == 1
    code, out, err = run(capsys, "sources", "show", damaged.stem)
    assert code == 0 and "sources remove" in out
    code, out, err = run(capsys, "sources", "remove", damaged.stem)
    assert code == 0, err
    assert set(sources(capsys)) == {"edition", "b"} and count(installed_directory) == EDITION_SERVICES + 1


def test_a_second_change_while_one_runs_is_refused_and_changes_nothing(installed_directory, tmp_path, capsys):
    from coventry_directory.exchange.source_lock import exclusive, lock_path

    write(tmp_path / "council.json", [service(n) for n in range(3)])
    before = installed_directory.read_bytes()
    with exclusive(installed_directory):  # as if another process were importing now
        code, _, err = run(capsys, "import", str(tmp_path / "council.json"))
        assert code == 1 and "another import or sources command" in err and "nothing was changed" in err
    assert installed_directory.read_bytes() == before
    assert not lock_path(installed_directory).exists()  # no trace left in the data folder
    assert run(capsys, "import", str(tmp_path / "council.json"))[0] == 0
