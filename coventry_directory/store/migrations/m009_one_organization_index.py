"""Directory schema version 9: the second index on ``service.organization_id`` dropped.

Frozen, structure only. m008 added ``idx_service_organization`` without seeing that m001
had made ``idx_service_organization_id`` on the same column: two identical indexes, each
written on every service insert (100,000 at a national feed's import) and neither used
more than the other. The older one stays.
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m009_one_organization_index"

SQL = """
DROP INDEX IF EXISTS idx_service_organization;
"""


def apply(db: Database) -> None:
    """Drop the duplicate index on the service's organisation."""
    run_statements(db, SQL)
