"""Keeper mode: correct, cite and assure the directory's records in its TOML sources, without a text editor.

``coventry-directory keeper [--source-dir DIR]`` (and Directory ▸ Keeper mode…) opens this
window on a folder of directory sources (by default the app's own ``resources/directory``).
On the left every service, marked with what the review says needs looking at; on the right
the chosen record's form (``keeper_form``), where its facts come from (``keeper_citation``),
and what the check says about the edit as it stands, run off the GUI thread a moment after
each keystroke: exactly the problems ``build-db --check`` would report, and the diff a
reviewer will read. Save is offered only for an edit that passes; it writes through
``core.record_edit`` (checked again, then atomic) and is disabled while it runs, so a double
click cannot save twice. "Mark as checked" records an assurance (``core.assurance``).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core import record_edit
from coventry_directory.core.clock import uk_today
from coventry_directory.core.directory_source import DirectorySourceError, read_directory, record_files
from coventry_directory.core.review import PROBLEMS, review
from coventry_directory.core.source_documents import load_documents
from coventry_directory.core.taxonomy import load_vocabularies
from coventry_directory.i18n import N_, _
from coventry_directory.store.user import UserStore
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.keeper_actions import KeeperActions
from coventry_directory.ui.keeper_citation import CitationBox
from coventry_directory.ui.keeper_form import RecordForm
from coventry_directory.ui.keeper_publish import Publisher
from coventry_directory.ui.keeper_queue import CorrectionsPanel, directory_or_none
from coventry_directory.userdata import user_database_path

CHECK_DELAY_MS = 400  # a pause in typing, then the check: it reads every source file (a fraction of a second)
PROBLEM_WORDS = {
    "overdue": N_("due a check"),
    "no-contact-route": N_("no way to contact"),
    "old-evidence": N_("old evidence"),
    "provider-may-have-changed": N_("provider may have changed"),
}


class KeeperWindow(KeeperActions, QMainWindow):
    """Every service of one folder of sources, and the editor for one of them."""

    def __init__(
        self, root: Path, today: dt.date | None = None, user: UserStore | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.root = root
        self._own_user = user is None  # opened here: closed with the window
        self.user = user if user is not None else UserStore(user_database_path())
        self.today = today or uk_today()
        self.setWindowTitle(_("Keeper mode: {folder}").format(folder=root))
        self._tables: dict[str, dict] = {}  # service key -> its TOML table as the build reads it
        self._key: str | None = None
        self._generation = 0  # each check's number: a late answer to an older edit is dropped
        self._ready = False  # the last check passed and the edit changes something
        self._dirty = False  # the form or the citation was changed since the record was loaded or saved
        self._writing = False  # a save or a check mark is being written
        self._loaded: tuple = ({}, [], [])
        self._opened: bytes | None = None
        self._tasks: list[BackgroundTask] = []
        self._closed = False  # set by closeEvent, or when Qt deletes the window without one
        vocabularies = load_vocabularies(root / "taxonomy.toml")
        self._categories = [(c, _(vocabularies["category"].label(c))) for c in vocabularies["category"].codes()]
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Find a record by key or name"))
        self.filter.textChanged.connect(self._apply_filter)
        self.records = QListWidget()
        self.records.setAccessibleName(_("Records"))
        self.records.currentItemChanged.connect(self._chosen)
        self.new_button = QPushButton(_("New service…"))
        self.new_button.clicked.connect(self.new_service)
        self.publisher = Publisher(self, root)
        self.publish_button = QPushButton(_("Publish…"))
        self.publish_button.clicked.connect(lambda: self.publisher.start())
        records = QWidget()
        column = QVBoxLayout(records)
        for widget in (self.summary, self.filter, self.records, self.new_button, self.publish_button):
            column.addWidget(widget)
        self.corrections = CorrectionsPanel(self.user, directory_or_none())
        self.corrections.open_record.connect(self._open_from_note)
        left = QTabWidget()
        left.addTab(records, _("Records"))
        left.addTab(self.corrections, _("Corrections"))
        self.corrections.changed.connect(
            lambda n: left.setTabText(1, _("Corrections ({n})").format(n=n) if n else _("Corrections"))
        )
        self.corrections.refresh()
        self.heading = QLabel()
        self.form = RecordForm(vocabularies)
        self.form.setEnabled(False)
        try:
            documents = load_documents(root)
        except (OSError, UnicodeDecodeError, KeyError, tomllib.TOMLDecodeError):
            documents = {}  # the summary says the sources fail their checks; the window still opens to fix them
        self.citation = CitationBox(documents, self.today)
        self.checks = QPlainTextEdit()
        self.checks.setReadOnly(True)
        self.checks.setAccessibleName(_("What the check says"))
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setLineWrapMode(QPlainTextEdit.NoWrap)
        # a diff lines up column by column only in a fixed-width font
        self.diff.setFont(fixed_width_font())
        self.diff.setAccessibleName(_("The change, as a reviewer will see it"))
        outcome = QTabWidget()
        outcome.addTab(self.checks, _("Check"))
        outcome.addTab(self.diff, _("Changes to the files"))
        self.save_button = QPushButton(_("Save"))
        self.save_button.destroyed.connect(self._mark_closed)  # deleted without a close: no widgets left
        self.revert_button = QPushButton(_("Undo my changes"))
        self.assure_button = QPushButton(_("Mark as checked…"))
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._reload_record)
        self.assure_button.clicked.connect(self.assure)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.revert_button, self.assure_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        # the form above; where it comes from beside what the check says below; the buttons always in view
        lower = QSplitter(Qt.Horizontal)
        lower.addWidget(self.citation)
        lower.addWidget(outcome)
        upright = QSplitter(Qt.Vertical)
        upright.addWidget(self.form)
        upright.addWidget(lower)
        upright.setStretchFactor(0, 3)
        upright.setStretchFactor(1, 2)
        right = QWidget()
        editor = QVBoxLayout(right)
        editor.addWidget(self.heading)
        editor.addWidget(upright, 1)
        editor.addLayout(buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([360, 900])
        self.setCentralWidget(split)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(CHECK_DELAY_MS)
        self.timer.timeout.connect(self.check)
        self.form.edited.connect(self._edited)
        self.citation.edited.connect(self._edited)
        self.reload()

    # --- the records ----------------------------------------------------------------
    def reload(self) -> None:
        """Read every service from the files again, with what the review says of each."""
        self._tables = {}
        for path in record_files(self.root):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            except (UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue  # the summary below names the file, as the check does
            for table in data.get("service", []):
                if isinstance(table, dict) and isinstance(table.get("key"), str):
                    self._tables[table["key"]] = {**table, "_file": path.name, "_path": path}
        try:
            services = read_directory(self.root).services
            found = review(services, self.today)  # once: the marks and the counts are the same review
            marks = {item.key: item.problems for item in found.items}
            counts = found.counts()
            self.summary.setText(
                _("{n} records.").format(n=len(services))
                + " "
                + "; ".join(f"{counts[p]} {_(PROBLEM_WORDS[p])}" for p in PROBLEMS)
            )
        except DirectorySourceError as exc:
            marks = {}
            self.summary.setText(
                _("The sources do not pass their checks ({n} problems): fix these first.").format(n=len(exc.problems))
            )
        current = self._key
        self.records.blockSignals(True)
        self.records.clear()
        for key in sorted(self._tables):
            problems = marks.get(key, ())
            text = f"{key}: {self._tables[key].get('name', '')}"
            if problems:
                text += "  (" + ", ".join(_(PROBLEM_WORDS[p]) for p in problems) + ")"
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, key)
            self.records.addItem(item)
            if key == current:
                self.records.setCurrentItem(item)
        self.records.blockSignals(False)
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.records.count()):
            item = self.records.item(i)
            item.setHidden(not all(w in item.text().casefold() for w in words))

    def select(self, key: str) -> None:
        """Open the record ``key`` in the editor (as clicking it in the list does)."""
        for i in range(self.records.count()):
            if self.records.item(i).data(Qt.UserRole) == key:
                self.records.setCurrentRow(i)
                return
        raise KeyError(key)

    def _open_from_note(self, key: str) -> None:
        if key in self._tables and key != self._key:
            self.select(key)

    def _chosen(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        if self._dirty and not self._may_leave():
            self.records.blockSignals(True)
            self.records.setCurrentItem(previous)
            self.records.blockSignals(False)
            return
        self._key = current.data(Qt.UserRole)
        self._reload_record()

    def _reload_record(self) -> None:
        if self._key is None:
            return
        table = self._tables.get(self._key, {})
        self.heading.setText(
            _("{key} in services/{file}").format(key=self._key, file=table.get("_file", "?"))
            if table.get("_file") != "organizations.toml"
            else _("{key} in organizations.toml").format(key=self._key)
        )
        self.form.load(table)
        # what was loaded: an edit sends only what the keeper changed, and is refused if the file moved on
        self._loaded = (self.form.values(), self.form.phone_rows(), self.form.schedule_rows())
        path = table.get("_path")
        self._opened = path.read_bytes() if path is not None and path.is_file() else None
        self.citation.clear()
        self._dirty = False
        self.form.setEnabled(True)
        self.assure_button.setEnabled(True)
        self._set_outcome([], "", ready=False)
        self.checks.setPlainText(_("No changes yet."))

    def _may_leave(self) -> bool:
        """Ask about an edit not saved yet; True to go on without it."""
        answer = QMessageBox.question(
            self,
            _("Unsaved changes"),
            _("The changes to {key} are not saved. Leave them?").format(key=self._key),
            QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Cancel,
        )
        return answer == QMessageBox.Discard

    # --- checking and saving ------------------------------------------------------------
    def _edit(self) -> record_edit.RecordEdit:
        """Only what the keeper changed: a field left alone is never rewritten (nor cited)."""
        fields, phones, schedules = self._loaded
        now = self.form.values()
        return record_edit.RecordEdit(
            self._key or "",
            fields={k: v for k, v in now.items() if v != fields.get(k)},
            phones=None if self.form.phone_rows() == phones else self.form.phone_rows(),
            schedules=None if self.form.schedule_rows() == schedules else self.form.schedule_rows(),
        )

    def _edited(self) -> None:
        if self._key is None:
            return
        self._ready = False
        self._dirty = True
        self.save_button.setEnabled(False)
        self.timer.start()

    def check(self) -> None:
        """Work the edit out and check it, off the GUI thread; the answer fills the Check and Changes tabs."""
        if self._key is None:
            return
        self._generation += 1
        generation, edit, citation, root, today = (
            self._generation,
            self._edit(),
            self.citation.citation(),
            self.root,
            self.today,
        )
        task = BackgroundTask(lambda: record_edit.preview(root, edit, citation, today), name="keeper-check")
        task.finished.connect(lambda error: self._checked(task, generation, error))
        self._start(task)

    def _checked(self, task: BackgroundTask, generation: int, error: object) -> None:
        self._tasks.remove(task)
        if self._gone():
            return  # closed while the check ran: nothing left to show it in
        if generation != self._generation:
            return  # the keeper typed on: a newer check is coming
        if error is not None:
            self._set_outcome([str(error)], "", ready=False)
            return
        result: record_edit.Preview = task.result
        self._dirty = result.changed
        if not result.changed:
            self._set_outcome([], "", ready=False)
            self.checks.setPlainText(_("No changes yet."))
            return
        self._set_outcome(result.problems, result.diff, ready=not result.problems)

    def _set_outcome(self, problems: list[str], diff: str, ready: bool) -> None:
        self._ready = ready
        self.save_button.setEnabled(ready and not self._writing)
        self.revert_button.setEnabled(bool(diff) or bool(problems))
        if problems:
            self.checks.setPlainText(
                _("Not ready to save ({n} problems):").format(n=len(problems))
                + "\n"
                + "\n".join(f"• {p}" for p in problems)
            )
        else:
            self.checks.setPlainText(_("Ready to save: the sources pass every check with this change."))
        self.diff.setPlainText(diff)

    def save(self) -> None:
        """Write the checked edit (checked again as it is written); the button waits until it is done."""
        if not self._ready or self._key is None:
            return
        self.save_button.setEnabled(False)  # at once: a second click must not save twice
        self._ready = False
        edit, citation, root, today, opened = (
            self._edit(),
            self.citation.citation(),
            self.root,
            self.today,
            self._opened,
        )
        self._busy(True)
        task = BackgroundTask(lambda: record_edit.save(root, edit, citation, today, opened), name="keeper-save")
        task.finished.connect(lambda error: self._saved(task, error))
        self._start(task)

    def _busy(self, busy: bool) -> None:
        """While a save or a check mark is being written, neither can start again."""
        self._writing = busy
        self.assure_button.setEnabled(not busy and self._key is not None)
        if busy:
            self.save_button.setEnabled(False)

    def _saved(self, task: BackgroundTask, error: object) -> None:
        self._tasks.remove(task)
        if self._gone():
            return  # the files were written (or not) by the task; there is no window left to say so
        self._busy(False)
        if error is not None:
            self._set_outcome([str(error)], self.diff.toPlainText(), ready=False)
            return
        files = ", ".join(sorted(p.relative_to(self.root).as_posix() for p in task.result.files))
        self.statusBar().showMessage(_("Saved {key}: {files}").format(key=self._key, files=files))
        self.reload()
        self._reload_record()
        self.checks.setPlainText(_("Saved. The record as it is now is shown above."))

    def _start(self, task: BackgroundTask) -> None:
        self._tasks.append(task)  # kept until it reports
        task.start()

    def _mark_closed(self, *_args) -> None:
        self._closed = True

    def _gone(self) -> bool:
        """True once the window is closed or its widgets deleted (a background check may report after)."""
        return self._closed

    def closeEvent(self, event) -> None:
        """Ask before closing over an unsaved edit."""
        if self._dirty and not self._may_leave():
            event.ignore()
            return
        if self._own_user:
            self.user.close()
            self._own_user = False
        self._closed = True
        event.accept()


def fixed_width_font() -> QFont:
    """The system's fixed-width font, or failing that the first fixed-pitch family installed.

    Some platforms (Qt's offscreen one, a bare X server) name a "monospace" family that
    nothing resolves, and Qt then draws it proportionally: a hint alone is not enough.
    """
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    fixed.setStyleHint(QFont.StyleHint.Monospace)
    fixed.setFixedPitch(True)
    if not QFontInfo(fixed).fixedPitch():
        family = next((f for f in QFontDatabase.families() if QFontDatabase.isFixedPitch(f)), None)
        if family is not None:
            fixed.setFamily(family)
    return fixed
