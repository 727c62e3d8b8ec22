"""Getting directory data in and out: HSDS 3.0 JSON and CSV, Open Referral API feeds, signed bundles.

Modules, one concept each: ``hsds_schema`` (the official schema and nesting),
``validate``, ``nest`` / ``flatten`` (rows <-> nested objects), ``writer`` (one-transaction
writes), ``hsds_json``, ``hsds_csv``, ``importing``, ``oruk_sync``, ``install`` (atomic
swap), ``signing``, ``bundles``, ``corrections``. All SQL stays in ``core.store_rows``.
"""
