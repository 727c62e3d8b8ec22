"""The ``edition`` subcommand: what changed between two editions of the directory (see docs/cli.md).

``edition diff OLD NEW`` compares two directory databases or signed bundles, in any mix.
The comparison is :mod:`coventry_directory.core.edition_diff`; reading the files (a bundle
checked as ``bundle install`` checks it) is :mod:`coventry_directory.exchange.edition_files`.
A refused bundle, or a file that is not an edition, is bad input (exit 2).
"""

from __future__ import annotations

import argparse

from coventry_directory.cli.common import EXIT_OK, add_command, path_arg, print_json, visible
from coventry_directory.core.edition_diff import EditionDiff, FieldChange, ServiceEntry, Side

SHORT = 60  # a value this long or shorter shows on the field's own line; longer ones get a line each


def register(subparsers) -> None:
    """Add ``edition`` (with its action ``diff``) to the main parser's subparsers."""
    edition = subparsers.add_parser("edition", help="compare editions of the directory")
    actions = edition.add_subparsers(dest="edition_command", metavar="ACTION", required=True)
    diff = add_command(
        actions, "diff", cmd_edition_diff, help="services added, removed and changed between two editions"
    )
    diff.add_argument("old", type=path_arg, metavar="OLD", help="the earlier edition: a directory database or bundle")
    diff.add_argument("new", type=path_arg, metavar="NEW", help="the later edition: a directory database or bundle")
    diff.add_argument("--json", action="store_true", help="machine-readable output")


def cmd_edition_diff(args: argparse.Namespace) -> int:
    """``edition diff OLD NEW [--json]``: counts first, then each service added, removed or changed."""
    from coventry_directory.exchange.edition_files import compare_files

    # visible(): a file name with a newline or undecodable bytes prints as one plain line
    result = compare_files(args.old, args.new, label=lambda path: visible(path))
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK
    _print(result)
    return EXIT_OK


def _side(side: Side) -> str:
    services = f"{side.services} service{'' if side.services == 1 else 's'}"
    return f"{side.label} ({side.kind}, edition {side.edition or 'unknown'}, {services})"


def _print(result: EditionDiff) -> None:
    counts = result.counts()
    print(f"Old: {_side(result.old)}")
    print(f"New: {_side(result.new)}")
    print(", ".join(f"{counts[k]} {k}" for k in ("added", "removed", "changed", "unchanged")))
    for title, entries, mark in (("Added", result.added, "+"), ("Removed", result.removed, "-")):
        if entries:
            print(f"\n{title} ({len(entries)}):")
            for entry in entries:
                print(f"  {mark} {_name(entry)}")
    if result.changed:
        print(f"\nChanged ({len(result.changed)}):")
        for entry in result.changed:
            print(f"  ~ {_name(entry)}")
            for change in entry.changes:
                for line in _change_lines(change):
                    print(f"      {line}")


def _name(entry: ServiceEntry) -> str:
    organisation = (
        f" ({visible(entry.organization)})" if entry.organization and entry.organization != entry.name else ""
    )
    return f"{visible(entry.key)}: {visible(entry.name)}{organisation}"


def _value(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return visible(value)


def _change_lines(change: FieldChange) -> list[str]:
    """One field's change as lines: "+ item" and "- item" for a list, old -> new (or was/now) for one value."""
    if change.is_list:
        return [
            f"{change.field}:",
            *(f"  + {visible(v)}" for v in change.added),
            *(f"  - {visible(v)}" for v in change.removed),
        ]
    old, new = _value(change.old), _value(change.new)
    if len(old) <= SHORT and len(new) <= SHORT:
        return [f"{change.field}: {old} -> {new}"]
    return [f"{change.field}:", f"  was: {old}", f"  now: {new}"]
