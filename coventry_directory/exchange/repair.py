"""Tolerant reading of one HSDS 3.0 service: repair what is plainly meant, drop what cannot be used.

Real feeds are not clean. For one service object (nested as HSDS 3.0 nests it), this
module repairs the faults whose meaning is clear, each noted as a warning with its path:

- ``null`` and ``""`` mean "not given": the property is left out;
- a number sent as text (``"18"``) where HSDS wants a number becomes the number, and a
  number where HSDS wants text (a phone number, an integer id) becomes text;
- an id that is not a UUID becomes a stable UUID made from the source name and that id,
  and so does every reference to it, so the same feed's records keep the same ids pull
  after pull and never collide with another source's;
- a status outside HSDS's list is kept as it was written and the service is shown as
  "status unknown" rather than hidden;
- a required property missing from a nested record (an address without a county, an
  organisation without a description) is noted and the record kept: what it does say is
  still true;
- a value that breaks the schema (an email that is not an address, a list that is not a
  list) is left out with its record kept; a nested record that cannot be used at all is
  left out from its list.

What cannot be repaired - not an object, no id, no name - makes the service a *problem*:
it is skipped and listed, and the rest of the source is imported.
"""

from __future__ import annotations

import json
import marshal
import math
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from coventry_directory.core.ids import looks_like_uuid
from coventry_directory.core.text import HIDDEN_IN_RECORD
from coventry_directory.exchange.errors import Problem
from coventry_directory.exchange.hsds_schema import field_type, quickly_valid, relations, required_fields, validator
from coventry_directory.exchange.validate import NOT_TEXT
from coventry_directory.input_files import unencodable_paths
from coventry_directory.store.schema import column_names

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
_REFERENCES = {"link_id", "resource_id", "parent_id", "taxonomy_term_id", "taxonomy_id"}
_ID_NAMESPACE = uuid.UUID("4f1d7a52-3c1b-5e8a-9d0e-6a2b1c7e9f30")  # ours: ids made for other publishers' records
_MAX_ROUNDS = 6


def repaired_id(source: str, value: str) -> str:
    """The stable UUID standing for a non-UUID id ``value`` of ``source``."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{source}\x1f{value}"))


def _is_reference(column: str) -> bool:
    # tax_id is a charity or company number, the one "_id" field that names no record
    return column == "id" or (column.endswith("_id") and column != "tax_id") or column in _REFERENCES


@dataclass
class Outcome:
    """One service after repair: the object (None when unusable), its warnings and its problems."""

    service: dict | None
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    status_text: str | None = None
    kinds: Counter = field(default_factory=Counter)


class _Repairer:
    def __init__(self, source: str, outcome: Outcome):
        self.source = source
        self.out = outcome

    def warn(self, path: str, message: str, kind: str) -> None:
        problem = Problem(path, message)
        if problem in self.out.warnings:
            return  # the same finding again, on the next round of checking
        self.out.warnings.append(problem)
        self.out.kinds[kind] += 1

    def scalar(self, table: str, col: str, value, path: str):
        """The repaired value of one scalar field, or None to leave it out."""
        if value is None:
            self.out.kinds["null left out"] += 1  # too common to list one by one
            return None
        wanted, reference = _fields(table).get(col, (None, _is_reference(col)))
        if isinstance(value, str):
            if not value.strip():
                if col in required_fields(table):
                    return value  # present, as HSDS requires, if empty: leaving it out would break the record
                self.out.kinds["empty text left out"] += 1
                return None
            if wanted == "number":
                try:
                    number = float(value.strip())
                except ValueError:
                    return value  # the schema check reports it, and the field is then left out
                if not _usable_number(number):
                    self.warn(path, f"{value!r} is not a usable number; left out", "unusable value left out")
                    return None
                self.warn(path, f"the number {value!r} was sent as text; read as {number:g}", "number sent as text")
                return int(number) if number.is_integer() else number
            if len(value) > MAX_TEXT:
                # a 200 MB "name" would make every search read 200 MB: no directory text is that long
                self.warn(path, f"is {len(value):,} characters long; cut to {MAX_TEXT:,}", "text cut")
                value = value[:MAX_TEXT]
            if HIDDEN_IN_RECORD.search(value):
                # a name that clears the worker's screen or reads backwards is no name: drop the codes
                self.warn(
                    path, "held control or direction-override characters; they were taken out", "control characters"
                )
                value = HIDDEN_IN_RECORD.sub("", value)
        elif wanted == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            if not _usable_number(value):
                self.warn(path, f"{value!r} is not a usable number; left out", "unusable value left out")
                return None
        elif wanted == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            self.warn(path, f"{value!r} was sent as a number; read as text", "text sent as a number")
            value = str(value)
        if reference and isinstance(value, str) and not looks_like_uuid(value):
            self.out.kinds["id made a UUID"] += 1
            return repaired_id(self.source, value)
        return value

    def walk(self, table: str, obj: dict, path: str) -> dict:
        """A repaired copy of one nested object."""
        nested = _nested(table)
        fields = _fields(table)
        out = {}
        for key, value in obj.items():
            rel = nested.get(key)
            if rel is None:
                if isinstance(value, dict | list):
                    out[key] = value  # an extension field: kept as sent
                    continue
                if (
                    isinstance(value, str)
                    and len(value) <= MAX_TEXT
                    and value.strip()
                    and not HIDDEN_IN_RECORD.search(value)
                ):
                    wanted, reference = fields.get(key, (None, True))
                    if wanted == "string" and not reference:
                        out[key] = value  # the usual case: plain text where text belongs, nothing to repair
                        continue
                repaired = self.scalar(table, key, value, f"{path}.{key}")
                if repaired is not None:
                    out[key] = repaired
                continue
            if value is None:
                self.out.kinds["null left out"] += 1
                continue
            where = f"{path}.{key}"
            if rel.kind == "one":
                out[key] = self.walk(rel.table, value, where) if isinstance(value, dict) else value
            elif isinstance(value, list):
                out[key] = [
                    self.walk(rel.table, item, f"{where}[{n}]") if isinstance(item, dict) else item
                    for n, item in enumerate(value)
                    if item is not None
                ]
            else:
                out[key] = value
        return out


MAX_TEXT = 20_000  # characters: longer than any description a directory needs
_MAX_NUMBER = 1e12  # ages, amounts, coordinates, counts: nothing in a directory is larger


def _usable_number(number: float) -> bool:
    # the size first: an integer of 400 digits cannot even be asked whether it is finite
    return abs(number) <= _MAX_NUMBER and math.isfinite(number)


@cache
def _fields(table: str) -> dict[str, tuple[str, bool]]:
    """{column: (its JSON type, whether it holds an id)} for one table, worked out once."""
    return {col: (field_type(table, col), _is_reference(col)) for col in column_names(table)}


@cache
def _nested(table: str) -> dict:
    return {rel.prop: rel for rel in relations(table)}


def _encodable(obj: object) -> bool:
    """True when every string in ``obj`` can be written as UTF-8 (one C-speed pass; the walk finds where not).

    ``marshal`` writes each string as UTF-8 with lone surrogates passed through, and UTF-8
    proper never holds the bytes ED A0-ED BF: when marshal's output has none, no string in
    ``obj`` holds a surrogate, and that search is several times faster than writing the
    object as JSON. Those bytes can also come from a number (marshal writes numbers in
    binary: a longitude of 1.16551 does it), so when they are found, or marshal cannot
    write the object, the slow, sure way decides.

    An object nested too deeply for either raises RecursionError: that is not a text fault,
    and the caller says what it is (``prepare``: "is nested too deeply to read").
    """
    try:
        if _SURROGATE_UTF8.search(marshal.dumps(obj)) is None:
            return True
    except ValueError:
        pass  # nested deeper than marshal writes (or a value it cannot write): the sure way decides
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError):
        return False
    return True


_SURROGATE_UTF8 = re.compile(rb"\xed[\xa0-\xbf]")


def _table_at(path: list) -> tuple[str, bool]:
    """The HSDS table of the object at ``path`` inside a service, and whether it is a list item."""
    table, in_list = "service", False
    for step in path:
        if isinstance(step, int):
            in_list = True
            continue
        rel = next((r for r in relations(table) if r.prop == step), None)
        if rel is None:
            return table, False
        table, in_list = rel.table, False
    return table, in_list


def _json_path(prefix: str, steps: list) -> str:
    return prefix + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps)


def _drop(obj: dict, steps: list) -> bool:
    """Remove what is at ``steps`` (a property or a list item); False when it is the root."""
    if not steps:
        return False
    parent = obj
    for step in steps[:-1]:
        parent = parent[step]
    del parent[steps[-1]]
    return True


def _droppable(steps: list) -> list | None:
    """What to leave out for an error at ``steps``: the property, or the record holding it; None: nothing can be."""
    steps = list(steps)
    while steps:
        key = steps[-1]
        if isinstance(key, int):
            return steps  # a nested record in a list: leave that record out
        table, _ = _table_at(steps[:-1])
        if key not in required_fields(table):
            return steps
        steps = steps[:-1]  # a required field is broken: the record holding it goes
    return None


def repair_service(obj: object, path: str, source: str, *, strict: bool = False) -> Outcome:
    """Repair one service object for import (see the module docstring); ``strict`` repairs nothing."""
    outcome = Outcome(None)
    if not isinstance(obj, dict):
        outcome.problems.append(Problem(path, f"is not a service object (found {type(obj).__name__})"))
        return outcome
    if not _encodable(obj):
        found = [Problem(p, NOT_TEXT) for p in unencodable_paths(obj, path)]
        outcome.problems += found or [Problem(path, NOT_TEXT)]  # a skipped record is always listed
        return outcome
    fixer = _Repairer(source, outcome)
    svc = obj if strict else fixer.walk("service", obj, path)
    if not strict and isinstance(svc.get("name"), str) and not svc["name"].strip():
        outcome.problems.append(Problem(f"{path}.name", "is blank; the service cannot be listed"))
        return outcome
    status = svc.get("status")
    if not strict and isinstance(status, str) and status not in STATUSES and status.strip().lower() in STATUSES:
        fixer.warn(f"{path}.status", f"{status!r} read as {status.strip().lower()!r}", "status")
        svc = {**svc, "status": status.strip().lower()}
        status = svc["status"]
    if not strict and status is not None and status not in STATUSES:
        outcome.status_text = str(status)
        fixer.warn(f"{path}.status", f"{status!r} is not an HSDS status; kept as written, shown as unknown", "status")
        svc = {k: v for k, v in svc.items() if k != "status"}
    for _ in range(_MAX_ROUNDS):
        if quickly_valid("service", svc):
            break  # the usual case: nothing for the full validator to find
        try:
            errors = sorted(validator("service").iter_errors(svc), key=lambda e: list(map(str, e.absolute_path)))
        except RecursionError:
            outcome.problems.append(Problem(path, "is nested too deeply to check"))
            return outcome
        if not errors:
            break
        if strict:
            outcome.problems += [Problem(_json_path(path, list(e.absolute_path)), e.message) for e in errors]
            return outcome
        dropped = False
        for error in errors:
            steps = list(error.absolute_path)
            where = _json_path(path, steps)
            if error.validator == "required":
                missing = error.message.split("'")[1] if "'" in error.message else "?"
                if not steps and missing in ("id", "name"):
                    outcome.problems.append(Problem(where, f"has no {missing}; the service cannot be listed"))
                    return outcome
                if not steps and missing == "status":
                    if outcome.status_text is None:
                        fixer.warn(where, "has no status; shown as status unknown", "status")
                elif steps and (missing == "id" or (missing == "number" and _table_at(steps)[0] == "phone")):
                    target = _droppable(steps)
                    if target is None or not _drop(svc, target):
                        outcome.problems.append(Problem(where, error.message))
                        return outcome
                    fixer.warn(where, f"left out: it has no {missing}", "unusable value left out")
                    dropped = True
                    break
                else:
                    fixer.warn(where, f"has no {missing}, which HSDS 3.0 requires; kept without it", "required missing")
                continue
            target = _droppable(steps)
            if target is None:
                outcome.problems.append(Problem(where, error.message))
                return outcome
            try:
                _drop(svc, target)
            except (KeyError, IndexError, TypeError):
                continue  # already gone with an earlier error's record
            fixer.warn(_json_path(path, target), f"left out: {error.message}", "unusable value left out")
            dropped = True
            break  # paths after a removed list item have moved: check again
        if not dropped:
            break
    else:
        outcome.problems.append(Problem(path, "has too many faults to repair"))
        return outcome
    if outcome.status_text is not None:
        svc["status"] = outcome.status_text  # kept as written; search treats it as "unknown"
    outcome.service = svc
    return outcome
