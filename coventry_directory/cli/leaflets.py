"""The ``leaflet``, ``languages`` and ``build-translations`` subcommands (see docs/cli.md and docs/leaflets/).

A leaflet that cannot be made from the arguments given (LeafletError, an unknown language) is
bad input; a missing font or translation catalog is a failure of the installation. Both are
reported by the error table in ``cli.common``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coventry_directory.cli.common import EXIT_OK, UsageError, add_command, path_text, print_json


def register(subparsers) -> None:
    """Add ``leaflet``, ``languages`` and ``build-translations`` to the main parser's subparsers."""
    leaflet = add_command(
        subparsers,
        "leaflet",
        cmd_leaflet,
        help="print leaflets: services, a category near a place, or a shortlist handout",
        description="Print a service leaflet (SERVICE_ID...), a topic leaflet (--category [--near]) or a "
        "shortlist handout (SERVICE_ID... --handout). Several languages (--lang en,pl,ro or "
        "--lang all) make a batch: -o is then a folder and gets one PDF per language (and per "
        "service). Translations not yet checked by a fluent speaker need --accept-unreviewed.",
    )
    leaflet.add_argument("service_ids", nargs="*", metavar="SERVICE_ID", help="service ids (UUID) or directory keys")
    leaflet.add_argument("--category", metavar="C", help="a category code, e.g. naloxone, needle-syringe, mutual-aid")
    leaflet.add_argument("--near", metavar="PLACE", help="a town, district or postcode (with --category)")
    leaflet.add_argument(
        "--lang",
        metavar="CODE",
        required=True,
        help="en, pl, ro, pa, ur, ar, bn, gu, ckb, ti; several comma-separated, or 'all', for a batch",
    )
    leaflet.add_argument("--large-print", action="store_true", help="large print (16 pt body text)")
    leaflet.add_argument("--easy-read", action="store_true", help="Easy Read English (one service; --lang en)")
    leaflet.add_argument("--handout", action="store_true", help="one shortlist handout for the services given")
    leaflet.add_argument("--size", choices=("A4", "A5"), default="A4", help="paper size (default A4)")
    leaflet.add_argument(
        "--accept-unreviewed",
        action="store_true",
        help="print a translation that no fluent speaker has checked yet (the leaflet says so)",
    )
    leaflet.add_argument(
        "-o",
        "--output",
        type=path_text,
        required=True,
        metavar="FILE.pdf|DIR",
        help="the PDF to write, or a folder for a batch",
    )

    languages = add_command(
        subparsers,
        "languages",
        cmd_languages,
        help="list leaflet and app languages and whether each translation is checked",
    )
    languages.add_argument("--json", action="store_true", help="print the list as JSON")

    build = add_command(
        subparsers,
        "build-translations",
        cmd_build_translations,
        help="compile translations/*.po into resources/locale (build step)",
    )
    build.add_argument(
        "--update",
        action="store_true",
        help="first extract every marked string into the .pot and update each .po (developers; "
        "see docs/translations.md)",
    )


def cmd_languages(args: argparse.Namespace) -> int:
    """``languages [--json]``: every language, its script and direction, and whether a fluent speaker checked it."""
    from coventry_directory.i18n.languages import LANGUAGES

    if args.json:
        print_json([lang.to_dict() for lang in LANGUAGES.values()])
        return EXIT_OK
    for lang in LANGUAGES.values():
        status = "checked" if lang.reviewed else "NOT checked by a fluent speaker"
        use = "app+leaflets" if lang.ui else "leaflets"
        print(
            f"{lang.code:4} {lang.english_name:17} {lang.native_name:10} {lang.script:9} {lang.direction}  "
            f"{use:12}  {status}"
        )
    return EXIT_OK


def cmd_build_translations(args: argparse.Namespace) -> int:
    """``build-translations [--update]``: compile the catalogs (after extracting and merging with ``--update``)."""
    from coventry_directory.i18n.catalogs import build_translations
    from coventry_directory.i18n.languages import PSEUDO_CODE

    if args.update:
        from coventry_directory.i18n.maintain import regenerate

        report = regenerate()
        print(
            "template "
            + ("updated" if report["template_changed"] else "unchanged")
            + "; catalogs updated: "
            + (", ".join(report["catalogs_changed"]) or "none")
        )
        paths = report["compiled"]
    else:
        paths = build_translations()
    languages = [p for p in paths if PSEUDO_CODE not in p.parts]
    pseudo = " and the pseudo-locale" if len(languages) < len(paths) else ""
    print(f"compiled {len(languages)} catalogs{pseudo} into {paths[0].parents[2] if paths else '-'}")
    return EXIT_OK


def _leaflet_languages(args: argparse.Namespace):
    """The languages asked for; unchecked translations only with --accept-unreviewed."""
    from coventry_directory.i18n.languages import parse_language_list

    langs = parse_language_list(args.lang)  # an unknown code raises UnknownLanguage: bad input
    unchecked = [lang for lang in langs if not lang.reviewed]
    if unchecked and not args.accept_unreviewed:
        names = ", ".join(f"{lang.english_name} ({lang.code})" for lang in unchecked)
        raise UsageError(
            f"the {names} translation has not been checked by a fluent speaker yet; the leaflet "
            "says so in its footer. Add --accept-unreviewed to print it anyway"
        )
    return langs


def _check_leaflet_args(args: argparse.Namespace) -> None:
    """Refuse option combinations that make no leaflet, before the directory is opened."""
    if bool(args.service_ids) == bool(args.category):
        raise UsageError("give either SERVICE_ID... or --category C")
    if args.near and not args.category:
        raise UsageError("--near works with --category only")
    if args.handout and not args.service_ids:
        raise UsageError("--handout needs the SERVICE_IDs to put on it")
    if args.easy_read and (args.category or args.handout or len(args.service_ids) != 1 or args.lang.strip() != "en"):
        raise UsageError("--easy-read makes an English leaflet for one service: one SERVICE_ID with --lang en")


def cmd_leaflet(args: argparse.Namespace) -> int:
    """``leaflet ... --lang CODE -o FILE.pdf|DIR``: service, topic or handout leaflets, one or a batch."""
    from coventry_directory.core.editions import open_directory
    from coventry_directory.leaflets import batch
    from coventry_directory.leaflets.base import write_pdf
    from coventry_directory.leaflets.handout import UnknownService

    _check_leaflet_args(args)
    langs = _leaflet_languages(args)
    out = Path(args.output)
    # A batch (several languages) or an output ending in a slash or naming a folder: a folder.
    as_folder = len(langs) > 1 or out.is_dir() or args.output.endswith(("/", "\\"))
    store = open_directory()
    try:
        if not args.handout:
            for ref in args.service_ids:
                if store.resolve_service_id(ref) is None:
                    raise UsageError(
                        f"no service with id or key {ref!r} (search for it with 'coventry-directory search')"
                    )
        opts = {"size": args.size, "large_print": args.large_print}
        if as_folder and args.category:
            written = batch.topic_pack(store, args.category, args.near, langs, out, **opts)
        elif as_folder:
            written = batch.service_pack(store, args.service_ids, langs, out, handout=args.handout, **opts)
        else:
            written = [write_pdf(out, _render_one(store, args, langs[0]))]
    except UnknownService:
        # Not the exception's own text: the handout refuses without echoing what was typed (it may be a name).
        raise UsageError("a SERVICE_ID given is not a service id or key in the directory") from None
    finally:
        store.close()
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _render_one(store, args: argparse.Namespace, lang) -> bytes:
    """The PDF bytes of the one leaflet these arguments describe, in ``lang``."""
    from coventry_directory.leaflets.easy_read import EasyReadRenderer
    from coventry_directory.leaflets.handout import render_handout, resolve_services
    from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
    from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer

    opts = {"size": args.size, "large_print": args.large_print}
    if args.category:
        return TopicLeafletRenderer(store, args.category, args.near, lang, **opts).render()
    if args.handout:
        return render_handout(store, args.service_ids, lang=lang, **opts)
    services = resolve_services(store, args.service_ids)
    if args.easy_read:
        return EasyReadRenderer(services[0], size=args.size, routes=store).render()
    return ServiceLeafletRenderer(services, lang, **opts, routes=store).render()
