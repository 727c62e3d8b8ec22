"""The ``import`` and ``sources`` subcommands: the directory's sources, added, listed, pulled and removed.

Each import adds or updates one named source (a file, a feed, a meeting list) beside the
shipped edition and leaves the others alone (see docs/sources.md). Bad records are
skipped and listed, not a reason to refuse the rest; an input with no services, or far
fewer than its source had, changes nothing without ``--allow-shrink`` or ``--replace``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coventry_directory.cli.common import (
    EXIT_OK,
    Interrupted,
    UsageError,
    add_command,
    path_arg,
    path_text,
    print_json,
    visible,
)
from coventry_directory.cli.exchange import home_of as _home
from coventry_directory.cli.progress import CommandProgress

FORMATS = ("hsds", "oruk1", "meeting-guide")
SHOWN_PROBLEMS = 10  # on a terminal; `sources show NAME` lists them all


def register(subparsers) -> None:
    """Add ``import`` and ``sources`` (with its actions) to the main parser's subparsers."""
    imp = add_command(
        subparsers,
        "import",
        cmd_import,
        help="add or update a source: an HSDS/ORUK file, a Meeting Guide list, or an Open Referral feed",
        description="PATH: an HSDS 3.0 JSON file or folder, an HSDS CSV package folder, an ORUK 1.0 "
        "JSON file, or a Meeting Guide meetings list. URL: an Open Referral / HSDS API root; the first "
        "pull takes everything, later pulls only what changed. Each import adds or updates one named "
        "source and leaves the others alone.",
    )
    imp.add_argument("source", type=path_text, metavar="PATH_OR_URL")
    imp.add_argument(
        "--source",
        dest="name",
        metavar="NAME",
        help="the source to add or update (default: from the file name or the feed's host)",
    )
    imp.add_argument("--format", choices=FORMATS, help="what the file is (default: told from its content)")
    imp.add_argument(
        "--replace", action="store_true", help="make this the directory's only source (the others are removed)"
    )
    imp.add_argument(
        "--strict", action="store_true", help="all or nothing: refuse the whole input if any record is bad"
    )
    imp.add_argument(
        "--allow-shrink",
        action="store_true",
        help="accept an update that leaves the source with under half its services",
    )
    imp.add_argument(
        "--db", type=path_arg, metavar="FILE", help="update this database file instead of the installed one"
    )
    imp.add_argument("--full", action="store_true", help="feeds: pull everything, not only changes")
    imp.add_argument(
        "--timeout", type=_positive, default=30.0, metavar="SECONDS", help="feeds: per request (default 30)"
    )
    imp.add_argument("--per-page", type=int, default=100, metavar="N", help="feeds: page size (default 100)")
    imp.add_argument("--json", action="store_true", help="print the result (or why it was refused) as JSON")
    imp.set_defaults(json_refusals=True)  # a refusal, too, is one JSON object on stdout (cli.common.json_refusal)

    src = subparsers.add_parser("sources", help="the directory's sources: list, show, pull, remove, restore")
    src.set_defaults(handler=cmd_sources_list, json_refusals=True)
    src.add_argument("--json", action="store_true", help="print the list as JSON")
    src.add_argument("--db", type=path_arg, metavar="FILE", help="the sources of this database file")
    actions = src.add_subparsers(dest="sources_command", metavar="ACTION")
    show = add_command(actions, "show", cmd_sources_show, help="one source: its details, problems and repairs")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print it as JSON")
    show.set_defaults(json_refusals=True)
    show.add_argument("--db", type=path_arg, metavar="FILE", help="the sources of this database file")
    remove = add_command(actions, "remove", cmd_sources_remove, help="take a source out of the directory")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--db", type=path_arg, metavar="FILE", help="the sources of this database file")
    pull = add_command(actions, "pull", cmd_sources_pull, help="pull the changes of one feed, or of every feed")
    pull.add_argument("name", nargs="?", metavar="NAME")
    pull.add_argument("--full", action="store_true", help="pull everything, not only changes")
    pull.add_argument("--timeout", type=_positive, default=30.0, metavar="SECONDS", help="per request (default 30)")
    pull.add_argument("--db", type=path_arg, metavar="FILE", help="the sources of this database file")
    restore = add_command(
        actions,
        "restore-edition",
        cmd_sources_restore,
        help="bring the edition back as a source (the installed one, else the one shipped with the app)",
    )
    restore.add_argument("--db", type=path_arg, metavar="FILE", help="the sources of this database file")
    rebuild = add_command(actions, "rebuild", cmd_sources_rebuild, help="make the directory again from its sources")
    rebuild.add_argument("--db", type=path_arg, metavar="FILE", help="the sources of this database file")


def _positive(value: str) -> float:
    from coventry_directory.cli.common import positive_number

    return positive_number(value)


# --- import ------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    """``import PATH_OR_URL``: add or update a source from a file, a folder or a feed."""
    if args.timeout <= 0 or args.per_page < 1:
        raise UsageError("--timeout and --per-page must be positive")
    home = _home(args, write=True)
    progress = CommandProgress(quiet=args.json)
    before = _state(home)
    try:
        result = _run_import(args, home, progress)
    except KeyboardInterrupt:
        raise Interrupted(_stopped(home, before)) from None
    finally:
        progress.finish()
    if args.json:
        print_json(result.as_json(home.target))
        return EXIT_OK
    print(_import_summary(result))
    if result.name_in_use:
        print(visible(result.name_in_use_text()))
    for problem in result.problems[:SHOWN_PROBLEMS]:
        print(visible(f"  skipped {problem.path}: {problem.message}"))
    if result.skipped > SHOWN_PROBLEMS:
        print(f"  ... and {result.skipped - SHOWN_PROBLEMS} more: coventry-directory sources show {result.name!r}")
    for note in result.notes:
        print(visible(f"  note: {note}"))
    return EXIT_OK


def _state(home) -> tuple:
    """What an import could change: the directory file and each source file, by identity and time."""
    try:
        paths = [home.target, *sorted(home.sources_dir.glob("*.db"))]
    except OSError:
        paths = [home.target]
    out = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), None))
            continue
        out.append((str(path), (st.st_ino, st.st_size, st.st_mtime_ns)))
    return tuple(out)


def _stopped(home, before: tuple) -> str:
    """What an import stopped with Ctrl+C left, in one sentence: nothing changed, or how to finish."""
    from coventry_directory.exchange.sources import stale

    if _state(home) == before:
        return "Stopped; nothing was changed."
    if stale(home):
        return (
            "Stopped part-way: the directory is out of step with its sources. Run "
            "'coventry-directory sources rebuild' to bring it up to date, then import again."
        )
    return "Stopped, but the import had already finished: 'coventry-directory sources' lists what it added."


def _run_import(args: argparse.Namespace, home, progress):
    """The import itself: a feed when the source is an address, else a file or folder."""
    from coventry_directory.core.text import clean_text
    from coventry_directory.exchange.importing import import_file, is_url
    from coventry_directory.exchange.oruk_sync import sync_feed

    if is_url(args.source):
        if args.format not in (None, "hsds"):
            raise UsageError("a feed address is an Open Referral API; --format applies to files")
        url = clean_text(args.source)  # an address is text: undecodable bytes in it are refused as such
        return sync_feed(
            url,
            home.target,
            full=args.full,
            timeout=args.timeout,
            per_page=args.per_page,
            name=args.name,
            replace=args.replace,
            strict=args.strict,
            allow_shrink=args.allow_shrink,
            shipped=home.shipped,
            progress=progress,
        )
    return import_file(
        Path(args.source),
        home.target,
        name=args.name,
        fmt=args.format,
        replace=args.replace,
        strict=args.strict,
        allow_shrink=args.allow_shrink,
        shipped=home.shipped,
        progress=progress,
    )


FORMAT_WORDS = {
    "hsds-json": "HSDS 3.0 JSON",
    "hsds-csv": "HSDS 3.0 CSV files",
    "oruk1": "Open Referral UK 1.0",
    "meeting-guide": "Meeting Guide list",
    "oruk-api": "Open Referral feed",
    "edition": "the curated edition",
}
KIND_WORDS = {
    "meetings": "a meeting list",
    "feed": "a feed",
    "file": "a file",
    "edition": "the edition",
    "damaged": "a damaged file",
}


def _import_summary(result) -> str:
    verb = {"added": "Added", "updated": "Updated", "replaced": "Replaced the directory with", "merged": "Updated"}
    what = {"meetings": "meeting list", "feed": "feed", "file": "file", "edition": "edition"}.get(result.kind, "")
    lines = [
        f"{verb.get(result.mode, 'Imported')} the source {result.name!r} "
        f"({what}, {FORMAT_WORDS.get(result.format, result.format)}): "
        f"{result.services} service(s) read"
        + (f", {result.skipped} skipped" if result.skipped else "")
        + (f", {sum(result.repairs.values())} repair(s)" if result.repairs else "")
        + ".",
        f"The directory now has {result.total} service(s); {result.contributed} of them only from this source.",
    ]
    if result.unmapped_terms:
        lines.append(
            f"{len(result.unmapped_terms)} of the source's own category names match none of ours yet: "
            "its services are still found by their words."
        )
    return "\n".join(lines)


# --- sources -----------------------------------------------------------------------------
def cmd_sources_list(args: argparse.Namespace) -> int:
    """``sources``: one line per source."""
    from coventry_directory.exchange.sources import list_sources, stale

    home = _home(args)
    sources = list_sources(home)
    if args.json:
        print_json({"sources": [s.as_json() for s in sources], "stale": stale(home)})
        return EXIT_OK
    if not sources:
        print("No sources: the directory is empty.")
        return EXIT_OK
    for s in sources:
        when = s.pulled_at or s.updated_at or "unknown"
        problems = f", {s.problem_count} record(s) skipped" if s.problem_count else ""
        # an edition's date is what its keepers checked it against, not when it became a source
        dated = f"edition {s.info['edition']}" if s.kind == "edition" and s.info.get("edition") else f"updated {when}"
        print(visible(f"{s.name}  [{s.kind}]  {s.services} service(s), {dated}{problems}"))
        if s.location:
            print(f"    from {visible(s.location)}")
    if stale(home):
        print(
            "The directory is out of step with these sources (a change was interrupted, or a source's file "
            "is damaged): run 'coventry-directory sources rebuild' to bring it up to date."
        )
    return EXIT_OK


def cmd_sources_show(args: argparse.Namespace) -> int:
    """``sources show NAME``: one source with its problems (path and reason) and repairs."""
    from coventry_directory.exchange.sources import REPAIR_WORDS, find_source, list_sources, usable

    home = _home(args)
    source = find_source(home, args.name)
    if args.json:
        print_json(source.as_json(details=True))
        return EXIT_OK
    listed = [s.name for s in usable(list_sources(home))]  # a damaged file is in no place: it is not used
    place = listed.index(source.name) + 1 if source.name in listed else 0
    print(visible(f"{source.name}  [{source.kind}]"))
    if place:
        print(f"  priority: {place} of {len(listed)} (where sources say different things about a service, 1 wins)")
    for label, value in (
        ("from", source.location),
        ("format", FORMAT_WORDS.get(source.format, source.format)),
        (
            "services",
            str(source.services) + (f" ({len(source.left_out)} more left out, below)" if source.left_out else ""),
        ),
        ("added", source.added_at),
        ("updated", source.updated_at),
        ("pulled", source.pulled_at),
    ):
        if value:
            print(f"  {label}: {visible(value)}")
    if source.repairs:
        done = (f"{REPAIR_WORDS.get(kind, kind)}: {n}" for kind, n in sorted(source.repairs.items()))
        print(visible("  repairs: " + "; ".join(done)))
    if source.problems:
        print(f"  {source.problem_count} record(s) skipped:")
        for p in source.problems:
            print(visible(f"    {p.get('path')}: {p.get('reason')}"))
    if source.warnings:
        print(f"  notes ({len(source.warnings)}):")
        for w in source.warnings:
            print(visible(f"    {w.get('path')}: {w.get('note')}"))
    return EXIT_OK


def cmd_sources_remove(args: argparse.Namespace) -> int:
    """``sources remove NAME``: take one source out; what it alone brought goes with it."""
    from coventry_directory.exchange.source_changes import remove_source

    change = remove_source(_home(args, write=True), args.name)
    name = change.source.name if change.source else args.name
    print(f"Removed the source {name!r}. The directory now has {change.total} service(s).")
    return EXIT_OK


def cmd_sources_pull(args: argparse.Namespace) -> int:
    """``sources pull [NAME]``: pull the changes of one feed source, or of every one."""
    from coventry_directory.exchange.oruk_sync import sync_feed
    from coventry_directory.exchange.sources import SourceError, find_source, list_sources

    home = _home(args, write=True)
    feeds = [find_source(home, args.name)] if args.name else [s for s in list_sources(home) if s.kind == "feed"]
    if not feeds:
        raise SourceError("there are no feed sources to pull (add one with: coventry-directory import URL)")
    for source in feeds:
        if source.kind != "feed":
            raise SourceError(
                f"{source.name!r} is {KIND_WORDS.get(source.kind, source.kind)}, not a feed: "
                "import its file again to update it"
            )
        progress = CommandProgress()
        try:
            result = sync_feed(
                source.location,
                home.target,
                full=args.full,
                timeout=args.timeout,
                name=source.name,
                shipped=home.shipped,
                progress=progress,
            )
        finally:
            progress.finish()
        print(_import_summary(result))
    return EXIT_OK


def cmd_sources_restore(args: argparse.Namespace) -> int:
    """``sources restore-edition``: the installed (else the shipped, else the kept) edition back, first; others kept."""
    from coventry_directory.exchange.source_changes import restore_edition

    change = restore_edition(_home(args, write=True))
    date = (change.source.info.get("edition") if change.source else "") or "of unknown date"
    which = {
        "installed": f"the installed edition ({date}, from a signed bundle)",
        "kept": f"the edition this directory had before it was removed ({date})",
    }.get(change.restored, f"the edition shipped with the app ({date})")
    print(f"Restored {which} as the first source. The directory now has {change.total} service(s).")
    return EXIT_OK


def cmd_sources_rebuild(args: argparse.Namespace) -> int:
    """``sources rebuild``: make the directory again from its sources as they are."""
    from coventry_directory.exchange.source_changes import rebuild

    change = rebuild(_home(args, write=True))
    print(f"Made the directory again from its sources: {change.total} service(s).")
    return EXIT_OK
