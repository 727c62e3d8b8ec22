"""What every command-line module shares: exit codes, the bad-input error, JSON output."""

from __future__ import annotations

import json
import sys

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: reported in one line with exit code 2."""


def print_json(data) -> None:
    """Write ``data`` as readable UTF-8 JSON on stdout."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
