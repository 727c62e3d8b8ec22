"""What the frozen bundle leaves out, and why (used by ``coventry-directory.spec``).

PyInstaller's hooks collect every Qt plugin, every Qt and babel translation, and the
system libraries those plugins link to. A one-folder build of PySide6 + reportlab is then
far over our size target, so the spec filters its tables through the rules here. Each
rule keeps what the app needs at run time: the frozen ``self-test`` proves it.

The functions take and return PyInstaller TOC lists: ``(dest_name, src_name, typecode)``.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

# Qt modules the app always needs, whatever its source imports today: the window
# (QtWidgets and what it rests on) and printing (QtPrintSupport: leaflets are printed).
QT_MODULES_ALWAYS = {"QtCore", "QtGui", "QtWidgets", "QtPrintSupport"}
# Python bindings kept although the source does not name them (none today: QtGui's own
# use of DBus needs the library, which it links, not the QtDBus binding).
QT_MODULES_IMPLIED: set[str] = set()

# Qt plugins kept, by plugin folder: glob patterns on the file name (any platform).
#  platforms:  xcb (X11 desktops; Wayland desktops run it through XWayland), offscreen
#              (headless self-test and tests), windows, cocoa. Not wayland/eglfs/vnc: the
#              Wayland client alone pulls in ~3 MB of libraries we would never load.
#  printsupport: the CUPS backend (Windows printing is built into QtPrintSupport).
#  imageformats: only ICO (window icons on Windows); PNG is built into QtGui.
#  platforminputcontexts: compose keys and IBus, so people can type in any script.
#  xcbglintegrations: small, and lets xcb use GLX/EGL where a driver insists.
#  styles: the native Windows 11 / Vista look on Windows.
QT_PLUGINS_KEPT = {
    "platforms": ["*qxcb*", "*qoffscreen*", "*qwindows*", "*qcocoa*"],
    "printsupport": ["*"],
    "imageformats": ["*qico*"],
    "platforminputcontexts": ["*"],
    "xcbglintegrations": ["*"],
    "styles": ["*"],
}

# Libraries left out by name even if something still asks for them: each only serves a
# plugin or Qt module dropped above (the spec checks nothing we keep links to them).
DROPPED_LIBRARIES = [
    "libQt6Wayland*",
    "libQt6Wl*",
    "libQt6EglFS*",
    "libQt6EglFs*",
    "libQt6Qml*",
    "libQt6Quick*",
    "libQt6OpenGL*",
    "libQt6Pdf*",
    "libQt6Svg*",
    "libQt6Network*",
    "libQt6Designer*",
    "Qt6Network*.dll",
    "Qt6Svg*.dll",
    "Qt6OpenGL*.dll",
    "Qt6Pdf*.dll",
    "Qt6Qml*.dll",
    "Qt6Quick*.dll",
    "opengl32sw.dll",  # Mesa software OpenGL (20 MB); the widgets app does not use OpenGL
]

# Libraries left to the PC on Linux: printing needs a CUPS installation anyway, and
# libcups comes with it. Bundling it would also bring GnuTLS, Kerberos, Avahi and p11-kit
# (about 10 MB). Where libcups is missing, Qt's CUPS plugin does not load and the app
# still prints to PDF.
SYSTEM_LIBRARIES_LINUX = ["libcups.so.2"]

# Python packages never needed by the frozen app: test tools, developer tools, GUI
# toolkits we do not use, and optional extras of our dependencies.
PYTHON_EXCLUDES = [
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "test",
    "unittest.test",
    "lib2to3",
    "pydoc_data",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "datasette",
    "aiosmtpd",
    "IPython",
    "setuptools",
    "pkg_resources",
    "pip",
    "distutils",
    "ruff",
    "pyflakes",
    "readline",
    # Pillow: reportlab 5 imports it at start-up but our leaflets are vector only, so only
    # its core stays; the AVIF, WebP, colour-management, font and Tk parts (and the ~7 MB
    # of libraries they link) go.
    "PIL._avif",
    "PIL._webp",
    "PIL._imagingcms",
    "PIL._imagingtk",
    "PIL._imagingft",
    "PIL.ImageQt",
    "PIL.ImageTk",
    "numpy",
    "matplotlib",
    "pandas",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "PySide6.scripts",
    "PySide6.support.deprecated",
]

# Big data folders inside dependencies that the app never reads.
DATA_DROPPED = [
    "reportlab/fonts/*",  # the demo Type 1 fonts; leaflets embed our own Noto TrueType fonts
    "holidays/locale/*",  # holiday names in other languages: we show English names only
]
# ...except what reportlab needs to start (its standard-font metrics are compiled in).
DATA_KEPT = ["reportlab/fonts/00readme.txt"]


def installed_qt_modules() -> set[str]:
    """Every Qt binding module in the installed PySide6 (QtCore, QtGui, ...)."""
    import PySide6

    folder = Path(PySide6.__file__).parent
    return {p.name.split(".")[0] for p in folder.iterdir() if re.match(r"Qt\w+\.(abi3\.so|pyd|.*\.so)$", p.name)}


def qt_modules_imported(source_root: Path) -> set[str]:
    """Qt modules named anywhere in the app's source (``PySide6.QtX`` or ``from PySide6 import QtX``).

    Scanning the source, not a fixed list, means a developer who starts using QtSvg
    gets it bundled without editing the spec.
    """
    found: set[str] = set()
    for path in source_root.rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(re.findall(r"PySide6\.(Qt\w+)", text))
        for names in re.findall(r"from\s+PySide6\s+import\s+\(?([\w\s,]+)\)?", text):
            found.update(n.strip() for n in names.split(",") if n.strip().startswith("Qt"))
    return found


def qt_module_excludes(source_root: Path) -> list[str]:
    """PySide6 modules to exclude from analysis: every installed one the app does not use."""
    used = QT_MODULES_ALWAYS | QT_MODULES_IMPLIED | qt_modules_imported(source_root)
    return sorted(f"PySide6.{name}" for name in installed_qt_modules() - used)


def _posix(dest: str) -> PurePosixPath:
    return PurePosixPath(dest.replace("\\", "/"))


def keep_qt_plugin(dest: str) -> bool:
    """True for a Qt plugin file we ship (see QT_PLUGINS_KEPT); other files pass through."""
    parts = _posix(dest).parts
    # Linux wheels put plugins in PySide6/Qt/plugins, Windows wheels in PySide6/plugins.
    if (
        "plugins" not in parts
        or parts.index("plugins") < 1
        or parts[parts.index("plugins") - 1] not in ("Qt", "PySide6")
    ):
        return True
    rest = parts[parts.index("plugins") + 1 :]
    if len(rest) < 2:
        return True
    patterns = QT_PLUGINS_KEPT.get(rest[0])
    return bool(patterns) and any(fnmatch.fnmatch(rest[-1], p) for p in patterns)


def keep_qt_translation(dest: str, languages: Iterable[str]) -> bool:
    """Keep Qt's own ``qtbase_<code>.qm`` for our languages (Qt's dialogs and buttons), drop the rest.

    ``qt_<code>.qm`` files are meta-catalogs that load other modules' catalogs too (which
    we do not ship), so only the qtbase ones are kept.
    """
    path = _posix(dest)
    if path.suffix != ".qm" or "translations" not in path.parts:
        return True
    match = re.fullmatch(r"qtbase_(\w+)\.qm", path.name)
    return bool(match) and match.group(1) in set(languages)


def babel_locales(languages: Iterable[str], extra: Iterable[str] = ("en_GB",)) -> set[str]:
    """Babel locale names to keep: our languages, ``extra``, their scripts and every parent up to root.

    Babel resolves a locale by loading its parents' files too (en_GB -> en_001 -> en ->
    root), so each chain is kept whole. Parents come from babel's own CLDR data.
    """
    from babel.core import get_global
    from babel.localedata import locale_identifiers

    exceptions = get_global("parent_exceptions")
    available = set(locale_identifiers())
    keep = {"root"}
    for name in [*languages, *extra]:
        # A language's default-script variant (pa -> pa_Guru) is what babel may load for it.
        names = [name] + [
            n for n in available if n.startswith(name + "_") and len(n.split("_")) == 2 and len(n.split("_")[1]) == 4
        ]
        for current in names:
            while current and current != "root":
                keep.add(current)
                current = exceptions.get(current) or ("_".join(current.split("_")[:-1]) or "root")
    return keep & (available | {"root"})


def keep_babel_data(dest: str, locales: set[str]) -> bool:
    """Keep babel's locale-data file only for the locales we print dates in."""
    path = _posix(dest)
    if path.parts[:2] != ("babel", "locale-data") or path.suffix != ".dat":
        return True
    return path.stem in locales


def keep_data(dest: str) -> bool:
    """False for files in DATA_DROPPED (unless also in DATA_KEPT)."""
    name = str(_posix(dest))
    if any(fnmatch.fnmatch(name, p) for p in DATA_KEPT):
        return True
    return not any(fnmatch.fnmatch(name, p) for p in DATA_DROPPED)


def dropped_library(dest: str) -> bool:
    """True for a library named in DROPPED_LIBRARIES (or left to the PC)."""
    return any(fnmatch.fnmatch(_posix(dest).name, p) for p in DROPPED_LIBRARIES) or system_library(dest)


def system_library(dest: str) -> bool:
    """True for a library we expect the PC to provide (SYSTEM_LIBRARIES_LINUX)."""
    return sys.platform.startswith("linux") and _posix(dest).name in SYSTEM_LIBRARIES_LINUX


def filter_toc(toc: list[tuple], keep) -> tuple[list[tuple], list[tuple]]:
    """Split ``toc`` into (kept, dropped) by ``keep(dest)``; symlinks follow their targets."""
    kept, dropped = [], []
    for entry in toc:
        (kept if keep(entry[0]) else dropped).append(entry)
    return drop_dangling_symlinks(kept, dropped)


def drop_dangling_symlinks(kept: list[tuple], dropped: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Move SYMLINK entries of ``kept`` whose target is in ``dropped`` over to ``dropped``."""
    gone = {str(_posix(e[0])) for e in dropped}
    dropped = list(dropped)
    out = []
    for entry in kept:
        if entry[2] == "SYMLINK":
            target = str(_posix(str(PurePosixPath(entry[0]).parent / entry[1])))
            target = str(PurePosixPath(*_normalise(PurePosixPath(target).parts)))
            if target in gone:
                dropped.append(entry)
                continue
        out.append(entry)
    return out, dropped


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


def orphaned_libraries(binaries: list[tuple], dropped: list[tuple], imports) -> list[tuple]:
    """Libraries that only dropped binaries needed (e.g. GTK for the GTK theme plugin).

    ``imports(src_path)`` gives the names a binary links to directly (its ELF NEEDED or PE
    imports, not ldd's transitive list). A library is an orphan when it
    is reachable from something dropped but from nothing kept; libraries that nothing
    links to (loaded by ctypes, say) are never treated as orphans.
    """
    by_name: dict[str, tuple] = {}
    for entry in binaries:
        by_name.setdefault(_posix(entry[0]).name, entry)

    def closure(roots: Iterable[tuple], blocked: set[str]) -> set[str]:
        seen: set[str] = set()
        stack = [r for r in roots if r[2] != "SYMLINK"]
        while stack:
            entry = stack.pop()
            for name in imports(entry[1]):
                if name in by_name and name not in seen and name not in blocked:
                    seen.add(name)
                    stack.append(by_name[name])
        return seen

    gone = {_posix(e[0]).name for e in dropped}
    from_dropped = closure(dropped, set())
    kept_roots = [e for e in binaries if _posix(e[0]).name not in gone | from_dropped]
    # What kept binaries need, never walking through a dropped library (libcups' own
    # dependencies are the PC's business once libcups is).
    from_kept = closure(kept_roots, gone)
    return [by_name[n] for n in sorted(from_dropped - from_kept - gone) if n in by_name]


def missing_links(binaries: list[tuple], imports, system_ok) -> list[str]:
    """'lib needs name' lines for kept binaries that link to a library we neither ship nor expect on the PC."""
    shipped = {_posix(e[0]).name for e in binaries}
    problems = []
    for entry in binaries:
        if entry[2] == "SYMLINK":
            continue
        for name in imports(entry[1]):
            if name not in shipped and not system_ok(name):
                problems.append(f"{_posix(entry[0]).name} needs {name}")
    return sorted(set(problems))


def is_windows() -> bool:
    """True when building the Windows bundle."""
    return sys.platform.startswith("win")
