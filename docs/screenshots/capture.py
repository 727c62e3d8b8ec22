"""Takes the README's screenshots of the real window (run under Xvfb or on a desktop).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots/capture.py

Uses a throwaway user folder, so your own shortlist and settings are untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("COVENTRY_DIRECTORY_HOME", tempfile.mkdtemp(prefix="cd-shots-"))

from PySide6.QtCore import QEventLoop, QTimer

from coventry_directory.core.editions import current_directory_path, open_directory
from coventry_directory.store.user import UserStore
from coventry_directory.ui.app import make_application
from coventry_directory.ui.main_window import MainWindow
from coventry_directory.userdata import user_database_path

HERE = Path(__file__).resolve().parent


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    app = make_application()
    path = current_directory_path()
    window = MainWindow(open_directory(path), UserStore(user_database_path()), path)
    window.resize(1400, 860)
    window.show()
    wait(800)
    window.search_box.setText("needle exchange bedworth")
    wait(900)
    window.grab().save(str(HERE / "main-window.png"))
    window.search_box.setText("")
    window.tabs.setCurrentIndex(1)
    window.profile.age.setValue(16)
    window.profile.lives.setEditText("Rugby")
    for i in range(window.profile.substances.count()):
        item = window.profile.substances.item(i)
        if item.text().startswith("Cannabis"):
            item.setCheckState(item.checkState().Checked)
    wait(1200)
    window.grab().save(str(HERE / "client-mode.png"))
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
