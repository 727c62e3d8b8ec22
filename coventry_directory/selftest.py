"""``coventry-directory self-test``: checks that this installation (source or frozen) works.

Each check returns a name, ok flag and a detail line; the report is printed or given as JSON.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from coventry_directory import __version__
from coventry_directory.store.database_files import fts5_available
from coventry_directory.resources import is_frozen, resources_root


def _check_fts5() -> str:
    if not fts5_available():
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} was built without FTS5")
    return f"SQLite {sqlite3.sqlite_version} has FTS5"


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


# --- the installation itself (issue 8): Qt plugins, Qt translations, ICU, user data ----
# These matter most in the frozen app, where the build left out every Qt plugin,
# translation and ICU table it judged unused: each check proves one judgement right.
_QT_APP = None  # kept alive for the whole self-test
PLATFORM_PLUGINS = {"linux": ("xcb", "offscreen"), "win32": ("windows", "offscreen"), "darwin": ("cocoa", "offscreen")}


def _qt_app():
    """A QApplication on the offscreen platform: Qt checks never need a display or show a window."""
    global _QT_APP
    from PySide6.QtWidgets import QApplication

    _QT_APP = QApplication.instance() or QApplication([sys.argv[0] or "coventry-directory", "-platform", "offscreen"])
    return _QT_APP


def _qt_plugin_files(kind: str) -> dict[str, str]:
    """Plugin name (e.g. 'xcb') -> file, for Qt's plugin folder ``kind`` on every library path."""
    from PySide6.QtCore import QCoreApplication

    found = {}
    for folder in QCoreApplication.libraryPaths():
        for path in sorted((Path(folder) / kind).glob("*")):
            stem = path.stem.split(".")[0].removeprefix("lib")
            found[stem.removeprefix("q") if kind == "platforms" else stem] = str(path)
    return found


def _check_qt_plugins() -> str:
    from PySide6.QtCore import QPluginLoader
    from PySide6.QtGui import QPainter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    _qt_app()
    platforms = _qt_plugin_files("platforms")
    for name in PLATFORM_PLUGINS.get(sys.platform, ("offscreen",)):
        if name not in platforms:
            raise RuntimeError(f"Qt platform plugin '{name}' missing (have: {', '.join(sorted(platforms)) or 'none'})")
        loader = QPluginLoader(platforms[name])
        if not loader.load():  # loads its libraries without opening a display
            raise RuntimeError(f"Qt platform plugin '{name}' does not load: {loader.errorString()}")
    printing = _qt_plugin_files("printsupport")
    if sys.platform.startswith("linux") and not any("cups" in n for n in printing):
        raise RuntimeError("Qt's CUPS print-support plugin is missing")
    with tempfile.TemporaryDirectory() as tmp:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(Path(tmp) / "probe.pdf"))
        painter = QPainter()
        if not painter.begin(printer):
            raise RuntimeError("a QPrinter could not be painted on")
        painter.drawText(100, 100, "Coventry Directory")
        painter.end()
        probe = (Path(tmp) / "probe.pdf").read_bytes()
        if not probe.startswith(b"%PDF"):
            raise RuntimeError("the QPrinter wrote no PDF")
        app_path = _check_app_print_path(probe, Path(tmp) / "printed.pdf")
    printers = len(QPrinterInfo.availablePrinterNames())
    return (f"platform plugins {', '.join(PLATFORM_PLUGINS.get(sys.platform, ('offscreen',)))} load; "
            f"print support {', '.join(sorted(printing)) or 'built in'}; a QPrinter prints; {app_path}; "
            f"{printers} printer(s) here")


def _check_app_print_path(pdf: bytes, out: Path) -> str:
    """Send a PDF through the desktop app's own printing code (pdfium draws pages on a QPrinter)."""
    try:
        from coventry_directory.ui.print_dialog import print_pdf
    except ImportError as exc:
        return f"the app's print path is not available ({exc})"
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)  # low resolution: quick
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    if print_pdf(pdf, printer) < 1 or not out.read_bytes().startswith(b"%PDF"):
        raise RuntimeError("the app's print path printed nothing")
    return "the app's print path (pdfium to QPrinter) prints"


def _check_qt_translations() -> str:
    from PySide6.QtCore import QLibraryInfo, QTranslator

    from coventry_directory.i18n.languages import LANGUAGES

    _qt_app()
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    loaded = []
    for code in LANGUAGES:
        path = folder / f"qtbase_{code}.qm"
        if path.is_file():
            if not QTranslator().load(str(path)):
                raise RuntimeError(f"Qt's translation {path} does not load")
            loaded.append(code)
    if not loaded:
        raise RuntimeError(f"no Qt translation (qtbase_*.qm) for any of our languages in {folder}")
    return f"Qt's own translations load for {', '.join(loaded)} (Qt has none for the others)"


def _check_qt_text() -> str:
    from PySide6.QtCore import QCollator, QLocale, qInstallMessageHandler

    from coventry_directory.i18n.languages import LANGUAGES

    _qt_app()
    warnings: list[str] = []
    previous = qInstallMessageHandler(lambda kind, context, message: warnings.append(message))
    try:
        for code in LANGUAGES:
            # Collation and case mapping are what Qt asks ICU for; the build trims ICU's data.
            if QCollator(QLocale(code)).compare("apple", "banana") >= 0 or QLocale(code).toUpper("naloxone") != "NALOXONE":
                raise RuntimeError(f"sorting or case mapping is wrong for {code}")
    finally:
        qInstallMessageHandler(previous)
    if warnings:
        raise RuntimeError(f"Qt complained: {warnings[0]}")
    return f"sorting and case mapping work in {len(LANGUAGES)} languages"


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
    ("qt-plugins", _check_qt_plugins),
    ("qt-translations", _check_qt_translations),
    ("qt-text", _check_qt_text),
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
