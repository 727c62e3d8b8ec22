"""Unexpected errors, written to the app's log file without anything the user typed.

Both front ends use this: the desktop app's exception hook (ui/errors.py) and the command
line's last-resort handler (cli/__init__.py). An exception's *message* can carry what the
user typed about a client (a name in a form, a query), so what is logged is the exception's
type and the code locations it passed through - enough to find the bug, nothing personal.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from coventry_directory.userdata import PrivateLogHandler, log_dir

LOG_FILE_NAME = "coventry-directory.log"
MAX_LOG_BYTES = 512_000
log = logging.getLogger("coventry_directory")


def describe_exception(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """Type and code locations only, e.g. ``ValueError at search.py:40 run <- ...``."""
    frames = traceback.extract_tb(tb)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-6:]))
    return f"{exc_type.__name__} at {where}" if where else exc_type.__name__


def log_file_path() -> Path:
    """The log file (in the data folder's ``logs``; DataFolderError if it cannot be made)."""
    return log_dir() / LOG_FILE_NAME


def log_unexpected(exc: BaseException, context: str) -> Path:
    """Append one line about ``exc`` (its type and code locations) to the log file; returns the file.

    ``context`` says what was running (``"command search"``), never with its arguments.
    Raises OSError when the log cannot be written (a read-only or full data folder).
    """
    path = log_file_path()
    handler = _StrictLogHandler(str(path), maxBytes=MAX_LOG_BYTES, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    record = log.makeRecord(
        log.name,
        logging.ERROR,
        __file__,
        0,
        "unexpected error in %s: %s",
        (context, describe_exception(type(exc), exc.__traceback__)),
        None,
    )
    try:
        handler.handle(record)
    finally:
        handler.close()
    return path


class _StrictLogHandler(PrivateLogHandler):
    """The app's log file, but a failure to write it raises instead of being printed and ignored.

    logging's handlers print "--- Logging error ---" and a traceback to stderr and carry on;
    here a log that cannot be written is an error the caller words for the user.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """Re-raise the error logging caught while writing ``record``."""
        problem = sys.exc_info()[1]
        if problem is not None:
            raise problem
