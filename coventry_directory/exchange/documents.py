"""The shapes an Open Referral document comes in, and the services inside each.

Publishers do not all send a plain list of services. Accepted, each read as a list of
HSDS 3.0 service objects with a JSON path for every one:

- a list of services (our own export, most files);
- one service (``service_full.json``: what ``GET /services/{id}`` answers);
- an API page ``{"contents": [...], "total_pages": N}`` - with a warning when the file
  is page 1 of several, because the rest of the feed is not in it;
- an organisation, or a list or page of them, with their ``services`` nested
  (``organization_full.json``): each service gets its organisation back;
- a service-at-location object (``service_at_location_full.json``) with its service and
  location nested.

The format of a file - HSDS 3.0, ORUK 1.0 or Meeting Guide - is told from its content
(:func:`detect_format`) when the user does not say.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from coventry_directory.exchange.errors import Problem

FORMATS = ("hsds", "oruk1", "meeting-guide")


@dataclass
class Items:
    """The service objects found in a document, with the path of each and what was noticed."""

    services: Iterable[tuple[str, object]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # what was found that holds no service


def _page_contents(doc: dict, prefix: str, items: Items) -> list | None:
    for key in ("contents", "content"):
        if isinstance(doc.get(key), list):
            pages = doc.get("total_pages", doc.get("totalPages"))
            number = doc.get("page_number", doc.get("number"))
            if isinstance(pages, int) and pages > 1:
                which = f"page {number} of {pages}" if isinstance(number, int) else f"one page of {pages}"
                items.warnings.append(
                    Problem(
                        prefix,
                        f"this is {which} of a feed's list: only its services are imported; "
                        "import the feed's address to get them all",
                    )
                )
            return doc[key]
    return None


_ORGANIZATION_ONLY = {"website", "tax_status", "tax_id", "year_incorporated", "legal_status", "parent_organization_id"}
_SERVICE_ONLY = {"status", "service_at_locations", "organization_id", "organization", "schedules", "url"}


def _is_organization(obj: object) -> bool:
    if not isinstance(obj, dict) or "service_at_locations" in obj:
        return False
    if isinstance(obj.get("services"), list):
        return True
    return bool(_ORGANIZATION_ONLY & obj.keys()) and not (_SERVICE_ONLY & obj.keys())


def _from_organization(org: dict, path: str, items: Items) -> None:
    if not isinstance(org.get("services"), list):
        # an organisation list (GET /organizations) names no services: nothing here can be listed
        items.problems.append(Problem(path, "is an organisation with no services in it; nothing to list"))
        return
    parent = {k: v for k, v in org.items() if k != "services"}
    for n, svc in enumerate(org["services"]):
        where = f"{path}.services[{n}]"
        if isinstance(svc, dict) and isinstance(parent.get("id"), str):
            svc = {**svc, "organization_id": svc.get("organization_id") or parent["id"]}
            svc.setdefault("organization", parent)
        items.services.append((where, svc))


def _from_service_at_location(sal: dict, path: str, items: Items) -> None:
    svc = sal["service"]
    if not isinstance(svc, dict):
        items.services.append((f"{path}.service", svc))
        return
    entry = {k: v for k, v in sal.items() if k != "service"}
    listed = svc.get("service_at_locations") if isinstance(svc.get("service_at_locations"), list) else []
    if not any(isinstance(x, dict) and x.get("id") == entry.get("id") for x in listed):
        svc = {**svc, "service_at_locations": [*listed, entry]}
    items.services.append((f"{path}.service", svc))


def _add(obj: object, path: str, items: Items) -> None:
    if _is_organization(obj):
        _from_organization(obj, path, items)  # type: ignore[arg-type]
    elif isinstance(obj, dict) and isinstance(obj.get("service"), dict) and "location" in obj:
        _from_service_at_location(obj, path, items)
    else:
        items.services.append((path, obj))


def expand_items(pairs: Iterable[tuple[str, object]]) -> Iterator[tuple[str, object]]:
    """The services of a stream of items (each a service, an organisation or a service-at-location)."""
    for path, obj in pairs:
        items = Items()
        _add(obj, path, items)
        yield from items.services  # an organisation without services yields none (and is not a service)


def service_items(doc: object, prefix: str = "$") -> Items:
    """Every service object in an HSDS 3.0 document of any accepted shape.

    Something that is none of the shapes (a number, a string, a list of numbers) gives
    its values as they are, for validation to report each with its path.
    """
    items = Items()
    if isinstance(doc, dict):
        contents = _page_contents(doc, prefix, items)
        if contents is None:
            _add(doc, prefix, items)
            return items
        key = "contents" if "contents" in doc else "content"
        for n, obj in enumerate(contents):
            _add(obj, f"{prefix}.{key}[{n}]", items)
        return items
    if isinstance(doc, list):
        for n, obj in enumerate(doc):
            _add(obj, f"{prefix}[{n}]", items)
        return items
    items.services.append((prefix, doc))
    return items


def detect_format(doc: object) -> str:
    """``hsds``, ``oruk1`` or ``meeting-guide`` for a parsed document (HSDS when unsure)."""
    from coventry_directory.exchange.meeting_guide import looks_like_meeting_guide
    from coventry_directory.exchange.oruk1 import looks_like_oruk1

    if looks_like_meeting_guide(doc):
        return "meeting-guide"
    if looks_like_oruk1(doc):
        return "oruk1"
    return "hsds"
