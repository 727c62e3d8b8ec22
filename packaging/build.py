"""Build the portable one-folder app into dist/ (Linux here; Windows on a Windows runner).

    python3 packaging/build.py                 # set up .venv if needed, build dist/coventry-directory/
    python3 packaging/build.py --zip           # also dist/coventry-directory-VERSION-PLATFORM-portable.zip
    python3 packaging/build.py --check         # also run the frozen self-test in a clean environment

The folder runs where it is: copy it anywhere (a USB stick, a network share, a home folder)
and start ``coventry-directory``. The zip holds the same folder with a ``portable.txt``
marker, so the app keeps its data beside itself. Needs no admin rights to build or run.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "coventry-directory.spec"
APP = "coventry-directory"
# What the build needs besides Python packages (Debian names): the Qt run-time libraries
# (PyInstaller copies them into the bundle) and the tools that trim ICU's data (icu.py).
BUILD_TOOLS = ["binutils", "gcc", "icu-devtools"]


def say(message: str) -> None:
    """Print a progress line."""
    print(f"[build] {message}", flush=True)


def version() -> str:
    """The app version: ``__version__`` in coventry_directory/__init__.py, the one place it is set.

    Read from the source, not imported, so it works under any Python (as setuptools reads it
    for pyproject's dynamic version).
    """
    init = ROOT / "coventry_directory" / "__init__.py"
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise SystemExit(f"[build] no __version__ in {init}")


def executable(folder: Path) -> Path:
    """The console executable inside a built folder."""
    return folder / (f"{APP}.exe" if os.name == "nt" else APP)


def platform_tag() -> str:
    """e.g. linux-x86_64, windows-amd64."""
    return f"{'windows' if os.name == 'nt' else sys.platform}-{platform.machine().lower()}"


def _bootstrap():
    sys.path.insert(0, str(HERE))
    import bootstrap  # packaging/bootstrap.py: the README's set-up

    return bootstrap


def ensure_build_tools() -> None:
    """Install the ICU-trimming tools on Debian/Ubuntu when missing (as root); a no-op elsewhere."""
    _bootstrap().ensure_system_packages(BUILD_TOOLS)


def set_up() -> Path:
    """Make sure .venv has the app and PyInstaller, and the system tools are there; returns its python.

    bootstrap installs the lock (packaging/requirements.lock), which has the packaging extra.
    """
    bootstrap = _bootstrap()
    bootstrap.ensure_system_packages(bootstrap.QT_RUNTIME + BUILD_TOOLS)
    bootstrap.ensure_venv()
    return bootstrap.venv_python()


def run_pyinstaller(py: Path, dist: Path, work: Path) -> Path:
    """Run the spec; returns the built folder."""
    say(f"building {dist / APP} (PyInstaller, one folder)")
    cmd = [
        str(py),
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return dist / APP


def folder_size(folder: Path) -> int:
    """Bytes of every file in ``folder`` (links not followed, not counted twice)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def make_zip(folder: Path, out: Path, portable: bool = True) -> Path:
    """Zip ``folder`` (keeping symlinks as links), adding the portable marker when asked."""
    out.unlink(missing_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(folder.rglob("*")):
            arc = Path(folder.name) / path.relative_to(folder)
            if path.is_symlink():
                info = zipfile.ZipInfo(arc.as_posix())
                info.create_system = 3  # Unix, so the mode bits below mean "symlink"
                info.external_attr = 0o120777 << 16
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                zf.write(path, arc.as_posix())
        if portable:
            zf.writestr(
                f"{folder.name}/portable.txt",
                "This file makes Coventry Directory keep its data in the 'data' folder beside it.\n"
                "Delete it to keep data in your user profile instead.\n",
            )
    return out


def clean_env(home: Path) -> dict[str, str]:
    """An environment with nothing from the project: no venv on PATH, no PYTHONPATH, a fresh HOME."""
    keep = {k: v for k, v in os.environ.items() if k in ("SYSTEMROOT", "WINDIR", "TEMP", "TMP", "LANG", "DISPLAY")}
    path = os.pathsep.join(
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p and ".venv" not in p and "virtualenv" not in p.lower()
    )
    env = {
        **keep,
        "PATH": path or os.defpath,
        "HOME": str(home),
        "USERPROFILE": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": os.environ.get("LANG") or "C.UTF-8",
    }
    if os.name == "nt":
        env["APPDATA"] = env["LOCALAPPDATA"] = str(home)
    return env


def frozen_self_test(folder: Path) -> int:
    """Run the built app's self-test in a clean environment; returns its exit code."""
    with tempfile.TemporaryDirectory() as home:
        return subprocess.run([str(executable(folder)), "self-test"], env=clean_env(Path(home)), check=False).returncode


def main(argv: list[str] | None = None) -> int:
    """Build the portable app; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder (default build/)")
    parser.add_argument("--zip", action="store_true", help="also write the portable zip")
    parser.add_argument("--check", action="store_true", help="run the frozen self-test afterwards")
    parser.add_argument(
        "--no-setup",
        action="store_true",
        help="use this Python as it is (no .venv or apt-get step); it needs PyInstaller",
    )
    args = parser.parse_args(argv)
    try:
        py = Path(sys.executable) if args.no_setup else set_up()
        folder = run_pyinstaller(py, args.dist.resolve(), args.work.resolve())
    except subprocess.CalledProcessError as exc:
        say(f"failed: {' '.join(map(str, exc.cmd))} exited {exc.returncode}")
        return 1
    say(f"built {folder}: {folder_size(folder) / 1e6:.1f} MB unpacked; run {executable(folder)}")
    if args.zip:
        out = make_zip(folder, args.dist / f"{APP}-{version()}-{platform_tag()}-portable.zip")
        say(f"wrote {out}: {out.stat().st_size / 1e6:.1f} MB")
    if args.check:
        code = frozen_self_test(folder)
        say("frozen self-test " + ("passed" if code == 0 else f"FAILED (exit {code})"))
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
