"""The ``review`` subcommand: what the keepers of the directory should look at next (see docs/cli.md)."""

from __future__ import annotations

import argparse

from coventry_directory.cli.common import EXIT_OK, UsageError, add_command, print_json, visible
from coventry_directory.core.review import EVIDENCE_YEARS, PROBLEMS, REVIEW_MONTHS, Review, review

_WORDS = {
    "overdue": f"not assured in the last {REVIEW_MONTHS} months",
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
