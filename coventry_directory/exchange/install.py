"""Atomic replacement of the installed directory database, with the previous edition kept.

The new edition is first written completely beside the installed one (a *staging*
file), checked, and flushed to disk; only then does one ``os.replace`` swap it in. The
rename is atomic, so whoever opens the directory - now, or after a crash or a power cut
at any moment - finds either the whole old file or the whole new one, never a mix and
never nothing. The old file is kept as ``directory.previous.db`` for ``rollback``.

This is :mod:`coventry_directory.atomic_write`'s recipe spread over several steps (the
staged file is checked by SQLite before the swap, and the previous copy is made in
between), so it uses that module's pieces - the fsyncs and the refusal to replace
anything but a regular file - rather than its one-shot writer.

A failure at any step removes the staging file (and SQLite's journal beside it); what a
*killed* process leaves, ``directory.db.incoming-PID``, is removed by :func:`remove_stale`
when the next command starts, once that process is known to be gone.

For the fault-injection test, the environment variable named by ``CRASH_ENV`` makes the
process kill itself (SIGKILL, no clean-up) when it reaches that numbered step.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

from coventry_directory.atomic_write import NotARegularFile, ensure_replaceable, fsync_dir, fsync_file
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.store import database_files
from coventry_directory.store.errors import StoreError

CRASH_ENV = "COVENTRY_DIRECTORY_INSTALL_CRASH_AT"
# Steps at which a test can make the installer die: see checkpoint() calls.
CHECKPOINTS = tuple(range(1, 10))


def checkpoint(step: int) -> None:
    """Die here, abruptly, if the fault-injection variable names this step."""
    if os.environ.get(CRASH_ENV) == str(step):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def previous_path(target: Path) -> Path:
    """Where the edition before the installed one is kept."""
    return target.with_name(f"{target.stem}.previous{target.suffix}")


def staging_path(target: Path) -> Path:
    """A fresh file name beside ``target`` to build a new edition in (stale ones are removed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target, scratch_copies=True)
    return target.with_name(f"{target.name}.incoming-{os.getpid()}")


def remove_staging(staged: Path) -> None:
    """Remove a staging file and whatever SQLite left beside it (its rollback journal).

    Best effort, for clean-up after a failure: an error here (a read-only disk answers even
    a missing file with EROFS) must not hide the failure being cleaned up after.
    """
    for path in (staged, staged.with_name(staged.name + "-journal")):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def remove_stale(target: Path, *, scratch_copies: bool = False) -> list[Path]:
    """Remove what a killed install or import left beside ``target``; returns what was removed.

    Staging files (``directory.db.incoming-PID`` and their journals) of processes that are
    no longer running - never the live file, the previous edition, or the staging file of
    an install still running in another process. Called when the CLI starts, and before
    each install, which (``scratch_copies``) also removes the scratch copies of an
    interrupted keep-the-previous step: those carry no process id, so only an install,
    about to make its own, may take them for stale.
    """
    removed = []
    try:
        leftovers = list(target.parent.glob(f"{target.name}.incoming-*"))
    except OSError:
        return removed  # a folder that cannot be listed holds nothing we could remove
    if scratch_copies:
        leftovers += [previous_path(target).with_name(previous_path(target).name + ".tmp")]
        leftovers += [target.with_name(target.name + ".rollback.tmp")]
    for path in leftovers:
        pid = path.name.rpartition(".incoming-")[2].removesuffix("-journal")
        if pid.isdigit() and _running(int(pid)):
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue  # a read-only folder: the next install there reports it
        removed.append(path)
    return removed


def remove_stale_sources(sources_dir: Path) -> list[Path]:
    """Remove what a killed import left in a sources folder (``NAME.db.incoming-PID``, dead PIDs only)."""
    removed = []
    try:
        leftovers = list(sources_dir.glob("*.incoming-*"))
    except OSError:
        return removed
    for path in leftovers:
        pid = path.name.rpartition(".incoming-")[2].removesuffix("-journal")
        if pid.isdigit() and _running(int(pid)):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    """True when a process with this id is alive (it may be a later, unrelated one: then the file waits)."""
    if pid == os.getpid():
        return False  # this process starts no second install of the same target
    if os.name != "posix":
        return False  # no cheap check: a staging file is only ever left by a crash there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to another user
    return True


def _keep_copy(src: Path, dst: Path) -> None:
    """``dst`` becomes a complete copy of ``src``, replaced atomically (no scratch file left if it fails)."""
    tmp = dst.with_name(dst.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(src, tmp)  # instant and atomic; no second copy of the bytes
        except OSError:
            shutil.copyfile(src, tmp)  # file systems without hard links (FAT USB sticks)
            fsync_file(tmp)
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def commit(staged: Path, target: Path, *, thorough: bool = True, keep_previous: bool = True) -> dict[str, str]:
    """Swap a fully written ``staged`` database in as ``target``; returns its directory info.

    Raises ExchangeError (and removes the staging file) when the staged file is not sound.
    ``thorough=False``: SQLite's quick check, for a file this app has just composed itself.
    ``keep_previous=False`` leaves ``directory.previous.db`` as it is: composing the directory
    from its sources must not take the place of the edition ``bundle rollback`` goes back to.
    """
    staged, target = Path(staged), Path(target)
    try:
        ensure_replaceable(target)  # never swap a database in over a folder, device or pipe
        info = database_files.check_database(staged, thorough=thorough)
    except NotARegularFile as exc:
        remove_staging(staged)
        raise ExchangeError(f"the new directory was not installed: {exc}") from exc
    except StoreError as exc:
        remove_staging(staged)
        raise ExchangeError(f"the new directory failed its check and was not installed: {exc}") from exc
    try:
        checkpoint(3)
        fsync_file(staged)
        checkpoint(4)
        if keep_previous and target.is_file():
            _keep_copy(target, previous_path(target))
            checkpoint(5)
            fsync_dir(target.parent)
        checkpoint(6)
        # A journal left by a crashed writer of the old file must not be replayed into the new one.
        target.with_name(target.name + "-journal").unlink(missing_ok=True)
    except BaseException:
        remove_staging(staged)  # the installed edition is still the old one: nothing half-done is left
        raise
    os.replace(staged, target)
    checkpoint(7)
    fsync_dir(target.parent)
    checkpoint(8)
    return info


def rollback(target: Path) -> dict[str, str]:
    """Put the previous edition back (the current one becomes 'previous'); returns its info."""
    target = Path(target)
    previous = previous_path(target)
    if not previous.is_file():
        raise ExchangeError("there is no previous directory edition to go back to")
    try:
        info = database_files.check_database(previous)
    except StoreError as exc:
        raise ExchangeError(f"the previous edition cannot be used: {exc}") from exc
    try:
        ensure_replaceable(target)
    except NotARegularFile as exc:
        raise ExchangeError(f"cannot go back to the previous edition: {exc}") from exc
    swap = target.with_name(target.name + ".rollback")
    if target.is_file():
        _keep_copy(target, swap)
    os.replace(previous, target)
    if swap.is_file():
        os.replace(swap, previous)
    fsync_dir(target.parent)
    return info
