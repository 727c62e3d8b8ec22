"""Words for showing a service to a person: hours, addresses, provenance, not-known facts.

Shared by the command line, the desktop app and the leaflets so they all say the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from coventry_directory.core.models import Location, Schedule, Service
from coventry_directory.core.schedule_rules import rule_for
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import N_, _
from coventry_directory.i18n.formatting import format_list, list_separator

NOT_KNOWN = N_("not known — check with the service")
ALL_DAY = N_("24 hours")
# how sources write "open all day": to the last minute, or to midnight as 24:00 (00:00-00:00
# is left as written: some feeds use it for "time not given")
_DAY_ENDS = ("23:59", "24:00")
# On a bank holiday the usual hours may not apply (core.schedules): say only what is known,
# never a time range that reads as that day's hours.
BANK_HOLIDAY = N_("{name} (bank holiday)")
BANK_HOLIDAY_NOT_KNOWN = N_("{name} (bank holiday): hours not known — check with the service")
BANK_HOLIDAYS_NOT_KNOWN = N_("Bank holidays: hours not known — check with the service")

_DAY_NAMES = {
    "MO": N_("Mondays"),
    "TU": N_("Tuesdays"),
    "WE": N_("Wednesdays"),
    "TH": N_("Thursdays"),
    "FR": N_("Fridays"),
    "SA": N_("Saturdays"),
    "SU": N_("Sundays"),
}
_ORDINALS = {"1": N_("first"), "2": N_("second"), "3": N_("third"), "4": N_("fourth"), "-1": N_("last")}


def not_known() -> str:
    """The phrase shown wherever a fact is not known."""
    return _(NOT_KNOWN)


def describe_days(byday: str | None) -> str:
    """'Tuesdays and Fridays', 'second Mondays' ... from an RRULE BYDAY value."""
    if not byday:
        return ""
    tokens = [t.strip() for t in byday.split(",") if t.strip()]
    if set(tokens) == set(_DAY_NAMES):  # all seven: "Mondays, Tuesdays, ... and Sundays" says less
        return _("Every day")
    words = []
    for token in tokens:
        day, ordinal = token[-2:], token[:-2]
        name = _(_DAY_NAMES.get(day, day))
        words.append(f"{_(_ORDINALS[ordinal])} {name}" if ordinal in _ORDINALS else name)
    return format_list(words)  # the language's own list: "Tuesdays and Fridays", "wtorki i piątki"


def describe_schedule(schedule: Schedule) -> str:
    """One schedule as a short line, e.g. 'Tuesdays and Fridays, 09:30–12:00'."""
    parts = []
    days = describe_days(schedule.byday)
    if days:
        parts.append(days)
    elif schedule.freq == "DAILY":
        parts.append(_("Every day"))
    if schedule.opens_at and schedule.closes_at:
        parts.append(span(schedule.opens_at, schedule.closes_at))
    text = list_separator().join(parts)
    if schedule.description and not text:
        return schedule.description
    return text or not_known()


def span(opens: str, closes: str) -> str:
    """'09:30–12:00', or '24 hours' for a day open from midnight to midnight (not '00:00–23:59')."""
    if opens == "00:00" and closes in _DAY_ENDS:
        return _(ALL_DAY)
    return f"{opens}–{closes}"


def bank_holiday(name: str, known: bool) -> str:
    """A bank holiday in the week ahead, worded by what is known of that day's hours.

    'Christmas Day (bank holiday)' when they are known (open all day every day, or closed as
    usual); else 'Christmas Day (bank holiday): hours not known — check with the service'.
    """
    return (_(BANK_HOLIDAY) if known else _(BANK_HOLIDAY_NOT_KNOWN)).format(name=name)


def bank_holidays_note(schedules: Sequence[Schedule]) -> str | None:
    """'Bank holidays: hours not known …' for hours a bank holiday puts in doubt, else None.

    Only timed hours short of all day every day are in doubt (the rule of core.schedules);
    hours that cannot be computed already say they are not known.
    """
    rules = [rule_for(s) for s in schedules]
    if any(r.timed and not r.whole_day for r in rules):
        return _(BANK_HOLIDAYS_NOT_KNOWN)
    return None


def describe_location(location: Location) -> str:
    """A location's name and as much of its address as is known."""
    bits = [location.name]
    if location.address:
        line = location.address.one_line()
        if _first_part(line) == _first_part(location.name):
            # a place named after its street address ("Riverside House, Leamington") is
            # printed once, not as "Riverside House, Leamington, Riverside House, ..."
            bits = []
        bits.append(line)
    elif location.town:
        bits.append(_("{town} (street address not known)").format(town=location.town))
    return ", ".join(b for b in bits if b)


def _first_part(text: str | None) -> str:
    return (text or "").split(",")[0].strip().casefold()


def labels(taxonomy: str, codes: tuple[str, ...]) -> str:
    """Comma-separated labels for taxonomy codes, or 'not known'."""
    return list_separator().join(label(taxonomy, c) for c in codes) if codes else not_known()


def age_range(service: Service) -> str:
    """'ages 18+', 'ages 13–18', 'up to 25', or 'not known'."""
    lo, hi = service.minimum_age, service.maximum_age
    if lo is not None and hi is not None:
        return _("ages {low}–{high}").format(low=lo, high=hi)
    if lo is not None:
        return _("ages {low}+").format(low=lo)
    if hi is not None:
        return _("up to age {high}").format(high=hi)
    return not_known()


def evidence_note(service: Service) -> str:
    """How current the record's evidence is, in words a worker can act on."""
    if service.evidence_date:
        return _("Sources dated {date}; checked against them on {assured}.").format(
            date=service.evidence_date, assured=service.assured_date or not_known()
        )
    return _("Sources undated; checked against them on {assured}.").format(assured=service.assured_date or not_known())
