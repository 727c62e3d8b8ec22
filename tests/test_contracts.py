"""The layering the README promises, enforced: which packages may import what.

- Qt (PySide6) only in ``ui``; the core, the store and every non-GUI command stay Qt-free;
- reportlab (and HarfBuzz, which it drives) only in ``typeset``, ``leaflets`` and ``referrals/pdf.py``;
- SQLite (``sqlite3``, ``sqlite_utils``) only in ``store``: the store is the only SQL;
- ``ui`` never imports the command line; ``core`` and ``store`` import no feature package.

Every import is read from the source with ``ast`` (imports inside functions count too), so a
lazy import cannot slip past. The second test plants a violation to show the check can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "coventry_directory"

# (external or internal module prefix, where it may be imported: path prefixes under the package)
ALLOWED_ONLY_IN: dict[str, tuple[str, ...]] = {
    "PySide6": ("ui/",),
    "shiboken6": ("ui/",),
    "reportlab": ("typeset/", "leaflets/", "referrals/pdf.py"),
    "uharfbuzz": ("typeset/", "leaflets/", "referrals/pdf.py"),
    "sqlite3": ("store/",),
    "sqlite_utils": ("store/",),
    "coventry_directory.cli": ("cli/", "__main__.py"),  # ui (or anything else) never imports the CLI
}
# (package path prefix, modules it must never import)
NEVER_IMPORTS: dict[str, tuple[str, ...]] = {
    "core/": (
        "coventry_directory.ui",
        "coventry_directory.exchange",
        "coventry_directory.leaflets",
        "coventry_directory.referrals",
    ),
    "typeset/": ("coventry_directory.leaflets", "coventry_directory.referrals", "coventry_directory.ui"),
    "referrals/": ("coventry_directory.leaflets", "coventry_directory.ui"),
    "store/": (
        "coventry_directory.ui",
        "coventry_directory.exchange",
        "coventry_directory.leaflets",
        "coventry_directory.referrals",
        "coventry_directory.i18n",
    ),
}


def imported_modules(source: str) -> set[str]:
    """Every absolute module name a source file imports, at any depth."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "coventry_directory":  # from coventry_directory import cli
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(package: Path = PACKAGE) -> list[str]:
    """One line per import that breaks a contract, e.g. ``core/search.py imports PySide6.QtCore``."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package).as_posix()
        modules = imported_modules(path.read_text(encoding="utf-8"))
        for module in sorted(modules):
            for prefix, allowed in ALLOWED_ONLY_IN.items():
                if _matches(module, prefix) and not where.startswith(allowed):
                    problems.append(f"{where} imports {module} (allowed only in {', '.join(allowed)})")
            for area, banned in NEVER_IMPORTS.items():
                if where.startswith(area) and any(_matches(module, b) for b in banned):
                    problems.append(f"{where} imports {module} ({area} must not)")
    return problems


def test_the_package_keeps_its_import_contracts():
    assert violations() == []


def test_a_planted_violation_is_reported(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "ui").mkdir()
    (tmp_path / "core" / "search.py").write_text(
        "def f():\n    from PySide6.QtCore import QObject\n    import sqlite3\n"
    )
    (tmp_path / "ui" / "window.py").write_text("from coventry_directory.cli import main\n")
    (tmp_path / "ui" / "fine.py").write_text("from PySide6.QtWidgets import QWidget\n")
    found = violations(tmp_path)
    assert "core/search.py imports PySide6.QtCore (allowed only in ui/)" in found
    assert "core/search.py imports sqlite3 (allowed only in store/)" in found
    assert "ui/window.py imports coventry_directory.cli (allowed only in cli/, __main__.py)" in found
    assert not any(line.startswith("ui/fine.py") for line in found)
