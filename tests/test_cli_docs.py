"""docs/cli.md keeps up with the real parser (in the style of sqlite-utils' documentation tests).

The walker goes through every subcommand and nested action of ``build_parser()``; each must
answer ``--help`` and have its own heading in docs/cli.md that mentions every option it takes.
A test with a deliberately undocumented command shows the check can fail.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from coventry_directory.cli import build_parser, main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def command_paths(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (command path, parser) below ``parser``, depth first: ("bundle",), ("bundle", "install"), ..."""
    # argparse has no public way to list subparsers; _actions and _SubParsersAction are what its own help uses.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from command_paths(sub, (*prefix, name))


def documented_sections(text: str) -> dict[str, str]:
    """Heading text (backticks removed) -> that section's text, up to the next heading of the same or a higher level.

    A command's section therefore includes the sections of its actions (``bundle`` holds ``bundle build``).
    """
    lines = text.splitlines()
    headings = []
    in_fence = False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            in_fence = not in_fence  # a '#' inside a fenced block is code, not a heading
        match = None if in_fence else HEADING.match(line)
        if match:
            headings.append((number, len(match.group(1)), match.group(2).replace("`", "").strip()))
    sections = {}
    for i, (start, level, title) in enumerate(headings):
        end = next((n for n, lvl, _ in headings[i + 1 :] if lvl <= level), len(lines))
        sections[title] = "\n".join(lines[start:end])
    return sections


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    """What a reader must find documented: each option's long name (or only name), each positional's metavar."""
    names = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue  # every command has --help; actions get their own headings
        if action.option_strings:
            names.append(max(action.option_strings, key=len))
        else:
            names.append(action.metavar or action.dest)
    return names


def docs_problems(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """Everything in ``parser`` that ``text`` (docs/cli.md) does not describe; empty when the docs are complete."""
    sections = documented_sections(text)
    problems = []
    for path, sub in command_paths(parser):
        name = " ".join(path)
        section = sections.get(name)
        if section is None:
            problems.append(f"{name}: no heading in docs/cli.md")
            continue
        for argument in _arguments(sub):
            # Whole words only, so that --db is not found inside --db-path.
            if not re.search(rf"(?<![\w-]){re.escape(argument)}(?![\w-])", section):
                problems.append(f"{name}: {argument} not described")
    return problems


def _help_cases() -> list[tuple[str, ...]]:
    return [(), *(path for path, _ in command_paths(build_parser()))]


@pytest.mark.parametrize("path", _help_cases(), ids=lambda path: " ".join(path) or "(top level)")
def test_every_command_and_action_answers_help(path, capsys):
    with pytest.raises(SystemExit) as exc:  # argparse ends --help with SystemExit(0)
        main([*path, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: " + " ".join(("coventry-directory", *path)))


def test_the_walker_reaches_nested_actions():
    paths = {" ".join(path) for path, _ in command_paths(build_parser())}
    assert {"search", "bundle install", "referral render", "outbox flush"} <= paths


def test_docs_describe_every_command_action_and_option():
    assert docs_problems(build_parser(), DOCS.read_text(encoding="utf-8")) == []


def test_docs_headings_in_backticks_are_real_commands():
    # The other way round: a command removed from the parser must not linger in the reference.
    commands = {" ".join(path) for path, _ in command_paths(build_parser())}
    text = DOCS.read_text(encoding="utf-8")
    coded = {m.group(1) for m in re.finditer(r"^#{2,6}\s+`([^`]+)`\s*$", text, re.MULTILINE)}
    assert coded - commands == set()


def test_the_check_fails_for_what_is_not_documented():
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    top.add_parser("undocumented-command").add_argument("--whatever")
    bundle = top.choices["bundle"]
    actions = next(a for a in bundle._actions if isinstance(a, argparse._SubParsersAction))
    actions.add_parser("undocumented-action")
    top.choices["show"].add_argument("--undocumented-option", action="store_true")

    problems = docs_problems(parser, DOCS.read_text(encoding="utf-8"))

    assert problems == [
        "show: --undocumented-option not described",
        "bundle undocumented-action: no heading in docs/cli.md",
        "undocumented-command: no heading in docs/cli.md",
    ]
