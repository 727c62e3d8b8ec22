"""The ``keeper`` subcommand: open keeper mode, the window that edits the directory's TOML sources (docs/cli.md)."""

from __future__ import annotations

import argparse

from coventry_directory.cli.common import UsageError, add_command, path_arg, visible


def register(subparsers) -> None:
    """Add ``keeper`` to the main parser's subparsers."""
    cmd = add_command(
        subparsers, "keeper", cmd_keeper, help="open keeper mode: correct, cite and assure records in the sources"
    )
    cmd.add_argument(
        "--source-dir",
        type=path_arg,
        metavar="DIR",
        help="the directory sources to edit (default: resources/directory, as build-db uses)",
    )


def cmd_keeper(args: argparse.Namespace) -> int:
    """``keeper [--source-dir DIR]``: check the folder is one of directory sources, then open the window on it."""
    from coventry_directory.resources import directory_source_dir
    from coventry_directory.userdata import require_writable_data_dir

    root = args.source_dir or directory_source_dir()
    for needed in ("taxonomy.toml", "sources.toml", "services"):
        if not (root / needed).exists():
            what = (
                "no such folder"
                if not root.exists()
                else "not a folder"
                if not root.is_dir()
                else f"it has no {needed}"
            )
            raise UsageError(f"--source-dir {visible(root)}: {what}; keeper mode edits a folder of directory sources")
    require_writable_data_dir()  # the app's log and settings, as for gui
    from coventry_directory.ui.app import run_keeper

    return run_keeper(root)
