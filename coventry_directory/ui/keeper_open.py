"""Directory ▸ Keeper mode…: which folder of sources keeper mode opens on, from the main window."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from coventry_directory.i18n import _
from coventry_directory.ui.keeper_window import KeeperWindow
from coventry_directory.ui.window_geometry import fit_to_screen


def open_keeper(parent: QWidget) -> KeeperWindow | None:
    """Directory ▸ Keeper mode…: the app's own sources, or (when those cannot be written) a folder the keeper picks.

    The window is kept on ``parent`` (``keeper_window``): a window with no parent lives
    only while it is referenced.
    """
    from coventry_directory.resources import directory_source_dir

    root = directory_source_dir()
    if not os.access(root / "services", os.W_OK):
        chosen = QFileDialog.getExistingDirectory(
            parent, _("Choose the folder of directory sources to keep (it holds sources.toml)"), str(root)
        )
        if not chosen:
            return None
        root = Path(chosen)
    if not (root / "sources.toml").is_file() or not (root / "services").is_dir():
        QMessageBox.warning(
            parent, _("Keeper mode"), _("{folder} is not a folder of directory sources.").format(folder=root)
        )
        return None
    window = KeeperWindow(root)
    fit_to_screen(window, 1200, 800)
    window.show()
    parent.keeper_window = window
    return window
