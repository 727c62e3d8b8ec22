"""The linters ``bootstrap.py lint`` runs are configured to catch real faults.

``bootstrap.py test`` runs ruff, ``ruff format --check`` and mypy over the tree before the
tests (see CONTRIBUTING.md). These tests plant one fault of each kind in a scratch file and
check the project's own configuration reports it, so a settings change that quietly turns
a contract off fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


def _python_m(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m ARGV...`` in ``cwd``, its output captured as text."""
    return subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True, check=False, cwd=cwd)


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return _python_m("ruff", *args, "--config", str(CONFIG), "--no-cache")


def test_ruff_reports_bugbear_naming_docstring_and_import_faults(tmp_path):
    bad = tmp_path / "bad_module.py"
    bad.write_text(
        "import sys\nimport os\n\n\n"
        "def collect(item, into=[]):\n    into.append(item)\n    return into\n\n\n"
        "class lower_case_class:\n    pass\n"
    )
    result = _ruff("check", "--output-format", "concise", str(bad))
    assert result.returncode == 1
    for code in ("B006", "D100", "D103", "N801", "I001", "F401"):
        assert code in result.stdout, code


def test_ruff_format_check_reports_a_hand_formatted_file(tmp_path):
    bad = tmp_path / "spacing.py"
    bad.write_text('"""Spacing."""\n\nx = { "a" :1 }\n')
    assert _ruff("format", "--check", str(bad)).returncode == 1
    good = tmp_path / "formatted.py"
    good.write_text('"""Spacing."""\n\nx = {"a": 1}\n')
    assert _ruff("format", "--check", str(good)).returncode == 0


def test_mypy_with_the_project_settings_reports_a_type_error(tmp_path):
    package = tmp_path / "coventry_directory" / "core"
    package.mkdir(parents=True)
    for folder in (package.parent, package):
        (folder / "__init__.py").write_text('"""Scratch package."""\n')
    (package / "planted.py").write_text('"""A planted fault."""\n\n\ndef count() -> int:\n    return "three"\n')
    shutil.copy(CONFIG, tmp_path / "pyproject.toml")  # files = [...coventry_directory/core...] finds it
    result = _python_m("mypy", "--no-incremental", "coventry_directory/core", cwd=tmp_path)
    assert result.returncode == 1
    assert 'Incompatible return value type (got "str", expected "int")' in result.stdout
