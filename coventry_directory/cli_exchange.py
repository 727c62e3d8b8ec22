"""Command-line parts for issue 7: ``export``, ``import`` and ``bundle`` (see DESIGN.md).

Registered by ``cli.py`` like ``cli_search``. Errors of the exchange layer become the
CLI's exit codes here: bad input (invalid data, a refused bundle, an unusable key) is one
line on stderr and exit 2 - with the full list of data problems on stdout - and failures
(network, disk, mail) are one line and exit 1.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

from coventry_directory import APP_ID

SMTP_PASSWORD_ENV = "COVENTRY_DIRECTORY_SMTP_PASSWORD"


def add_parsers(sub) -> None:
    """Add the export, import and bundle subcommands."""
    export = sub.add_parser("export", help="export the directory as HSDS 3.0 JSON or CSV, or your correction notes")
    export.add_argument("--format", required=True, choices=("hsds-json", "hsds-csv", "corrections"),
                        help="hsds-json (DIR/services.json), hsds-csv (DIR/*.csv + datapackage.json), "
                             "or corrections (your queued correction notes, as FILE.json)")
    export.add_argument("-o", "--output", type=Path, metavar="DIR|FILE", help="where to write")
    export.add_argument("--db", type=Path, metavar="FILE", help="export this directory database instead")
    export.add_argument("--email", action="store_true",
                        help="corrections: email them to the maintainer named by the installed bundle (TLS only)")
    export.add_argument("--smtp-host", metavar="HOST", help="corrections --email: the mail server")
    export.add_argument("--smtp-port", type=int, default=587, metavar="N",
                        help="587 (STARTTLS, the default) or 465 (TLS)")
    export.add_argument("--smtp-user", metavar="USER", help=f"log in as USER (password from ${SMTP_PASSWORD_ENV})")
    export.add_argument("--from", dest="sender", metavar="ADDR", help="the sender address")

    imp = sub.add_parser("import", help="replace the directory from HSDS JSON/CSV, or sync an Open Referral feed",
                         description="PATH: an HSDS JSON file or folder, or an HSDS CSV package folder (replaces "
                                     "the directory). URL: an Open Referral / HSDS API root; the first pull "
                                     "replaces the directory, later pulls fetch only what changed.")
    imp.add_argument("source", metavar="PATH_OR_URL")
    imp.add_argument("--db", type=Path, metavar="FILE", help="update this database file instead of the installed one")
    imp.add_argument("--full", action="store_true", help="feeds: pull everything, not only changes")
    imp.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="feeds: per request (default 30)")
    imp.add_argument("--per-page", type=int, default=100, metavar="N", help="feeds: page size (default 100)")
    imp.add_argument("--json", action="store_true", help="print the result (or the problems) as JSON")

    bundle = sub.add_parser("bundle", help="signed directory bundles for machines that are never online")
    bsub = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    build = bsub.add_parser("build", help="write a signed bundle of the directory")
    build.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    build.add_argument("--db", type=Path, metavar="FILE", help="bundle this database (default: the current directory)")
    build.add_argument("--signing-key", metavar="FILE", help="the publisher's Ed25519 private key "
                                                             "(default: $COVENTRY_DIRECTORY_SIGNING_KEY)")
    build.add_argument("--maintainer-email", metavar="ADDR", help="where users' corrections go "
                                                                  "(default: $COVENTRY_DIRECTORY_MAINTAINER_EMAIL)")
    build.add_argument("--source", metavar="TEXT", help="where the data came from (shown in the manifest)")
    build.add_argument("--json", action="store_true", help="print the manifest as JSON")
    for name, text in (("verify", "check a bundle's signature and contents"),
                       ("install", "verify a bundle and make it the installed directory (atomic)")):
        p = bsub.add_parser(name, help=text)
        p.add_argument("file", type=Path, metavar="FILE")
        p.add_argument("--json", action="store_true", help="print the manifest as JSON")
        if name == "install":
            p.add_argument("--db", type=Path, metavar="FILE", help="install to this file instead")
    rollback = bsub.add_parser("rollback", help="go back to the edition installed before the current one")
    rollback.add_argument("--db", type=Path, metavar="FILE", help="the installed file (default: the app's)")
    keygen = bsub.add_parser("keygen", help="make a publisher key pair (see docs/publishing.md)")
    keygen.add_argument("--private-key", type=Path, required=True, metavar="FILE")
    keygen.add_argument("--public-key", type=Path, required=True, metavar="FILE")


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _exchange_errors(fn):
    """Map exchange-layer errors onto the CLI's contract (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(args) -> int:
        from coventry_directory.cli_common import EXIT_FAILURE, UsageError
        from coventry_directory.exchange.errors import BundleError, ExchangeError, InvalidData, UnknownSource
        from coventry_directory.exchange.signing import SigningKeyError

        try:
            return fn(args)
        except InvalidData as exc:
            if getattr(args, "json", False):
                _print_json({"ok": False, "source": exc.source,
                             "problems": [{"path": p.path, "message": p.message} for p in exc.problems]})
            else:
                for problem in exc.problems:
                    print(problem)
            raise UsageError(str(exc)) from None
        except (BundleError, SigningKeyError, UnknownSource) as exc:
            raise UsageError(str(exc)) from None
        except ExchangeError as exc:
            print(f"{APP_ID}: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        except BrokenPipeError:
            raise  # cli.main treats a closed pipe as a normal end
        except OSError as exc:
            print(f"{APP_ID}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
            return EXIT_FAILURE

    return wrapper


def _installed_target(args) -> Path:
    from coventry_directory.userdata import installed_directory_path

    return Path(args.db) if getattr(args, "db", None) else installed_directory_path()


def _open_source(args):
    from coventry_directory.core.editions import open_directory

    if args.db is not None and not Path(args.db).is_file():
        from coventry_directory.cli_common import UsageError

        raise UsageError(f"no directory database at {args.db}")
    return open_directory(args.db)


@_exchange_errors
def cmd_export(args) -> int:
    """``export --format hsds-json|hsds-csv|corrections``."""
    from coventry_directory.cli_common import UsageError

    if args.format == "corrections":
        return _export_corrections(args)
    if args.output is None:
        raise UsageError(f"--format {args.format} needs -o DIR")
    from coventry_directory.exchange.hsds_csv import export_csv
    from coventry_directory.exchange.hsds_json import export_json

    store = _open_source(args)
    try:
        written = [export_json(store, args.output)] if args.format == "hsds-json" else export_csv(store, args.output)
    finally:
        store.close()
    print(f"wrote {len(written)} file{'s' if len(written) != 1 else ''} to {args.output}")
    return 0


def _export_corrections(args) -> int:
    from coventry_directory.cli_common import UsageError
    from coventry_directory.core.store import UserStore
    from coventry_directory.exchange.corrections import (
        SmtpSettings,
        corrections_document,
        send_corrections,
        write_corrections,
    )
    from coventry_directory.userdata import user_database_path

    if args.output is None and not args.email:
        raise UsageError("--format corrections needs -o FILE.json, --email, or both")
    if args.email and not args.smtp_host:
        raise UsageError("--email needs --smtp-host HOST")
    store = _open_source(args)
    try:
        info = store.info()
        names = {s.id: s.name for s in store.all_services()}
    finally:
        store.close()
    user = UserStore(user_database_path())
    try:
        document = corrections_document(user, info, names)
        if args.output is not None:
            write_corrections(document, args.output)
            print(f"wrote {len(document['corrections'])} correction(s) to {args.output}")
        if args.email:
            smtp = SmtpSettings(args.smtp_host, args.smtp_port, args.sender or "", args.smtp_user,
                                os.environ.get(SMTP_PASSWORD_ENV))
            sent = send_corrections(user, document, info.get("maintainer_email"), smtp)
            print(f"emailed {sent} correction(s) to {info.get('maintainer_email')}")
    finally:
        user.close()
    return 0


@_exchange_errors
def cmd_import(args) -> int:
    """``import PATH_OR_URL``."""
    from coventry_directory.cli_common import UsageError
    from coventry_directory.exchange.importing import import_file, is_url
    from coventry_directory.exchange.oruk_sync import sync_feed

    if args.timeout <= 0 or args.per_page < 1:
        raise UsageError("--timeout and --per-page must be positive")
    target = _installed_target(args)
    if is_url(args.source):
        result = sync_feed(args.source, target, full=args.full, timeout=args.timeout, per_page=args.per_page)
    else:
        result = import_file(Path(args.source), target)
    if args.json:
        _print_json({"ok": True, "source": result.source, "format": result.format, "mode": result.mode,
                     "counts": result.counts, "edition": result.info.get("edition"), "database": str(target)})
    else:
        services = result.counts.get("service", 0)
        verb = "replaced the directory with" if result.mode == "replace" else "merged"
        print(f"{verb} {services} service(s) from {result.source} into {target}")
    return 0


def _installed_info(target: Path) -> dict[str, str]:
    from coventry_directory.core.store_rows import read_info
    from coventry_directory.resources import bundled_database_path
    from coventry_directory.userdata import installed_directory_path

    if target.is_file():
        return read_info(target)
    if target == installed_directory_path() and bundled_database_path().is_file():
        return read_info(bundled_database_path())  # nothing installed yet: the shipped edition counts
    return {}


def _manifest_text(manifest: dict) -> str:
    counts = manifest.get("counts", {})
    return (f"edition {manifest.get('edition') or 'unknown'}, made {manifest.get('created')}, "
            f"{counts.get('service', 0)} services, source {manifest.get('source')}")


@_exchange_errors
def cmd_bundle(args) -> int:
    """``bundle build|verify|install|rollback|keygen``."""
    from coventry_directory.core.editions import current_directory_path
    from coventry_directory.exchange import bundles, install, signing

    action = args.bundle_command
    if action == "keygen":
        kid = signing.generate_keypair(args.private_key, args.public_key, os.environ.get(signing.PASSPHRASE_ENV))
        print(f"made key {kid}: private {args.private_key} (keep it secret), public {args.public_key}")
        return 0
    if action == "rollback":
        info = install.rollback(_installed_target(args))
        print(f"rolled back to edition {info.get('edition') or 'unknown'}")
        return 0
    if action == "build":
        if args.db is not None and not Path(args.db).is_file():
            from coventry_directory.cli_common import UsageError

            raise UsageError(f"no directory database at {args.db}")
        key = signing.load_signing_key(args.signing_key)
        db = args.db or current_directory_path()
        manifest = bundles.build_bundle(db, args.output, key, source=args.source, maintainer_email=args.maintainer_email)
        _print_json(manifest) if args.json else print(f"wrote {args.output}: {_manifest_text(manifest)}")
        return 0
    if action == "verify":
        manifest = bundles.verify_bundle(args.file)
        _print_json(manifest) if args.json else print(f"{args.file} is valid: {_manifest_text(manifest)}")
        return 0
    target = _installed_target(args)
    manifest = bundles.install_bundle(args.file, target, _installed_info(target))
    _print_json(manifest) if args.json else print(f"installed {_manifest_text(manifest)} to {target}")
    return 0


COMMANDS = {"export": cmd_export, "import": cmd_import, "bundle": cmd_bundle}
