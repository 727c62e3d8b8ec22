"""Checks HSDS 3.0 data against the official schema and reports every problem with its path.

Paths are JSON paths into the input (``$[3].phones[0].number``) for JSON, and
``file.csv line N column C`` for the tabular format.
"""

from __future__ import annotations

from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.hsds_schema import validator
from coventry_directory.input_files import unencodable_paths

# Stop collecting after this many: a wholly wrong file would otherwise print for ever.
MAX_PROBLEMS = 1000


def _sorted_errors(v, instance):
    return sorted(v.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))


def validate_object(table: str, obj, prefix: str = "$") -> list[Problem]:
    r"""Problems with one nested HSDS object (e.g. a service) against ``{table}.json``.

    Also text that is not text: a string holding a lone surrogate (JSON can spell one,
    ``"\ud800"``) could be stored nowhere, so it is reported rather than half-written.
    """
    problems = [Problem(path, NOT_TEXT) for path in unencodable_paths(obj, prefix)]
    try:
        return problems + [Problem(prefix + e.json_path[1:], e.message) for e in _sorted_errors(validator(table), obj)]
    except RecursionError:
        return [*problems, Problem(prefix, "is nested too deeply to check")]


NOT_TEXT = "is not valid text: it holds a lone surrogate (a broken UTF-16 pair), which no file can store"


def validate_services(services, prefix: str = "$") -> list[Problem]:
    """Problems with a list of HSDS service objects (an empty list is valid)."""
    if not isinstance(services, list):
        return [Problem(prefix, f"expected a list of HSDS service objects, found {type(services).__name__}")]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, svc in enumerate(services):
        problems += validate_object("service", svc, f"{prefix}[{i}]")
        sid = svc.get("id") if isinstance(svc, dict) else None
        if isinstance(sid, str):
            if sid in seen:
                problems.append(Problem(f"{prefix}[{i}].id", f"service {sid} is also at {prefix}[{seen[sid]}]"))
            seen.setdefault(sid, i)
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(prefix, f"stopped after {MAX_PROBLEMS} problems"))
            break
    return problems


def validate_row(table: str, row: dict, where: str) -> list[Problem]:
    """Problems with one flat table row (a CSV line), non-empty cells only."""
    return [
        Problem(f"{where} column {'.'.join(map(str, e.absolute_path)) or '-'}", e.message)
        for e in _sorted_errors(validator(table, rows_only=True), row)
    ]
