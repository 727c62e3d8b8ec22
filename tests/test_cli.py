"""The command line: show, self-test, build-db, and clean errors for bad input."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

from coventry_directory.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_json_prints_the_full_record(installed_directory, capsys):
    code, out, err = run(capsys, "show", "esh-community-residential-rehab", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["organization"]["name"]
    for key in (
        "locations",
        "phones",
        "schedules",
        "categories",
        "substances",
        "catchment",
        "sources",
        "assured_date",
        "verification",
    ):
        assert key in record
    assert record["sources"]
    assert "01926 811702" in [p["number"] for p in record["phones"]]


def test_show_accepts_the_uuid_too(installed_directory, directory_store, capsys):
    svc = directory_store.get_service("esh-community-residential-rehab")
    code, out, _ = run(capsys, "show", svc.id, "--json")
    assert code == 0 and json.loads(out)["key"] == "esh-community-residential-rehab"


def test_show_text_says_what_is_not_known(installed_directory, capsys):
    code, out, _ = run(capsys, "show", "esh-community-residential-rehab")
    assert code == 0
    assert "not known — check with the service" in out
    assert "Sources:" in out


@pytest.mark.parametrize("ref", ["no-such-service", "'; DROP TABLE service; --", '"', "x" * 5000])
def test_show_unknown_service_is_bad_input(installed_directory, capsys, ref):
    code, out, err = run(capsys, "show", ref)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "no service" in err


@pytest.mark.parametrize("argv", [["bogus"], ["show"], ["show", "a", "--nope"], ["build-db", "--output"]])
def test_bad_arguments_get_one_line_and_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_help_is_available_everywhere(capsys):
    for argv in (["--help"], ["show", "--help"], ["self-test", "--help"], ["build-db", "--help"], ["gui", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_self_test_passes(installed_directory, capsys):
    code, out, _ = run(capsys, "self-test", "--json")
    report = json.loads(out)
    assert code == 0, report
    names = {c["name"]: c for c in report["checks"]}
    assert names["sqlite-fts5"]["ok"] and names["directory"]["ok"] and names["provenance"]["ok"]


def test_self_test_reports_a_corrupt_directory(installed_directory, capsys):
    installed_directory.write_bytes(b"garbage" * 1000)
    code, out, _ = run(capsys, "self-test")
    assert code == 1
    assert "FAIL" in out and "not a readable database" in out


def test_corrupt_directory_on_show_is_a_clear_failure(installed_directory, capsys):
    installed_directory.write_bytes(b"garbage" * 1000)
    code, out, err = run(capsys, "show", "anything")
    assert code == 1
    assert "not a readable database" in err and "Traceback" not in err


def test_build_db_check(capsys):
    code, out, _ = run(capsys, "build-db", "--check")
    assert code == 0 and "sources ok" in out


def test_console_script_runs_as_a_program(installed_directory, user_home):
    env = dict(os.environ, COVENTRY_DIRECTORY_HOME=str(user_home))
    result = subprocess.run(
        [sys.executable, "-m", "coventry_directory", "show", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_every_error_table_entry_names_an_exception_class():
    # The table is keyed by dotted names (so that it costs no imports); a moved or renamed class
    # would silently stop matching, so each name must still be an exception class defined there.
    import importlib

    from coventry_directory.cli.common import ERRORS

    for name in ERRORS:
        module, _, class_name = name.rpartition(".")
        cls = getattr(importlib.import_module(module), class_name, None)
        assert isinstance(cls, type) and issubclass(cls, BaseException), name
        # Where it is defined, not re-exported: main only looks in modules already imported.
        assert f"{cls.__module__}.{cls.__qualname__}" == name


class _Fixed:
    """A stand-in for the parser that hands back ready-made arguments (a handler that raises)."""

    def __init__(self, handler):
        self.args = argparse.Namespace(handler=handler)

    def parse_args(self, argv):
        return self.args


def _raising(exc):
    def handler(args):
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (BrokenPipeError(32, "Broken pipe"), 0, ""),
        (KeyboardInterrupt(), 1, ""),
        (
            FileNotFoundError(2, "No such file or directory", "x.pdf"),
            1,
            "coventry-directory: No such file or directory: x.pdf\n",
        ),
    ],
)
def test_errors_reaching_main_get_the_contract_exit_code(monkeypatch, capsys, exc, code, message):
    monkeypatch.setattr("coventry_directory.cli.build_parser", lambda: _Fixed(_raising(exc)))
    assert main(["anything"]) == code
    assert capsys.readouterr().err == message


def test_an_unexpected_exception_is_one_line_and_its_details_go_to_the_log(monkeypatch, capsys, user_home):
    # A bug is still a bug (exit 1, "please report it"), but the terminal gets one plain line; the log gets
    # the type and code locations, and never the exception's message, which may hold what the user typed.
    secret = "Jane Example, NHS 943 476 5919"
    monkeypatch.setattr("coventry_directory.cli.build_parser", lambda: _Fixed(_raising(ZeroDivisionError(secret))))
    assert main(["anything"]) == 1
    err = capsys.readouterr().err
    log = user_home / "logs" / "coventry-directory.log"
    assert err.count("\n") == 1 and "Traceback" not in err and secret not in err
    assert "unexpected error (ZeroDivisionError)" in err and str(log) in err
    text = log.read_text(encoding="utf-8")
    assert "ZeroDivisionError at test_cli.py:" in text and "handler" in text and secret not in text
