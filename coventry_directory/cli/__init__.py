"""The command-line front end: ``coventry-directory [SUBCOMMAND]`` (see docs/cli.md and docs/architecture.md).

With no arguments it opens the desktop app. Each command family lives in its own module with
one ``register(subparsers)`` that adds its subcommands and sets ``handler=`` on each; every
handler takes the parsed ``argparse.Namespace`` and returns the exit code. Handlers raise on
bad input or failure; :func:`main` turns what they raise into one line on stderr and an exit
code through the table in :mod:`coventry_directory.cli.common` (2 for bad input, 1 for
failures), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coventry_directory import APP_ID, __version__
from coventry_directory.cli import directory, exchange, leaflets, referrals, search
from coventry_directory.cli.common import Parser, rule_for

# The order in which the families are registered is the order ``coventry-directory --help`` lists them.
FAMILIES = (directory, search, exchange, referrals, leaflets)


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
    for family in FAMILIES:
        family.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coventry-directory`` console script and ``python -m coventry_directory``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    try:
        args = build_parser().parse_args(argv)
        handler = getattr(args, "handler", directory.cmd_gui)  # no subcommand: open the desktop app
        return handler(args)
    except (Exception, KeyboardInterrupt) as exc:
        rule = rule_for(exc)
        if rule is None:
            raise  # a bug, not an outcome the contract describes: keep the traceback for whoever reports it
        rule.report(exc, args)
        return rule.exit_code
