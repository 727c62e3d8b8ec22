"""Keeper mode's correction queue: workers' notes beside their records, accepted or rejected, the outcome kept.

The notes wait in the keeper's own user database (``core.correction_queue``, as the
``corrections`` commands keep them). **Import…** reads workers' exports and emails
(``exchange.correction_reports``: each note once however often it comes); choosing a note
shows it with its record; **Accept** records the outcome and opens the record in the editor
(``open_record``); **Reject** asks why and records that. Nothing is ever deleted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core import correction_queue as queue
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.i18n import _
from coventry_directory.input_files import InputFileError
from coventry_directory.store.correction_queue import CorrectionQueueStore
from coventry_directory.store.user import UserStore


class CorrectionsPanel(QWidget):
    """The open correction notes; ``open_record`` asks the window to edit a note's record (by key)."""

    open_record = Signal(str)
    changed = Signal(int)  # how many notes are open now

    def __init__(self, user: UserStore, directory=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.user = user
        self.rows = CorrectionQueueStore(user)
        self.directory = directory  # links a note to its service's current key and name (None: as imported)
        self.notes = QListWidget()
        self.notes.setAccessibleName(_("Correction notes"))
        self.notes.currentItemChanged.connect(self._chosen)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.PlainText)  # a worker's words and a sender's name, never markup
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.import_button = QPushButton(_("Import correction files…"))
        self.accept_button = QPushButton(_("Accept and edit the record"))
        self.reject_button = QPushButton(_("Reject…"))
        self.import_button.clicked.connect(self.choose_files)
        self.accept_button.clicked.connect(self.accept_note)
        self.reject_button.clicked.connect(self.reject_note)
        buttons = QHBoxLayout()
        for button in (self.accept_button, self.reject_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.import_button)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        """List the open notes again, oldest first."""
        self.notes.clear()
        entries = queue.queue_entries(self.rows, self.directory)
        for note in entries:
            where = note.service_key or _("(not in the directory)")
            item = QListWidgetItem(f"{note.short_id}  {note.created_at[:10]}  {where}: {note.note}")
            item.setData(Qt.UserRole, note)
            self.notes.addItem(item)
        self._chosen(None, None)
        self.changed.emit(len(entries))

    def _chosen(self, current: QListWidgetItem | None, _previous) -> None:
        note: queue.QueuedNote | None = current.data(Qt.UserRole) if current is not None else None
        self.accept_button.setEnabled(note is not None)
        self.reject_button.setEnabled(note is not None)
        if note is None:
            self.detail.setText(_("Choose a note to see it beside its record."))
            return
        self.detail.setText(
            _("About {service}, from {who}, {when}:\n{note}").format(
                service=note.service_name or note.service_key or note.service_id,
                who=note.reported_by or _("a worker"),
                when=note.created_at[:10],
                note=note.note,
            )
        )
        if note.service_key:
            self.open_record.emit(note.service_key)

    def import_files(self, paths: list[Path]) -> list[str]:
        """Queue the notes of each file; returns one line per file saying what happened."""
        lines = []
        for path in paths:
            try:
                count = queue_file(path, self.user, self.directory)
            except (InputFileError, ExchangeError, OSError, ValueError) as exc:
                lines.append(_("{file}: not imported: {why}").format(file=path.name, why=exc))
                continue
            lines.append(_("{file}: {notes} notes, {new} new").format(file=path.name, notes=count.notes, new=count.new))
        self.refresh()
        return lines

    def choose_files(self) -> None:
        """Ask for workers' correction files (JSON exports or emails) and queue their notes."""
        names, _filter = QFileDialog.getOpenFileNames(
            self, _("Correction files from workers"), "", _("Correction notes (*.json *.eml);;All files (*)")
        )
        if names:
            QMessageBox.information(self, _("Correction notes"), "\n".join(self.import_files([Path(n) for n in names])))

    def _current(self) -> queue.QueuedNote | None:
        item = self.notes.currentItem()
        return item.data(Qt.UserRole) if item is not None else None

    def accept_note(self) -> None:
        """Record that the note was right, then open its record to fix it."""
        note = self._current()
        if note is None:
            return
        self._resolve(note, queue.ACCEPTED, None)
        if note.service_key:
            self.open_record.emit(note.service_key)

    def reject_note(self) -> None:
        """Ask why the note is not taken up, then record it."""
        note = self._current()
        if note is None:
            return
        why, ok = QInputDialog.getText(self, _("Reject the note"), _("Why is it not taken up? (kept with the note)"))
        if ok:
            self._resolve(note, queue.REJECTED, why.strip() or None)

    def _resolve(self, note: queue.QueuedNote, outcome: str, why: str | None) -> None:
        try:
            queue.resolve(self.rows, note.id, outcome, note=why)
        except queue.CorrectionQueueError as exc:
            QMessageBox.warning(self, _("Correction notes"), str(exc))
        self.refresh()


def queue_file(path: Path, user: UserStore, directory) -> queue.ImportCount:
    """Queue one file's notes (``exchange.correction_reports.import_correction_file``)."""
    from coventry_directory.exchange.correction_reports import import_correction_file

    return import_correction_file(path, user, directory)


def directory_or_none():
    """The directory this computer searches (to link a note to its service's key and name), or None."""
    from coventry_directory.core.editions import open_directory
    from coventry_directory.store.errors import StoreError

    try:
        return open_directory()
    except StoreError:
        return None
