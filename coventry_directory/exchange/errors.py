"""Errors of the exchange layer, each worded for the person running the import or install.

``InvalidData`` carries every problem found (with its JSON path or file/line), so a bad
file is reported in full at once rather than one problem per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with input data: where (a JSON path or file:line) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ExchangeError(Exception):
    """A failure while importing, exporting, syncing or installing (exit code 1).

    A refusal of some input may say which (``source``) and list the records of it that
    could not be read (``problems``): ``import --json`` prints them.
    """

    source: str = ""
    problems: list[Problem] = []  # a default no instance changes: each refusal sets its own list


class InvalidData(ExchangeError):
    """The input is not valid HSDS data; nothing was changed (exit code 2)."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        first = problems[0] if problems else "no details"
        count = len(problems)
        super().__init__(
            f"{source} is not valid HSDS 3.0 data ({count} problem{'s' if count != 1 else ''}; "
            f"first: {first}). Nothing was changed."
        )


class UnknownSource(ExchangeError):
    """What was given to import is neither an HSDS file/package nor a feed URL (exit code 2)."""


class EmptySource(ExchangeError):
    """An import that would leave the directory with no services; nothing was changed (exit code 2)."""


class FeedError(ExchangeError):
    """An ORUK/HSDS API feed could not be read completely; nothing was changed (exit code 1)."""


class BundleError(ExchangeError):
    """A bundle was refused (exit code 2). ``kind`` says why, for programs and tests.

    Kinds: missing, truncated, not-a-bundle, unsigned, untrusted, tampered, format, downgrade.
    """

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)
