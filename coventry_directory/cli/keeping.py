"""The keepers' subcommands (see docs/cli.md).

``review`` (what to look at next), ``assure`` (record a check), ``corrections`` (workers'
correction notes: import, list, resolve) and ``publish`` (build, sign, export and describe an
edition in one step). The work is done by ``core.review``, ``core.assurance``,
``core.correction_queue`` with ``exchange.correction_reports``, and ``exchange.publishing``;
these handlers only word the results.
"""

from __future__ import annotations

import argparse
import datetime as dt

from coventry_directory.cli.common import (
    EXIT_OK,
    UsageError,
    add_command,
    add_publisher_options,
    one_line,
    path_arg,
    print_json,
    user_store,
    visible,
)
from coventry_directory.core.review import EVIDENCE_YEARS, PROBLEMS, REVIEW_MONTHS, Review, review

_WORDS = {
    "overdue": f"past its review date, or not assured in the last {REVIEW_MONTHS} months",
    "no-contact-route": "no phone, email, web page or address",
    "old-evidence": f"newest source over {EVIDENCE_YEARS} years old, undated or historic",
    "provider-may-have-changed": "provider may have changed",
}


def register(subparsers) -> None:
    """Add ``review``, ``assure``, ``corrections`` (with its actions) and ``publish`` to the main parser's subparsers."""
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
    assure.add_argument(
        "--note", metavar="TEXT", help="what the check found: published with the record (no names or numbers of people)"
    )
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
    _register_corrections(subparsers)
    _register_publish(subparsers)


def _register_corrections(subparsers) -> None:
    corrections = subparsers.add_parser("corrections", help="workers' correction notes: import, list, resolve")
    actions = corrections.add_subparsers(dest="corrections_command", metavar="ACTION", required=True)
    take = add_command(
        actions, "import", cmd_corrections_import, help="queue the notes of workers' correction exports and emails"
    )
    take.add_argument(
        "files", nargs="+", type=path_arg, metavar="FILE", help="a corrections export (.json) or email (.eml)"
    )
    listing = add_command(actions, "list", cmd_corrections_list, help="the correction notes still open")
    listing.add_argument("--all", action="store_true", help="also the notes already accepted or rejected")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    resolve = add_command(
        actions, "resolve", cmd_corrections_resolve, help="record that a note was accepted or rejected"
    )
    resolve.add_argument("id", metavar="ID", help="the note's id, or its first digits as 'corrections list' shows")
    outcome = resolve.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--accept", action="store_true", help="the note was right (and the record is being fixed)")
    outcome.add_argument("--reject", action="store_true", help="the note was checked and not taken up")
    resolve.add_argument("--note", metavar="TEXT", help="why, one line, kept with the outcome")
    resolve.add_argument("--by", metavar="NAME", help="who decided (default: your login name)")


def _register_publish(subparsers) -> None:
    publish = add_command(
        subparsers,
        "publish",
        cmd_publish,
        help="build, check, sign and export an edition, with release notes, into a new folder",
    )
    publish.add_argument("-o", "--output", type=path_arg, required=True, metavar="DIR", help="the new folder to write")
    publish.add_argument(
        "--source-dir",
        type=path_arg,
        metavar="DIR",
        help="the directory sources to build (default: resources/directory)",
    )
    add_publisher_options(publish)
    publish.add_argument(
        "--previous",
        type=path_arg,
        metavar="FILE",
        help="the edition to compare with in the release notes: a database or bundle (default: this computer's)",
    )
    publish.add_argument("--json", action="store_true", help="print what was written as JSON")


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

    try:
        assurance = make_assurance(
            by=args.by,
            how=args.how,
            today=clock.uk_today(),  # the UK date, whatever zone this machine is set to
            note=args.note,
            may_have_changed_reason=args.still_may_have_changed,
            review_due=args.review_due,
        )
        root = _source_dir(args.source_dir)
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
    print(_next_step(root))
    return EXIT_OK


def _next_step(root) -> str:
    """What puts the change into the directory, true for the folder that was edited (build-db reads only its own)."""
    import shlex

    from coventry_directory.resources import directory_source_dir

    default = directory_source_dir()
    if root.resolve() == default.resolve():
        return "Run 'coventry-directory build-db' to compile the change into the directory."
    folder = visible(shlex.quote(str(root)))
    return (
        f"build-db compiles only {visible(default)}, not this folder. To make an edition of these sources: "
        f"coventry-directory publish -o NEW_FOLDER --signing-key FILE --source-dir {folder} "
        f"(or Publish… in: coventry-directory keeper --source-dir {folder})"
    )


def _shown(value: str | None, absent: str) -> str:
    """A value from the record as one safe line (it came from a file anyone may have edited), or ``absent``."""
    return absent if value is None else visible(value)


def _source_dir(given):
    """``--source-dir`` checked to be a folder (bad input otherwise), or the default sources."""
    from coventry_directory.resources import directory_source_dir

    if given is None:
        return directory_source_dir()
    if not given.is_dir():
        raise UsageError(f"--source-dir {visible(given)}: {'not a folder' if given.exists() else 'no such folder'}")
    return given


# --- corrections ----------------------------------------------------------------------------
def cmd_corrections_import(args: argparse.Namespace) -> int:
    """``corrections import FILE...``: queue each file's notes, all or nothing per file; refused files said at the end."""
    from coventry_directory.core.editions import open_directory
    from coventry_directory.exchange.correction_reports import CorrectionFileError, import_correction_file

    refused: list[str] = []
    with user_store(write=True) as user:
        directory = open_directory()
        try:
            for path in args.files:
                try:
                    count = import_correction_file(path, user, directory)
                except CorrectionFileError as exc:
                    refused.append(str(exc))
                    continue
                missing = (
                    f"; {count.not_in_directory} about a service not in the directory" if count.not_in_directory else ""
                )
                print(
                    f"{visible(path)}: {_notes(count.notes)}: {count.new} new, "
                    f"{count.already} already in the queue{missing}"
                )
        finally:
            directory.close()
    if not refused:
        return EXIT_OK
    if len(args.files) == 1:
        raise UsageError(f"{refused[0]}; nothing was imported")
    for reason in refused:  # every refusal listed, as import lists the records it could not read
        print(f"refused: {one_line(reason)}")
    if len(refused) == len(args.files):
        raise UsageError(f"all {len(refused)} files were refused (listed above); nothing was imported")
    raise UsageError(
        f"{len(refused)} of {len(args.files)} files were refused (listed above, nothing of them imported); "
        "the others were imported"
    )


def _notes(n: int) -> str:
    return f"{n} note{'' if n == 1 else 's'}"


def cmd_corrections_list(args: argparse.Namespace) -> int:
    """``corrections list [--all] [--json]``: the open notes (or all), oldest first, each with its service."""
    from coventry_directory.core.correction_queue import OPEN, count_by_status, queue_entries
    from coventry_directory.core.editions import open_directory
    from coventry_directory.store.correction_queue import CorrectionQueueStore

    with user_store() as user:
        directory = open_directory()
        try:
            everything = queue_entries(CorrectionQueueStore(user), directory, include_resolved=True)
        finally:
            directory.close()
    counts = count_by_status(everything)
    shown = everything if args.all else [n for n in everything if n.status == OPEN]
    if args.json:
        print_json({"counts": counts, "notes": [n.to_dict() for n in shown]})
        return EXIT_OK
    resolved = f"{counts['accepted']} accepted, {counts['rejected']} rejected"
    if args.all:
        print(f"{_notes(len(shown))}: {counts[OPEN]} open, {resolved}")
    else:
        print(f"{counts[OPEN]} open correction {'note' if counts[OPEN] == 1 else 'notes'} ({resolved}: see --all)")
    for note in shown:
        _print_note(note)
    return EXIT_OK


def _print_note(note) -> None:
    from coventry_directory.core.correction_queue import OPEN

    service = visible(note.service_key or note.service_id)
    name = visible(note.service_name or "name not known")
    where = "" if note.in_directory else "  (not in the directory)"
    print(f"\n{note.short_id}  {_uk_date(note.created_at)}  {note.status:<8}  {service}: {name}{where}")
    for line in note.note.expandtabs(4).splitlines() or [""]:
        print(f"    {visible(line)}")
    said = [f"from {visible(note.reported_by)}" if note.reported_by else "sender not known"]
    if note.edition:
        said.append(f"edition {visible(note.edition)}")
    said.append(f"in {visible(note.source_file)}")
    print(f"    ({', '.join(said)})")
    if note.status != OPEN:
        why = f": {visible(note.resolution_note)}" if note.resolution_note else ""
        print(f"    {note.status} {_uk_date(note.resolved_at)} by {visible(note.resolved_by)}{why}")


def _uk_date(stamp: str | None) -> str:
    """The UK date of a stored moment (UTC ISO), whatever zone this computer is set to."""
    from coventry_directory.core.clock import as_uk_wall_clock

    try:
        return as_uk_wall_clock(dt.datetime.fromisoformat(stamp or "")).date().isoformat()
    except (ValueError, OverflowError):  # a note stored before import refused dates at the calendar's ends
        return visible((stamp or "")[:10]) or "date not known"


def cmd_corrections_resolve(args: argparse.Namespace) -> int:
    """``corrections resolve ID --accept|--reject [--note TEXT] [--by NAME]``: keep the outcome; delete nothing."""
    from coventry_directory.core.correction_queue import ACCEPTED, REJECTED, CorrectionQueueError, resolve
    from coventry_directory.store.correction_queue import CorrectionQueueStore

    outcome = ACCEPTED if args.accept else REJECTED
    with user_store(write=True) as user:
        try:
            done = resolve(CorrectionQueueStore(user), args.id, outcome, by=args.by, note=args.note)
        except CorrectionQueueError as exc:
            raise UsageError(str(exc)) from None
    service = visible(done.service_key or done.service_id)
    print(f"Correction note {done.short_id} about {service}: {done.status} by {visible(done.resolved_by)}.")
    if done.status == ACCEPTED and done.service_key:
        print(
            f"Make the change in its source, then: coventry-directory assure {service} --by NAME --how HOW, "
            "and build-db (or publish)."
        )
    return EXIT_OK


# --- publish --------------------------------------------------------------------------------
def cmd_publish(args: argparse.Namespace) -> int:
    """``publish -o DIR [...]``: one step from the TOML sources to a signed bundle, HSDS export and release notes."""
    from coventry_directory.core import clock
    from coventry_directory.exchange import signing
    from coventry_directory.exchange.publishing import PublishInputError, publish

    key = signing.load_signing_key(args.signing_key)  # an unusable key is said before any work
    root = _source_dir(args.source_dir)
    try:
        done = publish(
            args.output,
            key,
            source_dir=root,
            maintainer_email=args.maintainer_email,
            source=args.source,
            previous=args.previous,
            today=clock.uk_today(),  # the UK date, whatever zone this machine is set to
        )
    except PublishInputError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(done.to_dict())
        return EXIT_OK
    print(f"Published edition {done.edition or 'undated'} ({done.services} services) in {visible(done.folder)}:")
    for path in (done.bundle, done.hsds, done.release_notes):
        print(f"  {visible(path.relative_to(done.folder).as_posix())}")
    if done.diff is not None:
        counts = done.diff.counts()
        print(
            f"Against {done.previous} (edition {done.diff.old.edition or 'unknown'}): "
            + ", ".join(f"{counts[k]} {k}" for k in ("added", "removed", "changed"))
        )
    else:
        print("No earlier edition to compare with; the release notes give the counts only.")
    return EXIT_OK
