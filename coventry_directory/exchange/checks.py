"""The exchange layer's self-test check (one line in ``selftest.py``).

Proves, in a source checkout and in a frozen app alike, that the bundled HSDS schema
files are there and their ``$ref`` s resolve, that the directory exports valid HSDS, and
that at least one publisher key is trusted (else no bundle could ever be installed).
"""

from __future__ import annotations


def self_check() -> str:
    """One line of detail; raises with the reason when something is missing."""
    from coventry_directory.core.editions import edition_age, open_directory
    from coventry_directory.exchange.nest import Nester
    from coventry_directory.exchange.signing import trusted_keys
    from coventry_directory.exchange.validate import validate_object

    store = open_directory()
    try:
        nester = Nester(store)
        first = nester.rows["service"][:1]
        problems = validate_object("service", nester.build("service", first[0])) if first else []
        age = edition_age(store.info())
    finally:
        store.close()
    if problems:
        raise RuntimeError(f"the directory does not export as valid HSDS 3.0: {problems[0]}")
    keys = trusted_keys()
    if not keys:
        raise RuntimeError("no trusted publisher key in resources/keys: bundles cannot be installed")
    return f"HSDS 3.0 schema resolves; export valid; {len(keys)} trusted key(s); {age.message()}"
