"""Refresh packaging/requirements.lock: every dependency pinned, with hashes, for Linux and Windows.

    python3 packaging/lock.py              # after editing pyproject.toml's dependencies
    python3 packaging/lock.py --upgrade    # also move every pin to the newest version allowed

Runs ``uv pip compile`` (a universal resolution, so one file serves every platform) with uv
installed by pip into a throwaway virtual environment: uv is a tool for this step only, not a
dependency of the project. Pins already in the lock are kept where they still fit, so a
refresh changes only what it must. bootstrap.py and the Windows workflow install the result
with ``pip install --require-hashes -r packaging/requirements.lock``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOCK = HERE / "requirements.lock"
PYTHON = "3.11"  # the oldest Python the project supports (requires-python)
COMPILE = [
    "pip",
    "compile",
    "pyproject.toml",
    "--universal",
    "--python-version",
    PYTHON,
    "--extra",
    "test",
    "--extra",
    "packaging",
    "--generate-hashes",
]
HEADER = f"""\
# The locked dependencies of Coventry Directory: pyproject.toml's dependencies and its test and
# packaging extras, one version each, with the hashes of their files for Linux and Windows
# (a universal resolution for Python {PYTHON} and newer). packaging/bootstrap.py and the Windows
# workflow install it with `pip install --require-hashes -r packaging/requirements.lock`.
#
# Do not edit by hand. Refresh it after changing pyproject.toml's dependencies with
#     python3 packaging/lock.py            (add --upgrade to move every pin to the newest allowed)
# which runs, with uv from a throwaway virtual environment:
#     uv {" ".join(COMPILE)}
"""


def main(argv: list[str]) -> int:
    """Refresh the lock; returns the exit code."""
    with tempfile.TemporaryDirectory(prefix="coventry-directory-lock-") as tmp:
        env_dir = Path(tmp) / "uv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "uv"], check=True)
        cmd = [
            str(bin_dir / "uv"),
            *COMPILE,
            "--output-file",
            str(LOCK.relative_to(ROOT)),
            "--custom-compile-command",
            "python3 packaging/lock.py",
            *argv,
        ]
        result = subprocess.run(cmd, cwd=ROOT, check=False)
        if result.returncode:
            return result.returncode
    # uv writes the file whole, with its own two-line header; ours goes above it.
    LOCK.write_text(HEADER + "#\n" + LOCK.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"[lock] wrote {LOCK.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
