"""Schema migrations, frozen per version, for the directory and the user's own database.

Each version is one module holding the SQL of that version as literal text; none calls
today's code, so a database made by any earlier release upgrades the same way it always
did. The derived search tables are refilled once after all pending steps have run
(``store.database_files.migrate``). A schema change is a new module added to the tuple
below; an applied one is never edited. Old-schema fixtures live in ``tests/fixtures/``.
"""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from coventry_directory.store.migrations import (
    m001_hsds_tables,
    m002_search_index,
    m003_search_facets,
    m004_sources,
    m005_search_places,
    m006_filter_outcomes,
    m007_search_rows,
    m008_organization_links,
    m009_one_organization_index,
    u001_user_tables,
    u002_referrals,
    u003_shortlist_names,
    u004_correction_queue,
    u005_check_form_proposals,
)

DIRECTORY_MIGRATIONS = Migrations("coventry_directory")
USER_MIGRATIONS = Migrations("coventry_directory_user")

for _step in (
    m001_hsds_tables,
    m002_search_index,
    m003_search_facets,
    m004_sources,
    m005_search_places,
    m006_filter_outcomes,
    m007_search_rows,
    m008_organization_links,
    m009_one_organization_index,
):
    DIRECTORY_MIGRATIONS(name=_step.NAME)(_step.apply)
for _step in (
    u001_user_tables,
    u002_referrals,
    u003_shortlist_names,
    u004_correction_queue,
    u005_check_form_proposals,
):
    USER_MIGRATIONS(name=_step.NAME)(_step.apply)
