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

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QColor, QPalette

from coventry_directory.core.editions import current_directory_path, open_directory
from coventry_directory.store.user import UserStore
from coventry_directory.ui.app import make_application
from coventry_directory.ui.language import apply_language
from coventry_directory.ui.main_window import MainWindow
from coventry_directory.ui.outbox_access import desk_for
from coventry_directory.ui.readable_style import ReadableStyle
from coventry_directory.ui.referral_wizard import ReferralWizard
from coventry_directory.userdata import user_database_path

HERE = Path(__file__).resolve().parent


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    app = make_application()
    apply_language("en")  # as the app starts: the bundled fonts behind the usual one
    path = current_directory_path()
    window = MainWindow(open_directory(path), UserStore(user_database_path()), path)
    window.resize(1400, 860)
    window.show()
    wait(800)
    window.grab().save(str(HERE / "start-page.png"))
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
    wizard_window(window)
    window.close()
    app.processEvents()
    dark_window(app)
    arabic_window(app)
    return 0


def dark_palette() -> QPalette:
    """A dark theme as a desktop sets one (Fusion's roles), to show the colours follow the palette."""
    pal = QPalette()
    for role, colour in (
        (QPalette.Window, "#2b2b2b"),
        (QPalette.WindowText, "#e8e8e8"),
        (QPalette.Base, "#1e1e1e"),
        (QPalette.AlternateBase, "#333333"),
        (QPalette.Text, "#e8e8e8"),
        (QPalette.Button, "#3a3a3a"),
        (QPalette.ButtonText, "#e8e8e8"),
        (QPalette.Highlight, "#2f65ca"),
        (QPalette.HighlightedText, "#ffffff"),
        (QPalette.Mid, "#5a5a5a"),
        # the bevels and check-box frames: left at Qt's light defaults they vanish on dark
        (QPalette.Light, "#6a6a6a"),
        (QPalette.Midlight, "#4a4a4a"),
        (QPalette.Dark, "#1a1a1a"),
        (QPalette.Shadow, "#000000"),
        (QPalette.PlaceholderText, "#9a9a9a"),
        (QPalette.ToolTipBase, "#3a3a3a"),
        (QPalette.ToolTipText, "#e8e8e8"),
        (QPalette.Link, "#8ab4f8"),
    ):
        pal.setColor(role, QColor(colour))
    return pal


def _window() -> MainWindow:
    path = current_directory_path()
    window = MainWindow(open_directory(path), UserStore(user_database_path()), path)
    window.resize(1400, 860)
    window.show()
    wait(800)
    return window


def wizard_window(window: MainWindow) -> None:
    """referral-wizard.png: the referral wizard's first step, filled in with invented details."""
    sid = window.controller.store.resolve_service_id("cov-cgl-adult")
    wizard = ReferralWizard([window.controller.service(sid)], desk_for(window.controller.user), parent=window)
    fields = wizard.summary_fields
    for name, value in (("name", "Sam Example"), ("date_of_birth", "01/02/1990"), ("phone", "07700 900123")):
        fields[name].setText(value)
    fields["postcode"].setText("CV1 9ZZ")  # CV1 9ZZ and 07700 900123 are reserved for examples
    fields["pattern_of_use"].setPlainText("Drinks daily; wants to cut down before starting a new job.")
    substances = fields["substances"]
    for i in range(substances.count()):
        if substances.item(i).data(Qt.UserRole) == "alcohol":
            substances.item(i).setCheckState(Qt.Checked)
    wizard.show()
    wait(600)
    wizard.grab().save(str(HERE / "referral-wizard.png"))
    wizard.close()


def dark_window(app) -> None:
    """main-window-dark.png: a search for naloxone near Rugby in a dark theme."""
    before_style, before_palette = app.style().baseStyle().name(), app.palette()
    app.setStyle(ReadableStyle("Fusion"))  # the app's own style wrapper, on Fusion (Qt's dark-mode style)
    app.setPalette(dark_palette())
    window = _window()
    window.search_box.setText("naloxone rugby")
    wait(1200)
    window.grab().save(str(HERE / "main-window-dark.png"))
    window.close()
    app.setStyle(ReadableStyle(before_style))
    app.setPalette(before_palette)
    app.processEvents()


def arabic_window(app) -> None:
    """main-window-ar.png: the app in Arabic (right to left), a search for needle exchange near Nuneaton."""
    apply_language("ar")
    window = _window()
    window.search_box.setText("needle exchange nuneaton")
    wait(1200)
    window.grab().save(str(HERE / "main-window-ar.png"))
    window.close()
    apply_language("en")
    app.processEvents()


if __name__ == "__main__":
    sys.exit(main())
