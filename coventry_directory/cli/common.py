"""What every command family shares: exit codes, the parser class, adding commands, JSON output, the error table.

Handlers raise; they do not print errors or pick exit codes for them. ``main`` catches what a
handler raises and looks its class up in :data:`ERRORS`, which says what the user sees
(one line on stderr, never a traceback) and which exit code the process ends with. The
command-line contract in docs/architecture.md fixes the codes: 2 for bad input, 1 for failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from coventry_directory import APP_ID

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: reported in one line with exit code 2."""


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


def print_json(data) -> None:
    """Write ``data`` as readable UTF-8 JSON on stdout (every ``--json`` option uses this)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# --- how each kind of error is reported ---------------------------------------------
Reporter = Callable[[BaseException, argparse.Namespace | None], None]


def report_bad_input(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr, marked as an error in the user's input."""
    print(f"{APP_ID}: error: {exc}", file=sys.stderr)


def report_failure(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr: something went wrong that is not the user's input."""
    print(f"{APP_ID}: {exc}", file=sys.stderr)


def report_os_error(exc: BaseException, args: argparse.Namespace | None) -> None:
    """One line on stderr for a file or network problem: the reason, then the file it concerns (if any)."""
    reason = getattr(exc, "strerror", None) or exc
    print(f"{APP_ID}: {reason}: {getattr(exc, 'filename', None) or ''}".rstrip(": "), file=sys.stderr)


def report_invalid_data(exc: BaseException, args: argparse.Namespace | None) -> None:
    """Every problem in the rejected data on stdout (as JSON with ``--json``), then the one-line error."""
    problems = getattr(exc, "problems", [])
    if getattr(args, "json", False):
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
    report_bad_input(exc, args)


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
    "coventry_directory.exchange.errors.BundleError": BAD_INPUT,  # a refused bundle (damaged, untrusted ...)
    "coventry_directory.exchange.signing.SigningKeyError": BAD_INPUT,  # no usable signing key, or one exists
    # Failures (exit 1): the input was fine but the work could not be done.
    "coventry_directory.exchange.errors.ExchangeError": FAILURE,  # network, feed, mail or install failures
    "coventry_directory.core.directory_source.DirectorySourceError": FAILURE,  # build-db: wrong source files
    "coventry_directory.store.errors.StoreError": FAILURE,  # a database that cannot be opened
    "coventry_directory.i18n.catalogs.CatalogError": FAILURE,  # translation catalogs missing or broken
    "coventry_directory.leaflets.fonts.FontError": FAILURE,  # a leaflet font missing
    "builtins.OSError": ErrorRule(EXIT_FAILURE, report_os_error),  # disk or network
    "builtins.KeyboardInterrupt": ErrorRule(EXIT_FAILURE, report_nothing),
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
