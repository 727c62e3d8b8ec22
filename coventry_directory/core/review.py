"""What a keeper of the directory should look at next: records overdue, unreachable or out of date.

Qt-free; the ``review`` command prints it (docs/cli.md). Each record is checked against
four plain rules, none of them a guess about the service itself:

- **overdue**: its ``review_due`` date has come, or, for a record with none, not assured
  within :data:`REVIEW_MONTHS` months (or never);
- **no contact route**: no phone, email, web page or address anywhere in the record, so a
  worker has nothing to try;
- **old evidence**: the newest source is more than :data:`EVIDENCE_YEARS` years old, or
  undated, or the record is marked historic;
- **provider may have changed**: marked so after a re-tender.

Counts are given for the whole set, then by catchment area and by category, so a public
health team can see where the gaps are.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from coventry_directory.core.models import Service

REVIEW_MONTHS = 6  # a record is due for a check this long after it was last assured
EVIDENCE_YEARS = 3  # a source older than this may no longer describe the service
PROBLEMS = ("overdue", "no-contact-route", "old-evidence", "provider-may-have-changed")
NATIONAL, NO_AREA = "national", "area-not-known"  # the area rows that are not catchment codes
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True)
class ReviewItem:
    """One record and what needs looking at."""

    key: str
    name: str
    problems: tuple[str, ...]
    assured_date: str | None
    review_due: str | None
    evidence_date: str | None
    verification: str | None
    areas: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass
class Review:
    """Every record's problems, with counts overall, by area and by category."""

    as_of: dt.date
    records: int
    items: list[ReviewItem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records have each problem (a record can have several)."""
        found = Counter(p for item in self.items for p in item.problems)
        return {p: found[p] for p in PROBLEMS}

    def by(self, attribute: str) -> dict[str, dict[str, int]]:
        """Per area or category (``attribute``: "areas" or "categories"): records, and each problem's count."""
        out: dict[str, dict[str, int]] = {}
        for item in self.items:
            for value in getattr(item, attribute):
                row = out.setdefault(value, {"records": 0, **dict.fromkeys(PROBLEMS, 0)})
                row["records"] += 1
                for problem in item.problems:
                    row[problem] += 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict:
        """The ``review --json`` shape (docs/cli.md)."""
        return {
            "as_of": self.as_of.isoformat(),
            "rules": {"review_months": REVIEW_MONTHS, "evidence_years": EVIDENCE_YEARS},
            "records": self.records,
            "counts": self.counts(),
            "by_area": self.by("areas"),
            "by_category": self.by("categories"),
            "items": [
                {
                    "key": i.key,
                    "name": i.name,
                    "problems": list(i.problems),
                    "assured_date": i.assured_date,
                    "review_due": i.review_due,
                    "evidence_date": i.evidence_date,
                    "verification": i.verification,
                    "areas": list(i.areas),
                    "categories": list(i.categories),
                }
                for i in self.items
                if i.problems
            ],
        }


def review(services: Iterable[Service], today: dt.date) -> Review:
    """Check every service against the rules (module docstring) as of ``today``."""
    services = list(services)
    result = Review(today, len(services))
    for svc in sorted(services, key=lambda s: (s.name.casefold(), s.key)):
        areas = (NATIONAL,) if svc.coverage == "national" else tuple(svc.catchment) or (NO_AREA,)
        result.items.append(
            ReviewItem(
                key=svc.key,
                name=svc.name,
                problems=problems_of(svc, today),
                assured_date=svc.assured_date,
                review_due=svc.review_due,
                evidence_date=svc.evidence_date,
                verification=svc.verification,
                areas=areas,
                categories=tuple(svc.categories) or ("category-not-known",),
            )
        )
    return result


def problems_of(svc: Service, today: dt.date) -> tuple[str, ...]:
    """The rules ``svc`` breaks, in :data:`PROBLEMS` order."""
    found = []
    if is_overdue(svc, today):
        found.append("overdue")
    if not has_contact_route(svc):
        found.append("no-contact-route")
    evidence = parse_date(svc.evidence_date)
    if svc.verification == "historic" or evidence is None or evidence < _months_before(today, 12 * EVIDENCE_YEARS):
        found.append("old-evidence")
    if svc.verification == "provider-may-have-changed":
        found.append("provider-may-have-changed")
    return tuple(found)


def is_overdue(svc: Service, today: dt.date) -> bool:
    """True when ``svc`` is due a check: its ``review_due`` day has come, or with none, REVIEW_MONTHS since it was assured.

    Due *on* the review day, as a record assured six months ago to the day is: the two rules
    agree for a record whose review date is the default (:func:`default_review_due`).
    """
    due = _whole_date(svc.review_due)
    if due is not None:
        return today >= due
    assured = parse_date(svc.assured_date)
    return assured is None or assured <= _months_before(today, REVIEW_MONTHS)


def default_review_due(assured: dt.date) -> dt.date:
    """When a record assured on ``assured`` is next due a check: REVIEW_MONTHS later (the month's last day if shorter)."""
    year, month = divmod(assured.year * 12 + assured.month - 1 + REVIEW_MONTHS, 12)
    return dt.date(year, month + 1, min(assured.day, calendar.monthrange(year, month + 1)[1]))


def _whole_date(text: str | None) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) as written for ``review_due``; None for none, or for anything less exact."""
    try:
        return dt.date.fromisoformat((text or "").strip()) if len((text or "").strip()) == 10 else None
    except ValueError:
        return None


def has_contact_route(svc: Service) -> bool:
    """True when the record gives a worker anything to try: a phone, an email, a web page or an address.

    The organisation's own email or website counts: it is a true way to ask.
    """
    places = [*svc.locations, *svc.organization.locations]
    return bool(
        svc.phones
        or svc.email
        or svc.url
        or svc.organization.email
        or svc.organization.website
        or any(loc.address is not None for loc in places)
    )


def parse_date(text: str | None) -> dt.date | None:
    """A source's date as written ("2022", "2022-09", "2022-09-14"), at its first day; None if there is none."""
    match = _DATE.fullmatch((text or "").strip())
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, 28))
