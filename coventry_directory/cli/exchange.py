"""The ``export`` and ``bundle`` subcommands: moving the directory between machines.

HSDS 3.0 files go out with ``export`` (and come in with ``import``, in ``cli.sources``); signed
bundles carry editions to machines that are never online (see docs/publishing.md). Errors of
the exchange layer are reported by the error table in ``cli.common``: invalid data, a refused
bundle or an unusable key are bad input (exit 2, with every data problem listed on stdout);
network, disk and mail failures exit 1.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from coventry_directory.cli.common import (
    EXIT_OK,
    UsageError,
    add_command,
    add_publisher_options,
    path_arg,
    print_json,
    user_store,
)

SMTP_PASSWORD_ENV = "COVENTRY_DIRECTORY_SMTP_PASSWORD"


def register(subparsers) -> None:
    """Add ``export`` and ``bundle`` (with its actions) to the main parser's subparsers."""
    export = add_command(
        subparsers, "export", cmd_export, help="export the directory as HSDS 3.0 JSON or CSV, or your correction notes"
    )
    export.add_argument(
        "--format",
        required=True,
        choices=("hsds-json", "hsds-csv", "corrections"),
        help="hsds-json (DIR/services.json), hsds-csv (DIR/*.csv + datapackage.json), "
        "or corrections (your queued correction notes, as FILE.json)",
    )
    export.add_argument("-o", "--output", type=path_arg, metavar="DIR|FILE", help="where to write")
    export.add_argument("--db", type=path_arg, metavar="FILE", help="export this directory database instead")
    export.add_argument(
        "--email",
        action="store_true",
        help="corrections: email them to the maintainer named by the installed bundle (TLS only)",
    )
    export.add_argument("--smtp-host", metavar="HOST", help="corrections --email: the mail server")
    export.add_argument(
        "--smtp-port", type=int, default=587, metavar="N", help="587 (STARTTLS, the default) or 465 (TLS)"
    )
    export.add_argument("--smtp-user", metavar="USER", help=f"log in as USER (password from ${SMTP_PASSWORD_ENV})")
    export.add_argument("--from", dest="sender", metavar="ADDR", help="the sender address")

    bundle = subparsers.add_parser("bundle", help="signed directory bundles for machines that are never online")
    actions = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    build = add_command(actions, "build", cmd_bundle_build, help="write a signed bundle of the directory")
    build.add_argument("-o", "--output", type=path_arg, required=True, metavar="FILE")
    build.add_argument(
        "--db", type=path_arg, metavar="FILE", help="bundle this database (default: the current directory)"
    )
    add_publisher_options(build)
    build.add_argument(
        "--include-sources",
        action="store_true",
        help="sign the directory even when it holds imported sources beside the curated edition",
    )
    build.add_argument("--json", action="store_true", help="print the manifest as JSON")

    verify = add_command(actions, "verify", cmd_bundle_verify, help="check a bundle's signature and contents")
    verify.add_argument("file", type=path_arg, metavar="FILE")
    verify.add_argument("--json", action="store_true", help="print the manifest as JSON")

    install = add_command(
        actions, "install", cmd_bundle_install, help="verify a bundle and make it the installed directory (atomic)"
    )
    install.add_argument("file", type=path_arg, metavar="FILE")
    install.add_argument("--json", action="store_true", help="print the manifest as JSON")
    install.add_argument("--db", type=path_arg, metavar="FILE", help="install to this file instead")

    rollback = add_command(
        actions, "rollback", cmd_bundle_rollback, help="go back to the edition installed before the current one"
    )
    rollback.add_argument("--db", type=path_arg, metavar="FILE", help="the installed file (default: the app's)")

    keygen = add_command(
        actions, "keygen", cmd_bundle_keygen, help="make a publisher key pair (see docs/publishing.md)"
    )
    keygen.add_argument("--private-key", type=path_arg, required=True, metavar="FILE")
    keygen.add_argument("--public-key", type=path_arg, required=True, metavar="FILE")


# --- helpers -------------------------------------------------------------------------
def installed_target(args: argparse.Namespace, *, write: bool = False) -> Path:
    """The database file to change: ``--db`` if given, else the installed directory in the user-data folder.

    ``write``: it is about to be replaced, so a target that is a folder, a device or a pipe,
    or a data folder that cannot be written, is refused now (one line), before any work.
    """
    from coventry_directory.atomic_write import ensure_replaceable
    from coventry_directory.userdata import installed_directory_path, require_writable_data_dir

    if getattr(args, "db", None):
        target = Path(args.db)
        if write:
            ensure_replaceable(target)
        return target
    if write:
        require_writable_data_dir()  # made private (0700) if it is new, and proved writable
    return installed_directory_path()


def home_of(args: argparse.Namespace, *, write: bool = False):
    """The directory to change and its sources (``exchange.sources.Home``): ``--db`` or the installed one.

    The installed directory starts from the shipped edition; a ``--db`` file from itself.
    """
    from coventry_directory.exchange.sources import Home
    from coventry_directory.resources import bundled_database_path
    from coventry_directory.userdata import installed_directory_path

    target = installed_target(args, write=write)
    if target != installed_directory_path():
        home = Home(target, None)
        _remove_stale_beside(home)
        return home
    from coventry_directory.core.editions import current_directory_path

    current_directory_path()  # a source checkout compiles the shipped edition on first use
    return Home(target, bundled_database_path())


def _remove_stale_beside(home) -> None:
    """What a killed import or install left beside a ``--db`` file and in its sources folder (dead PIDs only).

    ``main`` tidies the installed directory's folder when any command starts; a ``--db``
    file's folder is only known here. A folder that cannot be read or tidied is left for
    the command itself to report.
    """
    try:
        found = any(home.target.parent.glob(f"{home.target.name}.incoming-*"))
        in_sources = home.sources_dir.is_dir() and any(home.sources_dir.glob("*.incoming-*"))
    except OSError:
        return
    if found or in_sources:
        from coventry_directory.exchange.install import remove_stale, remove_stale_sources

        remove_stale(home.target)
        remove_stale_sources(home.sources_dir)


def _require_db_file(args: argparse.Namespace) -> None:
    # Checked here so a mistyped --db is bad input, not a new empty database created by opening it.
    if args.db is not None and not Path(args.db).is_file():
        raise UsageError(f"no directory database at {args.db}")


def _open_source(args: argparse.Namespace):
    """The directory to read from: ``--db`` if given (it must exist), else the current one."""
    from coventry_directory.core.editions import open_directory

    _require_db_file(args)
    return open_directory(args.db)


def _installed_info(target: Path) -> dict[str, str]:
    """The installed edition's ``directory_info``, so that installing an older bundle is refused as a downgrade."""
    from coventry_directory.resources import bundled_database_path
    from coventry_directory.store.database_files import read_info
    from coventry_directory.userdata import installed_directory_path

    if target.is_file():
        return read_info(target)
    if target == installed_directory_path() and bundled_database_path().is_file():
        return read_info(bundled_database_path())  # nothing installed yet: the shipped edition counts
    return {}


def _manifest_text(manifest: dict) -> str:
    counts = manifest.get("counts", {})
    return (
        f"edition {manifest.get('edition') or 'unknown'}, made {manifest.get('created')}, "
        f"{counts.get('service', 0)} services, source {manifest.get('source')}"
    )


def _report_manifest(args: argparse.Namespace, manifest: dict, sentence: Callable[[str], str]) -> int:
    """The manifest as JSON with ``--json``, else the ``sentence`` made around the manifest in brief."""
    if args.json:
        print_json(manifest)
    else:
        print(sentence(_manifest_text(manifest)))
    return EXIT_OK


# --- export / import -----------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    """``export --format hsds-json|hsds-csv|corrections``."""
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
    return EXIT_OK


def _export_corrections(args: argparse.Namespace) -> int:
    """``export --format corrections``: the user's correction notes to a file and/or by email."""
    from coventry_directory.exchange.corrections import (
        SmtpSettings,
        corrections_document,
        send_corrections,
        write_corrections,
    )

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
    with user_store(write=args.email) as user:  # an email marks the notes sent
        document = corrections_document(user, info, names)
        if args.output is not None:
            write_corrections(document, args.output)
            print(f"wrote {len(document['corrections'])} correction(s) to {args.output}")
        if args.email:
            smtp = SmtpSettings(
                args.smtp_host, args.smtp_port, args.sender or "", args.smtp_user, os.environ.get(SMTP_PASSWORD_ENV)
            )
            sent = send_corrections(user, document, info.get("maintainer_email"), smtp)
            print(f"emailed {sent} correction(s) to {info.get('maintainer_email')}")
    return EXIT_OK


# --- bundle --------------------------------------------------------------------------
def cmd_bundle_build(args: argparse.Namespace) -> int:
    """``bundle build -o FILE``: sign the directory (or ``--db``) into a bundle."""
    from coventry_directory.core.editions import current_directory_path
    from coventry_directory.exchange import bundles, signing

    _require_db_file(args)
    key = signing.load_signing_key(args.signing_key)
    db = args.db or current_directory_path()
    manifest = bundles.build_bundle(
        db,
        args.output,
        key,
        source=args.source,
        maintainer_email=args.maintainer_email,
        include_sources=args.include_sources,
    )
    return _report_manifest(args, manifest, lambda brief: f"wrote {args.output}: {brief}")


def cmd_bundle_verify(args: argparse.Namespace) -> int:
    """``bundle verify FILE``: check the signature and contents; change nothing."""
    from coventry_directory.exchange import bundles

    manifest = bundles.verify_bundle(args.file)
    return _report_manifest(args, manifest, lambda brief: f"{args.file} is valid: {brief}")


def cmd_bundle_install(args: argparse.Namespace) -> int:
    """``bundle install FILE``: verify, refuse a downgrade, and swap the new edition in atomically."""
    from coventry_directory.exchange import bundles
    from coventry_directory.exchange.source_changes import rebuild
    from coventry_directory.exchange.sources import EDITION

    home = home_of(args, write=True)
    if not home.composed():
        target = home.target
        manifest = bundles.install_bundle(args.file, target, _installed_info(target))
        return _report_manifest(args, manifest, lambda brief: f"installed {brief} to {target}")
    # A directory made from sources: the bundle becomes its edition, and the others stay.
    edition = home.source_path(EDITION)
    manifest = bundles.install_bundle(args.file, edition, _installed_info(edition))
    rebuild(home)
    return _report_manifest(args, manifest, lambda brief: f"installed {brief} as the edition of {home.target}")


def cmd_bundle_rollback(args: argparse.Namespace) -> int:
    """``bundle rollback``: swap back the edition installed before the current one."""
    from coventry_directory.exchange import install
    from coventry_directory.exchange.source_changes import rebuild
    from coventry_directory.exchange.sources import EDITION

    home = home_of(args, write=True)
    if home.composed():
        info = install.rollback(home.source_path(EDITION))
        rebuild(home)
    else:
        info = install.rollback(home.target)
    print(f"rolled back to edition {info.get('edition') or 'unknown'}")
    return EXIT_OK


def cmd_bundle_keygen(args: argparse.Namespace) -> int:
    """``bundle keygen``: make a publisher key pair (the private key encrypted if a passphrase is set)."""
    from coventry_directory.exchange import signing

    kid = signing.generate_keypair(args.private_key, args.public_key, os.environ.get(signing.PASSPHRASE_ENV))
    print(f"made key {kid}: private {args.private_key} (keep it secret), public {args.public_key}")
    return EXIT_OK
