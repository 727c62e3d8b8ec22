"""The command-line front end: ``coventry-directory [SUBCOMMAND]`` (see docs/cli.md and docs/architecture.md).

With no arguments it opens the desktop app. Each command family lives in its own module with
one ``register(subparsers)`` that adds its subcommands and sets ``handler=`` on each; every
handler takes the parsed ``argparse.Namespace`` and returns the exit code. Handlers raise on
bad input or failure; :func:`main` turns what they raise into one line on stderr and an exit
code through the table in :mod:`coventry_directory.cli.common` (2 for bad input, 1 for
failures), never a traceback. Whatever the table does not cover is a bug: it too is one
plain line and exit 1, and its type and code locations (never its message, which may hold
what the user typed) go to the app's log file for whoever reports it.

Text arguments are made safe before any handler sees them (``common.clean_arguments``), and
stdout and stderr never fail on a character they cannot encode.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from coventry_directory import APP_ID, __version__
from coventry_directory.cli.common import EXIT_FAILURE, Parser, clean_arguments, rule_for, say
from coventry_directory.disk_errors import os_error_text

# The order in which the families are registered is the order ``coventry-directory --help`` lists
# them. Each is imported when the parser is built, not with this package: a worker process
# started from the console script imports the script, and so this package, again.
FAMILIES = (
    "directory",
    "search",
    "meetings",
    "sources",
    "exchange",
    "referrals",
    "leaflets",
    "keeping",
    "check_forms",
    "changes",
    "keeper_mode",
)


def _family(name: str) -> ModuleType:
    return importlib.import_module(f"coventry_directory.cli.{name}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand; each leaf parser carries its ``handler``."""
    parser = Parser(
        prog=APP_ID,
        description="Drug and alcohol services in Coventry and Warwickshire: find, check eligibility, refer.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Nested action parsers (bundle build, referral send ...) inherit Parser from their parent, so they too
    # report errors in one line.
    subparsers = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for name in FAMILIES:
        _family(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coventry-directory`` console script and ``python -m coventry_directory``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _never_fail_to_print()
    args = None
    try:
        args = clean_arguments(build_parser().parse_args(argv))
        handler = getattr(args, "handler", None) or _family("directory").cmd_gui  # no subcommand: the app
        _remove_stale_staging()
        return handler(args)
    except (Exception, KeyboardInterrupt) as exc:
        rule = rule_for(exc)
        if rule is None:
            return report_unexpected(exc, args)
        rule.report(exc, args)
        return rule.exit_code


def report_unexpected(exc: BaseException, args: argparse.Namespace | None) -> int:
    """A bug, not an outcome the contract describes: one plain line, and the details in the log file.

    The log gets the exception's type and code locations only: its message, like the
    arguments, may hold what the user typed. Exit code 1.
    """
    from coventry_directory.crash_log import log_unexpected

    command = " ".join(part for part in (getattr(args, "command", None), _action(args)) if part) or "gui"
    try:
        where = f"details were written to the log at {log_unexpected(exc, f'command {command}')}"
    except Exception as problem:  # the log cannot be written either (a read-only or full data folder)
        where = f"the log could not be written either ({os_error_text(problem)})"
    say(f"{APP_ID}: unexpected error ({type(exc).__name__}) in '{command}'; {where}. Please report it.")
    return EXIT_FAILURE


def _action(args: argparse.Namespace | None) -> str | None:
    """The action of a command with actions (``bundle install``), for the unexpected-error line."""
    for name in ("bundle_command", "referral_command", "outbox_command", "edition_command", "check_form_command"):
        if getattr(args, name, None):
            return getattr(args, name)
    return None


def _remove_stale_staging() -> None:
    """Remove what a killed install or import left in the data folder (``directory.db.incoming-PID``, and in ``directory.sources/``).

    Cheap when there is nothing: one listing of the folder, and exchange.install is imported
    only when a leftover is found. A folder that cannot be read or tidied is left for the
    command itself to report.
    """
    from coventry_directory.userdata import installed_directory_path

    target = installed_directory_path()
    sources_dir = target.with_name(target.stem + ".sources")
    try:
        found = any(target.parent.glob(f"{target.name}.*"))
        in_sources = sources_dir.is_dir() and any(sources_dir.glob("*.incoming-*"))
    except OSError:
        return
    if found or in_sources:
        from coventry_directory.exchange.install import remove_stale, remove_stale_sources

        remove_stale(target)
        remove_stale_sources(sources_dir)


def _never_fail_to_print() -> None:
    """Let stdout and stderr print any character, escaping what their encoding cannot hold.

    A file name with undecodable bytes, or a Tigrinya service name on a console that only
    speaks cp1252, must not turn a finished command into a UnicodeEncodeError.
    """
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            # a stream that cannot be reconfigured (closed, say) is left as it is
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
