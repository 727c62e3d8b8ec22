"""The keeper's correction queue: workers' exports and emails in, listed, resolved; nothing lost or doubled.

The files are made by the app's own code (a worker's user database, ``corrections_document``,
``write_corrections`` and ``build_email``), so the tests read exactly what a worker sends. The
command line runs through ``coventry_directory.cli.main`` against a real installed directory
and this test's own data folder (``COVENTRY_DIRECTORY_HOME``, set by conftest). Nothing here
depends on the machine's clock or time zone: stored moments are UTC, and dates are shown as
UK dates.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.core import correction_queue
from coventry_directory.core.correction_queue import CorrectionQueueError, QueuedNote, ReportedNote, note_id
from coventry_directory.exchange import correction_reports
from coventry_directory.exchange.corrections import build_email, corrections_document, write_corrections
from coventry_directory.store.correction_queue import CorrectionQueueStore
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.migrations import USER_MIGRATIONS
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import user_database_path

FIXTURES = Path(__file__).parent / "fixtures"
GONE = "99999999-9999-5999-8999-999999999999"  # a service no directory has
SECRET = "Ring Sam on 07700 900123 about this"  # stands for note text that must never reach an error line


@pytest.fixture
def services(installed_directory):
    """Two real services of the installed directory: (id, key, name) each."""
    store = DirectoryStore.open(installed_directory, readonly=True)
    try:
        found = [store.get_service(sid) for sid in store.service_ids()[:2]]
    finally:
        store.close()
    return [(s.id, s.key, s.name) for s in found]


def worker_export(tmp_path: Path, notes: list[tuple[str, str]], name: str = "corrections.json") -> Path:
    """A worker's own user database with ``notes`` (service id, text), exported as the app exports it."""
    worker = UserStore(tmp_path / f"worker-{name}.db")
    try:
        for service_id, text in notes:
            worker.add_correction(service_id, text)
        document = corrections_document(worker, {"edition": "2026-11-24"}, {})
    finally:
        worker.close()
    return write_corrections(document, tmp_path / name)


def as_email(export: Path, out: Path, sender: str = "Worker One <worker@example.org>") -> Path:
    """The email the app sends for that export (readable body, corrections.json attached), as a .eml file."""
    message = build_email(json.loads(export.read_text(encoding="utf-8")), "maintainer@example.org", sender)
    out.write_bytes(message.as_bytes(policy=policy.SMTP))
    return out


def queue_rows() -> list[tuple]:
    """Every row of the keeper's queue, read straight from the file (not through the code under test)."""
    path = user_database_path()
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'correction_queue'").fetchone():
            return []
        return conn.execute("SELECT * FROM correction_queue ORDER BY id").fetchall()
    finally:
        conn.close()


def listed(capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["corrections", "list", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


# --- in -------------------------------------------------------------------------------------
def test_an_export_is_queued_once_however_often_it_is_imported(services, tmp_path, capsys):
    (sid, key, name), (sid2, _, _) = services
    export = worker_export(tmp_path, [(sid, "The phone number has changed."), (sid2, "Now open on Saturdays.")])

    assert main(["corrections", "import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "2 notes: 2 new, 0 already in the queue" in out
    assert main(["corrections", "import", str(export), str(export)]) == 0
    assert capsys.readouterr().out.count("2 notes: 0 new, 2 already in the queue") == 2
    assert len(queue_rows()) == 2

    doc = listed(capsys)
    assert doc["counts"] == {"open": 2, "accepted": 0, "rejected": 0}
    first = next(n for n in doc["notes"] if n["service_id"] == sid)
    assert first["service_key"] == key and first["service_name"] == name and first["in_directory"] is True
    assert first["note"] == "The phone number has changed."
    assert first["edition"] == "2026-11-24" and first["source_file"] == "corrections.json"
    assert first["status"] == "open" and first["reported_by"] is None  # a file names nobody
    assert first["id"] == note_id(sid, first["created_at"], first["note"])


def test_the_email_of_the_same_notes_adds_nothing_but_its_sender(services, tmp_path, capsys):
    (sid, _, _), _ = services
    export = worker_export(tmp_path, [(sid, "Wrong postcode."), (sid, "Line one\nline two\twith a tab")])
    mail = as_email(export, tmp_path / "1.eml")

    assert main(["corrections", "import", str(export)]) == 0
    assert main(["corrections", "import", str(mail)]) == 0
    assert "2 notes: 0 new, 2 already in the queue" in capsys.readouterr().out
    notes = listed(capsys)["notes"]
    assert len(notes) == 2 and {n["reported_by"] for n in notes} == {"Worker One <worker@example.org>"}
    assert {n["note"] for n in notes} == {"Wrong postcode.", "Line one\nline two\twith a tab"}


def test_an_email_alone_and_one_forwarded_as_an_attachment(services, tmp_path, capsys):
    (sid, key, _), _ = services
    export = worker_export(tmp_path, [(sid, "Closed for refurbishment.")])
    inner = as_email(export, tmp_path / "inner.eml", sender="worker@example.org")
    forwarded = EmailMessage()
    forwarded["From"] = "Mailbox Admin <admin@example.org>"
    forwarded["Subject"] = "Fwd: corrections"
    forwarded.set_content("See attached.")
    from email.parser import BytesParser

    forwarded.add_attachment(BytesParser(policy=policy.default).parsebytes(inner.read_bytes()))
    (tmp_path / "fwd.eml").write_bytes(forwarded.as_bytes(policy=policy.SMTP))

    assert main(["corrections", "import", str(tmp_path / "fwd.eml")]) == 0
    (note,) = listed(capsys)["notes"]
    assert note["reported_by"] == "worker@example.org"  # the worker, not whoever forwarded it
    assert note["service_key"] == key and note["source_file"] == "fwd.eml"


def test_a_note_about_a_service_that_is_gone_is_kept_and_flagged(services, tmp_path, capsys):
    export = worker_export(tmp_path, [(GONE, "This service has closed down.")])
    assert main(["corrections", "import", str(export)]) == 0
    assert "1 about a service not in the directory" in capsys.readouterr().out
    (note,) = listed(capsys)["notes"]
    assert note["in_directory"] is False and note["service_key"] is None and note["service_id"] == GONE
    assert main(["corrections", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{GONE}: name not known  (not in the directory)" in out
    assert "This service has closed down." in out


def test_the_text_list_shows_key_name_uk_date_note_and_status(services, tmp_path, capsys):
    (sid, key, name), _ = services
    path = tmp_path / "late.json"
    # 23:30 UTC on 30 June is 00:30 on 1 July in the UK (BST): the list says the UK date
    path.write_text(
        json.dumps(
            {
                "format": "coventry-directory-corrections",
                "format_version": 1,
                "directory": {"edition": "2026-06-01"},
                "corrections": [
                    {"service_id": sid, "note": "Opens at 10 now.", "created_at": "2026-06-30T23:30:00+00:00"}
                ],
            }
        ),
        encoding="utf-8",
    )
    assert main(["corrections", "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["corrections", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 open correction note (0 accepted, 0 rejected: see --all)")
    assert f"2026-07-01  open      {key}: {name}" in out
    assert "    Opens at 10 now." in out
    assert "(sender not known, edition 2026-06-01, in late.json)" in out


# --- resolved, never deleted ----------------------------------------------------------------
def test_resolving_keeps_who_when_and_why_and_deletes_nothing(services, tmp_path, capsys):
    (sid, key, _), (sid2, _, _) = services
    export = worker_export(tmp_path, [(sid, "Phone changed."), (sid2, "Not a drug service.")])
    assert main(["corrections", "import", str(export)]) == 0
    notes = {n["service_id"]: n for n in listed(capsys)["notes"]}
    accept, reject = notes[sid]["id"], notes[sid2]["id"]

    assert main(["corrections", "resolve", accept[:8], "--accept", "--by", "Jo Keeper", "--note", "Rang them"]) == 0
    out = capsys.readouterr().out
    assert f"about {key}: accepted by Jo Keeper" in out and f"assure {key}" in out
    assert main(["corrections", "resolve", reject, "--reject", "--by", "Jo Keeper"]) == 0

    assert listed(capsys)["notes"] == []  # open only, by default
    doc = listed(capsys, "--all")
    assert doc["counts"] == {"open": 0, "accepted": 1, "rejected": 1}
    done = {n["id"]: n for n in doc["notes"]}
    assert done[accept]["status"] == "accepted" and done[accept]["resolved_by"] == "Jo Keeper"
    assert done[accept]["resolution_note"] == "Rang them" and done[accept]["resolved_at"].endswith("+00:00")
    assert done[reject]["status"] == "rejected" and done[reject]["resolution_note"] is None
    assert done[accept]["note"] == "Phone changed."  # the note itself is kept as it came
    assert len(queue_rows()) == 2

    # a decision is never silently overwritten; a re-import does not reopen it either
    before = queue_rows()
    assert main(["corrections", "resolve", accept, "--reject"]) == 2
    err = capsys.readouterr().err
    assert "already accepted" in err and "nothing was changed" in err and len(err.splitlines()) == 1
    assert main(["corrections", "import", str(export)]) == 0
    assert queue_rows() == before
    assert main(["corrections", "list", "--all"]) == 0
    assert "accepted" in capsys.readouterr().out


def test_resolving_without_by_records_the_login_name(services, tmp_path, capsys, monkeypatch):
    (sid, _, _), _ = services
    monkeypatch.setattr(correction_queue, "default_keeper", lambda: "keeper-login")
    assert main(["corrections", "import", str(worker_export(tmp_path, [(sid, "x")]))]) == 0
    (note,) = listed(capsys)["notes"]
    assert main(["corrections", "resolve", note["id"], "--accept"]) == 0
    assert listed(capsys, "--all")["notes"][0]["resolved_by"] == "keeper-login"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["corrections", "resolve", "abcdef12", "--accept"], "no correction note with id abcdef12"),
        (["corrections", "resolve", "nothex!", "--accept"], "is not a correction note id"),
        (["corrections", "resolve", "ab", "--accept"], "at least 4 digits"),
        (["corrections", "resolve", "abcdef12", "--accept", "--reject"], "not allowed with argument --accept"),
        (["corrections", "resolve", "abcdef12"], "one of the arguments --accept --reject is required"),
        (["corrections", "resolve", "{ID}", "--accept", "--note", "two\nlines"], "--note must be one line"),
        (["corrections", "resolve", "{ID}", "--accept", "--note", "x" * 3000], "longer than 2000"),
        (["corrections", "resolve", "{ID}", "--accept", "--by", "  "], "--by needs some text"),
        (["corrections", "resolve", "{ID}", "--accept", "--by", "\udcff"], "not UTF-8"),
        (["corrections", "import"], "required: FILE"),
        (["corrections"], "required"),
    ],
)
def test_bad_resolutions_are_one_line_exit_2_and_change_nothing(services, tmp_path, capsys, argv, says):
    (sid, _, _), _ = services
    assert main(["corrections", "import", str(worker_export(tmp_path, [(sid, "x")]))]) == 0
    before = queue_rows()
    argv = [a.replace("{ID}", before[0][0]) for a in argv]
    capsys.readouterr()
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert says in captured.err and len(captured.err.splitlines()) == 1 and captured.out == ""
    assert queue_rows() == before


def test_an_id_prefix_two_notes_share_is_refused():
    class Rows:
        def ids_starting(self, prefix):
            return ["abcd000000000001", "abcd000000000002"]

    with pytest.raises(CorrectionQueueError, match="2 correction notes have ids starting abcd"):
        correction_queue.find(Rows(), "abcd")


# --- hostile files: one clear line, exit 2, nothing of the file queued ------------------------
EXPORT_HEAD = '{"format": "coventry-directory-corrections", "format_version": 1, "corrections": '


def _note(**fields) -> dict:
    return {"service_id": GONE, "note": SECRET, "created_at": "2026-01-01T10:00:00+00:00"} | fields


BAD_FILES = {
    "garbage.json": (b"this is not json", "holds no correction notes"),
    "not-export.json": (b'{"services": []}', "is not a corrections export"),
    "a-list.json": (b"[1, 2, 3]", "is not a corrections export"),
    "truncated.json": ((EXPORT_HEAD + json.dumps([_note()]))[:-20].encode(), "not valid JSON"),
    "cut-mid-text.json": ((EXPORT_HEAD + json.dumps([_note()]))[:-40].encode(), "no closing quote"),
    "latin1.json": (
        (EXPORT_HEAD + '[{"service_id": "x", "note": "caf\xe9", "created_at": "2026-01-01"}]}').encode("latin-1"),
        "not UTF-8",
    ),
    "utf16.json": ((EXPORT_HEAD + "[]}").encode("utf-16"), "UTF-16"),
    "empty.json": (b"", "is empty"),
    "newer.json": (b'{"format": "coventry-directory-corrections", "format_version": 9}', "newer version"),
    "no-list.json": (b'{"format": "coventry-directory-corrections", "format_version": 1}', "$.corrections"),
    "deep.json": (b"[" * 100_000, "nested too deeply"),
    "surrogate.json": (
        (EXPORT_HEAD + '[{"service_id": "x", "note": "\\ud800", "created_at": "2026-01-01"}]}').encode(),
        "not valid Unicode",
    ),
    "half-bad.json": (
        (EXPORT_HEAD + json.dumps([_note(), _note(note="second"), _note(created_at="yesterday")]) + "}").encode(),
        "$.corrections[2].created_at is not a date and time",
    ),
    "no-service.json": ((EXPORT_HEAD + json.dumps([_note(service_id="")]) + "}").encode(), "service_id is missing"),
    "control.json": ((EXPORT_HEAD + json.dumps([_note(note="bell\x07")]) + "}").encode(), "control characters"),
    "plain.eml": (b"From: someone@example.org\nSubject: hello\n\nJust words, no notes.\n", "holds no correction notes"),
    "other-json.eml": (
        b'From: a@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b'Content-Type: application/json\nContent-Disposition: attachment; filename="data.json"\n\n{"x": 1}\n--b--\n',
        "holds no correction notes",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_file_that_is_not_notes_is_refused_whole(installed_directory, tmp_path, capsys, name):
    data, says = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["corrections", "import", str(path)]) == 2
    captured = capsys.readouterr()
    assert says in captured.err and "nothing was imported" in captured.err, captured.err
    assert len(captured.err.splitlines()) == 1 and captured.out == ""
    assert SECRET not in captured.err  # a note's words never reach an error line
    assert queue_rows() == []


@pytest.mark.parametrize("kind", ["folder", "missing", "under-a-file", "pipe", "device", "huge", "deep-email"])
def test_what_is_not_a_readable_file_is_refused(installed_directory, tmp_path, capsys, kind):
    if kind in ("pipe", "device") and os.name != "posix":
        pytest.skip("named pipes and /dev/zero are POSIX")
    (tmp_path / "file.txt").write_text("x")
    path = {
        "folder": tmp_path,
        "missing": tmp_path / "missing.json",
        "under-a-file": tmp_path / "file.txt" / "c.json",
        "pipe": tmp_path / "fifo",
        "device": Path("/dev/zero"),
        "huge": tmp_path / "huge.json",
        "deep-email": tmp_path / "deep.eml",
    }[kind]
    says = {
        "folder": "is a folder",
        "missing": "does not exist",
        "under-a-file": "is a file, not a folder",
        "pipe": "is a named pipe",
        "device": "is a device",
        "huge": "larger than a corrections export",
        "deep-email": "nests messages more than 20 deep",
    }[kind]
    if kind == "pipe":
        os.mkfifo(path)
    if kind == "huge":
        with open(path, "wb") as fh:  # a real 17 MB file, starting like an export
            fh.write(EXPORT_HEAD.encode() + b"[" + b" " * (17 << 20) + b"]}")
    if kind == "deep-email":
        message = EmailMessage()
        message["From"] = "x@example.org"
        message.set_content("innermost")
        for _ in range(30):
            outer = EmailMessage()
            outer["From"] = "x@example.org"
            outer.set_content("forwarded")
            outer.add_attachment(message)
            message = outer
        path.write_bytes(message.as_bytes(policy=policy.SMTP))
    assert main(["corrections", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.splitlines()) == 1, err
    assert queue_rows() == []


def test_several_files_each_all_or_nothing_and_every_refusal_listed(services, tmp_path, capsys):
    (sid, _, _), _ = services
    good = worker_export(tmp_path, [(sid, "Good note.")], name="good.json")
    bad = tmp_path / "bad.json"
    bad.write_text(EXPORT_HEAD + json.dumps([_note(service_id=sid), _note(created_at="soon")]) + "}", encoding="utf-8")
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"Subject: nothing\n\nnothing here\n")

    assert main(["corrections", "import", str(bad), str(good), str(empty)]) == 2
    captured = capsys.readouterr()
    assert "good.json: 1 note: 1 new, 0 already in the queue" in captured.out
    assert captured.out.count("refused: ") == 2
    assert "2 of 3 files were refused" in captured.err and "the others were imported" in captured.err
    assert len(captured.err.splitlines()) == 1
    rows = queue_rows()
    assert len(rows) == 1 and rows[0][4] == "Good note."  # nothing of bad.json, not even its good first note

    assert main(["corrections", "import", str(bad), str(empty)]) == 2
    assert "all 2 files were refused" in capsys.readouterr().err


# --- where it lives ---------------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_the_queue_is_in_the_private_user_database(services, installed_directory, tmp_path, user_home, capsys):
    (sid, _, _), _ = services
    assert main(["corrections", "import", str(worker_export(tmp_path, [(sid, SECRET)]))]) == 0
    assert user_database_path().parent == user_home
    assert stat.S_IMODE(os.stat(user_home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(user_database_path()).st_mode) == 0o600
    # the public directory sources and database never hold it
    assert SECRET.encode() not in installed_directory.read_bytes()


def test_an_old_user_database_is_backed_up_then_gets_the_queue(tmp_path):
    path = tmp_path / "user.db"
    shutil.copyfile(FIXTURES / "user_v3.db", path)
    store = UserStore(path)
    try:
        assert USER_MIGRATIONS.pending(store._db) == []
        assert store.shortlist() == ["22222222-2222-5222-8222-222222222222"]
        assert [c["note"] for c in store.corrections()] == ["Closed on Fridays now."]
        note = ReportedNote(GONE, "Moved to a new address.", "2026-02-01T09:00:00+00:00")
        count = CorrectionQueueStore(store).add([note], [None], "c.json", "2026-02-02T09:00:00+00:00")
        assert (count.notes, count.new) == (1, 1)
        (queued,) = CorrectionQueueStore(store).notes()
        assert isinstance(queued, QueuedNote) and queued.id == note.id and queued.in_directory is False
    finally:
        store.close()
    (backup,) = tmp_path.glob("user.backup-*.db")
    conn = sqlite3.connect(backup)
    try:
        assert {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")} == {
            "u001_user_tables",
            "u002_referrals",
            "u003_shortlist_names",
        }
    finally:
        conn.close()
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600


# --- the core API the keeper window uses --------------------------------------------------------
def test_the_core_api_without_the_command_line(services, tmp_path, installed_directory):
    (sid, key, name), _ = services
    export = worker_export(tmp_path, [(sid, "Fax number is wrong."), (GONE, "Gone.")])
    user = UserStore(tmp_path / "keeper.db")
    directory = DirectoryStore.open(installed_directory, readonly=True)
    try:
        read = correction_reports.read_correction_file(export)
        assert read.kind == correction_reports.EXPORT and len(read.notes) == 2
        count = correction_reports.import_correction_file(export, user, directory)
        assert (count.notes, count.new, count.already, count.not_in_directory) == (2, 2, 0, 1)
        rows = CorrectionQueueStore(user)
        entries = correction_queue.queue_entries(rows, directory)
        by_service = {e.service_id: e for e in entries}
        assert by_service[sid].service_key == key and by_service[sid].service_name == name
        assert by_service[GONE].in_directory is False
        done = correction_queue.resolve(rows, by_service[sid].short_id, correction_queue.REJECTED, by="Keeper")
        assert done.status == "rejected" and done.resolved_by == "Keeper"
        assert [e.id for e in correction_queue.queue_entries(rows, directory)] == [by_service[GONE].id]
        assert len(correction_queue.queue_entries(rows, directory, include_resolved=True)) == 2
        with pytest.raises(CorrectionQueueError, match="already rejected"):
            correction_queue.resolve(rows, done.id, correction_queue.ACCEPTED, by="Keeper")
    finally:
        directory.close()
        user.close()


def test_a_note_id_depends_only_on_what_the_note_is():
    one = ReportedNote("s", "text", "2026-01-01T00:00:00+00:00", service_name="A", reported_by="x@example.org")
    same = ReportedNote("s", "text", "2026-01-01T00:00:00+00:00", edition="2026-01-01")
    assert one.id == same.id and len(one.id) == 16
    assert ReportedNote("s", "text ", "2026-01-01T00:00:00+00:00").id != one.id
    assert ReportedNote("t", "text", "2026-01-01T00:00:00+00:00").id != one.id


def test_an_export_is_held_to_its_size_and_note_count_however_it_arrives(tmp_path):
    """An export attached to an email is capped as an export file is, and so is the number of notes."""
    note = {"service_id": "x", "note": "n", "created_at": "2026-11-30T10:00:00+00:00"}
    many = (EXPORT_HEAD + json.dumps([note] * (correction_reports.MAX_NOTES + 1)) + "}").encode()
    with pytest.raises(correction_reports.CorrectionFileError, match="more than a corrections export"):
        correction_reports.read_export(many, "many.json")
    huge = EXPORT_HEAD.encode() + b"[" + b" " * correction_reports.MAX_EXPORT_BYTES + b"]}"
    with pytest.raises(correction_reports.CorrectionFileError, match="16 MB"):
        correction_reports.read_export(huge, "attachment in mail.eml")
