"""User schema version 2: referral outbox metadata and the referral log.

Frozen: never edit. Neither table holds a client's personal data: the referral itself
waits encrypted in a file beside the database; these rows hold only the service, dates,
status, the Message-ID and an optional local reference the worker chose.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "u002_referrals"

SQL = """
CREATE TABLE referral_outbox (
    id TEXT PRIMARY KEY NOT NULL, service_id TEXT NOT NULL, service_name TEXT NOT NULL,
    to_address TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE, queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
    needs_attention INTEGER NOT NULL DEFAULT 0, sent_at TEXT, purge_after TEXT
);
CREATE TABLE referral_log (
    id TEXT PRIMARY KEY NOT NULL, service_id TEXT NOT NULL, service_name TEXT NOT NULL,
    created_at TEXT NOT NULL, delivery TEXT NOT NULL, status TEXT NOT NULL, status_at TEXT NOT NULL,
    follow_up_by TEXT, local_reference TEXT, message_id TEXT, consent_at TEXT, shared_fields TEXT
);
CREATE INDEX idx_referral_log_follow_up ON referral_log (follow_up_by);
"""


def apply(db: Database) -> None:
    """Create the outbox and log tables."""
    run_statements(db, SQL)
