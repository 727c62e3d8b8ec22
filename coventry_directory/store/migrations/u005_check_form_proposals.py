"""User schema version 5: the correction queue also holds providers' proposals from returned check forms.

Frozen: never edit. A provider returns the check form ("this is what we list about you"),
and each row they corrected becomes an entry in the keeper's queue beside workers' notes:
where it came from (``origin`` 'check-form'; a worker's note has none), whether the record
is a service or an organisation, the field, what the directory listed and the value the
provider proposes. Entries queued before this version are workers' notes: all five columns
stay empty for them.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "u005_check_form_proposals"

SQL = """
ALTER TABLE correction_queue ADD COLUMN origin TEXT;
ALTER TABLE correction_queue ADD COLUMN record_kind TEXT;
ALTER TABLE correction_queue ADD COLUMN field TEXT;
ALTER TABLE correction_queue ADD COLUMN listed TEXT;
ALTER TABLE correction_queue ADD COLUMN proposed TEXT;
"""


def apply(db: Database) -> None:
    """Add the proposal columns (empty for the workers' notes already queued)."""
    run_statements(db, SQL)
