"""What changed between two editions of the directory: services added, removed, and changed field by field.

Qt-free and file-free: it compares two lists of :class:`~coventry_directory.core.models.Service`
(as ``DirectoryStore.all_services()`` reads them). ``edition diff`` prints it (docs/cli.md) and
the app's "What's new in this edition" shows it (ui/whats_new_dialog.py).

- Services are matched by their **stable key** (the directory key, e.g.
  ``esh-community-residential-rehab``; the record id when a record has no key), never by
  name, so a renamed service is one service with a changed name.
- Each field is compared as a plain value, the same in every language: text, a number, or
  a sorted list of strings (phones, addresses, opening hours, codes). A list whose items only
  changed order is not a change: no record gives its phones or categories a meaning by order.
- The fields, and their names in ``--json``, are :data:`FIELDS`, in the order a worker reads a
  record. A keeper's check (:data:`ASSURANCE_FIELDS`: who, how, when next, the note) is
  compared too, so a record checked again on the same day by someone else is a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from coventry_directory.core.models import Location, Phone, Schedule, Service

Value = str | int | bool | None | tuple[str, ...]


def _sorted(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({i for i in items if i}))


def phone_text(phone: Phone) -> str:
    """A phone as one line: the number, its type unless it is a plain voice line, and its note."""
    text = phone.number
    if phone.type and phone.type != "voice":
        text += f" ({phone.type})"
    return f"{text}: {phone.description}" if phone.description else text


def location_text(location: Location) -> str:
    """A location as one line: its name and as much of its address as is known."""
    where = location.address.one_line() if location.address is not None else location.town or ""
    return ", ".join(part for part in (location.name, where) if part)


def schedule_text(schedule: Schedule, places: dict[str, str] | None = None) -> str:
    """A schedule as one line of its own terms (``weekly TU,FR 09:30–12:00 at Bedworth hub``).

    Raw rather than worded (``describe_schedule`` says "Tuesdays and Fridays"), so that every
    part that can change shows, the same in every language. ``places``: location id -> name.
    """
    parts = [(schedule.freq or "").lower()]
    if schedule.interval and schedule.interval != 1:
        parts.append(f"every {schedule.interval}")
    parts += [schedule.byday or "", f"day {schedule.bymonthday}" if schedule.bymonthday else ""]
    if schedule.opens_at or schedule.closes_at:
        parts.append(f"{schedule.opens_at or '?'}–{schedule.closes_at or '?'}")
    for word, value in (
        ("from", schedule.valid_from),
        ("to", schedule.valid_to),
        ("starting", schedule.dtstart),
        ("until", schedule.until),
    ):
        if value:
            parts.append(f"{word} {value}")
    if schedule.location_id:
        parts.append(f"at {(places or {}).get(schedule.location_id, schedule.location_id)}")
    text = " ".join(p for p in parts if p)
    notes = "; ".join(n for n in (schedule.description, schedule.notes) if n)
    return f"{text}: {notes}" if text and notes else text or notes


def _schedules(svc: Service) -> tuple[str, ...]:
    places = {loc.id: loc.name for loc in svc.locations}
    return _sorted(schedule_text(s, places) for s in svc.schedules)


# Field name (as --json gives it) -> its value in a service. In the order a worker reads a record.
FIELDS: dict[str, Callable[[Service], Value]] = {
    "name": lambda s: s.name,
    "alternate_name": lambda s: s.alternate_name,
    "organization": lambda s: s.organization.name,
    "description": lambda s: s.description,
    "status": lambda s: s.status,
    "alert": lambda s: s.alert,
    "phones": lambda s: _sorted(phone_text(p) for p in s.phones),
    "email": lambda s: s.email,
    "url": lambda s: s.url,
    "organization_email": lambda s: s.organization.email,
    "organization_website": lambda s: s.organization.website,
    "addresses": lambda s: _sorted(location_text(loc) for loc in s.locations),
    "schedules": _schedules,
    "application_process": lambda s: s.application_process,
    "eligibility_description": lambda s: s.eligibility_description,
    "fees_description": lambda s: s.fees_description,
    "minimum_age": lambda s: s.minimum_age,
    "maximum_age": lambda s: s.maximum_age,
    "genders": lambda s: _sorted(s.genders),
    "substances": lambda s: _sorted(s.substances),
    "client_groups": lambda s: _sorted(s.client_groups),
    "groups_required": lambda s: s.groups_required,
    "referral_routes": lambda s: _sorted(s.referral_routes),
    "delivery_modes": lambda s: _sorted(s.delivery_modes),
    "catchment": lambda s: _sorted(s.catchment),
    "coverage": lambda s: s.coverage,
    "languages": lambda s: _sorted(s.languages),
    "categories": lambda s: _sorted(s.categories),
    "keywords": lambda s: _sorted(s.keywords),
    "verification": lambda s: s.verification,
    "assured_date": lambda s: s.assured_date,
    "assured_by": lambda s: s.assured_by,
    "assured_how": lambda s: s.assured_how,
    "review_due": lambda s: s.review_due,
    "assurance_note": lambda s: s.assurance_note,
    "may_have_changed_reason": lambda s: s.may_have_changed_reason,
    "evidence_date": lambda s: s.evidence_date,
    "sources": lambda s: _sorted(s.sources),
    "id": lambda s: s.id,
}


# The fields a keeper's check sets (``assure``): any of them changed means the record was checked again.
ASSURANCE_FIELDS = (
    "assured_date",
    "assured_by",
    "assured_how",
    "review_due",
    "assurance_note",
    "may_have_changed_reason",
)


def _empty(value: Value) -> Value:
    # "" and None both mean "the record does not say": a source dropping an empty string is no change
    return None if value == "" else value


@dataclass(frozen=True)
class FieldChange:
    """One field of one service, before and after. For a list field, also what it gained and lost."""

    field: str
    old: Value
    new: Value

    @property
    def is_list(self) -> bool:
        """True for a field holding several values (phones, addresses, codes ...)."""
        return isinstance(self.old, tuple) or isinstance(self.new, tuple)

    @property
    def added(self) -> tuple[str, ...]:
        """The values of a list field that only the new edition has (empty for a single value)."""
        old = set(self.old) if isinstance(self.old, tuple) else set()
        return tuple(v for v in self.new if v not in old) if isinstance(self.new, tuple) else ()

    @property
    def removed(self) -> tuple[str, ...]:
        """The values of a list field that only the old edition has (empty for a single value)."""
        new = set(self.new) if isinstance(self.new, tuple) else set()
        return tuple(v for v in self.old if v not in new) if isinstance(self.old, tuple) else ()

    def to_dict(self) -> dict:
        """``{"field", "old", "new"}``, and ``"added"``, ``"removed"`` for a list field."""
        out: dict = {"field": self.field, "old": _plain(self.old), "new": _plain(self.new)}
        if self.is_list:
            out |= {"added": list(self.added), "removed": list(self.removed)}
        return out


def _plain(value: Value):
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class ServiceEntry:
    """A service as the diff names it: key, id, name and organisation (from the new edition when changed)."""

    key: str
    id: str
    name: str
    organization: str
    changes: tuple[FieldChange, ...] = ()

    def to_dict(self, *, changes: bool = False) -> dict:
        """The entry for ``--json``; ``changes`` adds the list of field changes."""
        out: dict = {"key": self.key, "id": self.id, "name": self.name, "organization": self.organization}
        if changes:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


@dataclass(frozen=True)
class Side:
    """One of the two editions compared: what to call it, what it is, its edition date and size."""

    label: str
    kind: str = "database"  # "database" or "bundle"
    edition: str | None = None
    services: int = 0

    def to_dict(self) -> dict:
        """``{"file", "kind", "edition", "services"}``."""
        return {"file": self.label, "kind": self.kind, "edition": self.edition, "services": self.services}


@dataclass
class EditionDiff:
    """The whole comparison, each list in name order."""

    old: Side
    new: Side
    added: list[ServiceEntry] = field(default_factory=list)
    removed: list[ServiceEntry] = field(default_factory=list)
    changed: list[ServiceEntry] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        """How many services were added, removed, changed and left as they were."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }

    def empty(self) -> bool:
        """True when no service was added, removed or changed."""
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict:
        """The ``edition diff --json`` shape (docs/cli.md)."""
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "counts": self.counts(),
            "added": [e.to_dict() for e in self.added],
            "removed": [e.to_dict() for e in self.removed],
            "changed": [e.to_dict(changes=True) for e in self.changed],
        }


def stable_key(svc: Service) -> str:
    """What matches a service across editions: its directory key, else its record id."""
    return svc.key or svc.id


def _by_key(services: Iterable[Service]) -> dict[str, Service]:
    found: dict[str, Service] = {}
    # sorted by id first, so that if a file ever held one key twice, the same record always wins
    for svc in sorted(services, key=lambda s: s.id):
        found.setdefault(stable_key(svc), svc)
    return found


def _entry(svc: Service, changes: tuple[FieldChange, ...] = ()) -> ServiceEntry:
    return ServiceEntry(stable_key(svc), svc.id, svc.name, svc.organization.name, changes)


def _order(entry: ServiceEntry) -> tuple[str, str]:
    return entry.name.casefold(), entry.key


def field_changes(old: Service, new: Service) -> tuple[FieldChange, ...]:
    """Every field of :data:`FIELDS` whose value differs between ``old`` and ``new``, in that order."""
    found = []
    for name, value_of in FIELDS.items():
        before, after = _empty(value_of(old)), _empty(value_of(new))
        if before != after:
            found.append(FieldChange(name, before, after))
    return tuple(found)


def diff_services(
    old: Iterable[Service], new: Iterable[Service], old_side: Side | None = None, new_side: Side | None = None
) -> EditionDiff:
    """Compare two editions' services (see the module docstring); ``*_side`` describe the editions."""
    before, after = _by_key(old), _by_key(new)
    result = EditionDiff(
        old_side or Side("old", services=len(before)),
        new_side or Side("new", services=len(after)),
    )
    for key, svc in after.items():
        if key not in before:
            result.added.append(_entry(svc))
            continue
        changes = field_changes(before[key], svc)
        if changes:
            result.changed.append(_entry(svc, changes))
        else:
            result.unchanged += 1
    result.removed = [_entry(svc) for key, svc in before.items() if key not in after]
    for entries in (result.added, result.removed, result.changed):
        entries.sort(key=_order)
    return result
