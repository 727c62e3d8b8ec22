"""Reads the services of one source record by record: the good ones in, the bad ones listed.

Every service is converted to HSDS 3.0 (from ORUK 1.0 or Meeting Guide when that is what
arrived), repaired where the meaning is clear (``repair``), linked to our categories
where its publisher's taxonomy terms say so (``taxonomy_map``), checked against the
schema and flattened on its own. A service that fails any of that is skipped and listed
as a problem with its path and reason; the rest are imported. Two services that carry
the same nested record (an organisation, a location) with different details keep the
first and note the difference.

``strict`` is the all-or-nothing of earlier releases: any problem, and no repairs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coventry_directory.exchange.documents import Items, service_items
from coventry_directory.exchange.errors import InvalidData, Problem
from coventry_directory.exchange.flatten import FlatData, Flattener
from coventry_directory.exchange.repair import repair_service
from coventry_directory.exchange.validate import MAX_PROBLEMS


@dataclass
class ReadResult:
    """Flattened rows of the services kept, with what was skipped and what was repaired."""

    data: FlatData
    services: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    warnings: list[Problem] = field(default_factory=list)
    repairs: Counter = field(default_factory=Counter)
    unmapped_terms: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # about the whole input (page 1 of 10 ...), shown to the user

    def note(self, problem: Problem) -> None:
        """Keep a warning (the first :data:`MAX_PROBLEMS`; the kinds are all counted)."""
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(problem)

    def skip(self, problems: list[Problem]) -> None:
        """Count a skipped service and keep its problems (the first :data:`MAX_PROBLEMS`)."""
        self.skipped += 1
        room = MAX_PROBLEMS - len(self.problems)
        self.problems += problems[: max(room, 0)]


def converted_items(doc: object, fmt: str, feed_name: str, result: ReadResult) -> Items:
    """The HSDS 3.0 service objects of a parsed document in format ``fmt``."""
    if fmt == "meeting-guide":
        from coventry_directory.exchange.meeting_guide import meetings_to_hsds3

        services, problems, warnings = meetings_to_hsds3(doc, feed_name=feed_name)
        for problem in problems:
            result.skip([problem])
        for warning in warnings:
            result.note(warning)
            result.repairs["meeting list repair"] += 1
        return Items(services=[(f"$[{n}]", svc) for n, svc in enumerate(services)])
    if fmt == "oruk1":
        from coventry_directory.exchange.oruk1 import oruk1_items, service_to_hsds3

        items = Items()
        for n, item in enumerate(oruk1_items(doc)):
            path = f"$[{n}]"
            svc, problems, warnings = service_to_hsds3(item, path) if isinstance(item, dict) else (None, [], [])
            if svc is None:
                result.skip(problems or [Problem(path, "is not an ORUK 1.0 service object")])
                continue
            for warning in warnings:
                result.note(warning)
                result.repairs["ORUK 1.0 repair"] += 1
            items.services.append((path, svc))
        return items
    return service_items(doc)


def read_services(items: Items, source: str, *, strict: bool = False, map_terms: bool = True) -> ReadResult:
    """Repair, check and flatten each service of ``items`` (see the module docstring)."""
    result = ReadResult(FlatData())
    for warning in items.warnings:
        result.note(warning)
        result.notes.append(warning.message)
    for problem in items.problems:
        result.skip([problem])
    shared = Flattener(tolerant=not strict)
    seen: dict[str, tuple[str, object]] = {}
    for path, obj in items.services:
        outcome = repair_service(obj, path, source, strict=strict)
        result.repairs.update(outcome.kinds)
        for warning in outcome.warnings:
            result.note(warning)
        svc = outcome.service
        if svc is None:
            result.skip(outcome.problems)
            continue
        if svc["id"] in seen:
            first, first_obj = seen[svc["id"]]
            if first_obj == obj:  # the same record listed twice: one copy is enough
                result.repairs["the same service listed twice"] += 1
                result.note(Problem(path, f"is the same service as {first}; listed once"))
                continue
            result.skip([Problem(f"{path}.id", f"service {svc['id']} is also at {first}, differently; skipped")])
            continue
        if map_terms:
            from coventry_directory.exchange.taxonomy_map import add_our_terms

            svc, unmapped = add_our_terms(svc)
            result.unmapped_terms.update(unmapped)
        alone = Flattener(tolerant=not strict)
        try:
            alone.add("service", svc, path, {})
        except RecursionError:
            result.skip([Problem(path, "is nested too deeply to read")])
            continue
        if alone.data.problems:
            result.skip(alone.data.problems)
            continue
        for note in alone.data.repaired:
            result.note(note)
            result.repairs["link that contradicts its nesting"] += 1
        before = len(shared.data.problems)
        shared.add("service", svc, path, {})
        for conflict in shared.data.problems[before:]:
            if strict:
                result.problems.append(conflict)
                continue
            result.note(Problem(conflict.path, f"{conflict.message}; the first was kept"))
            result.repairs["records that disagree"] += 1
        del shared.data.problems[before:]
        seen[svc["id"]] = (path, obj)
        result.services += 1
    result.data = shared.data
    if strict and (result.problems or result.skipped):
        raise InvalidData(source, result.problems)
    return result


def read_document(doc: object, fmt: str | None, source: str, *, strict: bool = False) -> tuple[ReadResult, str]:
    """Read a parsed document in ``fmt`` (told from its content when None); returns the result and the format."""
    from coventry_directory.exchange.documents import FORMATS, detect_format

    fmt = fmt or detect_format(doc)
    if fmt not in FORMATS:
        raise ValueError(fmt)
    pre = ReadResult(FlatData())
    items = converted_items(doc, fmt, source, pre)
    result = read_services(items, source, strict=strict)
    result.skipped += pre.skipped
    result.problems = [*pre.problems, *result.problems][:MAX_PROBLEMS]
    result.warnings = [*pre.warnings, *result.warnings][:MAX_PROBLEMS]
    result.repairs.update(pre.repairs)
    if strict and pre.problems:
        raise InvalidData(source, result.problems)
    return result, {"hsds": "hsds-json"}.get(fmt, fmt)
