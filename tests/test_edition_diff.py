"""What changed between two editions: the comparison, ``edition diff`` on real databases and bundles, and "What's new".

The editions are the real directory, copied and changed with SQLite the way a new edition
changes it (a phone number, a description, a service gone), and signed bundles made with
throwaway keys the app is told to trust. Nothing here reads the clock, the locale or fonts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

from coventry_directory.cli import main
from coventry_directory.core.edition_diff import FIELDS, diff_services, field_changes, schedule_text
from coventry_directory.core.models import Location, Organization, Phone, Schedule, Service
from coventry_directory.exchange import bundles
from coventry_directory.exchange.install import previous_path
from coventry_directory.exchange.signing import TRUSTED_KEYS_ENV, generate_keypair, load_signing_key
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.userdata import installed_directory_path

NEW_NUMBER = "024 7699 0001"


# --- the comparison itself -------------------------------------------------------------------
def _service(**changes) -> Service:
    values = {
        "id": "s1",
        "key": "test-service",
        "name": "Test service",
        "organization": Organization(id="o1", key="test-org", name="Test Org", description=""),
        "phones": [Phone(id="p1", number="024 7600 0000"), Phone(id="p2", number="0800 111 222", type="text")],
        "categories": ("housing", "treatment-adult"),
    }
    values.update(changes)
    return Service(**values)


def test_a_changed_phone_is_one_field_with_what_it_gained_and_lost():
    new = _service(phones=[Phone(id="p1", number=NEW_NUMBER), Phone(id="p2", number="0800 111 222", type="text")])
    [change] = field_changes(_service(), new)
    assert change.field == "phones"
    assert change.added == (NEW_NUMBER,) and change.removed == ("024 7600 0000",)
    assert change.to_dict() == {
        "field": "phones",
        "old": ["024 7600 0000", "0800 111 222 (text)"],
        "new": [NEW_NUMBER, "0800 111 222 (text)"],
        "added": [NEW_NUMBER],
        "removed": ["024 7600 0000"],
    }


def test_order_alone_and_an_empty_text_for_none_are_no_change():
    old = _service(description="")
    new = _service(phones=list(reversed(old.phones)), categories=("treatment-adult", "housing"), description=None)
    assert field_changes(old, new) == ()


def test_services_match_by_key_so_a_renamed_one_is_changed_not_replaced():
    old = [_service(), _service(id="s2", key="gone", name="Gone")]
    new = [_service(name="Test service (renamed)", assured_date="2027-01-10"), _service(id="s3", key="new", name="New")]
    diff = diff_services(old, new)
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 1, "unchanged": 0}
    assert [e.key for e in diff.added] == ["new"] and [e.key for e in diff.removed] == ["gone"]
    [changed] = diff.changed
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("name", "Test service", "Test service (renamed)"),
        ("assured_date", None, "2027-01-10"),
    ]
    assert changed.name == "Test service (renamed)"  # named as the new edition names it


def test_every_field_a_worker_reads_is_compared():
    assert {
        "name",
        "description",
        "phones",
        "email",
        "url",
        "addresses",
        "schedules",
        "eligibility_description",
        "minimum_age",
        "verification",
        "assured_date",
        "alert",
        "status",
    } <= set(FIELDS)
    place = Location(id="l1", key="hub", name="Bedworth hub")
    weekly = Schedule(id="h1", freq="WEEKLY", byday="TU,FR", opens_at="09:30", closes_at="12:00", location_id="l1")
    assert schedule_text(weekly, {"l1": place.name}) == "weekly TU,FR 09:30–12:00 at Bedworth hub"
    changed = _service(schedules=[weekly], locations=[place], status="inactive", minimum_age=18)
    fields = [c.field for c in field_changes(_service(), changed)]
    assert fields == ["status", "addresses", "schedules", "minimum_age"]


# --- real editions -----------------------------------------------------------------------------
def _edit(path: Path, *statements: tuple[str, tuple]) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for sql, params in statements:
            conn.execute(sql, params)
    conn.close()


def _with_a_phone(path: Path) -> Service:
    store = DirectoryStore.open(path)
    try:
        return next(s for s in sorted(store.all_services(), key=lambda s: s.key) if s.phones)
    finally:
        store.close()


@pytest.fixture
def editions(directory_db, tmp_path):
    """(old, new, the service whose phone changed, the key of the service removed): two real databases."""
    old = tmp_path / "old.db"
    new = tmp_path / "new.db"
    shutil.copyfile(directory_db, old)
    shutil.copyfile(directory_db, new)
    svc = _with_a_phone(new)
    store = DirectoryStore.open(new)
    gone = next(s for s in sorted(store.all_services(), key=lambda s: s.key) if s.id != svc.id)
    store.close()
    _edit(
        new,
        ("UPDATE phone SET number = ? WHERE id = ?", (NEW_NUMBER, svc.phones[0].id)),
        ("UPDATE service SET description = description || ' Now also on Saturdays.' WHERE id = ?", (svc.id,)),
        ("DELETE FROM service WHERE id = ?", (gone.id,)),
    )
    return old, new, svc, gone.key


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) if isinstance(a, Path) else a for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_edition_diff_lists_a_changed_phone_counts_first(editions, capsys):
    old, new, svc, gone = editions
    code, out, err = run(capsys, "edition", "diff", old, new)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"Old: {old} (database, edition ")
    assert lines[1].startswith(f"New: {new} (database, edition ")
    assert lines[2].startswith("0 added, 1 removed, 1 changed, ")
    assert f"  - {gone}: " in out
    changed = out[out.index("Changed (1):") :]
    assert f"  ~ {svc.key}: {svc.name}" in changed
    assert "      phones:" in changed
    assert any(line.startswith(f"        + {NEW_NUMBER}") for line in lines)
    assert any(line.startswith(f"        - {svc.phones[0].number}") for line in lines)
    assert "      description:" in changed and "Now also on Saturdays." in changed


def test_edition_diff_json_has_the_documented_shape(editions, capsys):
    old, new, svc, gone = editions
    code, out, _ = run(capsys, "edition", "diff", old, new, "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["old", "new", "counts", "added", "removed", "changed"]
    assert data["old"]["file"] == str(old) and data["old"]["kind"] == "database"
    assert set(data["new"]) == {"file", "kind", "edition", "services"}
    assert data["new"]["services"] == data["old"]["services"] - 1
    assert data["counts"] == {"added": 0, "removed": 1, "changed": 1, "unchanged": data["old"]["services"] - 2}
    assert [r["key"] for r in data["removed"]] == [gone]
    [changed] = data["changed"]
    assert set(changed) == {"key", "id", "name", "organization", "changes"} and changed["key"] == svc.key
    phones = next(c for c in changed["changes"] if c["field"] == "phones")
    assert [p.split(":")[0] for p in phones["added"]] == [NEW_NUMBER]
    assert [p.split(":")[0] for p in phones["removed"]] == [svc.phones[0].number]
    description = next(c for c in changed["changes"] if c["field"] == "description")
    assert set(description) == {"field", "old", "new"} and description["new"].endswith("Now also on Saturdays.")


def test_the_same_edition_twice_by_copy_has_no_differences(directory_db, tmp_path, capsys):
    copy = tmp_path / "copy.db"
    shutil.copyfile(directory_db, copy)
    code, out, _ = run(capsys, "edition", "diff", directory_db, copy, "--json")
    data = json.loads(out)
    assert code == 0 and data["added"] == data["removed"] == data["changed"] == []
    assert data["counts"]["unchanged"] == data["old"]["services"] > 0


def test_an_older_database_is_compared_without_being_changed(directory_db, capsys):
    old = Path(__file__).parent / "fixtures" / "directory_v1.db"
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    code, out, _ = run(capsys, "edition", "diff", old, directory_db, "--json")
    assert code == 0 and json.loads(out)["counts"]["added"] > 0
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before
    assert not list(old.parent.glob("directory_v1.backup-*"))


# --- signed bundles ----------------------------------------------------------------------------
@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A throwaway publisher key the app trusts, and a stranger's key it does not."""
    generate_keypair(tmp_path / "keys" / "publisher.key", tmp_path / "keys" / "publisher.pem")
    generate_keypair(tmp_path / "stranger.key", tmp_path / "stranger.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "keys"))
    return {
        "publisher": load_signing_key(tmp_path / "keys" / "publisher.key"),
        "stranger": load_signing_key(tmp_path / "stranger.key"),
    }


def _bundle(db: Path, out: Path, key) -> Path:
    bundles.build_bundle(db, out, key, source="test publisher", maintainer_email="maintainer@example.org")
    return out


def test_a_signed_bundle_is_compared_with_a_database_either_way(editions, keys, tmp_path, capsys):
    old, new, svc, _ = editions
    bundle = _bundle(new, tmp_path / "new.zip", keys["publisher"])
    code, out, _ = run(capsys, "edition", "diff", old, bundle, "--json")
    data = json.loads(out)
    assert code == 0 and data["new"]["kind"] == "bundle" and data["new"]["file"] == str(bundle)
    phones = next(c for c in data["changed"][0]["changes"] if c["field"] == "phones")
    assert [p.split(":")[0] for p in phones["added"]] == [NEW_NUMBER]
    code, out, _ = run(capsys, "edition", "diff", bundle, old)
    assert code == 0 and "1 added, 0 removed, 1 changed" in out and f"        - {NEW_NUMBER}" in out


def _tampered(good: Path, dst: Path) -> Path:
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "manifest.json":
                data = data.replace(b'"source"', b'"source" ', 1)  # one byte more: the signature no longer fits
            zout.writestr(name, data)
    return dst


def test_a_bundle_whose_signature_fails_is_refused_in_one_line(editions, keys, tmp_path, capsys):
    old, new, _, _ = editions
    good = _bundle(new, tmp_path / "good.zip", keys["publisher"])
    cases = {
        _tampered(good, tmp_path / "tampered.zip"): "has been altered after it was signed",
        _bundle(new, tmp_path / "stranger.zip", keys["stranger"]): "signed with a key this app does not trust",
    }
    for bundle, words in cases.items():
        code, out, err = run(capsys, "edition", "diff", old, bundle)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("coventry-directory: error: ") and words in err


# --- hostile input -----------------------------------------------------------------------------
def test_files_that_are_not_editions_are_bad_input_in_one_line(directory_db, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a directory\n")
    (tmp_path / "empty.db").write_bytes(b"")
    (tmp_path / "truncated.db").write_bytes(directory_db.read_bytes()[:40_000])
    other = tmp_path / "other.db"
    _edit(other, ("CREATE TABLE x (a)", ()))
    (tmp_path / "folder").mkdir()
    cases = {
        tmp_path / "missing.db": "the new edition {} does not exist",
        tmp_path / "folder": "the new edition {} is a folder, not a file",
        tmp_path / "notes.txt": "is neither a directory database (.db) nor a directory bundle",
        tmp_path / "empty.db": "is empty",
        tmp_path / "truncated.db": "is not a readable database",
        other: "is not a Coventry Directory database",
        directory_db: "the old and the new edition are the same file",
    }
    for path, words in cases.items():
        code, out, err = run(capsys, "edition", "diff", directory_db, path)
        assert (code, out) == (2, ""), path
        assert err.count("\n") == 1 and words.format(path) in err and "Traceback" not in err


def test_the_same_file_by_another_name_is_refused(directory_db, tmp_path, capsys):
    link = tmp_path / "link.db"
    try:
        link.symlink_to(directory_db)
    except OSError:
        pytest.skip("no symbolic links here")
    code, _, err = run(capsys, "edition", "diff", link, directory_db)
    assert code == 2 and "the same file" in err


@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names are Unicode, never undecodable bytes")
def test_a_file_name_that_is_not_utf8_is_read_and_printed_escaped(editions, tmp_path, capsys):
    old, new, _, _ = editions
    odd = tmp_path / os.fsdecode(b"new-\xff.db")
    shutil.copyfile(new, odd)
    code, out, err = run(capsys, "edition", "diff", old, odd)
    assert code == 0 and err == ""
    assert out.splitlines()[1].startswith(f"New: {tmp_path}/new-\\xff.db (database")
    code, out, _ = run(capsys, "edition", "diff", old, odd, "--json")
    assert code == 0 and json.loads(out)["new"]["file"].endswith("new-\\xff.db")
    missing = tmp_path / os.fsdecode(b"gone-\xfe\n.db")
    code, _, err = run(capsys, "edition", "diff", old, missing)
    assert code == 2 and err.count("\n") == 1 and "gone-\\xfe .db does not exist" in err


def test_edition_needs_an_action_and_diff_two_files(capsys):
    assert run(capsys, "edition")[0] == 2
    code, _, err = run(capsys, "edition", "diff", "only-one.db")
    assert code == 2 and "NEW" in err


# --- the app: "What's new in this edition" ---------------------------------------------------
def _text(dialog) -> str:
    return dialog.summary.text() + "\n" + dialog.changes.toPlainText()


def test_the_dialog_shows_the_counts_and_each_change(qtbot, editions):
    from coventry_directory.exchange.edition_files import compare_files
    from coventry_directory.ui.whats_new_dialog import WhatsNewDialog

    old, new, svc, _ = editions
    dialog = WhatsNewDialog(compare_files(old, new))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "What's new in this edition"
    assert dialog.summary.text() == "0 services added · 1 service removed · 1 service changed"
    text = dialog.changes.toPlainText()
    assert "Services no longer listed" in text and "Services changed" in text
    assert svc.name in text and f"Phone: added: {NEW_NUMBER}" in text
    assert f"removed: {svc.phones[0].number}" in text
    assert "Description" in text and "Now also on Saturdays." in text


def test_help_menu_shows_what_changed_since_the_edition_kept_before(qtbot, open_window, editions, directory_db):
    old, new, svc, _ = editions
    # The window reads directory_db; the edition before it is kept beside it, as bundle install keeps it.
    shutil.copyfile(directory_db, previous_path(directory_db))
    shutil.copyfile(new, directory_db)
    window = open_window()
    assert window.whats_new_action in window.help_menu.actions()
    assert window.whats_new.dialog is None  # the first edition the window sees is only noted
    window.whats_new_action.trigger()
    qtbot.waitUntil(lambda: window.whats_new.dialog is not None and window.whats_new.dialog.isVisible(), timeout=15_000)
    text = _text(window.whats_new.dialog)
    assert "1 service changed" in text and NEW_NUMBER in text and svc.name in text


def test_help_menu_says_so_when_no_earlier_edition_is_kept(qtbot, open_window):
    window = open_window()
    window.whats_new_action.trigger()
    box = window.whats_new.message
    assert box is not None and box.isVisible() and "No earlier edition is kept" in box.text()
    box.accept()


def test_a_bundle_installed_while_the_app_runs_shows_whats_new(qtbot, open_window, editions, keys, tmp_path, capsys):
    from coventry_directory.ui.main_window import TYPING_PAUSE_MS

    old, new, svc, _ = editions
    target = installed_directory_path()
    shutil.copyfile(old, target)
    window = open_window(target)
    qtbot.waitUntil(lambda: window.whats_new.task is None, timeout=5_000)
    assert window.whats_new.dialog is None
    bundle = _bundle(new, tmp_path / "new.zip", keys["publisher"])
    assert run(capsys, "bundle", "install", bundle)[0] == 0
    with qtbot.waitSignal(window.search_service.edition_changed, timeout=15_000):
        window.search_box.setText("alcohol")
        qtbot.wait(TYPING_PAUSE_MS)
    qtbot.waitUntil(lambda: window.whats_new.dialog is not None and window.whats_new.dialog.isVisible(), timeout=15_000)
    text = _text(window.whats_new.dialog)
    assert "1 service removed · 1 service changed" in text and f"added: {NEW_NUMBER}" in text
    # Shown once: the same edition again (the window rebuilt, say) is not offered again.
    window.whats_new.dialog.close()
    window.whats_new.dialog = None
    window.whats_new.notice()
    assert window.whats_new.task is None and window.whats_new.dialog is None


def test_every_word_of_the_dialog_comes_through_the_catalog(qtbot, hosts, editions, english_afterwards):
    from test_i18n_ui import assert_all_marked, directory_content

    from coventry_directory.exchange.edition_files import compare_files
    from coventry_directory.i18n.languages import PSEUDO_CODE
    from coventry_directory.ui.whats_new_dialog import WhatsNewDialog

    old, new, _, _ = editions
    hosts(PSEUDO_CODE)
    allowed = set()
    for path in (old, new):  # what the records say stays as written: both editions' own words
        store = DirectoryStore.open(path)
        allowed |= directory_content(store)
        store.close()
    dialog = WhatsNewDialog(compare_files(old, new))
    qtbot.addWidget(dialog)
    dialog.show()
    assert "[" in dialog.summary.text() and "[" in dialog.changes.toPlainText()
    assert assert_all_marked(dialog, sorted(allowed, key=len, reverse=True)) > 3


# --- a keeper's check, in two real built editions ---------------------------------------------------
def test_a_record_checked_again_the_same_day_by_someone_else_is_a_change(tmp_path, capsys, monkeypatch):
    from coventry_directory.core import clock
    from coventry_directory.core.build import build_database
    from coventry_directory.core.release_notes import ReleaseFacts, release_notes
    from coventry_directory.resources import directory_source_dir

    monkeypatch.setattr(clock, "uk_today", lambda: dt.date(2026, 12, 2))
    sources = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), sources)
    key = "cgl-warwickshire-adult-service"
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    assure = ["assure", key, "--source-dir", str(sources)]
    assert main([*assure, "--by", "Jo", "--how", "phone", "--still-may-have-changed", "No new provider named"]) == 0
    build_database(old, sources)
    again = ["--by", "Sam", "--how", "visit", "--note", "Seen at the hub", "--review-due", "2027-03-01"]
    assert main([*assure, *again]) == 0  # the same day: the assured date does not change
    build_database(new, sources)
    capsys.readouterr()
    code, out, _ = run(capsys, "edition", "diff", old, new, "--json")
    assert code == 0
    [changed] = json.loads(out)["changed"]
    assert changed["key"] == key
    assert [(c["field"], c["old"], c["new"]) for c in changed["changes"]] == [
        ("verification", "provider-may-have-changed", "confirmed"),
        ("assured_by", "Jo", "Sam"),
        ("assured_how", "phone", "visit"),
        ("review_due", "2027-06-02", "2027-03-01"),
        ("assurance_note", None, "Seen at the hub"),
        ("may_have_changed_reason", "No new provider named", None),
    ]
    # the release notes count it as checked with the service since the edition before
    editions = []
    for path in (old, new):
        store = DirectoryStore.open(path, readonly=True)
        try:
            editions.append(store.all_services())
        finally:
            store.close()
    facts = ReleaseFacts("2026-12-02", dt.date(2026, 12, 3), "b.zip", "h.json", "k", "0" * 64, 1)
    notes = release_notes(facts, editions[1], diff_services(*editions))
    checked = notes[notes.index("## Checked with the service") :]
    assert "(1)" in checked.splitlines()[0] and f"`{key}`" in checked and "2026-12-02 by visit (Sam)" in checked
    assert "assured by, assured how, review due, assurance note, may have changed reason" in notes


def test_the_release_notes_show_control_characters_escaped():
    from coventry_directory.core.release_notes import md

    assert md("Evil\x1b[2J name \u202eenolp") == "Evil\\\\x1b\\[2J name \\\\u202eenolp"
    assert md("ਨਸ਼ਾ ਛੁਡਾਊ ਕੇਂਦਰ · مركز") == "ਨਸ਼ਾ ਛੁਡਾਊ ਕੇਂਦਰ · مركز"  # other scripts as they are
