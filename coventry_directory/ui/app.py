"""Starts the desktop app: one QApplication, the stores opened, the main window shown.

Any unexpected error, on any thread, shows a plain-language message and is logged (type
and where, never the data the user typed) to the log folder, instead of a traceback
(see ui/errors.py).

The app speaks the language chosen in Settings (English until one is chosen; never the
OS locale); ``gui --lang CODE`` overrides it for one run (see i18n/choice.py).
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler

from PySide6.QtWidgets import QApplication, QMessageBox

from coventry_directory import APP_NAME, __version__
from coventry_directory.i18n import _
from coventry_directory.store.errors import StoreError
from coventry_directory.store.user import UserStore
from coventry_directory.ui import readable_style
from coventry_directory.ui.errors import install_exception_hook
from coventry_directory.ui.window_geometry import fit_to_screen
from coventry_directory.userdata import PrivateLogHandler, log_dir, user_database_path

log = logging.getLogger("coventry_directory")


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication (reused if one exists, as in tests), its style made readable in dark themes."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    readable_style.install(app)  # tick boxes that show on a dark background (ui/readable_style.py)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Coventry Directory")
    return app


def setup_logging() -> None:
    """A small rotating log file; messages are about the program, never about clients."""
    target = str(log_dir() / "coventry-directory.log")
    for old in [h for h in log.handlers if isinstance(h, RotatingFileHandler)]:
        if old.baseFilename == target:
            return
        log.removeHandler(old)  # the data folder changed (portable mode, tests): follow it
        old.close()
    handler = PrivateLogHandler(target, maxBytes=512_000, backupCount=2, encoding="utf-8")  # 0600
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def run_app(lang: str | None = None) -> int:
    """Open the main window (in ``lang`` if given) and run the event loop; returns the exit code."""
    from coventry_directory.core.editions import current_directory_path, open_directory
    from coventry_directory.i18n.choice import SETTING_KEY, resolve, ui_language
    from coventry_directory.ui.language import WindowHost, apply_language

    if lang:
        ui_language(lang)  # an unknown code raises UnknownLanguage (the CLI checks it first: exit 2)
    app = make_application()
    setup_logging()
    install_exception_hook()
    if lang:
        apply_language(lang)  # so even a "could not open" message speaks it
    try:
        path = current_directory_path()
        store = open_directory(path)
        user = UserStore(user_database_path())
    except StoreError as exc:
        log.error("could not open a database: %s", type(exc).__name__)
        QMessageBox.critical(
            None,
            APP_NAME,
            _(
                "The service directory could not be opened.\n\n{problem}\n\nTo recover: install the directory again "
                "from your organisation's bundle (coventry-directory bundle install FILE), or reinstall the app. "
                "Your own data is kept in {folder}."
            ).format(problem=exc, folder=user_database_path().parent),
        )
        return 1
    host = WindowHost(store, user, path)
    host.open(resolve(lang, user.get_setting(SETTING_KEY)).code)
    retry = start_outbox_retry(user)
    log.info("started %s", __version__)
    code = app.exec()
    stop_sending(retry)
    store.close()
    user.close()
    return code


def start_outbox_retry(user: UserStore):
    """Start retrying this user's outbox by itself (soon, then with its back-off); returns the OutboxRetry."""
    from coventry_directory.ui.outbox_access import desk_for
    from coventry_directory.ui.outbox_retry import OutboxRetry

    retry = OutboxRetry(desk_for(user))
    retry.start()
    return retry


def stop_sending(retry) -> None:
    """At exit: no new attempts; let an attempt on the wire end so its result is recorded first."""
    from coventry_directory.ui import send_worker

    retry.stop()
    send_worker.cancel_all()
    send_worker.wait_for_sends()


def run_keeper(root) -> int:
    """Open keeper mode on the folder of directory sources ``root`` and run the event loop; returns the exit code.

    It speaks the language chosen in Settings, as the app does; it opens no directory
    database (it edits the sources the database is built from).
    """
    from coventry_directory.i18n.choice import SETTING_KEY, resolve
    from coventry_directory.ui.keeper_window import KeeperWindow
    from coventry_directory.ui.language import apply_language

    app = make_application()
    setup_logging()
    install_exception_hook()
    try:
        user = UserStore(user_database_path())
        code = resolve(None, user.get_setting(SETTING_KEY)).code
        user.close()
    except StoreError:
        code = "en"  # the keeper's own settings could not be read: the sources can still be kept
    apply_language(code)
    window = KeeperWindow(root)
    fit_to_screen(window, 1200, 800)
    window.show()
    return app.exec()
