"""Sources, after a fault probe: odd JSON, refusals with --json, bundles, restoring, folders, names and words.

Through the real command line (``cli.main``) and the real Sources dialog, on the real
shipped directory copied per test (``installed_directory``), with real SQLite files and
real files in ``tmp_path``. Large files are really large (8 MB and more, padded with the
whitespace JSON allows), so they take the streamed path as a national feed does.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from edition_facts import EDITION_SERVICES
from test_sources import count, run, service, sources, write

from coventry_directory.exchange.json_stream import STREAM_FROM
from coventry_directory.exchange.signing import SIGNING_KEY_ENV, TRUSTED_KEYS_ENV, generate_keypair

HUGE_INTEGER = "1" + "9" * 400  # no float, no 64-bit integer, no SQLite column holds it
JARGON = ("ijson", "yajl", "lexical error", "parse error", "premature EOF", "Traceback", "JSONDecodeError")


def padded(records: list[str], *, large: bool, bom: bool = False, tail: str = "") -> bytes:
    """A JSON list of the given record texts; ``large``: padded past the size that is read as a stream."""
    pad = " " * (STREAM_FROM + 1000) if large else ""
    text = "[" + pad + ",\n".join(records) + tail + "]"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def with_field(n: int, field: str, literal: str) -> str:
    """Service ``n`` as JSON text with ``field`` set to a literal JSON number (as a publisher wrote it)."""
    text = json.dumps(service(n))
    return text[:-1] + f', "{field}": {literal}}}'


def import_json(capsys, *argv) -> tuple[int, dict, str]:
    """Run an ``import``/``sources`` command with --json; stdout must be exactly one JSON object."""
    code, out, err = run(capsys, *argv, "--json")
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("{"))
    return code, json.loads("\n".join(lines[start:])), err


def age_of(db: Path, name: str):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT minimum_age FROM service WHERE name = ?", [name]).fetchone()


# --- 1. odd JSON: a byte order mark, numbers nothing can hold, files that are not JSON ----------
@pytest.mark.parametrize("large", [True, False], ids=["streamed", "whole"])
def test_a_bom_and_numbers_nothing_can_hold_are_one_records_repair(installed_directory, tmp_path, capsys, large):
    records = [json.dumps(service(n)) for n in range(6)]
    records[1] = with_field(1, "minimum_age", HUGE_INTEGER)
    records[2] = with_field(2, "minimum_age", "1e400")
    records[3] = with_field(3, "maximum_age", "NaN")
    records[4] = with_field(4, "minimum_age", "9223372036854775808")  # one past the largest 64-bit integer
    path = tmp_path / "council.json"
    path.write_bytes(padded(records, large=large, bom=True))
    assert (path.stat().st_size >= STREAM_FROM) is large

    code, result, err = import_json(capsys, "import", str(path))
    assert code == 0, err
    assert result["services"] == 6 and result["skipped"] == 0 and result["problems"] == []
    assert result["repairs"]["unusable value left out"] == 4
    for n in range(6):  # every record is in; the numbers were left out, nothing else of them
        assert age_of(installed_directory, f"Community support service {n}") == (None,)
    assert count(installed_directory) == EDITION_SERVICES + 6


def test_a_huge_number_read_again_does_not_hand_on_a_service_twice(installed_directory, tmp_path, capsys):
    """The parser meets the number far into a large file: what it handed on before is not read twice."""
    records = [json.dumps(service(n)) for n in range(40)]
    records[35] = with_field(35, "minimum_age", "-" + HUGE_INTEGER)
    path = tmp_path / "late.json"
    path.write_bytes(b"[" + b",".join(r.encode() + b" " * 250_000 for r in records) + b"]")  # ~10 MB
    assert path.stat().st_size > STREAM_FROM
    code, result, err = import_json(capsys, "import", str(path))
    assert code == 0, err
    assert result["services"] == 40 and "the same service listed twice" not in result["repairs"]
    assert result["repairs"]["unusable value left out"] == 1


def test_a_large_file_that_is_not_json_says_where_in_plain_words(installed_directory, tmp_path, capsys):
    records = [json.dumps(service(n)) for n in range(4)]
    text = padded(records, large=True)
    where = text.index(b'"Community support service 2"')
    broken = tmp_path / "broken.json"
    broken.write_bytes(text[:where] + b"@@" + text[where:])
    before = installed_directory.read_bytes()
    code, out, err = run(capsys, "import", str(broken))
    assert code == 2
    assert f"the file is not valid JSON near byte {where:,}" in err or f"near byte {where + 1:,}" in err
    assert "something here is not JSON" in err and "Nothing was changed" in err
    assert not any(word in out + err for word in JARGON)

    cut = tmp_path / "cut.json"
    cut.write_bytes(text[:-30])  # a download cut short
    code, out, err = run(capsys, "import", str(cut))
    assert code == 2 and f"near byte {cut.stat().st_size:,}" in err and "cut short" in err
    assert not any(word in out + err for word in JARGON)
    assert installed_directory.read_bytes() == before


def test_a_small_file_that_is_not_json_says_line_and_byte(installed_directory, tmp_path, capsys):
    path = tmp_path / "small.json"
    path.write_bytes(b'\xef\xbb\xbf[{"name": "A"}\n {"name": "B"}]')  # a comma is missing, on line 2
    code, out, err = run(capsys, "import", str(path))
    assert code == 2
    assert "not valid JSON near byte 19 (line 2, column 2): a comma or a closing bracket is missing" in err
    assert not any(word in out + err for word in (*JARGON, "Expecting"))


# --- 2. --json carries a refusal too -------------------------------------------------------------
def test_import_json_says_when_and_why_it_was_refused(installed_directory, tmp_path, capsys):
    from coventry_directory.exchange.source_lock import exclusive

    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    code, refusal, err = import_json(capsys, "import", str(empty))
    assert code == 2 and len(err.splitlines()) == 1
    assert refusal["ok"] is False and refusal["refused"] is True and refusal["exit_code"] == 2
    assert "holds no services" in refusal["reason"] and refusal["source"] == str(empty.resolve())
    assert refusal["problems"] == []

    feed = write(tmp_path / "feed.json", [service(n) for n in range(10)])
    assert run(capsys, "import", str(feed))[0] == 0
    write(feed, [service(0), service(1), {"status": "active"}])  # shrunk, and one record unreadable
    code, refusal, _ = import_json(capsys, "import", str(feed))
    assert code == 2 and refusal["refused"] and "--allow-shrink" in refusal["reason"]
    assert refusal["problems"] == [{"path": "$[2]", "message": "has no id; the service cannot be listed"}]

    bad = write(tmp_path / "bad.json", [1, 2])
    code, refusal, _ = import_json(capsys, "import", str(bad))
    assert code == 2 and refusal["refused"] and "Nothing was changed" in refusal["reason"]
    assert [p["path"] for p in refusal["problems"]] == ["$[0]", "$[1]"]

    code, refusal, _ = import_json(capsys, "import", str(bad), "--source", "../../etc")
    assert code == 2 and "not a usable source name" in refusal["reason"]

    with exclusive(installed_directory):  # another process is changing the directory
        code, refusal, err = import_json(capsys, "import", str(feed), "--allow-shrink")
    assert code == 1 and refusal["exit_code"] == 1 and "another import or sources command" in refusal["reason"]
    assert err.count("\n") == 1

    code, refusal, _ = import_json(capsys, "sources", "show", "no-such-source")
    assert code == 2 and refusal["refused"] and "no source called 'no-such-source'" in refusal["reason"]
    assert sources(capsys)["feed"]["services"] == 10  # nothing was changed by any of it


# --- 3. bundle build does not sign imported data as the edition ------------------------------------
@pytest.fixture
def signing(tmp_path, monkeypatch) -> Path:
    """A throwaway publisher key the app trusts; returns the private key's path."""
    generate_keypair(tmp_path / "keys" / "publisher.key", tmp_path / "keys" / "publisher.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "keys"))
    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "keys" / "publisher.key"))
    return tmp_path / "keys" / "publisher.key"


def test_bundle_build_refuses_a_directory_with_imported_sources(installed_directory, tmp_path, capsys, signing):
    write(tmp_path / "cwpt.json", [service(n) for n in range(3)])
    assert run(capsys, "import", str(tmp_path / "cwpt.json"))[0] == 0
    out_file = tmp_path / "edition.zip"
    code, out, err = run(capsys, "bundle", "build", "-o", str(out_file))
    assert code == 2 and not out_file.exists()
    edition = installed_directory.with_name("directory.sources") / "edition.db"
    assert "'cwpt'" in err and f"--db {edition}" in err and "--include-sources" in err
    assert len(err.splitlines()) == 1

    code, out, err = run(capsys, "bundle", "build", "-o", str(out_file), "--db", str(edition), "--json")
    assert code == 0, err
    assert json.loads(out)["counts"]["service"] == EDITION_SERVICES  # the curated edition alone
    code, out, err = run(capsys, "bundle", "build", "-o", str(tmp_path / "all.zip"), "--include-sources", "--json")
    assert code == 0, err
    assert json.loads(out)["counts"]["service"] == EDITION_SERVICES + 3  # everything, on purpose


# --- 4. restore-edition brings back the installed edition ----------------------------------------
def test_restore_edition_brings_back_the_installed_bundle_not_the_shipped_one(
    installed_directory, built_directory, tmp_path, capsys, signing
):
    newer = tmp_path / "newer.db"
    shutil.copyfile(built_directory, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE directory_info SET value = '2030-06-01' WHERE key = 'edition'")
    bundle = tmp_path / "bundle-2030.zip"
    assert run(capsys, "bundle", "build", "--db", str(newer), "-o", str(bundle))[0] == 0
    code, _, err = run(capsys, "bundle", "install", str(bundle))
    assert code == 0, err

    write(tmp_path / "a.json", [service(1)])
    write(tmp_path / "b.json", [service(2)])
    assert run(capsys, "import", str(tmp_path / "a.json"))[0] == 0
    assert run(capsys, "import", str(tmp_path / "b.json"), "--replace")[0] == 0
    assert list(sources(capsys)) == ["b"]
    code, out, err = run(capsys, "sources", "restore-edition")
    assert code == 0, err
    assert out.startswith("Restored the installed edition (2030-06-01, from a signed bundle) as the first source.")
    assert list(sources(capsys)) == ["edition", "b"] and count(installed_directory) == EDITION_SERVICES + 1
    assert "edition 2030-06-01" in run(capsys, "sources")[1]

    # removed again, it is kept again: the same installed edition comes back a second time
    assert run(capsys, "sources", "remove", "edition")[0] == 0
    code, out, err = run(capsys, "sources", "restore-edition")
    assert code == 0 and out.startswith("Restored the installed edition (2030-06-01"), err


def test_restore_edition_without_an_installed_bundle_restores_the_shipped_one(installed_directory, tmp_path, capsys):
    write(tmp_path / "b.json", [service(2)])
    assert run(capsys, "import", str(tmp_path / "b.json"), "--replace")[0] == 0
    code, out, err = run(capsys, "sources", "restore-edition")
    assert code == 0, err
    assert out.startswith("Restored the edition shipped with the app (20")
    plain = tmp_path / "plain.db"  # a --db directory that never had an edition: nothing to bring back
    assert run(capsys, "import", str(tmp_path / "b.json"), "--db", str(plain))[0] == 0
    write(tmp_path / "c.json", [service(3)])
    assert run(capsys, "import", str(tmp_path / "c.json"), "--db", str(plain))[0] == 0
    code, out, err = run(capsys, "sources", "restore-edition", "--db", str(plain))
    assert code == 2 and "no edition to restore" in err


# --- 5. a folder of JSON files is one source -----------------------------------------------------
def test_a_folder_of_json_files_is_one_source_read_in_name_order(installed_directory, tmp_path, capsys):
    folder = tmp_path / "council pages"
    folder.mkdir()
    first = {"contents": [service(1), service(2)], "total_pages": 3, "page_number": 1}
    write(folder / "page1.json", first)
    write(folder / "page2.json", {"contents": [service(3), {"status": "active"}], "total_pages": 3})
    # page10 after page2: the same service again, differently, is the one left out
    write(folder / "page10.json", {"contents": [service(3, description="Changed.")], "total_pages": 3})
    code, result, err = import_json(capsys, "import", str(folder))
    assert code == 0, err
    assert result["source"] == "council pages" and result["services"] == 3 and result["skipped"] == 2
    assert [p["path"] for p in result["problems"]] == ["page2.json $.contents[1]", "page10.json $.contents[0].id"]
    assert result["notes"] == []  # "page 1 of 3": the folder holds all three
    assert sources(capsys)["council pages"]["location"] == str(folder.resolve())
    code, out, _ = run(capsys, "sources", "show", "council pages")
    assert "page2.json $.contents[1]: has no id" in out

    csv = tmp_path / "csv"
    assert run(capsys, "export", "--format", "hsds-csv", "-o", str(csv))[0] == 0
    code, result, err = import_json(capsys, "import", str(csv), "--source", "as csv")
    assert code == 0 and result["format"] == "hsds-csv" and result["services"] == EDITION_SERVICES + 3, err

    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "notes.txt").write_text("no data here", encoding="utf-8")
    code, out, err = run(capsys, "import", str(nothing))
    assert code == 2 and "holds nothing to import" in err and "*.json" in err


# --- 6. a file from a new place is a new source, and says so -------------------------------------
def test_a_file_from_a_new_place_is_a_new_source_and_the_import_says_so(installed_directory, tmp_path, capsys):
    (tmp_path / "Downloads").mkdir()
    (tmp_path / "Documents").mkdir()
    old = write(tmp_path / "Downloads" / "cwpt.json", [service(1)])
    new = write(tmp_path / "Documents" / "cwpt.json", [service(1), service(2)])
    assert run(capsys, "import", str(old))[0] == 0
    code, out, err = run(capsys, "import", str(new))
    assert code == 0, err
    assert (
        f"A source named 'cwpt' already comes from {old.resolve()}; this file was added as 'cwpt (2)'. "
        "To update 'cwpt' instead, import with --source cwpt."
    ) in out
    code, result, _ = import_json(capsys, "import", str(new))  # the same file again: an update, nothing to say
    assert result["mode"] == "updated" and result["name_in_use"] is None
    third = write(tmp_path / "cwpt.json", [service(3)])
    code, result, _ = import_json(capsys, "import", str(third))
    assert result["name_in_use"] == {"name": "cwpt", "from": str(old.resolve()), "added_as": "cwpt (3)"}


def test_the_sources_dialog_says_a_file_became_a_source_of_its_own(qtbot, installed_directory, tmp_path):
    from PySide6.QtCore import Qt

    from coventry_directory.exchange.sources import installed_home
    from coventry_directory.ui.sources_dialog import SourcesDialog

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    dialog = SourcesDialog(installed_home())
    qtbot.addWidget(dialog)
    dialog.show()
    for folder in ("a", "b"):
        dialog.file_chosen(write(tmp_path / folder / "cwpt.json", [service(1)]))
        qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy(), timeout=60_000)
    said = dialog.outcome.text()
    assert said.startswith("Added the source “cwpt (2)” (File): 1 service read.")
    assert f"A source named “cwpt” already comes from {(tmp_path / 'a' / 'cwpt.json').resolve()}" in said
    assert "type cwpt as the source name" in said


# --- 7. the dialog's sentences are whole and translated ----------------------------------------
def test_the_dialogs_sentences_are_whole_translations_with_plurals(tmp_path):
    from coventry_directory.exchange.importing import ImportResult
    from coventry_directory.exchange.sources import ShrinkRefused, Source
    from coventry_directory.i18n.catalogs import in_language
    from coventry_directory.ui import sources_words as words

    shrunk = ShrinkRefused("x has 2 service(s), but ...", name="cwpt", services=2, before=10)
    result = ImportResult("/data/cwpt.json", "hsds-json", "added", name="cwpt (2)", kind="file", services=5)
    result.total, result.name_in_use = 101, {"name": "cwpt", "from": "/old/cwpt.json", "added_as": "cwpt (2)"}
    source = Source("cwpt", "file", None, 1, services=3, repairs={"null left out": 4, "text cut": 1})
    with in_language("pl"):
        totals = [words.total_text(n) for n in (1, 3, 5)]
        refused, said, details = words.error_text(shrunk), words.result_text(result), words.details_text(source)
    forms = {re.sub(r"\d", "", t) for t in totals}
    assert len(forms) == 3 and all("directory" not in t for t in totals)  # one, few, many: Polish has three
    for english in ("service(s)", "but the source", "already comes from", "Added the source", "null left out"):
        assert english not in refused + said + details
    assert "„cwpt”" in refused and "/old/cwpt.json" in said and "cwpt (2)" in said


# --- 8. plain words ----------------------------------------------------------------------------
def test_sources_messages_are_in_plain_words(installed_directory, tmp_path, capsys):
    code, out, _ = run(capsys, "sources", "show", "edition")
    assert code == 0 and "rank" not in out and "priority: 1 of 1" in out
    code, _, err = run(capsys, "sources", "remove", "edition")
    assert code == 2 and "only source" in err and "single edition" not in err
    code, _, err = run(capsys, "import", "http://[::1")
    assert code == 2 and "written wrongly" in err and "IPv6" not in err
    write(tmp_path / "council.json", [service(n) for n in range(3)])
    code, out, _ = run(capsys, "import", str(tmp_path / "council.json"))
    assert "(file, HSDS 3.0 JSON)" in out and "hsds-json" not in out
    code, _, err = run(capsys, "sources", "rebuild", "--db", str(tmp_path / "nowhere.db"))
    assert code == 2 and "compose" not in err and "nothing to rebuild" in err


def test_numbers_whose_bytes_look_like_a_surrogate_are_kept_and_a_real_surrogate_is_listed(
    installed_directory, tmp_path, capsys
):
    """The quick text check must not take a number for broken text (1.16551 is written ED A0 ... in binary)."""
    place = {"id": "loc-1", "location_type": "physical", "name": "Hall", "latitude": 52.4, "longitude": 1.16551}
    kept = service(1, service_at_locations=[{"id": "sal-1", "location": place}], minimum_age=0xA0ED)
    broken = service(2, description="Help \ud800 here")  # a lone surrogate: text no file can hold
    write(tmp_path / "feed.json", [kept, broken, service(3)])
    code, result, err = import_json(capsys, "import", str(tmp_path / "feed.json"))
    assert code == 0, err
    assert result["services"] == 2 and result["skipped"] == 1
    assert [p["path"] for p in result["problems"]] == ["$[1].description"]
