"""Every file holding the user's data is 0600 and its folders 0700: made so, and put back so on open.

The user's database (which holds the referral log), the backups migrations make of it, the
data folder, the log folder and its files, and the outbox - checked with os.stat.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from coventry_directory.store.migrations import u001_user_tables
from coventry_directory.store.user import UserStore
from coventry_directory.userdata import data_dir, log_dir, user_database_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """A umask that would leave new files readable by everyone (022 is the usual default)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_user_database_is_private_in_a_private_folder(open_umask):
    store = UserStore(user_database_path())
    try:
        store.set_setting("referrals.smtp.host", "relay.example.org")
    finally:
        store.close()
    assert mode(user_database_path()) == 0o600
    assert mode(data_dir()) == 0o700


def test_an_existing_open_database_and_folder_are_closed_up_on_open(user_home, open_umask):
    user_home.mkdir(parents=True)
    os.chmod(user_home, 0o755)
    path = user_home / "user.db"
    sqlite3.connect(path).close()  # made by an older release: the umask's 0644
    os.chmod(path, 0o644)
    UserStore(user_database_path()).close()
    assert mode(path) == 0o600 and mode(user_home) == 0o700


def test_a_migration_backup_is_as_private_as_the_database(user_home, open_umask):
    user_home.mkdir(parents=True)
    path = user_home / "user.db"
    old = Migrations("coventry_directory_user")  # a database from the release before the referral log
    old(name=u001_user_tables.NAME)(u001_user_tables.apply)
    db = Database(path)
    old.apply(db)
    db.conn.close()
    os.chmod(path, 0o644)
    UserStore(path).close()
    [backup] = user_home.glob("user.backup-*.db")
    assert mode(backup) == 0o600 and mode(path) == 0o600
    os.chmod(backup, 0o644)  # a backup an older release left readable is closed up on the next open
    UserStore(path).close()
    assert mode(backup) == 0o600


def test_the_log_folder_and_files_are_private(open_umask, qapp):
    from coventry_directory.ui.app import setup_logging

    folder = log_dir()
    stale = folder / "coventry-directory.log.1"
    stale.write_text("old\n", encoding="utf-8")
    os.chmod(stale, 0o644)
    setup_logging()
    log = logging.getLogger("coventry_directory")
    log.info("a line")
    handler = next(h for h in log.handlers if getattr(h, "baseFilename", "").startswith(str(folder)))
    handler.doRollover()  # the file it rotates to is made private too
    log.info("another line")
    assert mode(folder) == 0o700
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert files and {mode(p) for p in files} == {0o600}
    assert mode(log_dir() / "coventry-directory.log.1") == 0o600


def test_the_outbox_folder_and_files_are_private(open_umask):
    from coventry_directory.referrals.outbox import Outbox

    store = UserStore(user_database_path())
    try:
        outbox = Outbox.open(store, "correct horse battery staple")
    finally:
        store.close()
    assert mode(outbox.folder) == 0o700
    files = [p for p in outbox.folder.iterdir() if p.is_file()]
    assert files and {mode(p) for p in files} == {0o600}
