"""The store: the only package that talks SQL (SQLite through sqlite-utils).

Import each class from its own module; this package re-exports nothing, so every name
has one import path:

- ``store.directory.DirectoryStore``: the directory database as model objects;
- ``store.user.UserStore``: the user's own database (shortlist, corrections, settings);
- ``store.referrals.ReferralStore``: outbox metadata and the referral log in it;
- ``store.errors.StoreError``: a problem with a database file, worded for the user;
- ``store.hsds_rows``: raw HSDS table rows for import, export, sync and bundles;
- ``store.database_files``: opening, checking, copying, backing up and migrating files;
- ``store.migrations``: frozen per-version schema migrations;
- ``store.schema``: today's HSDS tables and columns;
- ``store.search_index`` / ``store.search_queries``: building and querying the search tables.
"""
