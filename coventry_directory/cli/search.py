"""The ``search`` and ``eligible`` subcommands (see docs/cli.md).

Filter values are checked against the published taxonomy before the directory is opened, so
a typo gets a one-line message listing the codes that do exist (exit 2), never an empty result.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from datetime import datetime

from coventry_directory.cli.common import EXIT_OK, UsageError, add_command, print_json
from coventry_directory.core.clock import uk_now
from coventry_directory.core.distance_words import approximate_note, distance_text
from coventry_directory.core.eligibility import ClientProfile, Eligibility
from coventry_directory.core.filter_words import check_text, counts_lines
from coventry_directory.core.places import Place, resolve_place
from coventry_directory.core.search import Filters, Hit, SearchEngine
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.core.text import terminal_safe


def register(subparsers) -> None:
    """Add ``search`` and ``eligible`` to the main parser's subparsers."""
    search = add_command(
        subparsers, "search", cmd_search, help="find services (as-you-type search, filters, distance, open now)"
    )
    search.add_argument("query", nargs="*", default=[], metavar="QUERY", help="words to search for (optional)")
    search.add_argument(
        "--near",
        metavar="PLACE",
        help="town, village, Coventry neighbourhood or postcode, e.g. Rugby, Foleshill, CV12, 'CV21 3AB'",
    )
    search.add_argument("--category", action="append", metavar="C", help="category code (repeatable)")
    search.add_argument("--age", type=int, metavar="N")
    search.add_argument("--gender", metavar="G", help="female, male or any")
    search.add_argument("--substance", action="append", metavar="S", help="substance code (repeatable)")
    search.add_argument("--group", action="append", metavar="G", help="client group code (repeatable)")
    search.add_argument("--route", action="append", metavar="R", help="referral route code (repeatable)")
    search.add_argument("--mode", action="append", metavar="M", help="delivery mode code (repeatable)")
    search.add_argument("--language", metavar="L", help="language code the service offers, e.g. pl")
    search.add_argument(
        "--free", action="store_true", help="services known to be free, then those whose cost is not stated"
    )
    search.add_argument("--include-closed", action="store_true", help="also list services marked inactive or defunct")
    when = search.add_mutually_exclusive_group()
    when.add_argument("--open-now", action="store_true", help="services open now, then those whose hours are not known")
    when.add_argument(
        "--open-at", metavar='"YYYY-MM-DD HH:MM"', help="services open then, then those whose hours are not known"
    )
    search.add_argument(
        "--counts",
        action="store_true",
        help="with --json: an object with the services, the place searched near and, per filter, how many fit, "
        "are not known and are left out",
    )
    search.add_argument("--limit", type=int, default=20, metavar="N", help="how many results (default 20)")
    search.add_argument("--json", action="store_true", help="machine-readable output")

    eligible = add_command(subparsers, "eligible", cmd_eligible, help="which services this client can use, and why not")
    eligible.add_argument("--age", type=int, required=True, metavar="N")
    eligible.add_argument("--gender", metavar="G", help="female, male or any")
    eligible.add_argument(
        "--near", metavar="PLACE", help="where the client lives: town, village, neighbourhood or postcode"
    )
    eligible.add_argument("--substance", action="append", metavar="S", help="substance code (repeatable)")
    eligible.add_argument("--group", action="append", metavar="G", help="client group code (repeatable)")
    eligible.add_argument("--json", action="store_true", help="machine-readable output")


# --- turning option values into filter values ----------------------------------------
def _codes(values: list[str] | None, taxonomy: str) -> tuple[str, ...]:
    """Taxonomy codes from repeatable, comma-separated options; "Mutual Aid" means mutual-aid."""
    known = vocabularies()[taxonomy].codes()
    out = []
    for value in values or []:
        for part in value.split(","):
            code = part.strip().lower().replace(" ", "-")
            if not code:
                continue
            if code not in known:
                raise UsageError(
                    f"unknown {taxonomy.replace('_', ' ')} {part.strip()!r}; choose from: {', '.join(known)}"
                )
            out.append(code)
    return tuple(out)


def _gender(value: str | None) -> str | None:
    """female, male, or None for any (the words people type for them are accepted too)."""
    if value is None:
        return None
    value = value.strip().lower()
    aliases = {"f": "female", "woman": "female", "women": "female", "m": "male", "man": "male", "men": "male"}
    value = aliases.get(value, value)
    if value not in ("female", "male", "any"):
        raise UsageError(f"unknown gender {value!r}; choose from: female, male, any")
    return None if value == "any" else value


def _age(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 120:
        raise UsageError(f"age must be between 0 and 120, not {value}")
    return value


def _when(args: argparse.Namespace) -> datetime | None:
    """The moment --open-now or --open-at asks about, to the minute; None when neither is given."""
    if getattr(args, "open_now", False):
        return uk_now()
    if getattr(args, "open_at", None) is not None:
        try:
            when = datetime.strptime(args.open_at.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise UsageError(f'--open-at wants "YYYY-MM-DD HH:MM", not {args.open_at!r}') from None
        if not OPEN_AT_YEARS[0] <= when.year <= OPEN_AT_YEARS[1]:
            # no service's hours say anything that far off; the search would answer for another moment
            raise UsageError(f"--open-at: a year from {OPEN_AT_YEARS[0]} to {OPEN_AT_YEARS[1]}, not {when.year}")
        return when
    return None


OPEN_AT_YEARS = (1900, 2200)
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")  # ISO 639 (as HSDS language.code), with a region


def _language(value: str | None) -> str | None:
    """A language code (pl, ro, pa ...), as feeds record them; anything else is a usage error."""
    code = (value or "").strip().lower()
    if not code:
        return None  # blank, as for the other code options: no filter
    if not LANGUAGE_CODE.fullmatch(code):
        raise UsageError(f"--language wants a language code such as pl, ro, pa, ur or ar, not {value!r}")
    return code


def _place(text: str | None) -> Place | None:
    # An unknown place raises UnknownPlace, which the error table reports as bad input.
    return None if text is None else resolve_place(text)


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        categories=_codes(args.category, "category"),
        near=_place(args.near),
        age=_age(args.age),
        gender=_gender(args.gender),
        substances=_codes(args.substance, "substance"),
        groups=_codes(args.group, "client_group"),
        routes=_codes(args.route, "referral_route"),
        modes=_codes(args.mode, "delivery_mode"),
        language=_language(args.language),
        free=args.free,
        include_closed=getattr(args, "include_closed", False),
        open_at=_when(args),
    )


def _hit_line(n: int, hit: Hit, near: Place | None = None, when: str = "now") -> str:
    """One result as lines; ``when`` is "now", or "then" for a result of --open-at.

    What came from a record (it may come from any feed) is each one safe line (``terminal_safe``).
    """
    bits = [terminal_safe(hit.organization)]
    distance = distance_text(hit.distance_km, near)  # "in Rugby", "about 5 km": never "0.0 km"
    if distance:
        bits.append(distance)
    bits.append({"open": f"open {when}", "closed": f"closed {when}"}.get(hit.open_state, "hours not known"))
    if hit.verification in ("historic", "provider-may-have-changed"):
        bits.append("check: " + hit.verification.replace("-", " "))
    if hit.status != "active":
        bits.append(f"status: {hit.status}" if hit.status in STATUS_WORDS else "status unknown")
    if hit.checks:
        bits.append(check_text(hit.checks).lower())  # "check: cost not stated", like the other checks
    sources = terminal_safe(", ".join(hit.sources))
    where = f"    source: {sources}\n" if hit.sources and hit.sources != ("edition",) else ""
    return f"{n:>2}. {terminal_safe(hit.name)}\n    {' · '.join(bits)}\n{where}    key: {terminal_safe(hit.key)}"


STATUS_WORDS = ("inactive", "defunct", "temporarily closed")


# --- handlers ------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace) -> int:
    """``search [QUERY] [filters] [--json]``: ranked services that pass every filter."""
    from coventry_directory.core.editions import open_directory

    if not 1 <= args.limit <= 500:
        raise UsageError("--limit must be between 1 and 500")
    if args.counts and not args.json:
        raise UsageError("--counts goes with --json (the counts are printed anyway without it)")
    filters = _filters(args)
    store = open_directory()
    try:
        result = SearchEngine(store).search(" ".join(args.query), filters, limit=args.limit)
    finally:
        store.close()
    if args.json:
        services = [h.to_dict() for h in result.hits]
        if args.counts:
            counts = {f: {"known": k, "not_known": u, "excluded": x} for f, (k, u, x) in result.filter_counts.items()}
            place = None if result.place is None else dataclasses.asdict(result.place)  # where distances are from
            print_json({"services": services, "filter_counts": counts, "place": place})
        else:
            print_json(services)
        return EXIT_OK
    for note in result.notes:
        print(terminal_safe(note))  # "Showing results for ..." quotes what was typed
    for line in counts_lines(result.filter_counts):
        print(line)
    _print_distance_note(result.hits, result.place)
    if not result.hits:
        print("No services match. Try fewer words or fewer filters.")
    for n, hit in enumerate(result.hits, 1):
        print(_hit_line(n, hit, result.place, "then" if args.open_at is not None else "now"))
    return EXIT_OK


def _print_distance_note(hits: list[Hit], near: Place | None) -> None:
    """Say once that distances are between centres (when any is shown)."""
    note = approximate_note(near) if any(h.distance_km is not None for h in hits) else None
    if note:
        print(note)


def cmd_eligible(args: argparse.Namespace) -> int:
    """``eligible --age N [...]``: split every service into can use / cannot use (with reasons) for one client."""
    from coventry_directory.core.editions import open_directory

    place = _place(args.near)
    profile = ClientProfile(
        age=_age(args.age),
        gender=_gender(args.gender),
        area=place.area if place else None,
        substances=_codes(args.substance, "substance"),
        groups=_codes(args.group, "client_group"),
    )
    store = open_directory()
    try:
        # 500 is the most SearchEngine returns; the curated directory is a few hundred services, so that is all of them.
        result = SearchEngine(store).search("", Filters(near=place), limit=500, profile=profile)
    finally:
        store.close()
    fits = [h for h in result.hits if h.verdict.status != Eligibility.EXCLUDED]
    excluded = [h for h in result.hits if h.verdict.status == Eligibility.EXCLUDED]
    if args.json:
        print_json(
            {
                "eligible": [dict(h.to_dict(), status=h.verdict.status, checks=h.verdict.checks) for h in fits],
                "excluded": [
                    {"id": h.id, "key": h.key, "name": h.name, "reasons": h.verdict.reasons} for h in excluded
                ],
            }
        )
        return EXIT_OK
    _print_distance_note(result.hits, place)
    print(f"Can use ({len(fits)}):")
    for n, hit in enumerate(fits, 1):
        print(_hit_line(n, hit, place))
        if hit.verdict.checks:
            print("    check with the service: " + "; ".join(hit.verdict.checks))
    print(f"\nCannot use ({len(excluded)}):")
    for hit in excluded:
        print(f"  - {terminal_safe(hit.name)}: {terminal_safe('; '.join(hit.verdict.reasons))}")
    return EXIT_OK
