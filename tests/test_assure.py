"""``assure``: a keeper's check written into a copy of the real TOML sources, exactly and safely.

Every test edits a copy of ``resources/directory`` in its own folder, through the command line
(``coventry_directory.cli.main`` with ``--source-dir``), with "today" fixed in the UK so no
result depends on the machine's clock or time zone. The diff must be exactly the assurance
lines, the copy must still build, and every refusal is one line, the right exit code, and not
one byte written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
import sqlite3
import subprocess
import tomllib
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.core import assurance, clock, source_files
from coventry_directory.core.directory_records import ASSURED_HOW
from coventry_directory.core.directory_source import DirectorySourceError, read_directory
from coventry_directory.core.models import Organization, Phone, Service
from coventry_directory.core.review import default_review_due, problems_of
from coventry_directory.resources import directory_source_dir

TODAY = dt.date(2026, 12, 2)
KEY = "cgl-warwickshire-adult-service"  # marked provider-may-have-changed, with an alert
FILE = Path("services") / "warwickshire-treatment.toml"


@pytest.fixture(autouse=True)
def uk_today(monkeypatch):
    """Today is TODAY in the UK, whatever the machine's clock and zone say."""
    monkeypatch.setattr(clock, "uk_today", lambda: TODAY)


@pytest.fixture
def sources(tmp_path) -> Path:
    """A copy of the real directory sources, to be edited."""
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (names and bytes), to prove nothing was written."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def record(root: Path, key: str = KEY) -> dict:
    path, index = assurance.find_service(root, key)
    return tomllib.loads(path.read_text(encoding="utf-8"))["service"][index]


def run(root: Path, *args: str, key: str = KEY) -> int:
    return main(["assure", key, *args, "--source-dir", str(root)])


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) between two texts."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


# --- what it writes ------------------------------------------------------------------
def test_the_diff_is_exactly_the_assurance_lines(sources, capsys):
    before = snapshot(sources)
    old = record(sources)
    assert (
        run(sources, "--by", "Jo Bloggs, Coventry public health", "--how", "phone", "--note", "Spoke to reception") == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(f"Assured {KEY} in services/warwickshire-treatment.toml:")
    assert "Its alert still reads:" in out  # confirmed, but the alert still speaks of a re-tender
    after = snapshot(sources)
    assert {k for k in before if before[k] != after[k]} == {FILE.as_posix()}  # no other file touched
    removed, added = changed_lines(before[FILE.as_posix()].decode(), after[FILE.as_posix()].decode())
    assert removed == [f'assured_date = "{old["assured_date"]}"', f'verification = "{old["verification"]}"']
    assert added == [
        'assured_date = "2026-12-02"',
        'assured_by = "Jo Bloggs, Coventry public health"',
        'assured_how = "phone"',
        'review_due = "2027-06-02"',  # six months on
        'assurance_note = "Spoke to reception"',
        'verification = "confirmed"',
    ]
    # the new keys sit together just after assured_date, before the rest of the record
    text = after[FILE.as_posix()].decode()
    assert text.index('assured_date = "2026-12-02"\nassured_by') < text.index('evidence_date = "2022-09"')


def test_comments_and_layout_are_kept(sources):
    path = sources / FILE
    text = path.read_text(encoding="utf-8")
    old = record(sources)
    line = f'assured_date = "{old["assured_date"]}"'
    assert text.count(line) > 1  # the same line is in other records: only this record's may change
    start = text.index(f'key = "{KEY}"')
    at = text.index(line, start)
    text = (
        text[:at] + "# checked against the 2022 needs assessment\n" + line + "   # last check" + text[at + len(line) :]
    )
    path.write_text(text, encoding="utf-8")
    assert run(sources, "--by", "Jo", "--how", "visit") == 0
    new = path.read_text(encoding="utf-8")
    removed, added = changed_lines(text, new)
    assert removed == [line + "   # last check", f'verification = "{old["verification"]}"']
    assert added[0] == 'assured_date = "2026-12-02"   # last check'  # the comment stays on its line
    assert "# checked against the 2022 needs assessment\nassured_date" in new
    assert new.splitlines()[:3] == text.splitlines()[:3]  # the file's own heading comments


def test_the_edited_copy_builds_and_the_database_shows_the_check(sources, tmp_path, capsys):
    from coventry_directory.core.build import build_database
    from coventry_directory.store.directory import DirectoryStore

    assert run(sources, "--by", "keeper@example.org", "--how", "email", "--review-due", "2027-03-01") == 0
    assert main(["build-db", "--check"]) == 0  # the shipped sources are untouched and still fine
    read_directory(sources)  # what build-db --check runs, on the edited copy
    out = tmp_path / "directory.db"
    build_database(out, sources)
    store = DirectoryStore.open(out, readonly=True)
    try:
        svc = store.get_service(KEY)
    finally:
        store.close()
    assert (svc.assured_date, svc.verification) == ("2026-12-02", "confirmed")
    assert (svc.assured_by, svc.assured_how, svc.review_due) == ("keeper@example.org", "email", "2027-03-01")
    with sqlite3.connect(out) as db:  # HSDS's own field for who assured it, since it is an email address
        assert db.execute("SELECT assurer_email FROM service WHERE id = ?", (svc.id,)).fetchone() == (
            "keeper@example.org",
        )


def test_still_may_have_changed_keeps_the_verification_and_records_why(sources, capsys):
    reason = "The council would not say who holds the new contract"
    assert run(sources, "--by", "Jo", "--how", "phone", "--note", "first", "--still-may-have-changed", reason) == 0
    rec = record(sources)
    assert rec["verification"] == "provider-may-have-changed" and rec["may_have_changed_reason"] == reason
    assert "Its alert still reads" not in capsys.readouterr().out
    # a later check that confirms it drops what belonged to the earlier one
    assert run(sources, "--by", "Sam", "--how", "provider-form") == 0
    rec = record(sources)
    assert rec["verification"] == "confirmed" and rec["assured_by"] == "Sam"
    assert "may_have_changed_reason" not in rec and "assurance_note" not in rec
    read_directory(sources)


def test_a_crlf_file_stays_crlf_and_the_permissions_stay(sources):
    path = sources / FILE
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    os.chmod(path, 0o640)
    assert run(sources, "--by", "Jo", "--how", "web") == 0
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and b'assured_how = "web"\r\n' in data
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_help_lists_every_way_to_check(capsys):
    with pytest.raises(SystemExit):
        main(["assure", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert all(how in out for how in ASSURED_HOW)


# --- refusals: one line, the right code, nothing written -------------------------------
BAD_INPUT = [
    (["--by", "Jo", "--how", "phone"], "cgl-warwickshire-adult-servce", "did you mean cgl-warwickshire-adult-service"),
    (["--by", "Jo", "--how", "phone"], "cgl-warwickshire-adult-servic\udcff", "did you mean"),  # non-UTF-8 bytes
    (["--by", "Jo", "--how", "phone"], "\x1b[31mred", "no service with key"),
    (["--by", "Jo", "--how", "fax"], KEY, "--how must be one of phone, email, web, visit, provider-form"),
    (["--by", "", "--how", "phone"], KEY, "--by needs some text"),
    (["--by", "   ", "--how", "phone"], KEY, "--by needs some text"),
    (["--by", "Jo\udcff", "--how", "phone"], KEY, "not UTF-8"),
    (["--by", "Jo\x1b[31m", "--how", "phone"], KEY, "without control characters"),
    (["--by", "Jo", "--how", "phone", "--note", "line\nbreak"], KEY, "without control characters"),
    (["--by", "x" * 201, "--how", "phone"], KEY, "longer than 200"),
    (["--by", "Jo", "--how", "phone", "--review-due", "02/06/2027"], KEY, "YYYY-MM-DD"),
    (["--by", "Jo", "--how", "phone", "--review-due", "2027-02-30"], KEY, "that date does not exist"),
    (["--by", "Jo", "--how", "phone", "--review-due", "2027-02-29"], KEY, "2027-02-29: that date does not exist"),
    (["--by", "Jo", "--how", "phone", "--review-due", "2027-13-01"], KEY, "there is no month 13"),
    (["--by", "Jo", "--how", "phone", "--review-due", "9999-12-31"], KEY, "more than 3 years away"),
    (["--by", "Jo", "--how", "phone", "--review-due", "2029-12-03"], KEY, "give a date up to 2029-12-02"),
    (["--by", "Jo\u202e", "--how", "phone"], KEY, "invisible text-direction character (U+202E)"),
    (["--by", "Jo \u2066Bloggs", "--how", "phone"], KEY, "text-direction character (U+2066)"),
    (["--by", "Jo\u200f", "--how", "phone"], KEY, "text-direction character (U+200F)"),
    (["--by", "Jo\u061c", "--how", "phone"], KEY, "text-direction character (U+061C)"),
    (["--by", "Jo", "--how", "phone", "--note", "ok \u202d"], KEY, "--note holds an invisible text-direction"),
    (["--by", "Jo\x9b31m", "--how", "phone"], KEY, "without control characters (it holds U+009B)"),
    (["--by", "Jo", "--how", "phone", "--review-due", "2026-12-02"], KEY, "not after today (2026-12-02)"),
    (["--by", "Jo", "--how", "phone", "--still-may-have-changed", ""], KEY, "needs some text"),
    (["--how", "phone"], KEY, "required: --by"),
]


@pytest.mark.parametrize(("args", "key", "words"), BAD_INPUT, ids=lambda v: repr(v)[:40])
def test_bad_input(sources, capsys, args, key, words):
    before = snapshot(sources)
    assert run(sources, *args, key=key) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and words in err and "\x1b" not in err
    assert snapshot(sources) == before


def test_a_missing_or_wrong_source_dir(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "empty").mkdir()
    for folder, words in (
        (tmp_path / "missing", "no such folder"),
        (tmp_path / "file.txt", "not a folder"),
        (tmp_path / "empty", "not a folder of directory sources"),
    ):
        assert main(["assure", KEY, "--by", "Jo", "--how", "phone", "--source-dir", str(folder)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err
    assert {p.name for p in tmp_path.iterdir()} - {"home"} == {"empty", "file.txt"}  # nothing made


def test_a_read_only_file_is_refused(sources, capsys):
    path = sources / FILE
    os.chmod(path, 0o444)  # refused even when run as root, whom the permission would not stop
    before = snapshot(sources)
    assert run(sources, "--by", "Jo", "--how", "phone") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no permission" in err and "warwickshire-treatment.toml" in err
    assert snapshot(sources) == before


@pytest.mark.skipif(
    os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"),
    reason="needs to mount a read-only disk",
)
def test_a_read_only_disk_is_refused(tmp_path, capsys):
    disk = tmp_path / "ro"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], check=False).returncode:
        pytest.skip("mount is not allowed here")
    try:
        shutil.copytree(directory_source_dir(), disk / "directory")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        before = snapshot(disk / "directory")
        assert run(disk / "directory", "--by", "Jo", "--how", "phone") == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "read-only disk" in err
        assert snapshot(disk / "directory") == before
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_sources_that_already_fail_the_check_are_left_alone(sources, capsys):
    other = sources / "services" / "coventry-housing.toml"
    other.write_text(other.read_text(encoding="utf-8").replace('area = "coventry"', 'area = "atlantis"', 1))
    before = snapshot(sources)
    assert run(sources, "--by", "Jo", "--how", "phone") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already fail 'build-db --check'" in err and "atlantis" in err
    assert snapshot(sources) == before


def test_an_edit_that_would_fail_the_check_is_not_written(sources, capsys, monkeypatch):
    real = source_files.read_directory

    def fails_with_the_edit(root, replaced=None):
        if replaced:
            raise DirectorySourceError(["warwickshire-treatment.toml: service x: something the edit broke"])
        return real(root)

    monkeypatch.setattr(source_files, "read_directory", fails_with_the_edit)
    before = snapshot(sources)
    assert run(sources, "--by", "Jo", "--how", "phone") == 1
    err = capsys.readouterr().err
    assert "it would make 'build-db --check' fail" in err and "something the edit broke" in err
    assert snapshot(sources) == before


def test_a_file_saved_meanwhile_is_not_overwritten(sources, capsys, monkeypatch):
    path = sources / FILE
    real = source_files.check_sources

    def someone_saves(*args):
        real(*args)
        path.write_text(path.read_text(encoding="utf-8") + "\n# another keeper's edit\n", encoding="utf-8")

    monkeypatch.setattr(source_files, "check_sources", someone_saves)
    assert run(sources, "--by", "Jo", "--how", "phone") == 1
    assert "changed while" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8").endswith("# another keeper's edit\n")  # theirs kept, ours not written


# --- the loader and the review ----------------------------------------------------------
@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ('assured_how = "carrier pigeon"', "assured_how 'carrier pigeon' is not one of"),
        ('review_due = "2027-06"', "review_due '2027-06' must be a date"),
        ('review_due = "2020-01-01"', "is before assured_date"),
        ('review_due = "9999-12-31"', "more than 3 years after assured_date 2026-11-24 (at the latest 2029-11-24)"),
        ('assured_by = "Jo \u200f"', "assured_by must be one line"),  # as assure --by refuses it
        ('verification = "confirmed"\nmay_have_changed_reason = "x"', "only for verification"),
    ],
)
def test_the_loader_checks_the_new_fields(sources, lines, problem):
    path = sources / FILE
    text = path.read_text(encoding="utf-8")
    start = text.index(f'key = "{KEY}"')
    line_start = text.index("\nverification = ", start) + 1
    line_end = text.index("\n", line_start)
    if lines.startswith("verification"):  # in place of the record's own verification line
        text = text[:line_start] + lines + text[line_end:]
    else:  # after it
        text = text[:line_end] + "\n" + lines + text[line_end:]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectorySourceError) as exc:
        read_directory(sources)
    assert any(problem in p for p in exc.value.problems), exc.value.problems


def _service(**changes) -> Service:
    values = {
        "id": "s1",
        "key": "k",
        "name": "A service",
        "organization": Organization(id="o1", key="o", name="O", description=""),
        "assured_date": "2026-01-10",  # long ago: overdue by the six-month rule alone
        "evidence_date": "2026-01",
        "verification": "confirmed",
        "phones": [Phone(id="p1", number="024 7600 0000")],
    }
    values.update(changes)
    return Service(**values)


def test_review_goes_by_review_due_when_a_record_has_one():
    assert problems_of(_service(), TODAY) == ("overdue",)
    assert problems_of(_service(review_due="2026-12-03"), TODAY) == ()  # not due yet
    assert problems_of(_service(review_due="2026-12-02"), TODAY) == ("overdue",)  # due on the day
    assert problems_of(_service(review_due="2026-11-30"), TODAY) == ("overdue",)
    recent = _service(assured_date="2026-11-24")
    assert problems_of(recent, TODAY) == ()
    assert problems_of(_service(assured_date="2026-11-24", review_due="2026-12-01"), TODAY) == ("overdue",)


def test_the_default_review_date_is_six_months_on():
    assert default_review_due(dt.date(2026, 12, 2)) == dt.date(2027, 6, 2)
    assert default_review_due(dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)  # the month's last day
    assert default_review_due(dt.date(2027, 8, 31)) == dt.date(2028, 2, 29)
    # the two rules agree: a record given the default date is due when the six-month rule says so
    for day in (dt.date(2026, 6, 2), dt.date(2026, 5, 31), dt.date(2026, 6, 3)):
        rule = problems_of(_service(assured_date=day.isoformat()), TODAY)
        by_date = problems_of(
            _service(assured_date=day.isoformat(), review_due=default_review_due(day).isoformat()), TODAY
        )
        assert rule == by_date, day


# --- the file's own text, whatever tomlkit would make of it -----------------------------------
def test_a_spaced_table_header_is_kept(sources):
    path = sources / "services" / "coventry-housing.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('key = "cov-cyrenians"')
    at = text.index("[[service.phones]]", start)
    text = text[:at] + "[[service. phones]]" + text[at + len("[[service.phones]]") :]  # valid TOML, if unusual
    path.write_text(text, encoding="utf-8")
    assert run(sources, "--by", "Jo", "--how", "phone", key="cov-cyrenians") == 0
    removed, added = changed_lines(text, path.read_text(encoding="utf-8"))
    assert [line.split(" = ")[0] for line in removed] == ["assured_date", "verification"]
    assert [line.split(" = ")[0] for line in added] == [*assurance.ASSURANCE_KEYS[:4], "verification"]
    assert path.read_text(encoding="utf-8").count("[[service. phones]]") == 1  # the other header as it was


def test_a_file_mixing_organisations_and_services_keeps_its_order(sources):
    path = sources / "services" / "warwickshire-named-2022.toml"
    text = path.read_text(encoding="utf-8")
    assert text.index("[[organization]]", text.index("[[service]]")) > 0  # tomlkit would gather these together
    for key in ("warks-victim-support", "warks-refuge"):
        assert run(sources, "--by", "Jo", "--how", "phone", key=key) == 0
    removed, added = changed_lines(text, path.read_text(encoding="utf-8"))
    assert {line.split(" = ")[0] for line in removed} == {"verification"}
    assert len(added) == 2 * 4 and {line.split(" = ")[0] for line in added} == {
        "assured_by",
        "assured_how",
        "review_due",
        "verification",
    }
    read_directory(sources)


def test_a_byte_order_mark_is_read_and_kept(sources):
    path = sources / FILE
    data = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + data)  # as Notepad saves "UTF-8 with BOM"
    read_directory(sources)  # what build-db --check runs: no "Invalid statement (at line 1, column 1)"
    assert run(sources, "--by", "Jo", "--how", "phone") == 0  # found, not "no service with key"
    written = path.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and not written.startswith(b"\xef\xbb\xbf" * 2)
    removed, added = changed_lines(data.decode(), written[3:].decode())
    assert len(removed) == 2 and len(added) == 5  # the assurance lines, as in a file without the mark
    svc = next(s for s in read_directory(sources).services if s.key == KEY)
    assert (svc.assured_by, svc.assured_date) == ("Jo", TODAY.isoformat())


def test_the_advice_afterwards_is_true_for_the_folder_edited(sources, capsys, monkeypatch):
    assert run(sources, "--by", "Jo", "--how", "phone") == 0
    out = capsys.readouterr().out
    assert "build-db' to compile" not in out  # build-db reads only resources/directory
    assert f"publish -o NEW_FOLDER --signing-key FILE --source-dir {sources}" in out
    assert f"keeper --source-dir {sources}" in out
    monkeypatch.setattr("coventry_directory.resources.directory_source_dir", lambda: sources)
    assert main(["assure", KEY, "--by", "Sam", "--how", "web"]) == 0  # the folder build-db reads
    assert "Run 'coventry-directory build-db' to compile the change into the directory." in capsys.readouterr().out


def test_a_review_date_up_to_three_years_on_is_taken(sources):
    assert run(sources, "--by", "Jo", "--how", "phone", "--review-due", "2029-12-02") == 0
    assert record(sources)["review_due"] == "2029-12-02"
    read_directory(sources)
