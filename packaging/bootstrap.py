"""Set up a project-local environment, then run the app or the whole test suite.

    python3 packaging/bootstrap.py run     # set up and open the desktop app
    python3 packaging/bootstrap.py test    # set up, check the code contracts, run every test, headless
    python3 packaging/bootstrap.py lint    # set up and check the code contracts only (ruff, mypy)

Needs only Python 3.11+. On Debian/Ubuntu it installs the few system libraries Qt needs
(with apt-get, when run as root or with sudo); everything else goes into ``.venv`` in the
project folder, pinned with hashes by ``packaging/requirements.lock`` (the test and packaging
extras too: the suite builds the wheel and the frozen app). Re-running is quick: the install
step is skipped while ``pyproject.toml`` and the lock are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".coventry-directory-installed"
# Every third-party package, pinned with hashes for Linux and Windows (its header says how to
# refresh it after editing pyproject.toml's dependencies).
LOCK = ROOT / "packaging" / "requirements.lock"

# Debian packages Qt (PySide6) needs at run time, and the test tools (PDF to PNG).
QT_RUNTIME = [
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libfontconfig1",
    "libglib2.0-0",
    "libdbus-1-3",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-randr0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libx11-xcb1",
]
TEST_TOOLS = ["poppler-utils"]


def say(message: str) -> None:
    """Print a progress line."""
    print(f"[bootstrap] {message}", flush=True)


def venv_python() -> Path:
    """The project virtual environment's Python."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def missing_debian_packages(names: list[str]) -> list[str]:
    """Which of these Debian packages are not installed (none off Debian)."""
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for name in names:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False)
        if "install ok installed" not in result.stdout:
            missing.append(name)
    return missing


def ensure_system_packages(names: list[str]) -> None:
    """Install the missing system packages with apt-get, when allowed; otherwise say what to ask for."""
    missing = missing_debian_packages(names)
    if not missing or not shutil.which("apt-get"):
        return
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            say("these system packages are missing and cannot be installed without root: " + " ".join(missing))
            say("ask an administrator to run: apt-get install -y " + " ".join(missing))
            return
        prefix = ["sudo", "-n"]
    say("installing system packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    update = subprocess.run(prefix + ["apt-get", "update", "-qq"], env=env, check=False)
    install = subprocess.run(prefix + ["apt-get", "install", "-y", "-qq", *missing], env=env, check=False)
    if update.returncode or install.returncode:
        say("apt-get could not install them; continuing (Qt may fail to start without them)")


def requirements_digest() -> str:
    """What the install step depends on: the declared dependencies and the lock that pins them."""
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", LOCK):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create .venv and install the locked dependencies and the app, unless already done for this lock."""
    if not venv_python().exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    digest = requirements_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    py = str(venv_python())
    say("installing Python packages into .venv (first run takes a minute or two)")
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    # Exactly the locked versions, each checked against its hash...
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(LOCK)], check=True)
    # ...then the app itself, editable, adding nothing: no dependencies, and no build isolation
    # (which would fetch unpinned build tools; the lock has setuptools).
    subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True
    )
    STAMP.write_text(digest)


def build_directory() -> None:
    """Compile the directory database and the translation catalogs."""
    say("compiling the directory from resources/directory")
    subprocess.run([str(venv_python()), "-m", "coventry_directory", "build-db"], check=True, cwd=ROOT)
    say("compiling the leaflet translations from translations/")
    subprocess.run([str(venv_python()), "-m", "coventry_directory", "build-translations"], check=True, cwd=ROOT)


# The contracts every change must keep, run before the tests (settings in pyproject.toml).
# The import, dependency and CLI-docs contracts are tests, so they run with the suite.
LINT_STEPS = (
    ("ruff check", ["-m", "ruff", "check", "--no-cache", "."]),
    ("ruff format", ["-m", "ruff", "format", "--check", "--no-cache", "."]),
    ("mypy", ["-m", "mypy", "--no-incremental"]),
)


def lint() -> list[str]:
    """Run the linters and the type checker; returns the names of the steps that failed."""
    failed = []
    for name, args in LINT_STEPS:
        say(f"checking: {name}")
        if subprocess.run([str(venv_python()), *args], cwd=ROOT, check=False).returncode:
            failed.append(name)
    return failed


def main(argv: list[str]) -> int:
    """Run one action (run, test or lint); returns the exit code."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run by whatever python3 a machine has, to say so
        say(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
        return 2
    if len(argv) < 1 or argv[0] not in ("run", "test", "lint"):
        print(__doc__)
        return 2
    action, rest = argv[0], argv[1:]
    ensure_system_packages(QT_RUNTIME + (TEST_TOOLS if action != "run" else []))
    try:
        ensure_venv()
        build_directory()
    except subprocess.CalledProcessError as exc:
        say(f"set-up failed: {' '.join(map(str, exc.cmd))} exited {exc.returncode}")
        return 1
    py = str(venv_python())
    if action == "run":
        return subprocess.run([py, "-m", "coventry_directory", "gui", *rest], cwd=ROOT, check=False).returncode
    lint_failed = lint()
    if action == "lint":
        return 1 if lint_failed else 0
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    tests = subprocess.run([py, "-m", "pytest", *rest], cwd=ROOT, env=env, check=False).returncode
    if lint_failed:
        say("the code contracts failed: " + ", ".join(lint_failed) + " (see above; `bootstrap.py lint` re-runs them)")
    return tests or (1 if lint_failed else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
