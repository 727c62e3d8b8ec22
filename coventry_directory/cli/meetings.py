"""The ``meetings`` subcommand: mutual-aid meetings today or this week, as a list or a printable PDF (see docs/cli.md).

Printing is ``meetings --print`` rather than a ``leaflet`` option: what chooses the meetings
(``--when``, ``--at``, ``--fellowship``, ``--online``, ``--type``, ``--within``) belongs to
this command and is the same for the list and the PDF, while ``leaflet`` chooses services.
The language options are the leaflet's own (``--lang``, ``--accept-unreviewed``), checked
the same way.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from babel.dates import format_date

from coventry_directory.cli.common import EXIT_OK, UsageError, add_command, path_text, print_json
from coventry_directory.core.clock import uk_now, uk_today
from coventry_directory.core.distance_words import distance_text
from coventry_directory.core.meetings import (
    NEAR_KM,
    Meeting,
    MeetingFilters,
    MeetingList,
    Occurrence,
    UnknownMeetingType,
    Window,
    fellowship_matches,
    fellowships,
    known_types,
    meeting_list,
    resolve_types,
    type_words,
)
from coventry_directory.core.places import Place, resolve_place

NO_MEETINGS = (
    "The directory has no mutual-aid meetings yet. To add a meeting list (a Meeting Guide JSON file, "
    "as AA, NA, SMART Recovery and other meeting finders publish), run: coventry-directory import FILE"
)
NONE_MATCH = "No meetings match. Try a wider --within, --when week, or fewer filters."


def register(subparsers) -> None:
    """Add ``meetings`` to the main parser's subparsers."""
    parser = add_command(
        subparsers,
        "meetings",
        cmd_meetings,
        help="mutual-aid meetings (AA, NA, CA, SMART ...) today or this week, near a place; print a list",
        description="List the mutual-aid meetings of the directory's meeting lists that happen today or in the "
        "next seven days, in the order they start; --print writes the same list as a PDF in any leaflet language.",
    )
    parser.add_argument("--when", choices=tuple(Window), default=Window.WEEK, help="today or week (default week)")
    parser.add_argument("--at", metavar='"YYYY-MM-DD HH:MM"', help="list from this UK time instead of now")
    parser.add_argument("--near", metavar="PLACE", help="town, district or postcode, e.g. Rugby, CV12, 'CV21 3AB'")
    parser.add_argument("--within", type=float, metavar="KM", help=f"with --near: how far, in km (default {NEAR_KM:g})")
    parser.add_argument("--fellowship", metavar="NAME", help="e.g. AA, NA, CA, SMART, 'Narcotics Anonymous'")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--online", action="store_true", help="only meetings you can join online (online or hybrid)")
    how.add_argument("--in-person", action="store_true", help="only meetings you can go to (in person or hybrid)")
    parser.add_argument("--type", action="append", metavar="CODE", help="meeting type, repeatable: W, M, LGBTQ, O ...")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--print", action="store_true", dest="print_list", help="write the list as a PDF (with -o)")
    parser.add_argument(
        "-o", "--output", type=path_text, metavar="FILE.pdf|DIR", help="with --print: the PDF, or a folder for a batch"
    )
    parser.add_argument("--lang", metavar="CODE", help="with --print: leaflet language(s), as for leaflet (default en)")
    parser.add_argument(
        "--accept-unreviewed", action="store_true", help="with --print: print a translation not yet checked"
    )


def _at(text: str | None) -> datetime:
    if text is None:
        return uk_now()
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise UsageError(f'--at wants "YYYY-MM-DD HH:MM", not {text!r}') from None


def _check(args: argparse.Namespace) -> None:
    """Refuse options that do not go together, before the directory is opened."""
    if args.print_list and not args.output:
        raise UsageError("--print needs -o FILE.pdf (or a folder for several languages)")
    if args.print_list and args.json:
        raise UsageError("--print writes a PDF; --json prints the list: give one of them")
    for given, name in ((args.output, "-o"), (args.lang, "--lang"), (args.accept_unreviewed, "--accept-unreviewed")):
        if given and not args.print_list:
            raise UsageError(f"{name} works with --print only")
    if args.within is not None and args.near is None:
        raise UsageError("--within works with --near only")
    if args.within is not None and not 0 < args.within <= 500:  # also refuses nan
        raise UsageError(f"--within must be a distance in km above 0 and up to 500, not {args.within:g}")


def _filters(args: argparse.Namespace, meetings: list[Meeting], place: Place | None) -> MeetingFilters:
    from coventry_directory.exchange.meeting_guide_values import retired_types, spec_types

    if args.fellowship and not any(fellowship_matches(m, args.fellowship) for m in meetings):
        raise UsageError(
            f"no meetings of a fellowship {args.fellowship.strip()!r}; the directory has: {', '.join(fellowships(meetings))}"
        )
    values = [part for value in args.type or [] for part in value.split(",") if part.strip()]
    try:
        here = known_types(meetings)
        types = resolve_types(values, {**spec_types(), **retired_types(), **here}, here)
    except UnknownMeetingType as exc:
        raise UsageError(f"{exc}; or any Meeting Guide type code (resources/meeting-guide/types.toml)") from None
    return MeetingFilters(
        fellowship=args.fellowship,
        online_only=args.online,
        in_person_only=args.in_person,
        types=types,
        near=place,
        within_km=NEAR_KM if args.within is None else args.within,
    )


def cmd_meetings(args: argparse.Namespace) -> int:
    """``meetings [filters] [--json]`` or ``meetings --print -o FILE.pdf [--lang CODE]``."""
    from coventry_directory.core.editions import open_directory

    _check(args)
    at = _at(args.at)
    # UnknownPlace: bad input (exit 2), checked first; an empty --near "" too ("No place given")
    place = resolve_place(args.near) if args.near is not None else None
    langs = _languages(args) if args.print_list else []
    store = open_directory()
    try:
        meetings = store.meetings()
    finally:
        store.close()
    if not meetings:
        if args.json:
            print_json({"meetings": [], "unscheduled": [], "note": NO_MEETINGS})
        else:
            print(NO_MEETINGS)
        return EXIT_OK
    listing = meeting_list(meetings, _filters(args, meetings, place), at, args.when)
    if args.print_list:
        return _print(args, listing, langs)
    if args.json:
        print_json(_as_json(listing))
        return EXIT_OK
    _as_text(listing)
    return EXIT_OK


def _languages(args: argparse.Namespace):
    from coventry_directory.cli.leaflets import _leaflet_languages  # the leaflet's own check, unchanged

    return _leaflet_languages(argparse.Namespace(lang=args.lang or "en", accept_unreviewed=args.accept_unreviewed))


def _print(args: argparse.Namespace, listing: MeetingList, langs) -> int:
    from coventry_directory.leaflets.meetings_leaflet import MeetingsLeafletRenderer, meetings_pack

    place = listing.filters.near.name if listing.filters.near else None
    out = Path(args.output)
    if len(langs) > 1 or out.is_dir() or args.output.endswith(("/", "\\")):
        written = meetings_pack(listing, langs, out, place=place, printed=uk_today())
    else:
        from coventry_directory.leaflets.base import write_pdf

        data = MeetingsLeafletRenderer(listing, langs[0], place=place, printed=uk_today()).render()
        written = [write_pdf(out, data)]
    if not listing.occurrences:
        print(NONE_MATCH)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


# --- text and JSON -----------------------------------------------------------------------
def _day(value) -> str:
    return format_date(value, "EEEE d MMMM", locale="en_GB")  # never the PC's locale


def _clock(occurrence: Occurrence) -> str:
    start = f"{occurrence.starts:%H:%M}"
    return f"{start}–{occurrence.ends:%H:%M}" if occurrence.ends else f"from {start}"


def _where(meeting: Meeting, attending, km: float | None, near: Place | None = None) -> list[str]:
    lines = []
    if meeting.place and attending != "online":
        words = distance_text(km, near)  # "in Rugby", "about 18 km": never "0.0 km"
        distance = f" ({words})" if words else " (distance not known)" if near is not None else ""
        lines.append((meeting.place.one_line() or "venue not given") + distance)
    if meeting.online_url and attending != "in-person":
        lines.append(("also online: " if lines else "online: ") + meeting.online_url)
    if meeting.conference_phone and attending != "in-person":
        lines.append(f"dial-in: {meeting.conference_phone}")
    return lines or ["where: not given — check with the group"]


def _heading(listing: MeetingList) -> str:
    when = "today" if listing.when == Window.TODAY else "this week"
    place = listing.filters.near
    where = (
        f" near {place.name} (within {listing.filters.within_km:g} km; online meetings from anywhere)" if place else ""
    )
    return f"Meetings {when}{where}, from {_day(listing.start)} {listing.start:%H:%M}"


def _sources_line(listing: MeetingList) -> str:
    parts = [f"{name} as published on {when[:10] if when else 'a date not known'}" for name, when in listing.sources]
    return f"Meeting details come from {', '.join(parts) or 'the directory'}; check with the group before you go."


def _as_text(listing: MeetingList) -> None:
    print(_heading(listing))
    print(_sources_line(listing))
    if not listing.occurrences:
        print(NONE_MATCH)
    day = None
    for occurrence in listing.occurrences:
        if occurrence.day != day:
            day = occurrence.day
            holiday = (
                f" — {occurrence.bank_holiday} (bank holiday): check with the group" if occurrence.bank_holiday else ""
            )
            print(f"\n{_day(day)}{holiday}")
        meeting = occurrence.meeting
        print(f"  {_clock(occurrence):<12} {meeting.name} — {meeting.fellowship}")
        for line in _where(meeting, occurrence.attending, occurrence.distance_km, listing.filters.near):
            print(f"  {'':<12} {line}")
        words = type_words(meeting)
        if words:
            print(f"  {'':<12} {', '.join(words)}")
    if listing.unscheduled:
        print("\nNo day or time given (ask the group):")
        for meeting in listing.unscheduled:
            print(f"  {meeting.name} — {meeting.fellowship}: {'; '.join(_where(meeting, meeting.attending, None))}")


def _meeting_json(meeting: Meeting) -> dict:
    place = meeting.place
    return {
        "id": meeting.id,
        "name": meeting.name,
        "fellowship": meeting.fellowship,
        "attending": meeting.attending,
        "place": None
        if place is None
        else {
            "name": place.name,
            "address": place.address,
            "postcode": place.postcode,
            "latitude": place.latitude,
            "longitude": place.longitude,
        },
        "online_url": meeting.online_url,
        "conference_phone": meeting.conference_phone,
        "types": [{"code": t.code, "name": t.name} for t in meeting.types],
        "type_words": list(type_words(meeting)),
        "notes": meeting.notes,
        "status": meeting.status,
        "last_modified": meeting.last_modified,
        "source": meeting.source,
    }


def _as_json(listing: MeetingList) -> dict:
    filters = listing.filters
    return {
        "when": str(listing.when),
        "from": listing.start.isoformat(timespec="minutes"),
        "until": listing.end.isoformat(timespec="minutes"),
        "near": filters.near.name if filters.near else None,
        "within_km": filters.within_km if filters.near else None,
        "fellowship": filters.fellowship,
        "online": filters.online_only,
        "in_person": filters.in_person_only,
        "types": list(filters.types),
        "sources": [{"name": name, "read_at": when} for name, when in listing.sources],
        "meetings": [
            {
                **_meeting_json(o.meeting),
                "date": o.day.isoformat(),
                "weekday": format_date(o.day, "EEEE", locale="en_GB"),
                "starts": f"{o.starts:%H:%M}",
                "ends": None if o.ends is None else f"{o.ends:%H:%M}",
                "attending": o.attending,
                "distance_km": None if o.distance_km is None else round(o.distance_km, 1),
                "bank_holiday": o.bank_holiday,
            }
            for o in listing.occurrences
        ],
        "unscheduled": [_meeting_json(m) for m in listing.unscheduled],
    }
