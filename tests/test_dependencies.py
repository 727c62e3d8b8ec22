"""The dependencies in pyproject.toml are exactly what the app imports, and the lock pins them all.

Imports are read from ``coventry_directory/`` with ``ast`` (nothing is imported), and each
third-party top-level module is mapped to the distribution that provides it in this
environment (``importlib.metadata.packages_distributions()``). A module imported but not
declared works here only by luck (something else pulled it in); a dependency declared but
never imported is dead weight in every install and in the frozen app.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coventry_directory"
LOCK = ROOT / "packaging" / "requirements.lock"

# Declared runtime dependencies that no module of ours imports: each is used through another.
INDIRECT = {
    # Data only: zoneinfo reads its time-zone files where the OS has none (Windows).
    "tzdata",
    # reportlab imports it to shape Arabic and Indic script text (fonts marked shapable).
    "uharfbuzz",
    # pypdfium2's to_pil() (the print path in ui/print_dialog.py) returns Pillow images, and
    # pypdfium2 does not require Pillow itself.
    "pillow",
}


def canonical(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirements(specs: list[str]) -> dict[str, Requirement]:
    return {canonical(r.name): r for r in map(Requirement, specs)}


def runtime() -> dict[str, Requirement]:
    return requirements(pyproject()["project"]["dependencies"])


@cache  # parsing every module takes most of this file's time: once for all the tests
def imported_modules() -> dict[str, set[str]]:
    """Third-party top-level module -> the files of ours that import it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top != PACKAGE.name and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


@cache
def providers() -> dict[str, list[str]]:
    """Top-level module -> the installed distributions that provide it."""
    return packages_distributions()


def imported_distributions() -> dict[str, set[str]]:
    """Distribution (canonical name) -> the top-level modules of it that we import."""
    out: dict[str, set[str]] = {}
    for module in imported_modules():
        for dist in providers().get(module, []):
            out.setdefault(canonical(dist), set()).add(module)
    return out


def test_every_third_party_import_is_declared():
    declared = set(runtime())
    problems = []
    for module, files in sorted(imported_modules().items()):
        dists = {canonical(d) for d in providers().get(module, [])}
        where = ", ".join(sorted(files)[:3])
        if not dists:
            problems.append(f"{module} (imported by {where}) is provided by no installed distribution")
        elif not dists & declared:
            problems.append(
                f"{module} (imported by {where}) comes from {', '.join(sorted(dists))}, "
                "which pyproject.toml's dependencies do not declare"
            )
    assert not problems, "\n".join(problems)


def test_every_declared_dependency_is_imported():
    used = set(imported_distributions())
    unused = set(runtime()) - used - INDIRECT
    assert not unused, (
        f"declared in pyproject.toml but imported by nothing in coventry_directory/: "
        f"{', '.join(sorted(unused))} (drop it, or list it in INDIRECT with the reason)"
    )


def test_indirect_list_is_current():
    """Each INDIRECT entry is still declared and still not imported directly (else it needs no excuse)."""
    assert not INDIRECT - set(runtime()), f"not declared any more: {INDIRECT - set(runtime())}"
    assert not INDIRECT & set(imported_distributions()), "imported directly now: remove from INDIRECT"


def test_build_requirements_match_runtime_ranges():
    """What the wheel build's compile step needs is a subset of dependencies, with the same ranges."""
    build = requirements(pyproject()["build-system"]["requires"])
    build.pop("setuptools")
    declared = runtime()
    drift = [
        f"{name}: build {req.specifier} vs runtime {declared[name].specifier if name in declared else 'absent'}"
        for name, req in build.items()
        if name not in declared or req.specifier != declared[name].specifier
    ]
    assert not drift, "\n".join(drift)


def test_each_requirement_in_one_place():
    """Runtime, test and packaging requirements do not overlap (PyInstaller only in packaging)."""
    project = pyproject()["project"]
    groups = {"dependencies": set(runtime())}
    groups |= {f"[{extra}]": set(requirements(specs)) for extra, specs in project["optional-dependencies"].items()}
    seen: dict[str, str] = {}
    twice = []
    for group, names in groups.items():
        for name in sorted(names):
            if name in seen:
                twice.append(f"{name} in {seen[name]} and {group}")
            seen[name] = group
    assert not twice, "\n".join(twice)
    assert "pyinstaller" in groups["[packaging]"] and "pyinstaller" not in groups["[test]"]


def test_lock_pins_every_declared_requirement():
    """packaging/requirements.lock was refreshed after pyproject.toml changed (python3 packaging/lock.py)."""
    pinned = re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", LOCK.read_text(), re.MULTILINE)
    pins = {canonical(m[1]): m[2] for m in pinned}
    project = pyproject()["project"]
    declared = runtime()
    for specs in project["optional-dependencies"].values():
        declared |= requirements(specs)
    stale = [
        f"{name}: {'not in the lock' if name not in pins else f'locked {pins[name]}, wants {req.specifier}'}"
        for name, req in sorted(declared.items())
        if name not in pins or not req.specifier.contains(pins[name], prereleases=True)
    ]
    assert not stale, "refresh the lock (python3 packaging/lock.py):\n" + "\n".join(stale)
    assert "--hash=sha256:" in LOCK.read_text(), "the lock must carry hashes (pip install --require-hashes)"
