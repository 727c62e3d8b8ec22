"""Directory ▸ Sources…: the directory's sources listed, added, pulled, removed and restored.

What ``import`` and ``sources`` do, for people who never open a terminal: every source in
rank order (the edition first: its facts win), one source's details as ``sources show``
prints them, and buttons to add a file or an Open Referral feed, pull feeds, remove a
source and bring the edition back (the installed one, else the one shipped with the app).
Changes run one at a time off the GUI thread (``background.BackgroundTask``; the jobs in
``sources_worker``, their words in ``sources_words``) with a progress bar. The exchange
layer swaps the new source and directory in only when complete, so closing the dialog
mid-change asks, then lets it finish. After a change the main window searches again and,
as for a new edition, reopens the new file (``SearchService.edition_changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.text import clean_text
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.i18n import N_, _
from coventry_directory.ui import sources_words as words
from coventry_directory.ui import sources_worker as work
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.window_geometry import fit_to_screen

if TYPE_CHECKING:
    from coventry_directory.exchange.sources import Home, Source
    from coventry_directory.ui.main_window import MainWindow


def _row(*widgets: QWidget | None) -> QHBoxLayout:
    """A row of widgets; None is a stretch. In a row without one, the first widget takes the room left."""
    row = QHBoxLayout()
    for n, widget in enumerate(widgets):
        if widget is None:
            row.addStretch(1)
        else:
            row.addWidget(widget, int(n == 0 and None not in widgets))
    return row


class SourcesDialog(QDialog):
    """The directory's sources: a table, one source's details, and the changes that can be made to them."""

    COLUMNS = (N_("Source"), N_("Kind"), N_("Services"), N_("Last updated or pulled"), N_("Records skipped"))
    directory_changed = Signal(int, int)  # services in the directory, sources it is made from
    work_done = Signal(bool, str)  # changed?, what the dialog said about it

    def __init__(self, home: Home, parent: QWidget | None = None):
        super().__init__(parent)
        self.home = home
        self.setWindowTitle(_("Directory sources"))
        self.setAccessibleName(_("Directory sources"))
        self._sources: list[Source] = []
        self._task: BackgroundTask | None = None
        self._job = work.Job("")
        self._anyway: work.Job | None = None
        self._feed = False  # what the "Add a source" box is adding: a feed, or the file ``_file``
        self._file: Path | None = None

        intro = QLabel(
            _(
                "The directory is made of these sources. Where two describe one service, the one higher in the "
                "list wins and the others fill in what it leaves empty. Only “Add feed” and “Pull now” go online."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setAccessibleName(_("Sources of the directory"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)  # the name takes what is left
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("Source details"))
        self.details.setPlaceholderText(_("Choose a source to see where it came from and every record skipped."))

        b = self._button
        self.add_file_button = b(_("&Add file…"), self.choose_file, _("HSDS, Open Referral UK or Meeting Guide data"))
        self.add_feed_button = b(_("Add &feed…"), self.choose_feed, _("An Open Referral (HSDS 3.0) API online"))
        self.pull_button = b(_("&Pull now"), self.pull_now, _("The chosen feed, or every feed if none is chosen"))
        self.remove_button = b(_("&Remove…"), self.remove_selected)
        restore_tip = _("The edition installed from a signed bundle, or else the one that came with the app")
        self.restore_button = b(_("Restore the &edition"), self.restore_edition, restore_tip)
        self.anyway_button = b(_("Import an&yway…"), self.import_anyway)
        self.anyway_button.hide()
        self._add_box()

        self.progress = QProgressBar()
        self.progress.setAccessibleName(_("Progress"))
        self.progress.setTextVisible(False)  # the stage label says it in words
        self.progress.hide()
        self.stage = QLabel()
        self.stage.setAccessibleName(_("What is being done"))
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.outcome.setAccessibleName(_("What happened"))
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.details, 3)
        actions = (self.add_file_button, self.add_feed_button, self.pull_button, self.remove_button)
        layout.addLayout(_row(*actions, None, self.restore_button))
        layout.addWidget(self.add_box)
        layout.addLayout(_row(self.progress, self.stage))
        layout.addLayout(_row(self.outcome, self.anyway_button))
        layout.addWidget(close)
        fit_to_screen(self, 900, 640)
        self.reload()

    def _button(self, text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _add_box(self) -> None:
        """The "Add a source" box: the file or feed address, a name, "Replace everything"; Import or Cancel."""
        self.add_box = QGroupBox(_("Add a source"))
        self.where = QLineEdit()
        self.where.setAccessibleName(_("File or feed address"))
        self.where.textChanged.connect(self._where_changed)
        self.where.returnPressed.connect(self.start_import)
        self.name_field = QLineEdit()
        self.name_field.setAccessibleName(_("Source name"))
        self.name_field.setToolTip(_("Leave it empty for the name shown; importing to the same name again updates it"))
        self.replace_box = QCheckBox(_("Replace e&verything with this"))
        self.replace_box.setToolTip(_("Remove every other source, the shipped edition too"))
        self.replace_box.setAccessibleName(_("Replace everything with this"))
        self.import_button = self._button(_("&Import"), self.start_import)
        self.import_button.setDefault(True)
        self.where_caption = QLabel()
        self.where_caption.setBuddy(self.where)
        form = QFormLayout()
        form.addRow(self.where_caption, self.where)
        form.addRow(_("Source &name:"), self.name_field)
        form.addRow("", self.replace_box)
        box = QVBoxLayout(self.add_box)
        box.addLayout(form)
        box.addLayout(_row(None, self.import_button, self._button(_("Cancel"), self.cancel_add)))
        self.add_box.hide()

    # --- the list ------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Read the sources again and show them (keeping ``select``, or the chosen one, chosen)."""
        from coventry_directory.exchange.sources import list_sources

        chosen = self.selected()
        current = (select or (chosen.name if chosen else "")).casefold()
        self._sources = list_sources(self.home)
        self.table.blockSignals(True)  # one selection change at the end, not one per row
        self.table.clearSelection()
        self.table.setRowCount(len(self._sources))
        for row, source in enumerate(self._sources):
            for column, text in enumerate(words.row_cells(source)):
                item = QTableWidgetItem(text)
                if column in (2, 4):  # numbers
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
            if current and source.name.casefold() == current:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._selection_changed()

    def selected(self) -> Source | None:
        """The source chosen in the table, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self._sources[rows[0].row()] if rows and rows[0].row() < len(self._sources) else None

    def _selection_changed(self) -> None:
        source = self.selected()
        self.details.setPlainText(words.details_text(source) if source else "")
        self._enable()

    def _enable(self) -> None:
        idle, source = self._task is None, self.selected()
        feeds = source.kind == "feed" if source else any(s.kind == "feed" for s in self._sources)
        self.pull_button.setEnabled(idle and feeds)
        self.remove_button.setEnabled(idle and source is not None)
        self.restore_button.setVisible(work.can_restore(self.home, self._sources))
        for widget in (self.add_file_button, self.add_feed_button, self.restore_button, self.anyway_button):
            widget.setEnabled(idle)
        self.add_box.setEnabled(idle)

    # --- adding --------------------------------------------------------------------------
    def choose_file(self) -> None:
        """Add file…: a JSON file, or a CSV package (its datapackage.json or any of its CSV files)."""
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a file to import"),
            str(self._file.parent) if self._file else "",
            _("Directory files (*.json *.csv);;All files (*)"),
        )
        if path:
            self.file_chosen(path)

    def file_chosen(self, path: str | Path) -> None:
        """Open the "Add a source" box for the file or folder ``path`` (a CSV file stands for its folder)."""
        chosen = Path(path)
        self._open_add_box(chosen.parent if chosen.suffix.lower() == ".csv" else chosen)  # CSV: the package
        self.import_button.setFocus()

    def choose_feed(self) -> None:
        """Add feed…: open the "Add a source" box for a feed's address."""
        self._open_add_box(None)
        self.where.setFocus()

    def _open_add_box(self, file: Path | None) -> None:
        self._feed, self._file = file is None, file
        self.add_box.setTitle(_("Add a feed") if self._feed else _("Add a file"))
        self.where_caption.setText(_("Feed a&ddress:") if self._feed else _("Fi&le:"))
        self.where.setPlaceholderText(_("e.g. https://example.org/api") if self._feed else "")
        self.where.setReadOnly(not self._feed)  # a file is chosen with Add file…, so it is one that exists
        self.where.setText(clean_text(str(file)) if file else "")  # shown as text; imported as chosen
        self.name_field.clear()
        self.replace_box.setChecked(False)
        self._where_changed(self.where.text())
        self._anyway = None  # "Import anyway" was for the last import; this is another
        self.anyway_button.hide()
        self.outcome.clear()
        self.add_box.show()

    def _where_changed(self, text: str) -> None:
        """Show the name the import will give when none is typed."""
        self.name_field.setPlaceholderText(words.default_name(self.home, text if self._feed else self._file))

    def cancel_add(self) -> None:
        """Close the "Add a source" box without importing."""
        self.add_box.hide()

    def start_import(self) -> bool:
        """Import: check the address and name first, confirm "Replace everything", then import off the GUI thread."""
        from coventry_directory.exchange.importing import check_feed_url
        from coventry_directory.exchange.sources import check_name

        if self._task is not None or self.add_box.isHidden():
            return False
        try:
            where = check_feed_url(self.where.text()) if self._feed else str(self._file)
            name = check_name(self.name_field.text()) if self.name_field.text().strip() else None
        except ExchangeError as exc:  # a bad address or name: said before anything runs
            self._say(False, str(exc))
            return False
        replace = self.replace_box.isChecked()
        if replace and not self._confirm(words.replace_question(name or self.name_field.placeholderText())):
            return False
        return self._start(work.Job(work.ADD_FEED if self._feed else work.ADD_FILE, where, name, replace=replace))

    # --- the other changes ---------------------------------------------------------------
    def pull_now(self) -> bool:
        """Pull now: what changed in the chosen feed, or in every feed when none is chosen."""
        source = self.selected()
        feeds = [source] if source else [s for s in self._sources if s.kind == "feed"]
        if not feeds or any(s.kind != "feed" for s in feeds):
            self._say(False, _("Only a feed can be pulled; to update a file, add it again."))
            return False
        return self._start(work.Job(work.PULL, feeds=tuple((s.name, s.location) for s in feeds)))

    def remove_selected(self) -> bool:
        """Remove…: after confirmation naming the source and what it brings; never the only source."""
        source = self.selected()
        if source is None or self._task is not None:
            return False
        if len(self._sources) < 2:
            self._say(False, words.only_source_text(source.name))
            return False
        if not self._confirm(words.remove_question(source.name, source.services)):
            return False
        return self._start(work.Job(work.REMOVE, name=source.name))

    def restore_edition(self) -> bool:
        """Restore the edition: the installed one (else the shipped one) comes back as the first source."""
        return self._start(work.Job(work.RESTORE))

    def import_anyway(self) -> bool:
        """Import anyway: after confirmation, the refused import again, accepting a source that shrinks."""
        job = self._anyway
        if job is None or self._task is not None or not self._confirm(words.anyway_question()):
            return False
        return self._start(job)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.windowTitle(), text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    # --- running -------------------------------------------------------------------------
    def busy(self) -> bool:
        """True while a change is running."""
        return self._task is not None

    def _start(self, job: work.Job) -> bool:
        """Run ``job`` off the GUI thread, unless one already runs (a second click starts nothing)."""
        if self._task is not None:
            return False
        home = self.home
        # The work reads ``task`` when it runs, in its thread: by then the name is bound.
        task = BackgroundTask(lambda: work.run_job(job, home, task.progress), name="sources")
        self._task, self._job, self._anyway = task, job, None
        self.anyway_button.hide()
        self._enable()  # before the thread starts: no click can slip in between
        self.progress.setRange(0, 0)  # busy until a report says how much there is
        self.progress.show()
        self.stage.setText(_("Starting…"))
        self.outcome.clear()
        task.progressed.connect(self._progressed)
        task.finished.connect(self._finished)  # bound slots: dropped if the dialog goes first
        task.start()
        return True

    @Slot(str, int, object)
    def _progressed(self, stage: str, done: int, total: object) -> None:
        count = total if isinstance(total, int) and total > 0 else None
        self.progress.setRange(0, count or 0)  # 0 to 0: busy, for a stage whose size is not known
        self.progress.setValue(min(done, count or 0))
        self.stage.setText(words.stage_text(stage, done, count))

    @Slot(object)
    def _finished(self, outcome: object) -> None:
        task, self._task = self._task, None
        report = work.report_of(self._job, outcome, task.result if task else None)
        self._anyway = report.anyway
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setVisible(report.ok)
        self.stage.setText(_("Done.") if report.ok else "")
        if report.select:
            self.cancel_add()
        self.reload(report.select)
        if report.invalid is not None:
            self.table.clearSelection()
            self.details.setPlainText(words.problems_text(report.invalid))
        self.anyway_button.setVisible(self._anyway is not None)
        self._say(report.ok, report.text)
        if report.changed:
            self.directory_changed.emit(report.total, len(self._sources))
        self.work_done.emit(report.changed, report.text)

    def _say(self, ok: bool, text: str) -> None:
        font = self.outcome.font()
        font.setBold(not ok)  # weight, not a colour: it reads in every theme
        self.outcome.setFont(font)
        self.outcome.setText(text)

    def reject(self) -> None:  # Qt API: Close, Esc and the window's close button
        """Close; while a change runs, ask first, and let it finish (it cannot be stopped half-way)."""
        if self._task is not None and not self._confirm(words.close_question()):
            return
        super().reject()


def open_sources(window: MainWindow) -> SourcesDialog:
    """Directory ▸ Sources…: one dialog per window, shown again (still working, perhaps) when reopened."""
    from coventry_directory.exchange.sources import installed_home

    dialog = window.findChild(SourcesDialog)
    if dialog is None:
        dialog = SourcesDialog(installed_home(), window)
        dialog.directory_changed.connect(partial(work.follow_directory, window))
    elif not dialog.busy():
        dialog.reload()
    dialog.open()  # window-modal, and the event loop runs on: the work reports as it goes
    return dialog
