"""The release notes of a published edition, as Markdown: its date, its counts and what changed.

``publish`` (``exchange.publishing``) writes them beside the bundle and the HSDS export. They
hold only what the edition itself publishes - service keys, names, organisations, counts,
who assured a record and how (``assured_by`` is published with the record) - never a
correction note or anything from the keeper's own database. The same inputs always give the
same text: no clock is read here (the caller gives the publication date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from coventry_directory.core.edition_diff import ASSURANCE_FIELDS, EditionDiff, ServiceEntry, stable_key
from coventry_directory.core.models import Service
from coventry_directory.core.text import terminal_safe

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_BREAKS = re.compile(r"\s+")
VERIFICATION_ORDER = ("confirmed", "sourced", "provider-may-have-changed", "historic")


@dataclass(frozen=True)
class ReleaseFacts:
    """What the notes say about the release itself: the edition, the day, the files and the signature."""

    edition: str
    published_on: dt.date
    bundle_file: str
    hsds_file: str
    key_id: str
    database_sha256: str
    organizations: int


def md(text: object) -> str:
    """``text`` as one line of plain Markdown text: line breaks joined, control characters shown escaped, Markdown's own characters escaped.

    The notes are read in a terminal and in keeper mode: a name with an escape sequence or a
    direction override from some feed must show as what it is (``core.text.terminal_safe``).
    """
    return _MARKDOWN.sub(r"\\\1", terminal_safe(_LINE_BREAKS.sub(" ", str(text)).strip()))


def _code(key: str) -> str:
    """A service key as Markdown code (a backquote in it would end the code early)."""
    return f"`{terminal_safe(key).replace('`', '')}`"


def _entry(entry: ServiceEntry) -> str:
    organisation = f" ({md(entry.organization)})" if entry.organization and entry.organization != entry.name else ""
    return f"- {_code(entry.key)}: {md(entry.name)}{organisation}"


def assured_since(diff: EditionDiff, services: Sequence[Service]) -> list[Service]:
    """The services of the new edition checked again since the old one, in name order.

    Checked again: any of the assurance fields changed, so a record re-assured on the same
    day by someone else (or another way) counts as well as one with a new date.
    """
    changed = {e.key for e in diff.changed if any(c.field in ASSURANCE_FIELDS for c in e.changes)}
    found = [s for s in services if stable_key(s) in changed and s.assured_date]
    return sorted(found, key=lambda s: (s.name.casefold(), stable_key(s)))


def release_notes(
    facts: ReleaseFacts,
    services: Sequence[Service],
    diff: EditionDiff | None = None,
    previous_label: str | None = None,
) -> str:
    """The notes (Markdown) for the edition of ``services``; ``diff`` against the edition before, if known."""
    lines = [
        f"# Coventry Directory: edition {md(facts.edition or 'undated')}",
        "",
        f"Published {facts.published_on.isoformat()}.",
        "",
        "## This edition",
        "",
        f"- {len(services)} services from {facts.organizations} organisations.",
    ]
    by_status: dict[str, int] = {}
    for svc in services:
        by_status[svc.verification or "not stated"] = by_status.get(svc.verification or "not stated", 0) + 1
    order = [v for v in VERIFICATION_ORDER if v in by_status] + sorted(set(by_status) - set(VERIFICATION_ORDER))
    lines.append("- Verification: " + ", ".join(f"{by_status[v]} {md(v)}" for v in order) + ".")
    lines += [
        f"- Signed bundle: `{facts.bundle_file}` (key id `{facts.key_id}`; database SHA-256 `{facts.database_sha256}`).",
        f"- Open data: `{facts.hsds_file}` (Open Referral HSDS 3.0 JSON).",
        "",
    ]
    if diff is None:
        lines += ["## Changes", "", "No earlier edition was found to compare this one with.", ""]
        return "\n".join(lines)
    since = f"edition {md(diff.old.edition)}" if diff.old.edition else "the earlier edition"
    counts = diff.counts()
    lines += [
        f"## Changes since {since}",
        "",
        f"Compared with {md(previous_label or diff.old.label)}: {counts['added']} added, {counts['removed']} removed, "
        f"{counts['changed']} changed, {counts['unchanged']} unchanged.",
        "",
    ]
    for title, entries in (("Added", diff.added), ("Removed", diff.removed)):
        if entries:
            lines += [f"### {title} ({len(entries)})", "", *(_entry(e) for e in entries), ""]
    if diff.changed:
        lines += [f"### Changed ({len(diff.changed)})", ""]
        for entry in diff.changed:
            fields = ", ".join(c.field.replace("_", " ") for c in entry.changes)
            lines.append(f"{_entry(entry)}: {fields}")
        lines.append("")
    checked = assured_since(diff, services)
    lines += [f"## Checked with the service since {since} ({len(checked)})", ""]
    if not checked:
        lines += ["None.", ""]
    for svc in checked:
        how = f" by {md(svc.assured_how)}" if svc.assured_how else ""
        who = f" ({md(svc.assured_by)})" if svc.assured_by else ""
        lines.append(f"- {_code(stable_key(svc))}: {md(svc.name)}: {md(svc.assured_date)}{how}{who}")
    if checked:
        lines.append("")
    return "\n".join(lines)
