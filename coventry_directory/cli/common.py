"""What every command family shares: exit codes, the parser class, JSON output and the error table.

Handlers raise; they do not print errors or pick exit codes for them. ``main`` catches what a
handler raises and looks its class up in :func:`error_table`, which says what the user sees
(one line on stderr, never a traceback) and which exit code the process ends with. The
command-line contract in DESIGN.md fixes the codes: 2 for bad input, 1 for failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from coventry_directory import APP_ID

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: reported in one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line (no usage dump) and exits 2."""

    def error(self, message: str):  # noqa: D102 - argparse API
        # Raised rather than printed so that main() reports it through the error table like any other bad input.
        raise UsageError(f"{message} (try '{self.prog} --help')")


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
        print_json({"ok": False, "source": getattr(exc, "source", None),
                    "problems": [{"path": p.path, "message": p.message} for p in problems]})
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


@lru_cache(maxsize=1)
def error_table() -> dict[type[BaseException], ErrorRule]:
    """Exception class -> how it is reported and its exit code; the most specific class listed wins.

    Built on first use, not at import: the classes live in modules that pull in reportlab and
    cryptography, and a command that succeeds should not pay for importing them.
    """
    from coventry_directory.core.directory_source import DirectorySourceError
    from coventry_directory.core.places import UnknownPlace
    from coventry_directory.exchange.errors import BundleError, ExchangeError, InvalidData, UnknownSource
    from coventry_directory.exchange.signing import SigningKeyError
    from coventry_directory.i18n.catalogs import CatalogError
    from coventry_directory.i18n.languages import UnknownLanguage
    from coventry_directory.leaflets.base import LeafletError
    from coventry_directory.leaflets.fonts import FontError
    from coventry_directory.referrals.crypto import OutboxKeyError
    from coventry_directory.referrals.log import LogError
    from coventry_directory.store.errors import StoreError

    return {
        # Bad input (exit 2): the user can fix it by changing what they typed or gave us.
        UsageError: BAD_INPUT,
        UnknownPlace: BAD_INPUT,            # --near with a town, district or postcode we do not know
        UnknownLanguage: BAD_INPUT,         # --lang with a code we have no translation for
        LeafletError: BAD_INPUT,            # a leaflet that cannot be made from these arguments
        LogError: BAD_INPUT,                # referral mark: no such referral, or an unknown status
        OutboxKeyError: BAD_INPUT,          # a wrong or too short outbox passphrase
        InvalidData: ErrorRule(EXIT_BAD_INPUT, report_invalid_data),
        UnknownSource: BAD_INPUT,           # import: neither an HSDS file/package nor a feed URL
        BundleError: BAD_INPUT,             # a bundle refused: damaged, unsigned, untrusted, a downgrade
        SigningKeyError: BAD_INPUT,         # bundle build/keygen: no usable signing key
        # Failures (exit 1): the input was fine but the work could not be done.
        ExchangeError: FAILURE,             # network, feed or install failures
        DirectorySourceError: FAILURE,      # build-db: the directory source files are wrong
        StoreError: FAILURE,                # a directory or user database that cannot be opened
        CatalogError: FAILURE,              # translation catalogs missing or broken
        FontError: FAILURE,                 # a leaflet font missing
        OSError: ErrorRule(EXIT_FAILURE, report_os_error),
        KeyboardInterrupt: ErrorRule(EXIT_FAILURE, report_nothing),
        # The reader went away (``coventry-directory show x | head``): a normal end, nothing to report.
        BrokenPipeError: ErrorRule(EXIT_OK, report_nothing),
    }


def rule_for(exc: BaseException) -> ErrorRule | None:
    """The rule for ``exc``: the table entry of its most specific class, or None if no entry covers it."""
    table = error_table()
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return None
