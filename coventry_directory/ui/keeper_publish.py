"""Keeper mode's Publish: the whole edition in one step, with what changed shown before it goes out.

``exchange.publishing.publish`` builds the sources with their checks, signs and verifies a
bundle, exports HSDS and writes release notes (what changed since the edition this
computer has). It is run into a hidden folder beside the one the keeper chose; the release
notes are shown, and only when the keeper says Publish is that folder renamed into place.
Cancelled, it is removed: nothing is published by halves.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget

from coventry_directory.i18n import _
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.window_geometry import fit_to_screen


def staging_for(folder: Path) -> Path:
    """The hidden folder beside ``folder`` a publication is made in before the keeper sees its notes."""
    return folder.with_name(f".{folder.name}.to-publish")


def make_publication(root: Path, folder: Path, key_file: Path):
    """Publish the sources under ``root`` into the staging folder of ``folder``; returns the ``Publication``.

    Runs off the GUI thread. An old staging folder (from a publication cancelled by a crash)
    goes first; ``folder`` itself must be new or empty, as ``publish`` requires.
    """
    from coventry_directory.exchange import signing
    from coventry_directory.exchange.publishing import check_output_folder, publish

    check_output_folder(folder)
    key = signing.load_signing_key(key_file)
    staging = staging_for(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return publish(staging, key, source_dir=root)


def put_in_place(publication, folder: Path) -> Path:
    """Rename the staged publication to ``folder`` (an empty folder there is replaced)."""
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    Path(publication.folder).rename(folder)
    return folder


class ReleaseNotesDialog(QDialog):
    """The release notes of a staged publication, and whether to publish it."""

    def __init__(self, notes: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Publish this edition?"))
        layout = QVBoxLayout(self)
        text = QPlainTextEdit(notes)
        text.setReadOnly(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.publish_button = buttons.addButton(_("Publish"), QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, 700, 500)


class Publisher:
    """Asks where and with which key, publishes into staging off the GUI thread, shows the notes, then puts it in place."""

    def __init__(self, window: QWidget, root: Path):
        self.window = window
        self.root = root
        self.task: BackgroundTask | None = None

    def start(self, folder: Path | None = None, key_file: Path | None = None) -> None:
        """Publish into ``folder`` signed with ``key_file`` (asked for when not given)."""
        if self.task is not None:
            return  # one publication at a time: a second click waits for the first
        if key_file is None:
            name, _filter = QFileDialog.getOpenFileName(self.window, _("The publisher's signing key"))
            if not name:
                return
            key_file = Path(name)
        if folder is None:
            name = QFileDialog.getSaveFileName(self.window, _("A new folder for the publication"))[0]
            if not name:
                return
            folder = Path(name)
        root = self.root
        self.task = BackgroundTask(lambda: make_publication(root, folder, key_file), name="keeper-publish")
        self.task.finished.connect(lambda error: self._made(folder, error))
        self.task.start()

    def _made(self, folder: Path, error: object) -> None:
        task, self.task = self.task, None
        if error is not None:
            QMessageBox.warning(self.window, _("Not published"), str(error))
            return
        publication = task.result
        notes = Path(publication.release_notes).read_text(encoding="utf-8")
        if self.confirm(notes):
            try:
                put_in_place(publication, folder)
            except OSError as exc:  # the folder gained files meanwhile, or the disk refused
                shutil.rmtree(publication.folder, ignore_errors=True)
                QMessageBox.warning(self.window, _("Not published"), str(exc))
                return
            self.window.statusBar().showMessage(_("Published into {folder}").format(folder=folder))
        else:
            shutil.rmtree(publication.folder, ignore_errors=True)
            self.window.statusBar().showMessage(_("Not published: nothing was written"))

    def confirm(self, notes: str) -> bool:
        """Show the release notes; True to publish."""
        return ReleaseNotesDialog(notes, self.window).exec() == QDialog.Accepted
