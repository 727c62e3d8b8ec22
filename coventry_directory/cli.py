"""The command-line front end: ``coventry-directory [SUBCOMMAND]`` (see DESIGN.md).

With no arguments it opens the desktop app. Bad input gets a one-line message on stderr
and exit code 2; failures exit 1; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from coventry_directory import APP_ID, __version__, cli_exchange, cli_leaflets, cli_referrals, cli_search
from coventry_directory.cli_common import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, print_json
from coventry_directory.core import describe
from coventry_directory.core.directory_source import DirectorySourceError
from coventry_directory.core.models import Service
from coventry_directory.core.store import StoreError


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line (no usage dump) and exits 2."""

    def error(self, message: str):  # noqa: D102 - argparse API
        raise UsageError(f"{message} (try '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog=APP_ID, description="Drug and alcohol services in Coventry and Warwickshire: find, check eligibility, refer.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("--lang", metavar="CODE", help="interface language, e.g. en, pl, ro, pa, ur, ar")

    show = sub.add_parser("show", help="show one service in full")
    show.add_argument("service_id", metavar="SERVICE_ID", help="a service id (UUID) or directory key")
    show.add_argument("--json", action="store_true", help="print the whole record as JSON")

    selftest = sub.add_parser("self-test", help="check this installation works")
    selftest.add_argument("--json", action="store_true", help="print the report as JSON")

    cli_search.add_parsers(sub)
    cli_exchange.add_parsers(sub)
    cli_referrals.add_parsers(sub)

    build = sub.add_parser("build-db", help="compile resources/directory into the directory database")
    build.add_argument("-o", "--output", type=Path, help="where to write it (default: the bundled database)")
    build.add_argument("--check", action="store_true", help="only check the sources; write nothing")
    cli_leaflets.add_parsers(sub)
    return parser


def _service_text(svc: Service) -> str:
    nk = describe.not_known()
    lines = [svc.name, "=" * len(svc.name)]
    if svc.alert:
        lines += [f"! {svc.alert}", ""]
    lines += [
        f"Organisation:   {svc.organization.name}",
        f"Categories:     {describe.labels('category', svc.categories)}",
        f"Status:         {svc.status}",
        "",
        svc.description,
        "",
        f"Who it is for:  {svc.eligibility_description or nk}",
        f"Ages:           {describe.age_range(svc)}",
        f"Substances:     {describe.labels('substance', svc.substances)}",
        f"Client groups:  {describe.labels('client_group', svc.client_groups)}"
        + (" (only these groups)" if svc.groups_required else ""),
        f"Areas:          {'UK-wide' if svc.coverage == 'national' else describe.labels('catchment', svc.catchment)}",
        f"How to refer:   {svc.application_process or nk}",
        f"Routes:         {describe.labels('referral_route', svc.referral_routes)}",
        f"Delivered:      {describe.labels('delivery_mode', svc.delivery_modes)}",
        f"Web:            {svc.url or nk}",
        f"Email:          {svc.email or nk}",
    ]
    lines.append("Phones:         " + ("; ".join(f"{p.number}" + (f" ({p.description})" if p.description else "") for p in svc.phones) or nk))
    lines.append("Locations:      " + ("; ".join(describe.describe_location(loc) for loc in svc.locations) or nk))
    lines.append("Opening hours:  " + ("; ".join(describe.describe_schedule(s) for s in svc.schedules) or nk))
    lines += [
        "",
        f"Verification:   {describe.labels('verification', (svc.verification,) if svc.verification else ())}",
        f"Evidence:       {describe.evidence_note(svc)}",
        "Sources:",
        *[f"  - {s}" for s in svc.sources],
        f"Id:             {svc.id}  (key: {svc.key})",
    ]
    return "\n".join(lines)


def cmd_show(args) -> int:
    from coventry_directory.core.editions import open_directory

    store = open_directory()
    try:
        svc = store.get_service(args.service_id)
    finally:
        store.close()
    if svc is None:
        raise UsageError(f"no service with id or key {args.service_id!r} (search for it with 'coventry-directory search')")
    if args.json:
        print_json(svc.to_dict())
    else:
        print(_service_text(svc))
    return EXIT_OK


def cmd_self_test(args) -> int:
    from coventry_directory.selftest import run_self_test

    report = run_self_test()
    if args.json:
        print_json(report)
    else:
        for check in report["checks"]:
            mark = "ok  " if check["ok"] else "FAIL"
            print(f"[{mark}] {check['name']}: {check['detail']}")
        print("self-test passed" if report["ok"] else "self-test FAILED")
    return EXIT_OK if report["ok"] else EXIT_FAILURE


def cmd_build_db(args) -> int:
    from coventry_directory.core.build import build_database
    from coventry_directory.core.directory_source import read_directory
    from coventry_directory.resources import bundled_database_path

    if args.check:
        sources = read_directory()
        print(f"sources ok: {len(sources.services)} services, {len(sources.organizations)} organisations")
        return EXIT_OK
    out = args.output or bundled_database_path()
    info = build_database(out)
    print(f"built {out}: {info['service_count']} services, edition {info['edition']}")
    return EXIT_OK


def cmd_gui(args) -> int:
    from coventry_directory.ui.app import run_app

    return run_app(lang=getattr(args, "lang", None))


COMMANDS = {**cli_search.COMMANDS, **cli_exchange.COMMANDS, **cli_referrals.COMMANDS, **cli_leaflets.COMMANDS,
            "show": cmd_show, "self-test": cmd_self_test, "build-db": cmd_build_db, "gui": cmd_gui}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coventry-directory`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        command = args.command or "gui"
        return COMMANDS[command](args)
    except UsageError as exc:
        print(f"{APP_ID}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DirectorySourceError as exc:
        print(f"{APP_ID}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except StoreError as exc:
        print(f"{APP_ID}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except BrokenPipeError:
        # e.g. `coventry-directory show x | head`: the reader left; nothing to report.
        return EXIT_OK
