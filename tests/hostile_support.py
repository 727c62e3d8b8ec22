"""The hostile inputs for tests/test_cli_hostile.py: the files, folders, disks and servers they name.

A *world* is a folder of things a user might hand the command line by mistake or on purpose:
an empty folder, a named pipe, a path under a file, empty, garbage and deeply nested JSON, a
header-only CSV package, broken and foreign bundles, keys that are not keys, referral forms of
every wrong shape, and (when this process may mount file systems) a read-only disk and a full
one. ``Case`` arguments name them with placeholders that :func:`expand` fills in.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from test_referral_support import form_data

# Strings no command should choke on: undecodable bytes (as surrogateescape delivers them), a lone
# surrogate, NUL, a huge string, FTS5 syntax, SQL, bidi and terminal control characters, nothing.
TEXTS = (
    "\udcff",
    "\ud800",
    "a\x00b",
    "x" * 100_000,
    '"',
    "AND(",
    "*",
    "",
    "   ",
    "\u202eevil",
    "\x1b[31mred",
    "NEAR(a b)",
    "'; DROP TABLE service; --",
)
BLANK = ("", "   ")  # code options skip these: they are not bad input, they are no filter
NUMBERS = ("-1", "nan", "inf", "-inf", "1e309", "99999999999999999999999", "0x10", "", "½")
# Paths that are not what a command needs (each resolved by expand()).
NOT_FILES = ("{IN}/dir", "{IN}/fifo", "/dev/zero", "{IN}/missing.json", "{IN}/file.txt/under.json")
NOT_WRITABLE = ("{IN}/dir", "{IN}/fifo", "/dev/zero", "{IN}/file.txt/under.out", "{RO}/new.out")
BAD_JSON = (
    "{IN}/empty.json",
    "{IN}/garbage.json",
    "{IN}/nul.json",
    "{IN}/notutf8.json",
    "{IN}/deep.json",
    "{IN}/deepobj.json",
    "{IN}/scalar.json",
)
BAD_URLS = ("http://[::1", "http://", "https://:80/", "http://host:notaport/", "http://a b/", "http://\udcff/")


@dataclass(frozen=True)
class Case:
    """One hostile run: the arguments, what must happen, and where the user's data folder is."""

    argv: tuple[str, ...]
    refused: bool = True  # exit 1 or 2 with one line on stderr; else exit 0 with nothing on stderr
    home: str | None = None  # a placeholder path for COVENTRY_DIRECTORY_HOME, else the test's own
    needs: tuple[str, ...] = ()  # "RO", "FULL", "NET": skipped where the world could not make them
    setup: str | None = None  # "install-bundle": install {BUNDLE} first
    words: str | None = None  # a phrase the one line must contain

    @property
    def command(self) -> tuple[str, ...]:
        """The command path the case exercises, as the parser walker names it."""
        two = ("bundle", "referral", "outbox", "sources", "edition", "corrections", "check-form")
        return tuple(self.argv[:2]) if self.argv and self.argv[0] in two else tuple(self.argv[:1])


@dataclass
class World:
    """Where the hostile things are; ``present`` lists the optional parts this machine could make."""

    root: Path
    present: set[str] = field(default_factory=set)
    url: str = ""

    def placeholders(self) -> dict[str, str]:
        """Placeholder -> path text."""
        return {
            "{IN}": str(self.root / "in"),
            "{RO}": str(self.root / "ro"),
            "{FULL}": str(self.root / "full"),
            "{URL}": self.url,
            "{BUNDLE}": str(self.root / "in" / "bundle.zip"),
            "{KEY}": str(self.root / "in" / "publisher.key"),
            "{FORM}": str(self.root / "in" / "form.json"),
        }


def expand(text: str, world: World, out: Path) -> str:
    """``text`` with its placeholders replaced ({OUT} is the test's own output folder)."""
    for name, value in {**world.placeholders(), "{OUT}": str(out)}.items():
        text = text.replace(name, value)
    return text


def _write_inputs(folder: Path, built_directory: Path) -> None:
    from coventry_directory.exchange import bundles
    from coventry_directory.exchange.signing import generate_keypair, load_signing_key

    folder.mkdir(parents=True)
    (folder / "dir").mkdir()
    os.mkfifo(folder / "fifo")
    (folder / "file.txt").write_text("a file, not a folder\n")
    (folder / "empty.json").write_bytes(b"")
    (folder / "garbage.json").write_bytes(bytes(range(256)) * 8)
    (folder / "nul.json").write_bytes(b"\0" * 64)
    (folder / "notutf8.json").write_bytes(b'[{"id": "\xff\xfe"}]')
    (folder / "deep.json").write_text("[" * 200_000)
    (folder / "deepobj.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    (folder / "scalar.json").write_text("42")
    (folder / "list.json").write_text("[]")
    (folder / "page.json").write_text('{"contents": []}')
    (folder / "surrogate.json").write_text('[{"id": "\\ud800", "name": "x"}]')
    (folder / "big.json").write_text(json.dumps({"padding": "x" * (2 << 20)}))
    # a CSV package with header lines only (no services at all), and one with junk
    header_only = folder / "header-only"
    header_only.mkdir()
    (header_only / "services.csv").write_text("id,name,status\n")
    (header_only / "organizations.csv").write_text("id,name\n")
    junk = folder / "junk-csv"
    junk.mkdir()
    (junk / "services.csv").write_bytes(b"id,name\n\xff\xfe,\x00\n")
    escape = folder / "escape-pkg"
    escape.mkdir()
    (escape / "datapackage.json").write_text(json.dumps({"resources": [{"name": "service", "path": "../../x"}]}))
    from coventry_directory.exchange.hsds_json import export_json
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(built_directory, readonly=True)
    try:
        export_json(store, folder / "export")  # a good import, for the full disk
    finally:
        store.close()
    # keys and a bundle the tests trust (COVENTRY_DIRECTORY_TRUSTED_KEYS points at trusted/)
    generate_keypair(folder / "publisher.key", folder / "trusted" / "publisher.pem")
    generate_keypair(folder / "stranger.key", folder / "stranger.pem")
    bundles.build_bundle(built_directory, folder / "bundle.zip", load_signing_key(folder / "publisher.key"))
    bundles.build_bundle(built_directory, folder / "stranger.zip", load_signing_key(folder / "stranger.key"))
    data = (folder / "bundle.zip").read_bytes()
    (folder / "truncated.zip").write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(folder / "notbundle.zip", "w") as zf:
        zf.writestr("hello.txt", "hi")
    with zipfile.ZipFile(folder / "deepmanifest.zip", "w") as zf:
        zf.writestr("manifest.json", "[" * 100_000)
        zf.writestr("manifest.sig", "AAAA")
    # referral forms: a good one (for a service with no email), and every wrong shape
    (folder / "form.json").write_text(json.dumps(form_data("cov-cgl-adult")))
    (folder / "form-unknown.json").write_text(json.dumps(form_data("no-such-service")))
    (folder / "form-noservice.json").write_text(json.dumps({**form_data(), "service": ""}))
    (folder / "form-notready.json").write_text(json.dumps({"service": "cov-cgl-adult"}))
    (folder / "form-types.json").write_text(json.dumps({"service": ["x"], "summary": 5, "consent": "yes"}))
    (folder / "form-surrogate.json").write_text(json.dumps(form_data("cov-cgl-adult")).replace("Example", "\\udc80"))


def _mount_tmpfs(path: Path, size: str, *extra: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, check=False
    )
    return done.returncode == 0


def _fill(disk: Path) -> None:
    """Write a filler file until the disk is full."""
    with contextlib.suppress(OSError), open(disk / "filler", "wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()


def make_world(root: Path, built_directory: Path) -> World:
    """Write the inputs, and mount a read-only and a full disk where this process may."""
    world = World(root)
    _write_inputs(root / "in", built_directory)
    try:
        _mount_disks(world)
    except BaseException:
        unmount_world(world)
        raise
    return world


def _mount_disks(world: World) -> None:
    """A read-only disk (RO) and a full one (FULL), each with a user database, where mounting is allowed."""
    from coventry_directory.store.user import UserStore

    root = world.root
    if os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount"):
        ro = root / "ro"
        if _mount_tmpfs(ro, "1m"):
            (ro / "home").mkdir()
            UserStore(ro / "home" / "user.db").close()
            remount = ["mount", "-o", "remount,ro", str(ro)]
            if subprocess.run(remount, capture_output=True, check=False).returncode == 0:
                world.present.add("RO")
        full = root / "full"
        if _mount_tmpfs(full, "1m"):
            (full / "home").mkdir()
            UserStore(full / "home" / "user.db").close()
            _fill(full)
            world.present.add("FULL")


def unmount_world(world: World) -> None:
    """Unmount what make_world mounted."""
    for name in ("ro", "full"):
        path = world.root / name
        if path.is_mount():
            subprocess.run(["umount", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def loopback_feeds():
    """A feed server on 127.0.0.1 whose every feed is wrong in its own way; yields its root URL."""
    deep = b"[" * 100_000
    answers = {
        "/fail/services": (500, b"{}"),
        "/garbage/services": (200, b"<html>not json</html>"),
        "/empty/services": (200, b'{"contents": [], "total_pages": 1}'),
        "/noid/services": (200, b'{"contents": [{"name": "no id"}], "total_pages": 1}'),
        "/deep/services": (200, deep),
        "/surrogate/services": (
            200,
            b'{"contents": [{"id": "\\ud800", "name": "x", "status": "active", "organization_id": "o"}]}',
        ),
        "/notapage/services": (200, b"[1, 2, 3]"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = answers.get(self.path.split("?")[0], (404, b"{}"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
