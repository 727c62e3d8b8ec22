"""The keepers' subcommands (see docs/cli.md): ``review`` (what to look at next) and ``assure`` (record a check)."""

from __future__ import annotations

import argparse

from coventry_directory.cli.common import EXIT_OK, UsageError, add_command, path_arg, print_json, visible
from coventry_directory.core.review import EVIDENCE_YEARS, PROBLEMS, REVIEW_MONTHS, Review, review

_WORDS = {
    "overdue": f"past its review date, or not assured in the last {REVIEW_MONTHS} months",
    "no-contact-route": "no phone, email, web page or address",
    "old-evidence": f"newest source over {EVIDENCE_YEARS} years old, undated or historic",
    "provider-may-have-changed": "provider may have changed",
}


def register(subparsers) -> None:
    """Add ``review`` to the main parser's subparsers."""
    cmd = add_command(
        subparsers, "review", cmd_review, help="records overdue for review, with no contact route or old evidence"
    )
    cmd.add_argument(
        "--source", default="edition", metavar="NAME", help="the source whose records to review (default: edition)"
    )
    cmd.add_argument("--json", action="store_true", help="machine-readable output")

    assure = add_command(
        subparsers, "assure", cmd_assure, help="record in a service's TOML source that its record was checked"
    )
    assure.add_argument("key", metavar="KEY", help="the service's key in the directory sources")
    assure.add_argument("--by", required=True, metavar="NAME", help="who checked it (a name or role; it is published)")
    # checked by core.assurance (its own words), not by argparse choices: the parser stays import-light
    assure.add_argument(
        "--how", required=True, metavar="HOW", help="how it was checked: phone, email, web, visit or provider-form"
    )
    assure.add_argument("--note", metavar="TEXT", help="what the check found, kept with the record")
    assure.add_argument(
        "--still-may-have-changed",
        metavar="REASON",
        help="checked, but the provider may still have changed (keeps that verification): why",
    )
    assure.add_argument(
        "--review-due", metavar="DATE", help=f"when to check it next, YYYY-MM-DD (default: in {REVIEW_MONTHS} months)"
    )
    assure.add_argument(
        "--source-dir",
        type=path_arg,
        metavar="DIR",
        help="the directory sources to edit (default: resources/directory, as build-db uses)",
    )


def cmd_review(args: argparse.Namespace) -> int:
    """``review [--source NAME] [--json]``: counts at the top, then by area and category, then each record."""
    from coventry_directory.core.clock import uk_today
    from coventry_directory.core.editions import open_directory

    store = open_directory()
    try:
        everything = store.all_services()
    finally:
        store.close()
    names = sorted({name for s in everything for name in s.listed_by})
    if args.source not in names:
        raise UsageError(f"no source named {visible(args.source)!r}; the directory's sources: {', '.join(names)}")
    services = [s for s in everything if args.source in s.listed_by]
    result = review(services, uk_today())
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK
    _print(result, args.source)
    return EXIT_OK


def _print(result: Review, source: str) -> None:
    counts = result.counts()
    print(f"Review of {visible(source)}: {result.records} records, as of {result.as_of.isoformat()}")
    for problem in PROBLEMS:
        print(f"  {counts[problem]:>4}  {_WORDS[problem]}")
    for title, attribute in (("By area", "areas"), ("By category", "categories")):
        print(f"\n{title} (records, then each count above in that order):")
        for value, row in result.by(attribute).items():
            print(f"  {value:<28} {row['records']:>4}  " + " ".join(f"{row[p]:>4}" for p in PROBLEMS))
    flagged = [i for i in result.items if i.problems]
    print(f"\nRecords to look at ({len(flagged)}):")
    for item in flagged:
        print(f"  {item.key}: {', '.join(_WORDS[p] for p in item.problems)}")


def cmd_assure(args: argparse.Namespace) -> int:
    """``assure KEY --by NAME --how HOW [...]``: write who checked the record, how and when into its TOML source."""
    from coventry_directory.core import clock
    from coventry_directory.core.assurance import AssuranceInputError, assure, make_assurance
    from coventry_directory.resources import directory_source_dir

    try:
        assurance = make_assurance(
            by=args.by,
            how=args.how,
            today=clock.uk_today(),  # the UK date, whatever zone this machine is set to
            note=args.note,
            may_have_changed_reason=args.still_may_have_changed,
            review_due=args.review_due,
        )
        root = args.source_dir or directory_source_dir()
        if args.source_dir is not None and not root.is_dir():
            kind = "not a folder" if root.exists() else "no such folder"
            raise UsageError(f"--source-dir {visible(root)}: {kind}")
        done = assure(root, args.key, assurance)
    except AssuranceInputError as exc:
        raise UsageError(str(exc)) from None
    try:
        where = done.path.relative_to(root).as_posix()
    except ValueError:
        where = str(done.path)
    print(f"Assured {visible(done.key)} in {visible(where)}:")
    for name, (old, new) in done.changed().items():
        print(f"  {name}: {_shown(old, '(none)')} -> {_shown(new, '(removed)')}")
    if done.alert and done.after["verification"] == "confirmed":
        print(f"Its alert still reads: {visible(done.alert)}")
        print("  Edit it in that file if it no longer holds.")
    print("Run 'coventry-directory build-db' to compile the change into the directory.")
    return EXIT_OK


def _shown(value: str | None, absent: str) -> str:
    """A value from the record as one safe line (it came from a file anyone may have edited), or ``absent``."""
    return absent if value is None else visible(value)
