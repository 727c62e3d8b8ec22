"""The ``gui``, ``show``, ``self-test`` and ``build-db`` subcommands: the app, one service, the installation."""

from __future__ import annotations

import argparse

from coventry_directory.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    UsageError,
    add_command,
    add_service_id,
    path_arg,
    print_json,
)
from coventry_directory.core import describe
from coventry_directory.core.fallbacks import WayToFindOut
from coventry_directory.core.models import Service


def register(subparsers) -> None:
    """Add ``gui``, ``show``, ``self-test`` and ``build-db`` to the main parser's subparsers."""
    gui = add_command(subparsers, "gui", cmd_gui, help="open the desktop app (the default)")
    gui.add_argument("--lang", metavar="CODE", help="interface language, e.g. en, pl, ro, pa, ur, ar")

    show = add_command(subparsers, "show", cmd_show, help="show one service in full")
    add_service_id(show)
    show.add_argument("--json", action="store_true", help="print the whole record as JSON")

    selftest = add_command(subparsers, "self-test", cmd_self_test, help="check this installation works")
    selftest.add_argument("--json", action="store_true", help="print the report as JSON")

    build = add_command(
        subparsers, "build-db", cmd_build_db, help="compile resources/directory into the directory database"
    )
    build.add_argument("-o", "--output", type=path_arg, help="where to write it (default: the bundled database)")
    build.add_argument("--check", action="store_true", help="only check the sources; write nothing")


def service_text(svc: Service, ways: list[WayToFindOut] | None = None) -> str:
    """One service in full as plain text; what no source states says "not known".

    ``ways``: the next steps for a record with no contact route (``core.fallbacks``).
    """
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
    phones = "; ".join(f"{p.number}" + (f" ({p.description})" if p.description else "") for p in svc.phones)
    lines.append("Phones:         " + (phones or nk))
    lines.append("Locations:      " + ("; ".join(describe.describe_location(loc) for loc in svc.locations) or nk))
    lines.append("Opening hours:  " + ("; ".join(describe.describe_schedule(s) for s in svc.schedules) or nk))
    if ways:
        lines += ["", "No phone, email, web page or address is known. How to find out:"]
        for way in ways:
            lines.append("  - " + way.text())
            if way.source:
                lines.append(f"    (source: {way.source})")
    lines += [
        "",
        f"Verification:   {describe.labels('verification', (svc.verification,) if svc.verification else ())}",
        f"Evidence:       {describe.evidence_note(svc)}",
        "Listed by:      " + (", ".join(svc.listed_by) or "edition"),
        "Sources:",
        *[f"  - {s}" for s in svc.sources],
        f"Id:             {svc.id}  (key: {svc.key})",
    ]
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    """``show SERVICE_ID [--json]``: one service in full."""
    from dataclasses import asdict

    from coventry_directory.core.editions import open_directory
    from coventry_directory.core.fallbacks import ways_to_find_out

    store = open_directory()
    try:
        svc = store.get_service(args.service_id)
        ways = ways_to_find_out(svc, store) if svc is not None else []
    finally:
        store.close()
    if svc is None:
        raise UsageError(
            f"no service with id or key {args.service_id!r} (search for it with 'coventry-directory search')"
        )
    if args.json:
        print_json({**svc.to_dict(), "ways_to_find_out": [asdict(w) for w in ways]})
    else:
        from coventry_directory.core.text import terminal_safe

        # the record may come from any feed: no control code or direction override reaches the terminal
        print(terminal_safe(service_text(svc, ways), lines=True))
    return EXIT_OK


def cmd_self_test(args: argparse.Namespace) -> int:
    """``self-test [--json]``: check the installation; exit 1 if any check fails."""
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


def cmd_build_db(args: argparse.Namespace) -> int:
    """``build-db [-o FILE] [--check]``: compile the directory sources into SQLite (or only check them)."""
    from coventry_directory.core.build import build_database
    from coventry_directory.core.directory_source import read_directory
    from coventry_directory.disk_errors import database_writes
    from coventry_directory.resources import bundled_database_path

    if args.check:
        sources = read_directory()
        print(f"sources ok: {len(sources.services)} services, {len(sources.organizations)} organisations")
        return EXIT_OK
    out = args.output or bundled_database_path()
    with database_writes(out):  # a full disk is "no space left on the disk holding OUT", not a SQLite error
        info = build_database(out)
    print(f"built {out}: {info['service_count']} services, edition {info['edition']}")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """``gui [--lang CODE]``, and no subcommand at all: open the desktop app."""
    from coventry_directory.i18n.choice import ui_language
    from coventry_directory.i18n.languages import UnknownLanguage
    from coventry_directory.userdata import require_writable_data_dir

    # With no subcommand there is no --lang on the namespace.
    lang = getattr(args, "lang", None)
    if lang is not None:
        if not lang.strip():  # "--lang ''" asks for no language at all: bad input, not "the default"
            raise UsageError("--lang needs a language code, e.g. en, pl, ro, pa, ur or ar")
        try:
            ui_language(lang)
        except UnknownLanguage as exc:
            raise UsageError(str(exc)) from exc  # exit code 2, before Qt is even imported
    # The app keeps settings, the shortlist and its log there: a read-only or full folder is one
    # clear line now (DataFolderError, exit 1), not a failure halfway through starting.
    require_writable_data_dir()
    from coventry_directory.ui.app import run_app

    return run_app(lang=lang)
