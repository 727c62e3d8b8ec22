"""Provider check forms: what we list about one organisation out (PDF, CSV), the returned CSV in as proposals.

Everything runs on real files: a copy of the test sources (``tests/fixtures/sample_directory``
with a second organisation added), a directory built from them and installed in this test's
own data folder, real PDFs read back with poppler and real CSVs written and edited with the
csv module. The command line runs through ``coventry_directory.cli.main``. Nothing depends on
the machine's fonts (only the bundled ones are embedded), locale or time zone.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.core.check_form_csv import HEADER, MAX_ROWS, form_csv, neutralise, restore
from coventry_directory.core.check_forms import NOT_KNOWN, CheckForm, CheckFormError, CheckRecord, CheckRow, check_form
from coventry_directory.core.correction_queue import Proposal, ReportedNote
from coventry_directory.store.correction_queue import CorrectionQueueStore
from coventry_directory.store.migrations import USER_MIGRATIONS
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import installed_directory_path, user_database_path

FIXTURES = Path(__file__).parent / "fixtures"
HEADER_STATUS = 10  # correction_queue.status, by its position in the table
SAMPLE = FIXTURES / "sample_directory"
OTHER_ORG = """
[[organization]]
key = "other-org"
name = "Other Organisation"
description = "A second organisation invented for the tests."
source = ["sample L1"]
"""
OTHER_SERVICE = """
[[service]]
key = "other-service"
organization = "other-org"
name = "Other Service"
description = "Something else (test data)."
categories = ["young-people"]
assured_date = "2024-02-01"
verification = "sourced"
source = ["sample L5"]
"""


@pytest.fixture
def sources(tmp_path) -> Path:
    """A copy of the test sources with a second organisation and service."""
    root = tmp_path / "directory"
    shutil.copytree(SAMPLE, root)
    with open(root / "organizations.toml", "a", encoding="utf-8") as fh:
        fh.write(OTHER_ORG)
    with open(root / "services" / "sample.toml", "a", encoding="utf-8") as fh:
        fh.write(OTHER_SERVICE)
    return root


@pytest.fixture
def installed(sources, user_home, tmp_path) -> Path:
    """The directory built from ``sources``, installed as the edition the CLI and keeper mode open."""
    from coventry_directory.core.build import build_database

    built = tmp_path / "built.db"
    build_database(built, sources)
    target = installed_directory_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, target)
    return target


def export_csv(sources: Path, tmp_path: Path, org: str = "example-org") -> Path:
    out = tmp_path / f"{org}.csv"
    assert main(["check-form", "export", org, "-o", str(out), "--source-dir", str(sources)]) == 0
    return out


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]], *, bom: bool = True, delimiter: str = ",") -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
    path.write_bytes((("\ufeff" if bom else "") + out.getvalue()).encode("utf-8"))
    return path


def answer(rows: list[list[str]], record: str, field: str, **cells: str) -> None:
    """Fill in the provider's columns of one row, as a spreadsheet would."""
    row = next(r for r in rows[1:] if r[0] == record and r[1] == field)
    for name, value in cells.items():
        row[HEADER.index(name)] = value


def queue_rows() -> list[tuple]:
    """The keeper's queue, read straight from the file (not through the code under test)."""
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


def import_form(path: Path, sources: Path, by: str = "Jo Provider") -> int:
    return main(["check-form", "import", str(path), "--by", by, "--source-dir", str(sources)])


def pdftotext(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run([tool, "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def pdffonts(path: Path) -> list[str]:
    tool = shutil.which("pdffonts")
    if tool is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    # every font listed is embedded: an unembedded one (reportlab's default Helvetica) draws
    # nothing and fails a printer's strict preflight; the "emb" column is the third from the end
    assert rows and all(row[-5] == "yes" for row in rows), out
    return [row[0].split("+", 1)[-1] for row in rows]


# --- the rows -------------------------------------------------------------------------------
def test_the_rows_say_what_is_listed_and_unknown_stays_unknown(sources):
    form = check_form("example-org", sources)
    assert form.organization_name == "Example Organisation" and form.edition == "2024-02-01"
    assert [(r.kind, r.key) for r in form.records] == [
        ("organization", "example-org"),
        ("service", "example-adult"),  # services by name: Example Recovery Hub, Example Youth Service
        ("service", "example-youth"),
    ]
    rows = {(r.record, r.field): r for r in form.rows}
    assert rows["example-adult", "phones"].we_list == "01234 567890"
    assert rows["example-adult", "schedules"].we_list == "Tuesdays and Fridays, 09:30–12:00 at Example Recovery Hub"
    assert rows["example-adult", "ages"].we_list == "18 and over"
    assert rows["example-youth", "ages"].we_list == "11 to 18"
    assert rows["example-adult", "locations"].we_list == "Example Recovery Hub, 1 Example Street, Rugby, CV21 1AA"
    for unknown in (("example-adult", "email"), ("example-youth", "phones"), ("example-org", "organization.website")):
        assert rows[unknown].we_list == NOT_KNOWN and rows[unknown].known is False
    assert rows["example-adult", "phones"].last_checked == "2024-02-01"
    assert rows["example-adult", "phones"].sources == ("Sample source document, line 3",)  # the phone's own source
    assert rows["example-org", "organization.name"].last_checked == NOT_KNOWN  # organisations carry no assured date
    assert "other-service" not in {r.record for r in form.rows}


def test_an_unknown_organisation_is_bad_input_naming_near_ones(sources, tmp_path, capsys):
    out = tmp_path / "form.pdf"
    assert main(["check-form", "export", "exampel-org", "-o", str(out), "--source-dir", str(sources)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no organisation with key 'exampel-org'" in err and "example-org" in err
    assert main(["check-form", "export", "example-adult", "-o", str(out), "--source-dir", str(sources)]) == 2
    assert "is a service, not an organisation; its organisation is example-org" in capsys.readouterr().err
    assert main(["check-form", "export", "example-org", "-o", str(tmp_path / "form.txt")]) == 2
    assert not list(tmp_path.glob("form*"))
    with pytest.raises(CheckFormError, match="did you mean other-org"):
        check_form("other", sources)


# --- the CSV --------------------------------------------------------------------------------
def test_the_csv_has_a_bom_the_fixed_header_and_no_formula(sources, tmp_path):
    (sources / "services" / "sample.toml").write_text(
        (sources / "services" / "sample.toml")
        .read_text(encoding="utf-8")
        .replace(
            'description = "Adult drug and alcohol support (test data)."',
            'description = "=HYPERLINK(\\"http://evil.example\\") support"',
        ),
        encoding="utf-8",
    )
    path = export_csv(sources, tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrecord,field,label,we_list,last_checked,source,correct_as_listed,correction,")
    assert b"\r\n" in data
    rows = read_rows(path)
    assert tuple(rows[0]) == HEADER and all(len(r) == len(HEADER) for r in rows)
    description = next(r for r in rows if r[0] == "example-adult" and r[1] == "description")
    assert description[3] == '\'=HYPERLINK("http://evil.example") support'
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    assert all(r[6:] == ["", "", ""] for r in rows[1:])


@pytest.mark.parametrize("cell", ["=1+1", "+44 24", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "'quoted'", "", "'"])
def test_neutralising_is_undone_exactly(cell):
    assert restore(neutralise(cell)) == cell
    assert not neutralise(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


# --- the PDF --------------------------------------------------------------------------------
def test_the_pdf_form_says_what_we_list_and_where_to_send_it(sources, tmp_path, capsys):
    out = tmp_path / "forms" / "example.pdf"
    args = ["check-form", "export", "example-org", "-o", str(out), "--source-dir", str(sources)]
    assert main([*args, "--return-to", "keepers@example.org"]) == 0
    assert "Check form for Example Organisation (2 services, 27 rows, edition 2024-02-01)" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdftotext(out)
    assert "Example Organisation" in text
    assert (
        "This is what the Coventry and Warwickshire drug and alcohol directory lists about you. Please correct "
        "anything wrong or missing and return it to keepers@example.org." in text
    )
    for words in ("Example Recovery Hub", "Example Youth Service", "01234 567890", "Tuesdays and Fridays"):
        assert words in text
    assert "What we list" in text and "Correct?" in text and "Correction" in text
    assert NOT_KNOWN in text and "Directory edition: 1 February 2024" in text and "Page 1" in text
    assert "Other Service" not in text
    fonts = pdffonts(out)
    assert fonts and all(name.startswith("Noto") for name in fonts)  # bundled fonts only
    assert not [p for p in out.parent.iterdir() if p.name != "example.pdf"]  # no temp file left


def test_a_name_in_another_script_is_set_in_the_font_that_has_it(tmp_path):
    from coventry_directory.leaflets.check_form import render_check_form

    row = CheckRow("x", "service", "name", "Name", "مركز التعافي", True, "2024-02-01", ("a page",))
    form = CheckForm(
        "org",
        "ਪੰਜਾਬੀ ਸੇਵਾ Punjabi Service",
        "2024-02-01",
        (CheckRecord("x", "service", "مركز التعافي", "2024-02-01", (), (row,)),),
    )
    out = tmp_path / "other.pdf"
    out.write_bytes(render_check_form(form, None))
    fonts = pdffonts(out)
    assert any("Arabic" in f for f in fonts) and any("Gurmukhi" in f for f in fonts)
    assert "the team that sent it to you" in pdftotext(out)


# --- back in: the round trip ------------------------------------------------------------------
def test_a_returned_csv_becomes_proposals_listed_beside_their_records(sources, installed, tmp_path, capsys):
    path = export_csv(sources, tmp_path)
    rows = read_rows(path)
    answer(rows, "example-adult", "name", correct_as_listed="yes")
    answer(rows, "example-adult", "phones", correct_as_listed="no", correction="+44 1234 567891")
    answer(rows, "example-youth", "email", correction="youth@example.org")
    answer(rows, "example-org", "organization.website", correct_as_listed="No", comment="We have no web site yet.")
    back = write_rows(tmp_path / "returned.csv", rows)
    capsys.readouterr()

    assert import_form(back, sources) == 0
    out = capsys.readouterr().out
    assert "3 proposals (3 new, 0 already in the queue)" in out and "Example Organisation" in out
    assert import_form(back, sources, by="Someone Else") == 0  # the same file again adds nothing
    assert "3 proposals (0 new, 3 already in the queue)" in capsys.readouterr().out
    assert len(queue_rows()) == 3

    assert main(["corrections", "list"]) == 0
    text = capsys.readouterr().out
    assert "3 open correction notes" in text
    assert "example-adult: Example Recovery Hub" in text
    assert "Phone numbers: we list: 01234 567890" in text and "Proposed: +44 1234 567891" in text
    assert "from provider check form, Example Organisation, returned by Jo Provider" in text
    assert "Comment: We have no web site yet." in text

    assert main(["corrections", "list", "--json"]) == 0
    notes = {n["field"]: n for n in json.loads(capsys.readouterr().out)["notes"]}
    phone = notes["phones"]
    assert (phone["origin"], phone["record_kind"], phone["service_key"]) == ("check-form", "service", "example-adult")
    assert (phone["listed"], phone["proposed"], phone["in_directory"]) == ("01234 567890", "+44 1234 567891", True)
    assert notes["email"]["listed"] is None and notes["email"]["proposed"] == "youth@example.org"
    website = notes["organization.website"]
    assert website["record_kind"] == "organization" and website["proposed"] is None
    assert website["service_name"] == "Example Organisation"


def test_semicolons_and_no_bom_are_read_too(sources, installed, tmp_path, capsys):
    rows = read_rows(export_csv(sources, tmp_path))
    answer(rows, "example-adult", "email", correction="hub@example.org")
    back = write_rows(tmp_path / "semi.csv", rows, bom=False, delimiter=";")
    assert import_form(back, sources) == 0
    assert "1 proposal (1 new" in capsys.readouterr().out


def test_an_apostrophe_keeps_a_formula_as_words(sources, installed, tmp_path, capsys):
    rows = read_rows(export_csv(sources, tmp_path))
    answer(rows, "example-adult", "description", correction="'=Open to all")
    assert import_form(write_rows(tmp_path / "quoted.csv", rows), sources) == 0
    (row,) = queue_rows()
    assert "=Open to all" in row and "'=Open to all" not in row


# --- hostile returns: one line naming the row, and nothing queued ---------------------------------
AT = 7  # the rows spoilt below: example-adult's description, row 8 as a spreadsheet numbers it


def _hostile(kind: str, rows: list[list[str]]) -> bytes:
    good = io.StringIO(newline="")
    csv.writer(good, lineterminator="\r\n").writerows(rows)
    text = "\ufeff" + good.getvalue()
    if kind == "wrong-header":
        return text.replace("we_list", "what_we_list", 1).encode()
    if kind == "formula":
        rows[AT][7] = "=cmd|' /C calc'!A0"
    elif kind == "plus-command":
        rows[AT][8] = "+cmd|' /C calc'!A0"
    elif kind == "unknown-key":
        rows[AT][0] = "no-such-service"
    elif kind == "other-org":
        rows[AT][0] = "other-service"
    elif kind == "unknown-field":
        rows[AT][1] = "fax"
    elif kind == "bad-answer":
        rows[AT][6] = "maybe"
    elif kind == "extra-column":
        rows[AT].append("surprise")
    elif kind == "control":
        rows[AT][7] = "bell\x07"
    elif kind == "too-many-rows":
        rows += [rows[1][:] for _ in range(MAX_ROWS)]
    elif kind == "huge":
        return text.encode() + b"x" * (2 << 20)
    elif kind == "latin-1":
        rows[AT][7] = "caf\xe9"
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("latin-1", errors="replace")
    elif kind == "utf-16":
        return text.encode("utf-16")
    elif kind == "empty":
        return b""
    elif kind == "header-only":
        return ("\ufeff" + ",".join(HEADER) + "\r\n").encode()
    elif kind == "nul":
        return text.replace("Email", "Em\x00ail", 1).encode()
    elif kind == "broken-quote":
        return (text + '"unterminated\r\n').encode()
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


HOSTILE = {
    "wrong-header": "row 1 is not the check form's header",
    "formula": "row 8, correction begins with '='",
    "plus-command": "row 8, comment begins with '+'",
    "unknown-key": "row 8: no service with key 'no-such-service'",
    "other-org": "row 8: other-service belongs to Other Organisation (other-org), not to Example Organisation",
    "unknown-field": "row 8: field 'fax' is not one of the check form's fields",
    "bad-answer": "row 8: correct_as_listed must be yes, no or empty, not 'maybe'",
    "extra-column": "row 8 has more columns than the header",
    "control": "row 8, correction holds control",
    "too-many-rows": "more than 5,000 rows",
    "huge": "more than the 2 MB",
    "latin-1": "is not UTF-8 text",
    "utf-16": "UTF-16",
    "empty": "is empty",
    "header-only": "no rows",
    "nul": "NUL",
    "broken-quote": "not a well-formed CSV file",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_return_is_refused_whole_in_one_line(kind, sources, installed, tmp_path, capsys):
    rows = read_rows(export_csv(sources, tmp_path))
    answer(rows, "example-adult", "phones", correct_as_listed="no", correction="01234 000000")  # a good proposal too
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(_hostile(kind, rows))
    capsys.readouterr()
    assert import_form(path, sources) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("coventry-directory: error: ")
    assert HOSTILE[kind] in err and "nothing was imported" in err
    assert queue_rows() == []


def test_a_folder_a_missing_file_and_a_bad_name_are_refused(sources, installed, tmp_path, capsys):
    assert import_form(tmp_path, sources) == 2
    assert "is a folder" in capsys.readouterr().err
    assert import_form(tmp_path / "nothing.csv", sources) == 2
    assert "does not exist" in capsys.readouterr().err
    good = export_csv(sources, tmp_path)
    assert import_form(good, sources, by="two\nlines") == 2
    assert "--by must be one line" in capsys.readouterr().err
    assert queue_rows() == []


# --- the user database ------------------------------------------------------------------------
def test_a_v4_user_database_is_backed_up_then_gets_the_proposal_columns(tmp_path):
    path = tmp_path / "user.db"
    shutil.copyfile(FIXTURES / "user_v4.db", path)
    store = UserStore(path)
    try:
        assert USER_MIGRATIONS.pending(store._db) == []
        rows = CorrectionQueueStore(store)
        (old,) = rows.notes()
        assert old.note == "Open on Saturdays too." and old.origin is None and not old.is_proposal
        proposal = ReportedNote(
            "22222222-2222-5222-8222-222222222222",
            "Name: we list: Old\nProposed: New",
            "2026-02-01T09:00:00+00:00",
            proposal=Proposal("service", "name", "Old", "New", "fedcba9876543210"),
        )
        assert rows.add([proposal], ["old-naloxone"], "form.csv", "2026-02-02T09:00:00+00:00").new == 1
        new = rows.get("fedcba9876543210")
        assert new is not None and new.is_proposal and (new.field, new.listed, new.proposed) == ("name", "Old", "New")
    finally:
        store.close()
    (backup,) = tmp_path.glob("user.backup-*.db")
    conn = sqlite3.connect(backup)
    try:
        applied = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
    finally:
        conn.close()
    assert applied == {"u001_user_tables", "u002_referrals", "u003_shortlist_names", "u004_correction_queue"}


# --- dates at the ends of the calendar ----------------------------------------------------------
@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T12:00:00"])
def test_a_note_dated_at_the_end_of_time_is_refused_not_a_traceback(stamp, installed, tmp_path, capsys):
    doc = {
        "format": "coventry-directory-corrections",
        "format_version": 1,
        "corrections": [{"service_id": "x", "note": "Closed.", "created_at": stamp}],
    }
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["corrections", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "$.corrections[0].created_at is out of range" in err
    assert main(["corrections", "list", "--all"]) == 0
    assert capsys.readouterr().out.startswith("0 notes: 0 open")
    assert queue_rows() == []


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_a_form_is_written_shareable_and_whole(sources, tmp_path):
    out = export_csv(sources, tmp_path)
    assert os.stat(out).st_mode & 0o777 == 0o644
    assert form_csv(check_form("example-org", sources)) == out.read_bytes()


# --- keeper mode: a proposal beside its record ----------------------------------------------------
def test_keeper_mode_shows_a_proposal_and_accepting_fills_it_in(qtbot, sources, installed, tmp_path):
    from coventry_directory.ui.keeper_window import KeeperWindow

    rows = read_rows(export_csv(sources, tmp_path))
    answer(rows, "example-adult", "description", correct_as_listed="no", correction="Adults in Rugby (test data).")
    answer(rows, "example-adult", "phones", correction="01234 567899")
    answer(rows, "example-org", "organization.email", correction="hello@example.org")
    assert import_form(write_rows(tmp_path / "returned.csv", rows), sources) == 0
    user = UserStore(user_database_path())
    win = KeeperWindow(sources, user=user)
    qtbot.addWidget(win)
    try:
        panel = win.corrections
        items = {panel.notes.item(i).text().split(": ", 1)[1]: i for i in range(panel.notes.count())}
        assert set(items) == {
            "What the service does, proposed: Adults in Rugby (test data).",
            "Phone numbers, proposed: 01234 567899",
            "Organisation email, proposed: hello@example.org",
        }
        panel.notes.setCurrentRow(items["What the service does, proposed: Adults in Rugby (test data)."])
        assert win._key == "example-adult"  # shown beside its record
        assert "from provider check form, Example Organisation, returned by Jo Provider" in panel.detail.text()
        assert "we list: Adult drug and alcohol support (test data)." in panel.detail.text()
        assert panel.proposal.isVisibleTo(panel)
        assert panel.proposal.text() == "Proposed for What the service does: Adults in Rugby (test data)."
        panel.accept_note()
        assert win.form.texts["description"].toPlainText() == "Adults in Rugby (test data)."  # filled in, as typed
        assert win._dirty and "filled in" in panel.proposal.text()
        win.form.texts["description"].setPlainText(
            "Adult drug and alcohol support (test data)."
        )  # the keeper undoes it

        panel.notes.setCurrentRow(next(i for i in range(panel.notes.count()) if "Phone" in panel.notes.item(i).text()))
        phones_before = win.form.phone_rows()
        panel.accept_note()
        assert win.form.phone_rows() == phones_before  # rows, not one text: not faked
        assert panel.proposal.text() == "Put the proposed Phone numbers into the record by hand: 01234 567899"

        (org_row,) = range(panel.notes.count())
        panel.notes.setCurrentRow(org_row)
        assert win._key == "example-adult"  # an organisation is not a record of the editor
        panel.accept_note()
        assert "Change “Organisation email” in the organisation's file by hand" in panel.proposal.text()
        assert "hello@example.org" in panel.proposal.text() and panel.notes.count() == 0
        statuses = [n[HEADER_STATUS] for n in queue_rows()]
        assert statuses == ["accepted"] * 3
    finally:
        qtbot.waitUntil(lambda: not win._tasks, timeout=30_000)
        win._dirty = False
        win.close()
        user.close()


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("=1+1", True),
        ("@SUM(A1)", True),
        ("-1+cmd|' /C calc'!A0", True),  # a sign before a DDE formula
        ("+SUM(A1:A2)", True),
        ("\t=1", True),
        ("+44 24 7601 0241", False),
        ("+44 (0)24 7601 0241", False),
        ("- Mondays and Fridays", False),
        ("-1", False),
        ("Mondays", False),
    ],
)
def test_what_a_spreadsheet_would_run_is_known(text, runs):
    from coventry_directory.core.check_form_csv import _formula

    assert _formula(text) is runs
