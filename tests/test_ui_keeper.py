"""Keeper mode's window, driven as a keeper would: find a record, change a phone, cite it, save, mark it checked."""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableWidgetItem

from coventry_directory.core import correction_queue
from coventry_directory.core.directory_source import read_directory
from coventry_directory.exchange import bundles
from coventry_directory.exchange.corrections import corrections_document, write_corrections
from coventry_directory.exchange.signing import TRUSTED_KEYS_ENV, generate_keypair
from coventry_directory.resources import directory_source_dir
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore
from coventry_directory.ui.keeper_dialogs import AssureDialog
from coventry_directory.ui.keeper_window import KeeperWindow

TODAY = dt.date(2026, 12, 2)
FILE = Path("services") / "coventry-housing.toml"
PAGE = "https://www.emmaus.org.uk/coventry-warwickshire/contact"
WAIT = 30_000  # ms: each check reads every source file, on a shared machine


@pytest.fixture
def sources(tmp_path) -> Path:
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    return root


@pytest.fixture
def window(qtbot, sources):
    win = KeeperWindow(sources, today=TODAY)
    win.show()
    yield win
    # closed here, not by qtbot (which closes before fixtures end): closing over an unsaved
    # edit asks in a modal box, and these tests have looked at the edit already
    qtbot.waitUntil(lambda: not win._tasks, timeout=WAIT)
    win._dirty = False
    win.close()
    win.deleteLater()


def _emmaus(root: Path) -> dict:
    data = tomllib.loads((root / FILE).read_text(encoding="utf-8"))
    return next(s for s in data["service"] if s["key"] == "cov-emmaus")


def _checked(qtbot, window, ready: bool) -> None:
    """Wait for the check of the edit as it stands (after the typing pause)."""
    qtbot.waitUntil(lambda: not window.timer.isActive() and not window._tasks, timeout=WAIT)
    assert window.save_button.isEnabled() is ready, window.checks.toPlainText()


def _change_mobile(window, number: str) -> None:
    table = window.form.phones
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "07934 297604")
    table.setItem(row, 0, QTableWidgetItem(number))


def test_the_list_shows_every_record_with_what_needs_looking_at(window, sources):
    assert window.records.count() == len(read_directory(sources).services)
    assert "records." in window.summary.text() and "no way to contact" in window.summary.text()
    window.filter.setText("emmaus")
    shown = [
        window.records.item(i).text() for i in range(window.records.count()) if not window.records.item(i).isHidden()
    ]
    assert len(shown) == 1 and shown[0].startswith("cov-emmaus: Emmaus Coventry & Warwickshire")


def test_a_changed_phone_is_saved_with_its_quoted_page(qtbot, window, sources):
    window.select("cov-emmaus")
    assert window.form.lines["name"].text() == "Emmaus Coventry & Warwickshire"
    _change_mobile(window, "07934 000000")
    window.citation.url.setText(PAGE)
    window.citation.quote.setText("Call us on 07934 000000")
    _checked(qtbot, window, ready=True)
    assert "Ready to save" in window.checks.toPlainText()
    assert '+number = "07934 000000"' in window.diff.toPlainText()
    qtbot.mouseClick(window.save_button, Qt.LeftButton)
    qtbot.mouseClick(window.save_button, Qt.LeftButton)  # a double click saves once
    qtbot.waitUntil(lambda: not window._tasks, timeout=WAIT)
    assert "Saved cov-emmaus" in window.statusBar().currentMessage()
    numbers = [p["number"] for p in _emmaus(sources)["phones"]]
    assert numbers == ["024 7665 1094", "07934 000000"]
    facts = (sources / "sources" / "local-services-facts-2026-11.md").read_text(encoding="utf-8")
    assert facts.count(f"“Call us on 07934 000000” (seen 2026-12-02) [{PAGE}]") == 1
    read_directory(sources)  # the saved sources pass the build's checks


def test_a_number_the_quote_does_not_hold_cannot_be_saved(qtbot, window, sources):
    before = (sources / FILE).read_bytes()
    window.select("cov-emmaus")
    _change_mobile(window, "07934 000000")
    window.citation.url.setText(PAGE)
    window.citation.quote.setText("Call us")
    _checked(qtbot, window, ready=False)
    assert "'07934 000000' does not appear in its cited sources" in window.checks.toPlainText()
    window.citation.quote.setText("")
    _checked(qtbot, window, ready=False)
    assert "quote the words" in window.checks.toPlainText()
    assert (sources / FILE).read_bytes() == before


def test_leaving_an_unsaved_edit_asks_first(qtbot, window, monkeypatch):
    window.select("cov-emmaus")
    window.form.lines["alert"].setText("Closed on Fridays")
    _checked(qtbot, window, ready=False)  # no citation yet: not ready, but not to be lost silently
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Cancel)
    window.select("cov-anchor-medical-centre")
    assert window._key == "cov-emmaus" and window.form.lines["alert"].text() == "Closed on Fridays"
    assert not window.close() and window.isVisible()  # closing asks too
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    window.select("cov-anchor-medical-centre")
    assert window._key == "cov-anchor-medical-centre"


def test_mark_as_checked_records_who_and_how(qtbot, window, sources, monkeypatch):
    window.select("cov-emmaus")

    def answer(dialog: AssureDialog) -> int:
        dialog.by.setText("Coventry public health team")
        dialog.how.setCurrentIndex(dialog.how.findData("phone"))
        return AssureDialog.Accepted

    monkeypatch.setattr(AssureDialog, "exec", answer)
    window.assure()
    qtbot.waitUntil(lambda: not window._tasks, timeout=WAIT)
    record = _emmaus(sources)
    assert record["assured_by"] == "Coventry public health team" and record["assured_how"] == "phone"
    assert record["verification"] == "confirmed"
    assert "marked as checked" in window.statusBar().currentMessage()


# --- the correction queue beside the records, and publishing -----------------------------------


def test_a_workers_note_is_imported_shown_with_its_record_and_accepted(qtbot, sources, installed_directory, tmp_path):
    store = DirectoryStore.open(installed_directory, readonly=True)
    try:
        sid = store.resolve_service_id("cov-emmaus")
    finally:
        store.close()
    worker = UserStore(tmp_path / "worker.db")
    try:
        worker.add_correction(sid, "The mobile number no longer works")
        export = write_corrections(corrections_document(worker, {"edition": "2026-11-24"}, {}), tmp_path / "c.json")
    finally:
        worker.close()
    win = KeeperWindow(sources, today=TODAY)
    try:
        panel = win.corrections
        assert panel.notes.count() == 0
        assert panel.import_files([export, export]) == ["c.json: 1 notes, 1 new", "c.json: 1 notes, 0 new"]
        assert (
            panel.notes.count() == 1 and "cov-emmaus: The mobile number no longer works" in panel.notes.item(0).text()
        )
        panel.notes.setCurrentRow(0)
        assert win._key == "cov-emmaus"  # the note is shown beside its record
        panel.accept_note()
        assert panel.notes.count() == 0 and win._key == "cov-emmaus"
        kept = correction_queue.queue_entries(panel.rows, None, include_resolved=True)
        assert [n.status for n in kept] == [correction_queue.ACCEPTED]  # the outcome is kept
    finally:
        win.close()
        win.deleteLater()


def test_publish_shows_the_release_notes_first_and_cancelling_writes_nothing(
    qtbot, window, sources, tmp_path, monkeypatch
):
    generate_keypair(tmp_path / "keys" / "publisher.key", tmp_path / "trusted" / "publisher.pem")
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(tmp_path / "trusted"))
    shown: list[str] = []
    answers = iter([False, True])
    monkeypatch.setattr(window.publisher, "confirm", lambda notes: shown.append(notes) or next(answers))
    folder = tmp_path / "release"
    window.publisher.start(folder, tmp_path / "keys" / "publisher.key")
    window.publisher.start(folder, tmp_path / "keys" / "publisher.key")  # a second click waits for the first
    qtbot.waitUntil(lambda: window.publisher.task is None, timeout=120_000)
    assert len(shown) == 1 and "# " in shown[0]
    assert not folder.exists() and not list(tmp_path.glob(".release*"))  # cancelled: nothing published
    window.publisher.start(folder, tmp_path / "keys" / "publisher.key")
    qtbot.waitUntil(lambda: window.publisher.task is None, timeout=120_000)
    assert "Published into" in window.statusBar().currentMessage()
    bundle = next(folder.glob("*.zip"))
    bundles.verify_bundle(bundle)
    assert (folder / "release-notes.md").is_file() and not list(tmp_path.glob(".release*"))


def test_an_edit_rewrites_only_what_the_keeper_changed(qtbot, window, sources):
    # every record, opened and given one new alert: no other line of its file changes, codes keep their order
    before = (sources / FILE).read_text(encoding="utf-8")
    window.select("cov-anchor-medical-centre")
    window.form.lines["alert"].setText("Check the opening hours first")
    window.citation.from_document.setChecked(True)
    window.citation.document.setCurrentIndex(window.citation.document.findData("wdna-2022"))
    window.citation.line.setValue(100)
    _checked(qtbot, window, ready=True)
    removed = [
        line for line in window.diff.toPlainText().splitlines() if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line for line in window.diff.toPlainText().splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    assert len(added) == 2 and added[0] == '+alert = "Check the opening hours first"', added
    assert len(removed) == 1 and removed[0].startswith("-source = ["), removed  # the citation joins the sources
    assert (sources / FILE).read_text(encoding="utf-8") == before  # not saved yet
    assert window.citation.url.text() == ""
    window.select("cov-anchor-medical-centre")  # the same record again: nothing carried


def test_the_diff_is_shown_in_a_fixed_width_font_so_its_columns_line_up(window):
    from PySide6.QtGui import QFont, QFontDatabase, QFontInfo

    font = window.diff.font()
    assert font.fixedPitch() and font.styleHint() == QFont.StyleHint.Monospace  # what is asked for
    if any(QFontDatabase.isFixedPitch(family) for family in QFontDatabase.families()):
        assert QFontInfo(font).fixedPitch()  # and what is drawn, where the machine has a fixed-width font


def test_a_keeper_chooses_the_cited_line_by_reading_the_document(qtbot, window):
    from coventry_directory.ui.source_viewer import SourceViewer

    box = window.citation
    box.from_document.setChecked(True)
    assert box.find_line.isEnabled()
    box.document.setCurrentIndex(box.document.findData("wdna-2022"))
    qtbot.mouseClick(box.find_line, Qt.LeftButton)
    viewer = next(v for v in box.findChildren(SourceViewer) if v.isVisible())
    assert viewer.current_line() == 1 and viewer.use_button.text() == "&Use line 1"  # no line chosen yet: the start
    words = "Change Grow Live (CGL) is the current commissioned service provider"
    qtbot.keyClicks(viewer.find_box, words)
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)
    line = viewer.current_line()
    assert words in viewer.document.lines[line - 1] and viewer.use_button.text() == f"&Use line {line}"
    qtbot.mouseClick(viewer.use_button, Qt.LeftButton)
    assert not viewer.isVisible() and box.line.value() == line
    # opened again, it starts at the line in the box; Cancel keeps it
    qtbot.mouseClick(box.find_line, Qt.LeftButton)
    again = next(v for v in box.findChildren(SourceViewer) if v.isVisible())
    assert again.current_line() == line
    again.go_to_line(5)
    qtbot.keyClick(again, Qt.Key_Escape)
    assert box.line.value() == line
    box.from_web.setChecked(True)
    assert not box.find_line.isEnabled()
