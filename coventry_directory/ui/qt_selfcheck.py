"""Self-test checks of the Qt side of an installation: plugins, translations, ICU text handling.

These matter most in the frozen app, where the build left out every Qt plugin,
translation and ICU table it judged unused: each check proves one judgement right. They
live in ``ui`` because only ``ui`` imports Qt; ``coventry_directory.selftest`` runs them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

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


def check_qt_plugins() -> str:
    """The platform and print-support plugins load, and a QPrinter prints."""
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
    return (
        f"platform plugins {', '.join(PLATFORM_PLUGINS.get(sys.platform, ('offscreen',)))} load; "
        f"print support {', '.join(sorted(printing)) or 'built in'}; a QPrinter prints; {app_path}; "
        f"{printers} printer(s) here"
    )


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


def check_qt_translations() -> str:
    """Qt's own translations load for every language Qt has them in."""
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


def check_qt_text() -> str:
    """ICU is there: sorting and case mapping work in every language, without Qt warnings."""
    from PySide6.QtCore import QCollator, QLocale, qInstallMessageHandler

    from coventry_directory.i18n.languages import LANGUAGES

    _qt_app()
    warnings: list[str] = []
    previous = qInstallMessageHandler(lambda kind, context, message: warnings.append(message))
    try:
        for code in LANGUAGES:
            # Collation and case mapping are what Qt asks ICU for; the build trims ICU's data.
            if (
                QCollator(QLocale(code)).compare("apple", "banana") >= 0
                or QLocale(code).toUpper("naloxone") != "NALOXONE"
            ):
                raise RuntimeError(f"sorting or case mapping is wrong for {code}")
    finally:
        qInstallMessageHandler(previous)
    if warnings:
        raise RuntimeError(f"Qt complained: {warnings[0]}")
    return f"sorting and case mapping work in {len(LANGUAGES)} languages"
