"""Keeper mode's correction queue: workers' notes beside their records, accepted or rejected, the outcome kept.

The notes wait in the keeper's own user database (``core.correction_queue``, as the
``corrections`` commands keep them). **Import…** reads workers' exports and emails
(``exchange.correction_reports``: each note once however often it comes); choosing a note
shows it with its record; **Accept** records the outcome and opens the record in the editor
(``open_record``); **Reject** asks why and records that. Nothing is ever deleted.

A provider's proposal from a returned check form (``check-form import``) is listed the same
way, with the field, what the directory lists and the value proposed shown prominently.
Accepting one opens its service and, for a field the editor holds as one plain text (name,
what it does, email, web page, how to get in, who it is for), fills the proposed value in,
as if the keeper had typed it: it is checked, cited and saved like any edit. Phones, hours,
addresses, ages and languages are rows or codes in the editor, and an organisation is not
edited in keeper mode: for those the proposed value stays in view beside the editor, to be
put in by hand.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
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
from coventry_directory.core.check_forms import FIELD_LABELS
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.i18n import _
from coventry_directory.input_files import InputFileError
from coventry_directory.store.correction_queue import CorrectionQueueStore
from coventry_directory.store.user import UserStore
from coventry_directory.ui.keeper_form import RecordForm

# check-form fields the editor holds as one plain text: a proposal for one is filled in as typed
PREFILL_LINES = ("name", "email", "url")
PREFILL_TEXTS = ("description", "application_process", "eligibility_description")


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
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # a worker's words and a sender's name, never markup
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a provider's proposed value, where the keeper's eye goes: it may have to be copied in by hand
        self.proposal = QLabel()
        self.proposal.setWordWrap(True)
        self.proposal.setTextFormat(Qt.TextFormat.PlainText)
        self.proposal.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.proposal.setAccessibleName(_("Proposed value"))
        bold = QFont(self.proposal.font())
        bold.setBold(True)
        self.proposal.setFont(bold)
        self.proposal.hide()
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
        layout.addWidget(self.proposal)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        """List the open notes again, oldest first."""
        self.notes.clear()
        entries = queue.queue_entries(self.rows, self.directory)
        for note in entries:
            where = note.service_key or _("(not in the directory)")
            item = QListWidgetItem(f"{note.short_id}  {note.created_at[:10]}  {where}: {summary(note)}")
            item.setData(Qt.ItemDataRole.UserRole, note)
            self.notes.addItem(item)
        self._chosen(None, None)
        self.changed.emit(len(entries))

    def _chosen(self, current: QListWidgetItem | None, _previous) -> None:
        note: queue.QueuedNote | None = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.accept_button.setEnabled(note is not None)
        self.reject_button.setEnabled(note is not None)
        if note is None:
            self.detail.setText(_("Choose a note to see it beside its record."))
            return  # what an accepted proposal asks of the keeper stays in view
        self._show_proposal(note)
        self.detail.setText(
            _("About {service}, from {who}, {when}:\n{note}").format(
                service=note.service_name or note.service_key or note.service_id,
                who=note.reported_by or _("a worker"),
                when=note.created_at[:10],
                note=note.note,
            )
        )
        if note.service_key and note.record_kind != queue.ORGANIZATION:
            self.open_record.emit(note.service_key)

    def _show_proposal(self, note: queue.QueuedNote, text: str | None = None) -> None:
        """Show a proposal's field and value prominently (``text`` instead, after it is accepted); hide it for a note."""
        if not note.is_proposal:
            self.proposal.hide()
            return
        if text is None:
            field = field_label(note)
            text = (
                _("Proposed for {field}: {value}").format(field=field, value=note.proposed)
                if note.proposed
                else _("{field}: said to be wrong; no correction given").format(field=field)
            )
        self.proposal.setText(text)
        self.proposal.show()

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
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def accept_note(self) -> None:
        """Record that the note was right, then open its record to fix it."""
        note = self._current()
        if note is None:
            return
        self._resolve(note, queue.ACCEPTED, None)
        if note.is_proposal:
            self._accepted_proposal(note)
        elif note.service_key:
            self.open_record.emit(note.service_key)

    def _accepted_proposal(self, note: queue.QueuedNote) -> None:
        """Open the proposal's service and fill the value in where the editor holds it simply; else keep it in view."""
        field = field_label(note)
        if note.record_kind == queue.ORGANIZATION or not note.service_key:
            self._show_proposal(
                note,
                _("Change “{field}” in the organisation's file by hand (keeper mode edits services): {value}").format(
                    field=field, value=note.proposed or _("said to be wrong; no correction given")
                ),
            )
            return
        self.open_record.emit(note.service_key)
        form = self._editor_for(note.service_key)
        if form is not None and note.proposed and prefill(form, note.field or "", note.proposed):
            self._show_proposal(
                note,
                _("The proposed {field} is filled in: say where it comes from, then save. Proposed: {value}").format(
                    field=field, value=note.proposed
                ),
            )
            return
        self._show_proposal(
            note,
            _("Put the proposed {field} into the record by hand: {value}").format(
                field=field, value=note.proposed or _("said to be wrong; no correction given")
            ),
        )

    def _editor_for(self, key: str) -> RecordForm | None:
        """The keeper window's form, if it shows the record ``key`` now (it may not: an unsaved edit kept it).

        The window opens a record as soon as ``open_record`` is emitted; its ``form`` and
        ``records`` are public attributes, so this needs nothing more of it.
        """
        window = self.window()
        form, records = getattr(window, "form", None), getattr(window, "records", None)
        if not isinstance(form, RecordForm) or not isinstance(records, QListWidget) or not form.isEnabled():
            return None
        item = records.currentItem()
        return form if item is not None and item.data(Qt.ItemDataRole.UserRole) == key else None

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


def summary(note: queue.QueuedNote) -> str:
    """One line for the list: a proposal's field and value, or the note's text."""
    if not note.is_proposal:
        return note.note
    if note.proposed:
        return _("{field}, proposed: {value}").format(field=field_label(note), value=" ".join(note.proposed.split()))
    return _("{field}: said to be wrong").format(field=field_label(note))


def field_label(note: queue.QueuedNote) -> str:
    """The check form's label for a proposal's field (its id if this version does not know it)."""
    return FIELD_LABELS.get(note.field or "", note.field or "?")


def prefill(form: RecordForm, field: str, value: str) -> bool:
    """Put ``value`` into the editor's ``field`` as if typed (the window checks it); False if it is not a simple text there."""
    if field in PREFILL_LINES and field in form.lines:
        form.lines[field].setText(value)
        return True
    if field in PREFILL_TEXTS and field in form.texts:
        form.texts[field].setPlainText(value)
        return True
    return False


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
