"""Keeper mode's two record actions besides Save: mark a record checked, and start a new service.

A mixin of ``ui.keeper_window.KeeperWindow`` (it uses the window's record, citation box,
busy flag and background tasks); kept apart so each module stays small.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from coventry_directory.core import assurance, record_edit
from coventry_directory.core.directory_source import DirectorySourceError
from coventry_directory.core.source_files import record_keys
from coventry_directory.i18n import _
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.keeper_dialogs import AssureDialog, NewServiceDialog


class KeeperActions:
    """Mark as checked… and New service…, for the keeper window."""

    def assure(self) -> None:
        """Ask who checked the record and how, then record it in the record's file."""
        if self._key is None or self._writing:
            return
        if self._dirty and not self._may_leave():
            return  # marking it checked reloads the record: unsaved changes would go without a word
        dialog = AssureDialog(self._key, "", self)
        if dialog.exec() != AssureDialog.Accepted:
            return
        key, root, today = self._key, self.root, self.today
        try:
            check = assurance.make_assurance(today=today, **dialog.words())
        except assurance.AssuranceInputError as exc:
            QMessageBox.warning(self, _("Not marked as checked"), str(exc))
            return
        self._busy(True)
        task = BackgroundTask(lambda: assurance.assure(root, key, check), name="keeper-assure")
        task.finished.connect(lambda error: self._assured(task, error))
        self._start(task)

    def _assured(self, task: BackgroundTask, error: object) -> None:
        self._tasks.remove(task)
        self._busy(False)
        if error is not None:
            QMessageBox.warning(self, _("Not marked as checked"), str(error))
            return
        self.statusBar().showMessage(_("{key} marked as checked today").format(key=self._key))
        self.reload()
        self._reload_record()

    def new_service(self) -> None:
        """Start a record: its key, organisation, name, what it does and main category, citing the citation box."""
        if self._dirty and not self._may_leave():
            return
        orgs = record_keys(self.root, "organization")
        files = sorted(p.name for p in (self.root / "services").glob("*.toml"))
        dialog = NewServiceDialog(orgs, files, self._categories, self)
        if dialog.exec() != NewServiceDialog.Accepted:
            return
        try:
            record_edit.new_service(
                self.root, dialog.file.currentText(), dialog.record(), self.citation.citation(), self.today
            )
        except (record_edit.SourceInputError, DirectorySourceError, OSError) as exc:
            QMessageBox.warning(self, _("The service was not added"), str(exc))
            return
        self._key = dialog.record().key
        self.reload()  # makes the new record current without a signal: load it here
        self._reload_record()
