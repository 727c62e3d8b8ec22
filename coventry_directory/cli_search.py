"""The ``search`` and ``eligible`` subcommands (see DESIGN.md's command-line contract)."""

from __future__ import annotations

import json
import sys
from datetime import datetime

from coventry_directory.core.eligibility import EXCLUDED, ClientProfile
from coventry_directory.core.places import UnknownPlace, resolve_place
from coventry_directory.core.search import Filters, Hit, SearchEngine
from coventry_directory.core.taxonomy import vocabularies


class FilterError(ValueError):
    """A filter value the directory does not know; the message lists what it does know."""


def _codes(values: list[str] | None, taxonomy: str) -> tuple[str, ...]:
    known = vocabularies()[taxonomy].codes()
    out = []
    for value in values or []:
        for part in value.split(","):
            code = part.strip().lower().replace(" ", "-")
            if not code:
                continue
            if code not in known:
                raise FilterError(f"unknown {taxonomy.replace('_', ' ')} {part.strip()!r}; choose from: {', '.join(known)}")
            out.append(code)
    return tuple(out)


def _gender(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    aliases = {"f": "female", "woman": "female", "women": "female", "m": "male", "man": "male", "men": "male"}
    value = aliases.get(value, value)
    if value not in ("female", "male", "any"):
        raise FilterError(f"unknown gender {value!r}; choose from: female, male, any")
    return None if value == "any" else value


def _age(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 120:
        raise FilterError(f"age must be between 0 and 120, not {value}")
    return value


def _when(args) -> datetime | None:
    if getattr(args, "open_now", False):
        return datetime.now().replace(second=0, microsecond=0)
    if getattr(args, "open_at", None):
        try:
            return datetime.strptime(args.open_at.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise FilterError(f"--open-at wants \"YYYY-MM-DD HH:MM\", not {args.open_at!r}") from None
    return None


def _place(text: str | None):
    if text is None:
        return None
    try:
        return resolve_place(text)
    except UnknownPlace as exc:
        raise FilterError(str(exc)) from None


def add_parsers(sub) -> None:
    """Register ``search`` and ``eligible`` on the main parser's subparsers."""
    search = sub.add_parser("search", help="find services (as-you-type search, filters, distance, open now)")
    search.add_argument("query", nargs="*", default=[], metavar="QUERY", help="words to search for (optional)")
    search.add_argument("--near", metavar="PLACE", help="town, district or postcode, e.g. Rugby, CV12, 'CV21 3AB'")
    search.add_argument("--category", action="append", metavar="C", help="category code (repeatable)")
    search.add_argument("--age", type=int, metavar="N")
    search.add_argument("--gender", metavar="G", help="female, male or any")
    search.add_argument("--substance", action="append", metavar="S", help="substance code (repeatable)")
    search.add_argument("--group", action="append", metavar="G", help="client group code (repeatable)")
    search.add_argument("--route", action="append", metavar="R", help="referral route code (repeatable)")
    search.add_argument("--mode", action="append", metavar="M", help="delivery mode code (repeatable)")
    search.add_argument("--language", metavar="L", help="language code the service offers, e.g. pl")
    search.add_argument("--free", action="store_true", help="only services known to be free")
    when = search.add_mutually_exclusive_group()
    when.add_argument("--open-now", action="store_true", help="only services open now")
    when.add_argument("--open-at", metavar='"YYYY-MM-DD HH:MM"', help="only services open then")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="how many results (default 20)")
    search.add_argument("--json", action="store_true", help="machine-readable output")

    eligible = sub.add_parser("eligible", help="which services this client can use, and why not")
    eligible.add_argument("--age", type=int, required=True, metavar="N")
    eligible.add_argument("--gender", metavar="G", help="female, male or any")
    eligible.add_argument("--near", metavar="PLACE", help="where the client lives: town, district or postcode")
    eligible.add_argument("--substance", action="append", metavar="S", help="substance code (repeatable)")
    eligible.add_argument("--group", action="append", metavar="G", help="client group code (repeatable)")
    eligible.add_argument("--json", action="store_true", help="machine-readable output")


def _filters(args) -> Filters:
    return Filters(
        categories=_codes(args.category, "category"),
        near=_place(args.near),
        age=_age(args.age),
        gender=_gender(args.gender),
        substances=_codes(args.substance, "substance"),
        groups=_codes(args.group, "client_group"),
        routes=_codes(args.route, "referral_route"),
        modes=_codes(args.mode, "delivery_mode"),
        language=(args.language or "").strip().lower() or None,
        free=args.free,
        open_at=_when(args),
    )


def _hit_line(n: int, hit: Hit) -> str:
    bits = [hit.organization]
    if hit.distance_km is not None:
        bits.append(f"{hit.distance_km:.1f} km")
    bits.append({"open": "open now", "closed": "closed now"}.get(hit.open_state, "hours not known"))
    if hit.verification in ("historic", "provider-may-have-changed"):
        bits.append("check: " + hit.verification.replace("-", " "))
    return f"{n:>2}. {hit.name}\n    {' · '.join(bits)}\n    key: {hit.key}"


def cmd_search(args, open_directory) -> int:
    """Run a search and print it."""
    if not 1 <= args.limit <= 500:
        raise FilterError("--limit must be between 1 and 500")
    filters = _filters(args)
    store = open_directory()
    try:
        result = SearchEngine(store).search(" ".join(args.query), filters, limit=args.limit)
    finally:
        store.close()
    if args.json:
        json.dump([h.to_dict() for h in result.hits], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for note in result.notes:
        print(note)
    if not result.hits:
        print("No services match. Try fewer words or fewer filters.")
    for n, hit in enumerate(result.hits, 1):
        print(_hit_line(n, hit))
    return 0


def cmd_eligible(args, open_directory) -> int:
    """Split every service into eligible / check / excluded for one client profile."""
    place = _place(args.near)
    profile = ClientProfile(
        age=_age(args.age), gender=_gender(args.gender), area=place.area if place else None,
        substances=_codes(args.substance, "substance"), groups=_codes(args.group, "client_group"),
    )
    store = open_directory()
    try:
        result = SearchEngine(store).search("", Filters(near=place), limit=500, profile=profile)
    finally:
        store.close()
    fits = [h for h in result.hits if h.verdict.status != EXCLUDED]
    excluded = [h for h in result.hits if h.verdict.status == EXCLUDED]
    if args.json:
        data = {
            "eligible": [dict(h.to_dict(), status=h.verdict.status, checks=h.verdict.checks) for h in fits],
            "excluded": [{"id": h.id, "key": h.key, "name": h.name, "reasons": h.verdict.reasons}
                         for h in excluded],
        }
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"Can use ({len(fits)}):")
    for n, hit in enumerate(fits, 1):
        print(_hit_line(n, hit))
        if hit.verdict.checks:
            print("    check with the service: " + "; ".join(hit.verdict.checks))
    print(f"\nCannot use ({len(excluded)}):")
    for hit in excluded:
        print(f"  - {hit.name}: {'; '.join(hit.verdict.reasons)}")
    return 0


def as_usage_error(fn):
    """Turn FilterError into the CLI's one-line bad-input error."""
    def run(args) -> int:
        from coventry_directory.cli_common import UsageError
        from coventry_directory.core.editions import open_directory

        try:
            return fn(args, open_directory)
        except FilterError as exc:
            raise UsageError(str(exc)) from None
    return run


COMMANDS = {"search": as_usage_error(cmd_search), "eligible": as_usage_error(cmd_eligible)}
