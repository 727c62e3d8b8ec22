"""Directory ▸ Sources…, driven through its buttons: real imports of real files into this test's data folder.

Each test has its own installed directory (``installed_directory``), so the dialog's
``installed_home()`` is this test's. The file dialog is Qt's boundary: tests hand the
chosen path to ``file_chosen``, the method the file dialog's answer goes to, and answer
``QMessageBox.question`` (Qt's) by monkeypatching it. A feed is served on loopback by
``feed_server``, from the HSDS 3.0 examples.
"""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import pytest
from feed_server import Feed, serving
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu, QMessageBox, QPushButton
from test_feed_pull import FULL, list_item

from coventry_directory.exchange.sources import installed_home
from coventry_directory.ui import background
from coventry_directory.ui import sources_worker as work
from coventry_directory.ui.results_model import HitRole
from coventry_directory.ui.sources_dialog import SourcesDialog

DATA = Path(__file__).parent / "data"
SERVICE_FULL = DATA / "hsds3_examples" / "service_full.json"
MEETINGS = DATA / "meeting_guide" / "uk_generated.json"
WORK_TIMEOUT = 60_000  # ms: an import composes the whole directory; a busy shared machine is slow
EDITION = "edition"


def five_with_two_bad(path: Path) -> Path:
    """Five records: three services, one with no name, one that is not an object."""
    records = [
        {"id": "svc-1", "name": "Alpha Recovery Café", "status": "active"},
        {"id": "svc-2", "description": "a record with no name"},
        42,
        {"id": "svc-4", "name": "Beta Drop-in", "status": "active"},
        {"id": "svc-5", "name": "Gamma Outreach", "status": "active"},
    ]
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def services_file(path: Path, count: int) -> Path:
    """``count`` good services (the same ids each time, so a smaller file is the same source shrunk)."""
    records = [{"id": f"shrink-{n}", "name": f"Shrinking Service {n}", "status": "active"} for n in range(count)]
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


@pytest.fixture
def dialog(qtbot, installed_directory):
    shown = SourcesDialog(installed_home())
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    qtbot.waitUntil(lambda: not shown.busy(), timeout=WORK_TIMEOUT)  # never leave a write running


@pytest.fixture
def answers(monkeypatch):
    """Answer every QMessageBox.question with the next of ``answers.replies``; ``answers.asked`` holds the texts."""

    class Answers:
        replies: list = []
        asked: list[str] = []

    def question(parent, title, text, *args):
        Answers.asked.append(text)
        return Answers.replies.pop(0)

    Answers.replies, Answers.asked = [], []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return Answers


def names(dialog) -> list[str]:
    return [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]


def row_of(dialog, name: str) -> list[str]:
    row = names(dialog).index(name)
    return [dialog.table.item(row, column).text() for column in range(dialog.table.columnCount())]


def select(dialog, name: str) -> None:
    dialog.table.selectRow(names(dialog).index(name))


def finish(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=WORK_TIMEOUT)


def add_file(qtbot, dialog, path: Path) -> None:
    dialog.file_chosen(path)
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert dialog.busy()
    finish(qtbot, dialog)


# --- adding files ----------------------------------------------------------------------------
def test_a_meeting_list_is_added_with_its_details_and_a_full_progress_bar(qtbot, dialog):
    assert names(dialog) == [EDITION]
    dialog.file_chosen(MEETINGS)
    assert dialog.add_box.isVisible() and dialog.name_field.placeholderText() == "uk_generated"
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert dialog.progress.isVisible() and dialog.progress.maximum() == 0  # busy: nothing known yet
    finish(qtbot, dialog)

    assert names(dialog) == [EDITION, "uk_generated"]
    assert row_of(dialog, "uk_generated")[1:3] == ["Meeting list", "32"]
    assert row_of(dialog, "uk_generated")[4] == "0"
    assert row_of(dialog, EDITION)[1] == "Shipped edition"
    assert dialog.progress.maximum() > 0 and dialog.progress.value() == dialog.progress.maximum()
    assert dialog.stage.text() == "Done."
    assert "Added the source “uk_generated” (Meeting list): 32 services read." in dialog.outcome.text()
    assert not dialog.add_box.isVisible()
    details = dialog.details.toPlainText()  # the new source is chosen
    assert f"From: {MEETINGS.resolve()}" in details
    assert "Format: Meeting Guide meeting list (meeting-guide)" in details
    assert "Services: 32" in details and "Repairs made while reading it:" in details


def test_skipped_records_are_counted_and_listed_by_path(qtbot, dialog, tmp_path):
    add_file(qtbot, dialog, five_with_two_bad(tmp_path / "five.json"))
    assert (row_of(dialog, "five")[2], row_of(dialog, "five")[4]) == ("3", "2")  # services, records skipped
    assert "3 services read. 2 records were skipped (see the details)." in dialog.outcome.text()
    details = dialog.details.toPlainText()
    assert "2 records skipped:" in details
    assert "$[1]: has no name" in details
    assert "$[2]: is not a service object" in details
    select(dialog, EDITION)
    assert "$[1]" not in dialog.details.toPlainText() and "None skipped." in dialog.details.toPlainText()


def test_files_that_cannot_be_imported_are_explained_and_change_nothing(qtbot, dialog, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    add_file(qtbot, dialog, empty)
    assert "holds no services" in dialog.outcome.text() and "nothing was changed" in dialog.outcome.text()
    assert not dialog.progress.isVisible()

    all_bad = tmp_path / "all_bad.json"
    all_bad.write_text("[1, 2]", encoding="utf-8")
    add_file(qtbot, dialog, all_bad)
    assert "could not be read (2 problems, listed below)" in dialog.outcome.text()
    assert re.search(r"^  \$\[0\]: .*\n  \$\[1\]: ", dialog.details.toPlainText(), re.M)

    add_file(qtbot, dialog, tmp_path / "gone.json")
    assert "gone.json" in dialog.outcome.text() and "Traceback" not in dialog.outcome.text()
    assert names(dialog) == [EDITION]


def test_disk_errors_are_worded_for_the_person():
    text = work.error_text(OSError(errno.ENOSPC, "No space left on device", "/data/directory.db"))
    assert text == (
        "Nothing was changed: no space left on the disk holding /data/directory.db; nothing was written "
        "(free some space and try again)"
    )
    assert "Something went wrong (ZeroDivisionError)" in work.error_text(ZeroDivisionError("x"))


# --- the main window follows ---------------------------------------------------------------
def test_the_window_searches_the_new_directory_after_an_import(qtbot, open_window, installed_directory):
    from coventry_directory.ui.sources_dialog import SourcesDialog as Dialog

    window = open_window(installed_directory)
    assert [m.title() for m in window.findChildren(QMenu)].count("&Directory") == 1
    assert window.directory_menu.actions() == [window.meetings_action, window.sources_action, window.keeper_action]
    window.sources_action.trigger()
    dialog = window.findChild(Dialog)
    assert dialog is not None and dialog.isVisible() and names(dialog) == [EDITION]

    dialog.file_chosen(SERVICE_FULL)
    with qtbot.waitSignal(window.search_service.edition_changed, timeout=WORK_TIMEOUT):
        qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    # After the window's own edition note, the dialog's: both sources counted.
    assert re.fullmatch(
        r"Directory updated: it now has \d+ services\. It is made from 2 sources\.", window.statusBar().currentMessage()
    )

    window.search_box.setText("Community Counselling")
    qtbot.waitUntil(
        lambda: any(
            window.model.index(i).data(HitRole).name == "Community Counselling" for i in range(window.model.rowCount())
        ),
        timeout=10_000,
    )
    hit = next(
        window.model.index(i).data(HitRole)
        for i in range(window.model.rowCount())
        if window.model.index(i).data(HitRole).name == "Community Counselling"
    )
    assert window.controller.service(hit.id) is not None  # the details pane reads the new directory too

    dialog.close()
    window.sources_action.trigger()
    assert window.findChildren(Dialog) == [dialog]  # one per window, shown again
    assert names(dialog) == [EDITION, "service_full"]


# --- removing ------------------------------------------------------------------------------
def test_remove_names_the_source_and_its_services_and_refuses_the_only_one(qtbot, dialog, tmp_path, answers):
    select(dialog, EDITION)
    qtbot.mouseClick(dialog.remove_button, Qt.LeftButton)
    assert not dialog.busy() and answers.asked == []  # refused before asking
    assert "“edition” is the directory's only source, so it cannot be removed" in dialog.outcome.text()

    add_file(qtbot, dialog, five_with_two_bad(tmp_path / "five.json"))
    select(dialog, "five")
    answers.replies = [QMessageBox.No]
    qtbot.mouseClick(dialog.remove_button, Qt.LeftButton)
    assert not dialog.busy() and names(dialog) == [EDITION, "five"]
    answers.replies = [QMessageBox.Yes]
    qtbot.mouseClick(dialog.remove_button, Qt.LeftButton)
    finish(qtbot, dialog)
    assert answers.asked[-1].startswith("Remove the source “five”? It brings 3 services.")
    assert names(dialog) == [EDITION]
    assert dialog.outcome.text().startswith("Removed the source “five”.")


# --- shrinking -----------------------------------------------------------------------------
def test_a_shrunken_file_is_refused_until_import_anyway(qtbot, dialog, tmp_path, answers):
    export = services_file(tmp_path / "export.json", 5)
    add_file(qtbot, dialog, export)
    assert row_of(dialog, "export")[2] == "5"

    services_file(export, 1)
    dialog.file_chosen(export)
    assert dialog.name_field.placeholderText() == "export"  # the same file updates its own source
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    finish(qtbot, dialog)
    said = dialog.outcome.text()
    assert said.startswith("Nothing was changed: what was read has 1 service, but the source “export” has 5")
    assert "--allow-shrink" not in said and "choose “Import anyway”" in said
    assert dialog.anyway_button.isVisible() and row_of(dialog, "export")[2] == "5"

    answers.replies = [QMessageBox.Yes]
    qtbot.mouseClick(dialog.anyway_button, Qt.LeftButton)
    finish(qtbot, dialog)
    assert answers.asked[-1].startswith("Import anyway?")
    assert row_of(dialog, "export")[2] == "1"
    assert dialog.outcome.text().startswith("Updated the source “export” (File): 1 service read.")
    assert not dialog.anyway_button.isVisible()


# --- one change at a time ------------------------------------------------------------------
def test_a_second_click_while_busy_starts_nothing(qtbot, dialog, answers):
    done = []
    dialog.work_done.connect(lambda changed, text: done.append(text))
    dialog.file_chosen(MEETINGS)
    before = background.running()  # a mail test's relay that never answers may still be waited for
    qtbot.mouseDClick(dialog.import_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert background.running() == before + 1
    assert not dialog.start_import() and not dialog.restore_edition() and not dialog.remove_selected()
    disabled = [b.text() for b in dialog.findChildren(QPushButton) if b.isVisible() and not b.isEnabled()]
    assert {"&Add file…", "Add &feed…", "&Import"} <= set(disabled)
    finish(qtbot, dialog)
    assert len(done) == 1 and background.running() == before
    assert names(dialog) == [EDITION, "uk_generated"]
    assert dialog.import_button.isEnabled() and dialog.add_file_button.isEnabled()


def test_closing_while_busy_asks_and_lets_the_import_finish(qtbot, dialog, answers):
    dialog.file_chosen(MEETINGS)
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    answers.replies = [QMessageBox.No]
    dialog.reject()
    assert dialog.isVisible() and "replaced in one step, only when the change is complete" in answers.asked[0]
    answers.replies = [QMessageBox.Yes]
    dialog.reject()
    assert not dialog.isVisible() and dialog.busy()
    finish(qtbot, dialog)
    assert names(dialog) == [EDITION, "uk_generated"]


# --- replacing everything and restoring the edition ----------------------------------------
def test_replace_everything_asks_first_and_the_edition_can_be_restored(qtbot, dialog, answers):
    assert not dialog.restore_button.isVisible()
    dialog.file_chosen(MEETINGS)
    dialog.replace_box.setChecked(True)
    answers.replies = [QMessageBox.No]
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert not dialog.busy() and names(dialog) == [EDITION]
    assert answers.asked[0].startswith("This removes every other source, the edition too")

    answers.replies = [QMessageBox.Yes]
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    finish(qtbot, dialog)
    assert names(dialog) == ["uk_generated"]
    assert dialog.outcome.text().startswith("The directory is now only the source “uk_generated”")
    assert dialog.restore_button.isVisible()

    qtbot.mouseClick(dialog.restore_button, Qt.LeftButton)
    finish(qtbot, dialog)
    assert names(dialog) == [EDITION, "uk_generated"]
    assert dialog.outcome.text().startswith("Restored the shipped edition as the first source (the edition of ")
    assert not dialog.restore_button.isVisible()


# --- feeds ---------------------------------------------------------------------------------
@pytest.fixture
def feed():
    served = Feed([dict(FULL)])
    served.list_item = list_item  # the official list item: details must be fetched
    with serving(served):
        yield served


def test_a_feed_is_checked_added_and_pulled(qtbot, dialog, feed):
    qtbot.mouseClick(dialog.add_feed_button, Qt.LeftButton)
    assert dialog.add_box.isVisible() and not dialog.where.isReadOnly()
    dialog.where.setText("http://[::1")
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert not dialog.busy() and "is not a usable feed address" in dialog.outcome.text()
    assert feed.requests == []  # refused before anything ran

    dialog.where.setText(feed.url)
    assert dialog.name_field.placeholderText() == "127.0.0.1"
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    finish(qtbot, dialog)
    assert row_of(dialog, "127.0.0.1")[1:3] == ["Open Referral feed", "1"]
    assert dialog.outcome.text().startswith("Added the source “127.0.0.1” (Open Referral feed): 1 service read.")
    assert any(path.startswith("/api/services/") for path, _query in feed.requests)  # the detail was fetched
    assert dialog.progress.value() == dialog.progress.maximum() > 0

    select(dialog, EDITION)
    assert not dialog.pull_button.isEnabled()  # not a feed
    select(dialog, "127.0.0.1")
    assert dialog.pull_button.isEnabled()
    asked = len(feed.requests)
    qtbot.mouseClick(dialog.pull_button, Qt.LeftButton)
    finish(qtbot, dialog)
    pages = [query for path, query in feed.requests[asked:] if path.startswith("/api/services?")]
    assert pages and all("modified_after" in query for query in pages)  # only what changed since the first pull
    assert dialog.outcome.text().startswith("Updated the source “127.0.0.1” (Open Referral feed) with what changed")
    assert names(dialog) == [EDITION, "127.0.0.1"] and row_of(dialog, "127.0.0.1")[2] == "1"


def test_every_control_has_an_accessible_name(dialog):
    dialog.file_chosen(MEETINGS)
    controls = [dialog.table, dialog.details, dialog.where, dialog.name_field, dialog.replace_box, dialog.progress]
    controls += [dialog.outcome, *dialog.findChildren(QPushButton)]
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Close)  # Qt's own, read by its text
    assert [c.objectName() or c.text() for c in controls if c is not close and not c.accessibleName()] == []


# --- every word through the catalog ---------------------------------------------------------------
@pytest.mark.usefixtures("english_afterwards")
def test_the_dialog_speaks_through_the_catalog_in_the_pseudo_locale(qtbot, installed_directory, tmp_path):
    from test_i18n_ui import assert_all_marked

    from coventry_directory.i18n.languages import PSEUDO_CODE
    from coventry_directory.ui.language import apply_language

    apply_language(PSEUDO_CODE)
    shown = SourcesDialog(installed_home())
    qtbot.addWidget(shown)
    shown.show()
    feed = five_with_two_bad(tmp_path / "five.json")
    # what stays as it is: the file's path and name, the sources' names, the skipped records' paths
    allowed = sorted(
        {str(feed.resolve()), str(feed), "five", "five.json", EDITION, "$[1]", "$[2]"}, key=len, reverse=True
    )
    shown.file_chosen(feed)  # the add box: name, kind, import
    assert assert_all_marked(shown, allowed) > 10
    add_file(qtbot, shown, feed)
    assert "[" in shown.outcome.text() and "[" in shown.details.toPlainText()
    select(shown, "five")
    assert_all_marked(shown, allowed)  # the new source's details: counts, skipped records, format
    select(shown, EDITION)
    assert_all_marked(shown, allowed)
