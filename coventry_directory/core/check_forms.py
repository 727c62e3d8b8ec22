"""Provider check forms: "this is what we list about you - please correct", for one organisation.

For one organisation of the directory's TOML sources (``core.directory_source``), the rows
a provider can check: the organisation's own (name, what it does, email, web site,
addresses), then each of its services' (name, what it does, phones, email, web page,
addresses, opening hours, who it is for, ages, how to refer, languages). Each row holds the
record's key, the field's id and label, what the directory lists now ("not known" where it
lists nothing: unknown is shown as unknown, never filled in), when the record was last
checked against its sources, and those sources in words.

The rows are printed as a PDF form (``leaflets.check_form``) or written as a CSV
(``core.check_form_csv``); a returned CSV becomes proposals in the keeper's correction queue
(``exchange.check_form_returns``). Check forms are for providers and are in English, so the
wording here is English whatever language the app is in. Qt-free and SQL-free.
"""

from __future__ import annotations

import difflib
import gettext
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from coventry_directory.core import describe
from coventry_directory.core.correction_queue import ORGANIZATION, SERVICE
from coventry_directory.core.directory_source import DirectorySources, read_directory
from coventry_directory.core.models import Location, Organization, Service
from coventry_directory.core.source_documents import SourceDocument
from coventry_directory.i18n import use_translation

NOT_KNOWN = "not known"
_CITATION = re.compile(r"^(?P<doc>[a-z0-9-]+) L(?P<line>\d+)$")

# Field ids and labels, in the order the form lists them. A service's ids are its TOML
# fields where there is one (so keeper mode can pre-fill the editor); an organisation's are
# prefixed, because an organisation and a service may share a key.
SERVICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("description", "What the service does"),
    ("phones", "Phone numbers"),
    ("email", "Email"),
    ("url", "Web page"),
    ("locations", "Addresses"),
    ("schedules", "Opening hours"),
    ("eligibility_description", "Who it is for"),
    ("ages", "Ages"),
    ("application_process", "How to refer or get in"),
    ("languages", "Languages other than English"),
)
ORGANIZATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("organization.name", "Organisation name"),
    ("organization.description", "What the organisation does"),
    ("organization.email", "Organisation email"),
    ("organization.website", "Organisation web site"),
    ("organization.locations", "Organisation addresses"),
)
FIELD_LABELS = dict(SERVICE_FIELDS + ORGANIZATION_FIELDS)


class CheckFormError(ValueError):
    """No check form can be made or read as asked (unknown organisation, a returned file that is wrong): bad input."""


@dataclass(frozen=True)
class CheckRow:
    """One field of one record, as the directory lists it."""

    record: str  # the record's key
    kind: str  # SERVICE or ORGANIZATION
    field: str  # the field id (SERVICE_FIELDS, ORGANIZATION_FIELDS)
    label: str
    we_list: str  # NOT_KNOWN when the directory lists nothing
    known: bool  # False: the directory lists nothing for it
    last_checked: str  # the record's assured date, or NOT_KNOWN
    sources: tuple[str, ...]  # where it comes from, in words

    @property
    def source_text(self) -> str:
        """The sources on one line ("not known" when none is cited)."""
        return "; ".join(self.sources) or NOT_KNOWN


@dataclass(frozen=True)
class CheckRecord:
    """The organisation or one of its services, with its rows."""

    key: str
    kind: str
    name: str
    last_checked: str
    sources: tuple[str, ...]
    rows: tuple[CheckRow, ...]


@dataclass(frozen=True)
class CheckForm:
    """What the directory lists about one organisation: its own record first, then its services by name."""

    organization_key: str
    organization_name: str
    edition: str | None  # the directory sources' edition (newest assured date), None if none is dated
    records: tuple[CheckRecord, ...]

    @property
    def rows(self) -> list[CheckRow]:
        """Every row of every record, in order."""
        return [row for record in self.records for row in record.rows]

    def row(self, kind: str, record: str, field: str) -> CheckRow | None:
        """The row for ``field`` of the record ``record`` (of ``kind``), or None."""
        return next(
            (r for r in self.rows if (r.kind, r.record, r.field) == (kind, record, field)),
            None,
        )


def check_form(organization_key: str, root: Path | None = None) -> CheckForm:
    """The check form of the organisation ``organization_key`` in the sources under ``root`` (default: the app's).

    CheckFormError for a key no organisation has (naming close ones); DirectorySourceError
    when the sources do not pass their checks.
    """
    return form_for(read_directory(root), organization_key)


def form_for(sources: DirectorySources, organization_key: str) -> CheckForm:
    """The check form of one organisation of already-read ``sources``."""
    org = find_organization(sources, organization_key)
    # English whatever the app's language: the form is for providers (context-local, so no window changes)
    with use_translation(gettext.NullTranslations()):
        services = sorted(
            (s for s in sources.services if s.organization.key == org.key), key=lambda s: (s.name.casefold(), s.key)
        )
        records = [_organization_record(org, sources.documents)]
        records += [_service_record(s, sources.documents) for s in services]
    return CheckForm(org.key, org.name, edition(sources), tuple(records))


def edition(sources: DirectorySources) -> str | None:
    """The edition date of the sources as ``build-db`` dates it: the newest assured date of any service."""
    return max((s.assured_date for s in sources.services if s.assured_date), default=None)


def find_organization(sources: DirectorySources, key: str) -> Organization:
    """The organisation with ``key``; CheckFormError naming close keys (or the organisation of a service key)."""
    by_key = {o.key: o for o in sources.organizations}
    if key in by_key:
        return by_key[key]
    service = next((s for s in sources.services if s.key == key), None)
    if service is not None:
        raise CheckFormError(
            f"{key!r} is a service, not an organisation; its organisation is "
            f"{service.organization.key} ({service.organization.name}): give that key"
        )
    raise CheckFormError(f"no organisation with key {key!r} in the directory sources" + _near(key, by_key.values()))


def _near(key: str, orgs: Iterable[Organization]) -> str:
    """'; did you mean ...?' with up to five organisation keys close to ``key`` by spelling or name."""
    orgs = list(orgs)
    word = re.sub(r"[^a-z0-9-]+", "", key.casefold())
    keys = [o.key for o in orgs]
    close = difflib.get_close_matches(word, keys, n=5, cutoff=0.6)
    for org in sorted(orgs, key=lambda o: o.key):
        names = f"{org.key} {org.name} {org.alternate_name or ''}".casefold()
        if word and word in re.sub(r"[^a-z0-9 -]+", "", names) and org.key not in close:
            close.append(org.key)
    if not close:
        return " (the organisation keys are in organizations.toml and services/*.toml)"
    return f"; did you mean {', '.join(close[:5])}?"


# --- one record's rows -----------------------------------------------------------------------
def _organization_record(org: Organization, documents: dict[str, SourceDocument]) -> CheckRecord:
    sources = cited(org.sources, documents)
    values = {
        "organization.name": org.name,
        "organization.description": org.description,
        "organization.email": org.email,
        "organization.website": org.website,
        "organization.locations": _locations(org.locations),
    }
    place_sources = cited([c for loc in org.locations for c in loc.sources], documents) or sources
    rows = tuple(
        _row(
            org.key,
            ORGANIZATION,
            field,
            label,
            values[field],
            NOT_KNOWN,
            place_sources if "locations" in field else sources,
        )
        for field, label in ORGANIZATION_FIELDS
    )
    # organisations carry no assured date of their own: their services do
    return CheckRecord(org.key, ORGANIZATION, org.name, NOT_KNOWN, sources, rows)


def _service_record(service: Service, documents: dict[str, SourceDocument]) -> CheckRecord:
    sources = cited(service.sources, documents)
    checked = service.assured_date or NOT_KNOWN
    values: dict[str, str | None] = {
        "name": service.name,
        "description": service.description,
        "phones": "; ".join(_phone(p.number, p.type, p.description) for p in service.phones),
        "email": service.email,
        "url": service.url,
        "locations": _locations(service.locations),
        "schedules": "; ".join(_hours(service)),
        "eligibility_description": service.eligibility_description,
        "ages": _ages(service.minimum_age, service.maximum_age),
        "application_process": service.application_process,
        "languages": ", ".join(_language(code) for code in service.languages),
    }
    own = {
        "phones": [c for p in service.phones for c in p.sources],
        "locations": [c for loc in service.locations for c in loc.sources],
        "schedules": [c for s in service.schedules for c in s.sources],
    }
    rows = tuple(
        _row(
            service.key,
            SERVICE,
            field,
            label,
            values[field],
            checked,
            cited(own[field], documents) if own.get(field) else sources,
        )
        for field, label in SERVICE_FIELDS
    )
    return CheckRecord(service.key, SERVICE, service.name, checked, sources, rows)


def _row(
    key: str, kind: str, field: str, label: str, value: str | None, checked: str, sources: tuple[str, ...]
) -> CheckRow:
    text = (value or "").strip()
    return CheckRow(key, kind, field, label, text or NOT_KNOWN, bool(text), checked, sources)


def _phone(number: str, kind: str, description: str | None) -> str:
    shown = number if kind in ("voice", "") else f"{number} ({kind})"
    return f"{shown}: {description}" if description else shown


def _locations(locations: Sequence[Location]) -> str:
    return "; ".join(describe.describe_location(loc) for loc in locations)


def _hours(service: Service) -> list[str]:
    """Each schedule as the app words it, with its place and the source's own description."""
    places = {loc.id: loc.name for loc in service.locations}
    out = []
    for schedule in service.schedules:
        line = describe.describe_schedule(schedule)
        if schedule.description and schedule.description != line:
            line += f" ({schedule.description})"
        if schedule.location_id in places:
            line += f" at {places[schedule.location_id]}"
        out.append(line)
    return out


def _ages(low: int | None, high: int | None) -> str | None:
    """The age range in the form's own English ('18 to 25'), or None when neither end is known.

    Not ``describe.age_range``: that one is in the app's language and says "not known",
    while a provider's form is English whatever the app's language, and an unknown is a
    blank for the provider to fill in.
    """
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{low} and over"
    if high is not None:
        return f"up to {high}"
    return None


def _language(code: str) -> str:
    """A language code as its English name ('pl' -> 'Polish'), or the code when babel does not know it."""
    try:
        name = Locale("en").languages.get(code.replace("-", "_").split("_")[0])
    except (ValueError, TypeError):
        name = None
    return f"{name} ({code})" if name else code


def cited(citations: Iterable[str], documents: dict[str, SourceDocument]) -> tuple[str, ...]:
    """Citations in words: 'Warwickshire Drugs Needs Assessment 2022, line 1597', or the web address; each once."""
    out: list[str] = []
    for cite in citations:
        match = _CITATION.match(cite)
        doc = documents.get(match["doc"]) if match else None
        words = f"{doc.title}, line {match['line']}" if doc is not None and match else cite
        if words not in out:
            out.append(words)
    return tuple(out)
