"""Keeper mode in the pseudo-locale: its own words come through the catalog, the files' words stay as written.

What the keeper edits is data and is allowed as it stands: every record's key and fields,
the vocabularies' codes (what the file holds, shown beside their translated labels), the
source documents' ids and titles, file names and the folder. Everything else the window
and its dialogs show or speak must be pseudo-translated. The walk itself is test_i18n_ui's.
"""

from __future__ import annotations

import shutil
import tomllib

import pytest
from test_i18n_ui import assert_all_marked, directory_content, untranslated, visible_words

from coventry_directory.core.source_documents import load_documents
from coventry_directory.core.source_files import record_files, record_keys
from coventry_directory.core.taxonomy import load_vocabularies
from coventry_directory.i18n.languages import PSEUDO_CODE
from coventry_directory.resources import directory_source_dir
from coventry_directory.ui.keeper_dialogs import AssureDialog, NewServiceDialog
from coventry_directory.ui.keeper_publish import ReleaseNotesDialog
from coventry_directory.ui.keeper_window import KeeperWindow

pytestmark = pytest.mark.usefixtures("english_afterwards")
WAIT = 30_000  # ms: the review and each check read every source file


def file_words(root) -> set[str]:
    """What the sources under ``root`` say themselves: every string value, code, document title and file name."""
    words: set[str] = {str(root), "https://"}

    def strings(value) -> None:
        if isinstance(value, str):
            words.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                strings(item)
        elif isinstance(value, list):
            for item in value:
                strings(item)

    for path in record_files(root):
        words.add(path.name)
        strings(tomllib.loads(path.read_text(encoding="utf-8")))
    for vocab in load_vocabularies(root / "taxonomy.toml").values():
        words |= set(vocab.codes())
    for doc in load_documents(root).values():
        words |= {doc.id, doc.title}
    return words


@pytest.fixture
def keeper(qtbot, hosts, tmp_path):
    host = hosts(PSEUDO_CODE)
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    win = KeeperWindow(root)
    win.show()
    qtbot.waitUntil(lambda: not win._tasks, timeout=WAIT)
    allowed = sorted(directory_content(host.store) | file_words(root), key=len, reverse=True)
    yield win, allowed
    qtbot.waitUntil(lambda: not win._tasks, timeout=WAIT)
    win._dirty = False  # the walk typed nothing to keep
    win.close()
    win.deleteLater()


def test_keeper_mode_speaks_through_the_catalog(qtbot, keeper):
    win, allowed = keeper
    # a record with phones and opening hours, every tab of its form looked at
    win.select("cov-emmaus")
    assert win.form.isEnabled() and win.form.phones.rowCount() > 0
    for i in range(win.form.count()):
        win.form.setCurrentIndex(i)
        assert_all_marked(win, allowed)
    checked = assert_all_marked(win, allowed)
    assert checked > 150  # the walk saw the form's lists, not an empty window
    spoken = {text for where, text in visible_words(win) if "accessible name" in where}
    assert not {"minimum_age", "maximum_age", "alternate_name"} & spoken  # labels are spoken, never TOML keys

    # an edit that fails its check: the check's own frame is in the catalog (its findings are the build's)
    win.form.lines["alert"].setText("x")
    qtbot.waitUntil(lambda: not win.timer.isActive() and not win._tasks, timeout=WAIT)
    assert "[" in win.checks.toPlainText().splitlines()[0]

    for dialog in (
        AssureDialog("cov-emmaus", "", win),
        NewServiceDialog(record_keys(win.root, "organization"), ["coventry-housing.toml"], win._categories, win),
        ReleaseNotesDialog("# 2026-12-03\n", win),
    ):
        dialog.show()
        assert_all_marked(dialog, allowed)
        dialog.close()


def test_the_keeper_walk_would_catch_a_raw_key(keeper):
    # the check of the check: a field spoken by its TOML key is reported, its label is not
    win, allowed = keeper
    assert untranslated("minimum_age", allowed) == ["minimum", "age"]
    assert untranslated(win.form.lines["minimum_age"].accessibleName(), allowed) == []
