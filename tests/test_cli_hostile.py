"""Bad input always gets a clear message and loses nothing: every command, every action, hostile input.

Each case runs ``coventry_directory.cli.main(argv)`` in-process (a few run as real processes,
for undecodable bytes on a real command line) and checks the command-line contract: a
refused input ends with exit 1 or 2 and exactly one line on stderr; no traceback anywhere;
no file is left behind that a successful run would not have written (so no temp, staging,
journal or half-written file); and the directory database is unchanged (same services,
same bytes). Inputs that are merely odd (a query of FTS5 syntax) must instead just work.

The walker from test_cli_docs.py goes through the real parser, so a new command or action
without hostile cases here fails ``test_every_command_and_action_is_attacked``.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from hostile_support import (
    BAD_JSON,
    BAD_URLS,
    BLANK,
    NOT_FILES,
    NOT_WRITABLE,
    NUMBERS,
    TEXTS,
    Case,
    expand,
    loopback_feeds,
    make_world,
    unmount_world,
)
from keyring.backends import fail
from test_cli_docs import command_paths

from coventry_directory.cli import build_parser, main
from coventry_directory.exchange.signing import TRUSTED_KEYS_ENV

pytestmark = pytest.mark.skipif(os.name != "posix", reason="named pipes, devices and mounts are POSIX")


# What the one line must say about a path that is not a usable input file.
SAYS = {
    "{IN}/dir": "is a folder",
    "{IN}/fifo": "is a named pipe",
    "/dev/zero": "is a device",
    "{IN}/missing.json": "does not exist",
    "{IN}/file.txt/under.json": "is a file, not a folder",
    "{IN}/deep.json": "nested too deeply",
    "{IN}/deepobj.json": "nested too deeply",
    "{IN}/big.json": "more than the 1 MB",
    "{IN}/truncated.zip": "truncated or damaged",
    "{IN}/stranger.zip": "does not trust",
}


def _cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    forms = (
        *NOT_FILES,
        *BAD_JSON,
        "{IN}/list.json",
        "{IN}/big.json",
        "{IN}/form-unknown.json",
        "{IN}/form-noservice.json",
        "{IN}/form-notready.json",
        "{IN}/form-types.json",
        "{IN}/form-surrogate.json",
    )
    bundles = (*NOT_FILES, *BAD_JSON, "{IN}/truncated.zip", "{IN}/notbundle.zip", "{IN}/stranger.zip")
    bundles += ("{IN}/deepmanifest.zip", "{IN}/file.txt")
    keys = (*NOT_FILES, "{IN}/empty.json", "{IN}/garbage.json", "{IN}/trusted/publisher.pem", "{IN}/file.txt")
    homes = ("{IN}/file.txt/home", "{IN}/file.txt", "{RO}", "{RO}/new-home")
    for text in TEXTS:
        add(Case(("show", text)))
        add(Case(("search", text), refused=False))  # any text is safe to search for: it just works
        add(Case(("search", "--language", text), refused=text not in BLANK))  # a code, or blank: no filter
        add(Case(("search", "--near", text)))
        add(Case(("search", "--open-at", text)))
        add(Case(("search", "--gender", text)))
        add(Case(("eligible", "--age", "30", "--near", text)))
        add(Case(("eligible", "--age", "30", "--gender", text)))
        add(Case(("leaflet", text, "--lang", "en", "-o", "{OUT}/l.pdf")))
        add(Case(("leaflet", "cov-cgl-adult", "--lang", text, "-o", "{OUT}/l.pdf")))
        if text not in BLANK:  # an empty --near is no place: a topic leaflet for the whole area
            add(Case(("leaflet", "--category", "naloxone", "--near", text, "--lang", "en", "-o", "{OUT}/l.pdf")))
        add(Case(("referral", "statement", text)))
        add(Case(("referral", "mark", text, "accepted")))
        add(Case(("referral", "mark", "abcdef12", text)))
        add(Case(("referral", "mark", "abcdef12", "follow-up", "--follow-up-by", text)))
        add(Case(("export", "--format", text, "-o", "{OUT}/e")))
        add(Case(("meetings", "--near", text)))  # empty too: "No place given", as for search --near ""
        add(Case(("meetings", "--at", text)))
        # a directory with no meetings says how to add a list, whatever type was asked for
        add(Case(("meetings", "--type", text), refused=False))
        add(Case(("review", "--source", text)))  # no such source: every one of these is refused
        add(Case(("sources", "show", text)))
        add(Case(("sources", "remove", text)))
        add(Case(("sources", "pull", text)))
        add(Case(("import", "{IN}/list.json", "--source", text), refused=text not in ("ok",)))
        add(Case(("referral", "settings", "--security", text)))
        add(Case(("gui", "--lang", text)))
        add(Case((text or "-", "--help")))  # an unknown command
        for option, command in (("--category", "search"), ("--substance", "eligible"), ("--group", "eligible")):
            argv = (command, "--age", "30") if command == "eligible" else (command,)
            add(Case((*argv, option, text), refused=text not in BLANK))
        for option in ("--route", "--mode"):
            add(Case(("search", option, text), refused=text not in BLANK))
    for bad in ("x" * 100_000, "a b", "\x1b[31mred", "a\x00b"):
        add(Case(("referral", "settings", "--host", bad)))
    for bad in ('"', "x" * 100_000, "a b", "*", "AND(", "a\x00b@example.org"):
        add(Case(("referral", "settings", "--sender", bad)))
    for number in NUMBERS:
        add(Case(("search", "--age", number)))
        add(Case(("search", "--limit", number)))
        add(Case(("eligible", "--age", number)))
        add(Case(("import", "http://127.0.0.1:1/api", "--timeout", number)))
        add(Case(("import", "http://127.0.0.1:1/api", "--per-page", number)))
        add(Case(("referral", "settings", "--port", number)))
        add(Case(("referral", "settings", "--timeout", number)))
        add(Case(("referral", "settings", "--retention-days", number)))
    for path in forms:
        add(Case(("referral", "render", path, "-o", "{OUT}/r.pdf"), words=SAYS.get(path)))
        add(Case(("referral", "send", path), words=SAYS.get(path)))
    add(Case(("referral", "send", "{FORM}"), words="cannot be emailed"))  # this service has no email
    for path in NOT_WRITABLE:
        add(Case(("referral", "render", "{FORM}", "-o", path), needs=("RO",) if "{RO}" in path else ()))
        if path != "{IN}/dir":  # an existing folder is where a leaflet batch goes: not bad input
            add(Case(("leaflet", "cov-cgl-adult", "--lang", "en", "-o", path), needs=("RO",) if "{RO}" in path else ()))
        add(Case(("export", "--format", "corrections", "-o", path), needs=("RO",) if "{RO}" in path else ()))
        add(Case(("build-db", "-o", path), needs=("RO",) if "{RO}" in path else ()))
        add(Case(("bundle", "build", "-o", path, "--signing-key", "{KEY}"), needs=("RO",) if "{RO}" in path else ()))
        add(Case(("bundle", "keygen", "--private-key", "{OUT}/k.key", "--public-key", path)))
        add(Case(("bundle", "install", "{BUNDLE}", "--db", path), needs=("RO",) if "{RO}" in path else ()))
        add(Case(("import", "{IN}/list.json", "--db", path), needs=("RO",) if "{RO}" in path else ()))
    for path in ("{IN}/file.txt", "{IN}/file.txt/under", "/dev/zero", "{IN}/fifo", "{RO}/e"):
        for fmt in ("hsds-json", "hsds-csv"):
            add(Case(("export", "--format", fmt, "-o", path), needs=("RO",) if "{RO}" in path else ()))
    for path in (*NOT_FILES, "{IN}/garbage.json", "{IN}/file.txt"):
        add(Case(("export", "--format", "hsds-json", "--db", path, "-o", "{OUT}/e")))
        add(Case(("bundle", "build", "-o", "{OUT}/b.zip", "--db", path, "--signing-key", "{KEY}")))
        add(Case(("bundle", "rollback", "--db", path)))
        add(Case(("referral", "settings", "--ca-file", path)))
    for path in (*NOT_FILES, *BAD_JSON, "{IN}/list.json", "{IN}/page.json", "{IN}/surrogate.json"):
        add(Case(("import", path)))
    for path in ("{IN}/header-only", "{IN}/junk-csv", "{IN}/escape-pkg", "{IN}/header-only/services.csv"):
        add(Case(("import", path)))
    for url in BAD_URLS:
        add(Case(("import", url)))
    for feed in ("fail", "garbage", "empty", "noid", "deep", "surrogate", "notapage", "missing"):
        add(Case(("import", f"{{URL}}/{feed}", "--timeout", "5"), needs=("NET",)))
    for path in bundles:
        says = "truncated or damaged" if path.endswith(("deep.json", "deepobj.json")) else SAYS.get(path)
        add(Case(("bundle", "verify", path), words=says))
        add(Case(("bundle", "install", path), words=says))
    add(Case(("bundle", "install", "{BUNDLE}"), setup="install-bundle", words="already installed"))
    for path in bundles:  # a bundle is read exactly as bundle install reads it: the same refusals
        says = SAYS.get(path) if path in NOT_FILES or path.endswith(".zip") else "neither a directory database"
        add(Case(("edition", "diff", path, "{BUNDLE}"), words=says))
        add(Case(("edition", "diff", "{BUNDLE}", path), words=says))
    add(Case(("edition", "diff", "{BUNDLE}", "{BUNDLE}"), words="the same file"))
    # assure never writes the real sources here: a folder that is not one of sources is refused last
    assure = ("--source-dir", "{IN}/dir")
    for text in TEXTS:
        add(Case(("assure", text, "--by", "Jo", "--how", "phone", *assure)))
        add(Case(("assure", "cov-emmaus", "--by", text, "--how", "phone", *assure)))
        add(Case(("assure", "cov-emmaus", "--by", "Jo", "--how", text, *assure)))
        add(Case(("assure", "cov-emmaus", "--by", "Jo", "--how", "phone", "--review-due", text, *assure)))
    for path in NOT_FILES:
        add(Case(("assure", "cov-emmaus", "--by", "Jo", "--how", "phone", "--source-dir", path)))
    for path in (*NOT_FILES, "{IN}/dir", "{IN}/file.txt"):
        add(Case(("keeper", "--source-dir", path)))  # refused before any window opens
    for path in bundles:  # a worker's export or an email, read as strictly as a bundle
        add(Case(("corrections", "import", path)))
    for text in TEXTS:
        add(Case(("corrections", "resolve", text, "--accept")))  # no such note: the queue is empty
    add(Case(("corrections", "resolve", "abcd", "--accept", "--reject")))
    for text in TEXTS:  # no organisation has that key (near matches named, or none)
        add(Case(("check-form", "export", text, "-o", "{OUT}/form.csv")))
    for path in bundles:  # a returned form, read as strictly as a worker's export
        add(Case(("check-form", "import", path, "--by", "Jo")))
    for path in keys:
        add(Case(("publish", "-o", "{OUT}/p", "--signing-key", path)))
    for path in NOT_WRITABLE:
        if path != "{IN}/dir":  # an empty folder is where a publication may go: not bad input
            add(Case(("publish", "-o", path, "--signing-key", "{KEY}"), needs=("RO",) if "{RO}" in path else ()))
    add(Case(("bundle", "rollback"), words="no previous"))
    add(Case(("sources", "restore-edition"), words="nothing to restore"))
    add(Case(("sources", "rebuild"), words="nothing to rebuild"))
    for path in NOT_FILES:
        add(Case(("sources", "rebuild", "--db", path)))
        add(Case(("sources", "restore-edition", "--db", path)))
    for path in keys:
        add(Case(("bundle", "build", "-o", "{OUT}/b.zip", "--signing-key", path), words=SAYS.get(path)))
    for path in ("{IN}/file.txt", "{IN}/dir", "{IN}/fifo", "/dev/zero", "{IN}/file.txt/k.key", "{RO}/k.key"):
        add(Case(("bundle", "keygen", "--private-key", path, "--public-key", "{OUT}/k.pem")))
    add(Case(("bundle", "keygen", "--private-key", "{OUT}/same", "--public-key", "{OUT}/same")))
    for home in homes:
        needs = ("RO",) if "{RO}" in home else ()
        for argv in (
            ("gui",),
            ("referral", "log"),
            ("referral", "render", "{FORM}", "-o", "{OUT}/r.pdf"),
            ("referral", "send", "{FORM}"),
            ("referral", "mark", "abcdef12", "accepted"),
            ("referral", "settings", "--host", "mail.example.org"),
            ("outbox", "list"),
            ("outbox", "flush"),
            ("export", "--format", "corrections", "-o", "{OUT}/c.json"),
            ("import", "{IN}/list.json"),
            ("bundle", "install", "{BUNDLE}"),
            ("bundle", "rollback"),
            ("corrections", "list"),
            ("corrections", "import", "{IN}/list.json"),
        ):
            if home == "{RO}" and argv[:2] in (("referral", "log"), ("outbox", "list")):
                continue  # an existing, readable user database: reading it from a read-only disk works
            add(Case(argv, home=home, needs=needs, words="data folder"))
    full = ("FULL",)
    for argv in (
        ("referral", "render", "{FORM}", "-o", "{FULL}/r.pdf"),
        ("leaflet", "cov-cgl-adult", "--lang", "en", "-o", "{FULL}/l.pdf"),
        ("export", "--format", "hsds-json", "-o", "{FULL}/e"),
        ("export", "--format", "hsds-csv", "-o", "{FULL}/csv"),
        ("export", "--format", "corrections", "-o", "{FULL}/c.json"),
        ("build-db", "-o", "{FULL}/d.db"),
        ("bundle", "build", "-o", "{FULL}/b.zip", "--signing-key", "{KEY}"),
        ("bundle", "keygen", "--private-key", "{FULL}/k.key", "--public-key", "{FULL}/k.pem"),
        ("bundle", "install", "{BUNDLE}", "--db", "{FULL}/d.db"),
        ("import", "{IN}/export", "--db", "{FULL}/d.db"),
    ):
        add(Case(argv, needs=full, words="no space left"))
    for argv in (("referral", "render", "{FORM}", "-o", "{OUT}/r.pdf"), ("referral", "settings", "--host", "x")):
        add(Case(argv, home="{FULL}/home", needs=full, words="no space left"))
    for argv in (("self-test", "--bogus"), ("languages", "--bogus"), ("build-translations", "extra"), ("outbox",)):
        add(Case(argv))
    for argv in (("self-test", "--json", "extra"), ("languages", "--json", "\udcff"), ("build-translations", "-u")):
        add(Case(argv))
    add(Case(("leaflet", "cov-cgl-adult", "--lang", "en", "--size", "A0", "-o", "{OUT}/l.pdf")))
    add(Case(("outbox", "list", "--json", "extra")))
    add(Case(("outbox", "flush", "now")))
    return cases


CASES = _cases()
SUBPROCESS_CASES = (  # undecodable bytes on a real command line, as a shell passes them
    (b"show", b"\xff"),
    (b"search", b"--language", b"\xff"),
    (b"search", b"caf\xe9", b"--near", b"\xff\xfe"),
    (b"referral", b"render", b"{IN}/\xff.json", b"-o", b"{OUT}/r.pdf"),
    (b"import", b"{IN}/\xff\xfe"),
    (b"leaflet", b"cov-cgl-adult", b"--lang", b"en", b"-o", b"{IN}/file.txt/\xff.pdf"),
)


class CaseTimedOut(BaseException):
    """Not an Exception, so main() cannot turn a hang into an exit code."""


@pytest.fixture(scope="module")
def world(tmp_path_factory, built_directory):

    world = make_world(tmp_path_factory.mktemp("hostile"), built_directory)
    with loopback_feeds() as url:
        world.url = url
        world.present.add("NET")
        try:
            yield world
        finally:
            unmount_world(world)


@pytest.fixture(autouse=True)
def unattended(monkeypatch, world):
    """No keyring, no terminal, the world's keys trusted, the real internet never asked."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setenv(TRUSTED_KEYS_ENV, str(world.root / "in" / "trusted"))
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    # A refused case never gets as far as opening the window; if one did, fail instead of waiting for ever.
    monkeypatch.setattr("coventry_directory.ui.app.run_app", _window_opened)
    yield
    keyring.set_keyring(before)


def _window_opened(lang=None):
    raise CaseTimedOut("the desktop window would have opened")


def _tree(*roots: Path) -> set[str]:
    found = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            found.update(os.path.join(folder, name) for name in dirs + files)
    return found


def _sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _services(path: Path) -> int:
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(path, readonly=True)
    try:
        return store.count_services()
    finally:
        store.close()


def _case_id(case: Case) -> str:
    return " ".join(repr(a)[1:-1][:24] for a in case.argv) + (f" [home {case.home}]" if case.home else "")


@pytest.mark.parametrize("case", CASES, ids=[f"{n:03d} {_case_id(c)}" for n, c in enumerate(CASES)])
def test_hostile_input(case, world, installed_directory, user_home, tmp_path, monkeypatch, capsys):
    missing = set(case.needs) - world.present
    if missing:
        pytest.skip(f"this machine could not make: {', '.join(sorted(missing))}")
    from coventry_directory.store.user import UserStore
    from coventry_directory.userdata import user_database_path

    UserStore(user_database_path()).close()  # there before, so a refused command cannot have made it
    out = tmp_path / "out"
    out.mkdir()
    if case.setup == "install-bundle":
        assert main(["bundle", "install", expand("{BUNDLE}", world, out)]) == 0
    argv = [expand(a, world, out) for a in case.argv]
    capsys.readouterr()
    before = _tree(world.root, tmp_path)
    db_before = (_sha(installed_directory), _services(installed_directory), _sha(user_database_path()))
    if case.home:
        monkeypatch.setenv("COVENTRY_DIRECTORY_HOME", expand(case.home, world, out))

    def hung(signum, frame):
        raise CaseTimedOut(f"no answer in 30 s: {case.argv[:3]}")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        code = main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    stdout, stderr = capsys.readouterr()

    assert "Traceback" not in stdout + stderr
    if case.refused:
        assert code in (1, 2), (code, stderr)
        assert stderr.endswith("\n") and len(stderr.splitlines()) == 1, stderr
        assert "unexpected error" not in stderr, stderr
        if case.words:
            assert case.words in stderr, stderr
    else:
        assert code == 0 and stderr == "", stderr
    assert _tree(world.root, tmp_path) - before == set(), "left behind"
    assert before - _tree(world.root, tmp_path) == set(), "removed"
    monkeypatch.setenv("COVENTRY_DIRECTORY_HOME", str(user_home))  # back to this test's own home, to check it
    assert (_sha(installed_directory), _services(installed_directory), _sha(user_database_path())) == db_before


@pytest.mark.parametrize("argv", SUBPROCESS_CASES, ids=lambda a: b" ".join(a).decode("ascii", "backslashreplace"))
def test_undecodable_bytes_on_a_real_command_line(argv, world, installed_directory, user_home, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    marks = {b"{IN}": os.fsencode(world.root / "in"), b"{OUT}": os.fsencode(out)}
    args = [a.replace(b"{IN}", marks[b"{IN}"]).replace(b"{OUT}", marks[b"{OUT}"]) for a in argv]
    env = {**os.environ, "COVENTRY_DIRECTORY_HOME": str(user_home), "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": ""}
    before = _tree(world.root, tmp_path)
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"coventry_directory", *args],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stdout + done.stderr, err
    if (
        argv[0] == b"search" and b"--near" not in argv and b"--language" not in argv
    ):  # any text, but not a place or code
        assert done.returncode == 0 and err == "", err
    else:
        assert done.returncode in (1, 2) and len(err.splitlines()) == 1, err
    assert _tree(world.root, tmp_path) == before


def test_every_command_and_action_is_attacked():
    attacked: dict[tuple[str, ...], int] = {}
    for case in CASES:
        attacked[case.command] = attacked.get(case.command, 0) + case.refused
    missing = []
    for path, parser in command_paths(build_parser()):
        leaf = not any(a.__class__.__name__ == "_SubParsersAction" for a in parser._actions)
        if leaf and attacked.get(path, 0) < 2:
            missing.append(" ".join(path))
    assert missing == []
    assert sum(c.refused for c in CASES) >= 250
