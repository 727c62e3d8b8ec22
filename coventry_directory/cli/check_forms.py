"""The ``check-form`` subcommands (see docs/cli.md): provider check forms out, returned ones in.

``check-form export ORG_KEY -o FILE.pdf|FILE.csv`` writes what the directory's sources list
about one organisation and its services, for the provider to correct (``core.check_forms``,
the PDF by ``leaflets.check_form``, the CSV by ``core.check_form_csv``); ``check-form import
FILE --by NAME`` queues the corrections of a returned CSV as proposals in the keeper's
correction queue (``exchange.check_form_returns``), where ``corrections list`` and keeper
mode show them. These handlers only word the results.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coventry_directory.cli.common import EXIT_OK, UsageError, add_command, one_line, path_arg, user_store, visible

RETURN_TO_MAX = 200
FORMATS = (".pdf", ".csv")


def register(subparsers) -> None:
    """Add ``check-form`` with its ``export`` and ``import`` actions to the main parser's subparsers."""
    check = subparsers.add_parser(
        "check-form", help="provider check forms: what we list about an organisation, out and back"
    )
    actions = check.add_subparsers(dest="check_form_command", metavar="ACTION", required=True)
    export = add_command(
        actions,
        "export",
        cmd_check_form_export,
        help="write one organisation's check form as a PDF to print or a CSV to fill in",
    )
    export.add_argument("organization", metavar="ORG_KEY", help="the organisation's key in the directory sources")
    export.add_argument(
        "-o", "--output", type=path_arg, required=True, metavar="FILE", help="FILE.pdf (to print) or FILE.csv"
    )
    export.add_argument(
        "--return-to", metavar="TEXT", help="where the provider sends it back (an email address, a team), on the form"
    )
    _source_dir_option(export)
    take = add_command(
        actions,
        "import",
        cmd_check_form_import,
        help="queue a returned check form's corrections as proposals beside the correction notes",
    )
    take.add_argument("file", type=path_arg, metavar="FILE", help="the returned check form (.csv)")
    take.add_argument("--by", required=True, metavar="NAME", help="who returned it (a name or role)")
    _source_dir_option(take)


def _source_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source-dir",
        type=path_arg,
        metavar="DIR",
        help="the directory sources (default: resources/directory, as build-db uses)",
    )


def _source_dir(given: Path | None) -> Path:
    """``--source-dir`` checked to be a folder of sources (bad input otherwise), or the default sources."""
    from coventry_directory.resources import directory_source_dir

    if given is None:
        return directory_source_dir()
    if not given.is_dir():
        raise UsageError(f"--source-dir {visible(given)}: {'not a folder' if given.exists() else 'no such folder'}")
    if not (given / "services").is_dir() or not (given / "taxonomy.toml").is_file():
        raise UsageError(f"--source-dir {visible(given)} is not a folder of directory sources")
    return given


def cmd_check_form_export(args: argparse.Namespace) -> int:
    """``check-form export ORG_KEY -o FILE [--return-to TEXT] [--source-dir DIR]``: the form, written whole or not at all."""
    from coventry_directory.atomic_write import SHARED, new_folder, write_bytes_atomic
    from coventry_directory.core.check_forms import CheckFormError, check_form
    from coventry_directory.core.text import one_line as text_line

    kind = args.output.suffix.lower()
    if kind not in FORMATS:
        raise UsageError(f"-o {visible(args.output)}: the check form is written as FILE.pdf or FILE.csv")
    return_to = None if args.return_to is None else text_line(args.return_to, "--return-to", RETURN_TO_MAX, UsageError)
    root = _source_dir(args.source_dir)
    try:
        form = check_form(args.organization, root)
    except CheckFormError as exc:
        raise UsageError(str(exc)) from None
    if kind == ".pdf":
        from coventry_directory.leaflets.check_form import render_check_form

        data = render_check_form(form, return_to)
    else:
        from coventry_directory.core.check_form_csv import form_csv

        data = form_csv(form)
    # a form holds only what the directory publishes: shared like a leaflet; never half written,
    # and a folder made for it is removed again if it cannot be written
    with new_folder(args.output.parent):
        write_bytes_atomic(args.output, data, mode=SHARED)
    services = len(form.records) - 1
    print(
        f"Check form for {visible(form.organization_name)} ({services} service{'' if services == 1 else 's'}, "
        f"{len(form.rows)} rows, edition {form.edition or 'undated'}) written to {visible(args.output)}"
    )
    return EXIT_OK


def cmd_check_form_import(args: argparse.Namespace) -> int:
    """``check-form import FILE --by NAME [--source-dir DIR]``: queue its proposals, all or nothing."""
    from coventry_directory.core.check_forms import CheckFormError
    from coventry_directory.core.correction_queue import CorrectionQueueError
    from coventry_directory.exchange.check_form_returns import import_check_form

    root = _source_dir(args.source_dir)
    with user_store(write=True) as user:
        try:
            done = import_check_form(args.file, user, args.by, root)
        except (CheckFormError, CorrectionQueueError) as exc:
            raise UsageError(f"{one_line(str(exc))}; nothing was imported") from None
    count = done.count
    print(
        f"{visible(args.file)}: check form for {visible(done.organization_name)}: {done.rows} rows, "
        f"{count.notes} proposal{'' if count.notes == 1 else 's'} ({count.new} new, {count.already} already "
        f"in the queue), {done.confirmed} confirmed or left as listed"
    )
    if count.new:
        print("See them with 'coventry-directory corrections list', or in keeper mode's Corrections tab.")
    return EXIT_OK
