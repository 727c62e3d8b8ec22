"""What every command family shares: exit codes, the parser class, adding commands, JSON output, the error table.

Handlers raise; they do not print errors or pick exit codes for them. ``main`` catches what a
handler raises and looks its class up in :data:`ERRORS`, which says what the user sees
(one line on stderr, never a traceback) and which exit code the process ends with. The
command-line contract in docs/architecture.md fixes the codes: 2 for bad input, 1 for failures.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from coventry_directory import APP_ID
from coventry_directory.disk_errors import database_error, os_error_text

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # stopped with Ctrl+C, as a shell reports a command SIGINT ended (128 + 2)


class UsageError(Exception):
    """Bad input from the user: reported in one line with exit code 2."""


class Interrupted(Exception):
    """A command stopped with Ctrl+C that says what state it left (exit code 130); the message is that state."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line (no usage dump) and exits 2."""

    def error(self, message: str):
        """Raise UsageError instead of argparse's usage dump and exit.

        Raised rather than printed so that main() reports it through the error table like any other bad input.
        """
        raise UsageError(f"{message} (try '{self.prog} --help')")


Handler = Callable[[argparse.Namespace], int]


def add_command(subparsers, name: str, handler: Handler, **options) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` that runs ``handler``; ``options`` go to ``add_parser`` (help, description).

    Returns the new parser, for its arguments. ``main`` runs the ``handler`` the parsed arguments carry.
    """
    parser = subparsers.add_parser(name, **options)
    parser.set_defaults(handler=handler)
    return parser


def add_service_id(parser: argparse.ArgumentParser) -> None:
    """The SERVICE_ID argument, the same for every command about one service."""
    parser.add_argument("service_id", metavar="SERVICE_ID", help="a service id (UUID) or directory key")


# --- argument values: paths keep their bytes, text is made safe ------------------------
class PathText(str):
    """An argument that names a file but is kept as text (``-o`` that may end in ``/``, an import source).

    :func:`clean_arguments` leaves it, and :class:`~pathlib.Path` values, as the user typed
    them: a file name that is not UTF-8 arrives as lone surrogates, which the OS functions turn
    back into the very same bytes, so the file the user named is the file used.
    """


def _no_nul(value: str) -> str:
    if "\0" in value:
        raise argparse.ArgumentTypeError("a file name cannot contain a NUL character")
    if not value:
        raise argparse.ArgumentTypeError("an empty file name")
    return value


def path_arg(value: str) -> Path:
    """The argparse ``type=`` for a file or folder argument: a Path (NUL and empty names refused)."""
    return Path(_no_nul(value))


path_arg.__name__ = "path"  # argparse names the type in its messages: "invalid path value"


def path_text(value: str) -> PathText:
    """The argparse ``type=`` for a file argument kept as text (see :class:`PathText`)."""
    return PathText(_no_nul(value))


path_text.__name__ = "path"


def positive_number(value: str) -> float:
    """The argparse ``type=`` for a number of seconds: finite and above 0 (not nan, inf or -1)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {value!r}")
    return number


def clean_arguments(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with every text value made safe for SQLite, files and terminals (see core.text.clean_text).

    Undecodable bytes in an argument arrive as lone surrogates (Python decodes the command
    line with ``surrogateescape``); in a search, a service key or a setting they would reach
    SQLite and raise. Paths (:class:`~pathlib.Path` and :class:`PathText` values) are left
    as they are, so a file whose name is not UTF-8 can still be named.
    """
    from coventry_directory.core.text import clean_text

    def clean(value):
        if isinstance(value, str) and not isinstance(value, PathText):
            return clean_text(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    for name, value in vars(args).items():
        setattr(args, name, clean(value))
    return args


@contextmanager
def user_store(*, write: bool = False) -> Iterator:
    """The user's own database (referral log, outbox metadata, mail settings), closed afterwards.

    ``write``: the command will change it, so the data folder is proved writable first
    (DataFolderError, one clear line, before any work). A database that does not exist yet
    will be made, so that needs a writable folder too. A SQLite error inside the block (a
    disk that fills up) is raised worded, naming the user's database.
    """
    from coventry_directory.disk_errors import database_writes
    from coventry_directory.store.user import UserStore
    from coventry_directory.userdata import require_writable_data_dir, user_database_path

    path = user_database_path()
    if write or not path.exists():
        require_writable_data_dir()
    with database_writes(path):
        store = UserStore(path)
        try:
            yield store
        finally:
            store.close()


def print_json(data) -> None:
    """Write ``data`` as readable UTF-8 JSON on stdout (every ``--json`` option uses this)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# --- how each kind of error is reported ---------------------------------------------
Reporter = Callable[[BaseException, argparse.Namespace | None], None]


def one_line(text: object) -> str:
    r"""``text`` as one printable line: line breaks joined, undecodable bytes shown as ``\xNN``.

    Every error message goes through this, so that it is exactly one line on stderr, never
    fails to print and never sends a terminal control sequence, whatever bytes a file name
    or an argument held.
    """
    line = " ".join(str(text).split())
    if len(line) > MAX_LINE:  # a 100,000-character argument echoed back helps nobody
        line = line[: MAX_LINE - 1] + "…"
    return visible(line)


def visible(text: object) -> str:
    r"""``text`` with every control character, direction override and undecodable byte shown escaped (``\x0a``, ``\x1b``, ``\u202e``, ``\xff``).

    For what a listing prints from a file, a feed or a file name: a newline in a file's
    name must not start a line of its own, nor an escape sequence recolour the terminal,
    nor an override turn the line around (``core.text.terminal_safe``).
    """
    from coventry_directory.core.text import terminal_safe

    return terminal_safe(text)


MAX_LINE = 2000


def say(message: object) -> None:
    """Print one error line on stderr (through :func:`one_line`)."""
    print(one_line(message), file=sys.stderr)


def json_refusal(exc: BaseException, args: argparse.Namespace | None, reason: str) -> None:
    """With ``--json``, on a command that promises it (``import``, ``sources``): the refusal as JSON on stdout.

    One object, so that a program reading stdout always gets one: ``ok`` false, ``refused``
    true, the ``reason`` (the line stderr gets, without the program's name), the
    ``exit_code``, the ``source`` the refusal is about (the file, folder or address; null for
    ``sources``) and its ``problems`` (``path``, ``message``; empty when there are none).
    The exit code and the line on stderr are as without ``--json``.
    """
    if not (getattr(args, "json", False) and getattr(args, "json_refusals", False)):
        return
    rule = rule_for(exc)
    problems = getattr(exc, "problems", None) or []
    print_json(
        {
            "ok": False,
            "refused": True,
            "reason": one_line(reason),
            "exit_code": rule.exit_code if rule else EXIT_FAILURE,
            "source": getattr(exc, "source", None) or getattr(args, "source", None),
            "problems": [{"path": p.path, "message": p.message} for p in problems],
        }
    )


def report_bad_input(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr, marked as an error in the user's input."""
    json_refusal(exc, args, str(exc))
    say(f"{APP_ID}: error: {exc}")


def report_failure(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr: something went wrong that is not the user's input."""
    json_refusal(exc, args, str(exc))
    say(f"{APP_ID}: {exc}")


def report_os_error(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr for a file or network problem (see :func:`os_error_text`)."""
    json_refusal(exc, args, os_error_text(exc))
    say(f"{APP_ID}: {os_error_text(exc)}")


def report_database_error(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line for a SQLite error no command worded itself (which database is not known here)."""
    report_os_error(database_error(exc, None) or exc, args)


def report_invalid_data(exc: BaseException, args: argparse.Namespace | None) -> None:
    """Every problem in the rejected data on stdout (as JSON with ``--json``), then the one-line error."""
    problems = getattr(exc, "problems", [])
    if getattr(args, "json", False):
        if getattr(args, "json_refusals", False):
            json_refusal(exc, args, str(exc))
        else:
            print_json(
                {
                    "ok": False,
                    "source": getattr(exc, "source", None),
                    "problems": [{"path": p.path, "message": p.message} for p in problems],
                }
            )
    else:
        for problem in problems:
            print(problem)
    say(f"{APP_ID}: error: {exc}")


def report_interrupted(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr saying what a command stopped with Ctrl+C left (and its JSON with ``--json``)."""
    json_refusal(exc, args, str(exc))
    say(f"{APP_ID}: {exc}")


def report_nothing(exc: BaseException, args: argparse.Namespace | None) -> None:
    """Say nothing: the user already knows (they pressed Ctrl+C, or closed the pipe we were writing to)."""


@dataclass(frozen=True)
class ErrorRule:
    """What the user sees for one class of error, and the exit code it ends with."""

    exit_code: int
    report: Reporter


BAD_INPUT = ErrorRule(EXIT_BAD_INPUT, report_bad_input)
FAILURE = ErrorRule(EXIT_FAILURE, report_failure)


# Exception class (by its full dotted name) -> how it is reported and the exit code. The most specific
# class listed wins, so InvalidData beats ExchangeError and BrokenPipeError beats OSError. Names rather
# than imported classes so that this table costs no imports: several classes live in modules that pull
# in reportlab or cryptography. tests/test_cli.py checks that every name is a real exception class.
ERRORS: dict[str, ErrorRule] = {
    # Bad input (exit 2): the user can fix it by changing what they typed or gave us.
    f"{__name__}.UsageError": BAD_INPUT,
    "coventry_directory.core.places.UnknownPlace": BAD_INPUT,  # --near: a place we do not know
    "coventry_directory.i18n.languages.UnknownLanguage": BAD_INPUT,  # --lang: a code with no translation
    "coventry_directory.leaflets.base.LeafletError": BAD_INPUT,  # no leaflet can be made from these arguments
    "coventry_directory.referrals.log.LogError": BAD_INPUT,  # referral mark: no such referral or status
    "coventry_directory.referrals.crypto.OutboxKeyError": BAD_INPUT,  # a wrong or too short outbox passphrase
    "coventry_directory.exchange.errors.InvalidData": ErrorRule(EXIT_BAD_INPUT, report_invalid_data),
    "coventry_directory.exchange.errors.UnknownSource": BAD_INPUT,  # import: neither HSDS files nor a feed URL
    "coventry_directory.exchange.errors.EmptySource": BAD_INPUT,  # import: no services; the directory is kept
    "coventry_directory.exchange.sources.SourceError": BAD_INPUT,  # sources: no such source, a shrink refused ...
    "coventry_directory.exchange.source_lock.SourcesBusy": FAILURE,  # another import is changing the directory
    "coventry_directory.input_files.InputFileError": BAD_INPUT,  # a named file that is a pipe, folder, too big ...
    "coventry_directory.exchange.errors.BundleError": BAD_INPUT,  # a refused bundle (damaged, untrusted ...)
    "coventry_directory.exchange.signing.SigningKeyError": BAD_INPUT,  # no usable signing key, or one exists
    # Failures (exit 1): the input was fine but the work could not be done.
    "coventry_directory.exchange.errors.ExchangeError": FAILURE,  # network, feed, mail or install failures
    "coventry_directory.referrals.crypto.OutboxKeyLost": FAILURE,  # key.json missing/damaged with referrals sealed
    "coventry_directory.core.directory_source.DirectorySourceError": FAILURE,  # build-db: wrong source files
    "coventry_directory.store.errors.StoreError": FAILURE,  # a database that cannot be opened
    "coventry_directory.i18n.catalogs.CatalogError": FAILURE,  # translation catalogs missing or broken
    "coventry_directory.typeset.fonts.FontError": FAILURE,  # a leaflet font missing
    "builtins.OSError": ErrorRule(EXIT_FAILURE, report_os_error),  # disk or network
    "sqlite3.Error": ErrorRule(EXIT_FAILURE, report_database_error),  # a database write no command worded
    "builtins.KeyboardInterrupt": ErrorRule(EXIT_FAILURE, report_nothing),
    f"{__name__}.Interrupted": ErrorRule(EXIT_INTERRUPTED, report_interrupted),  # import: Ctrl+C, and what it left
    # The reader went away (``coventry-directory show x | head``): a normal end, nothing to report.
    "builtins.BrokenPipeError": ErrorRule(EXIT_OK, report_nothing),
}


def error_table() -> dict[type[BaseException], ErrorRule]:
    """:data:`ERRORS` keyed by the classes themselves, for each class whose module is already imported.

    That is enough: an exception can only be raised once its class, and so every base class, has been
    imported; a class whose module is not loaded cannot be in the MRO of anything raised.
    """
    table = {}
    for name, rule in ERRORS.items():
        module, _, class_name = name.rpartition(".")
        cls = getattr(sys.modules.get(module), class_name, None)
        if cls is not None:
            table[cls] = rule
    return table


def rule_for(exc: BaseException) -> ErrorRule | None:
    """The rule for ``exc``: the entry of its most specific class listed, or None if no entry covers it."""
    table = error_table()
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return None


def add_publisher_options(parser: argparse.ArgumentParser) -> None:
    """The options of a signed edition (``bundle build``, ``publish``): key, maintainer address, source."""
    parser.add_argument(
        "--signing-key",
        type=path_text,
        metavar="FILE",
        help="the publisher's Ed25519 private key (default: $COVENTRY_DIRECTORY_SIGNING_KEY)",
    )
    parser.add_argument(
        "--maintainer-email",
        metavar="ADDR",
        help="where users' corrections go (default: $COVENTRY_DIRECTORY_MAINTAINER_EMAIL)",
    )
    parser.add_argument("--source", metavar="TEXT", help="where the data came from (shown in the manifest)")
