"""``coventry-directory self-test``: checks that this installation (source or frozen) works.

Each check returns a name, ok flag and a detail line; the report is printed or given as JSON.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from coventry_directory import __version__
from coventry_directory.resources import is_frozen, resources_root
from coventry_directory.store.database_files import fts5_available, sqlite_library_version
from coventry_directory.ui import qt_selfcheck


def _check_fts5() -> str:
    if not fts5_available():
        raise RuntimeError(f"SQLite {sqlite_library_version()} was built without FTS5")
    return f"SQLite {sqlite_library_version()} has FTS5"


def _check_directory() -> str:
    from coventry_directory.core.editions import open_directory

    store = open_directory()
    try:
        count = store.count_services()
        if count == 0:
            raise RuntimeError(f"{store.path} holds no services")
        hits = store.count_text_matches("alcohol")
        info = store.info()
        return f"{store.path}: {count} services, edition {info.get('edition', '?')}, {hits} match 'alcohol'"
    finally:
        store.close()


def _check_provenance() -> str:
    from coventry_directory.core.editions import open_directory

    store = open_directory()
    try:
        missing = [s.key for s in store.all_services() if not s.sources or not s.assured_date]
    finally:
        store.close()
    if missing:
        raise RuntimeError(f"services without source or assured date: {', '.join(missing[:5])}")
    return "every service has a source and an assured date"


def _check_exchange() -> str:
    # The HSDS schema and the bundle public key are bundled and usable.
    from coventry_directory.exchange.checks import self_check

    return self_check()


def _check_leaflets() -> str:
    # Every font loads, every translation loads, a leaflet renders in every script.
    from coventry_directory.leaflets.selfcheck import check_leaflets

    return check_leaflets()


def _check_keyring() -> str:
    # keyring finds its Windows, macOS and Secret Service backends through package metadata,
    # which a frozen app only has if the build collected it.
    from importlib.metadata import entry_points

    import keyring

    found = sorted(ep.name for ep in entry_points(group="keyring.backends"))
    if not found:
        raise RuntimeError("no keyring backends are discoverable (package metadata missing)")
    backend = keyring.get_keyring()
    if float(getattr(backend, "priority", 0)) <= 0:
        return f"backends {', '.join(found)} known; none usable here, so passwords are asked for each time"
    return f"backends {', '.join(found)} known; using {type(backend).__module__.rsplit('.', 1)[-1]}"


def _check_user_data() -> str:
    from coventry_directory.userdata import HOME_ENV, data_dir, is_portable

    folder = data_dir()
    probe = folder / ".self-test-probe"
    probe.write_text("ok", encoding="utf-8")  # settings, shortlist and logs must be writable here
    probe.unlink()
    mode = "set by " + HOME_ENV if os.environ.get(HOME_ENV) else ("portable" if is_portable() else "per-user")
    return f"{mode}: {folder} (writable)"


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("sqlite-fts5", _check_fts5),
    ("directory", _check_directory),
    ("provenance", _check_provenance),
    ("exchange", _check_exchange),
    ("leaflets", _check_leaflets),
    ("qt-plugins", qt_selfcheck.check_qt_plugins),
    ("qt-translations", qt_selfcheck.check_qt_translations),
    ("qt-text", qt_selfcheck.check_qt_text),
    ("keyring", _check_keyring),
    ("user-data", _check_user_data),
]


def run_self_test() -> dict:
    """Run every check; never raises. Returns {'ok': bool, 'checks': [...], ...}."""
    checks = []
    for name, fn in CHECKS:
        try:
            checks.append({"name": name, "ok": True, "detail": fn()})
        except Exception as exc:  # a self-test reports every failure instead of stopping
            checks.append({"name": name, "ok": False, "detail": f"{type(exc).__name__}: {exc}"})
    return {
        "ok": all(c["ok"] for c in checks),
        "version": __version__,
        "frozen": is_frozen(),
        "python": sys.version.split()[0],
        "resources": str(resources_root()),
        "checks": checks,
    }
