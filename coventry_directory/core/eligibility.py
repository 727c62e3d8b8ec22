"""Who can use a service: eligible, excluded (with reasons in plain words) or check with the service.

Only what the directory knows is used to exclude. Where it does not know (no age range,
no catchment), the verdict is "check with the service" and says what to check: a worker
must never be told "no" on a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from coventry_directory.core.models import AREAS, Service
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import _


class Eligibility(StrEnum):
    """A verdict on whether a client can use a service."""

    ELIGIBLE = "eligible"
    CHECK = "check"  # nothing rules the client out, but the data is silent on something asked
    EXCLUDED = "excluded"


WARWICKSHIRE = frozenset(AREAS[1:])
# Only for these kinds of help does a service's substance list limit who it is for; naloxone,
# needle exchange, housing or family support are not for "alcohol only" people.
SUBSTANCE_SPECIFIC = frozenset({"treatment-adult", "young-people", "mutual-aid", "detox-rehab"})
AGE_GROUPS = frozenset({"adults", "young-people"})  # client groups that follow from age alone


@dataclass(frozen=True)
class ClientProfile:
    """What a worker knows about the person in front of them (nothing is stored)."""

    age: int | None = None
    gender: str | None = None  # "female" | "male" | None (not said)
    area: str | None = None  # catchment code where the person lives
    substances: Sequence[str] = ()
    groups: Sequence[str] = ()  # circumstances: client_group codes


@dataclass
class Verdict:
    """The answer for one service: status, why excluded, and what to check."""

    status: Eligibility
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def _area_reason(catchment: Sequence[str]) -> str:
    areas = set(catchment)
    if areas == WARWICKSHIRE:
        return _("Warwickshire residents only")
    if areas == {"coventry"}:
        return _("Coventry residents only")
    names = ", ".join(label("catchment", a) for a in AREAS if a in areas)
    return _("Only for people living in: {areas}").format(areas=names)


def _age_reason(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return _("Ages {low}–{high} only").format(low=lo, high=hi)
    if lo is not None:
        return _("Ages {low}+ only").format(low=lo)
    return _("Up to age {high} only").format(high=hi)


def _groups(profile: ClientProfile) -> set[str]:
    """The client's groups, plus those that follow from age and gender."""
    groups = set(profile.groups)
    if profile.age is not None:
        if profile.age <= 25:
            groups.add("young-people")  # young people's services here run to 25
        if profile.age >= 18:
            groups.add("adults")
    if profile.gender == "female":
        groups.add("women")
    return groups


def required_groups(client_groups: Iterable[str], groups_required: bool) -> set[str]:
    """The groups a client must be in, one of them at least, for a service that requires its groups.

    When a service lists circumstances (offenders, homeless, families ...) beside an age
    group ("offenders, adults"), it is for people in those circumstances; the age group only
    narrows it, and the age range says that. Age groups count alone only when nothing else is
    listed. (Otherwise every adult would pass a service for adult offenders.) Empty: open
    to anyone as far as groups go (groups not required, or none listed). The search's client
    group filter uses the same rule (``store.search_filters``).
    """
    listed = set(client_groups)
    if not groups_required or not listed:
        return set()
    return (listed - AGE_GROUPS) or listed


def _required_groups(service: Service) -> set[str]:
    return required_groups(service.client_groups, service.groups_required)


def assess(service: Service, profile: ClientProfile) -> Verdict:
    """Decide whether this person can use this service, and say why not or what to check."""
    reasons: list[str] = []
    checks: list[str] = []
    if service.status in ("defunct", "inactive"):
        reasons.append(_("No longer running"))

    lo, hi = service.minimum_age, service.maximum_age
    if profile.age is not None:
        if (lo is not None and profile.age < lo) or (hi is not None and profile.age > hi):
            reasons.append(_age_reason(lo, hi))
        elif lo is None and hi is None:
            checks.append(_("Age range not known"))

    if profile.gender and service.genders and "any" not in service.genders and profile.gender not in service.genders:
        reasons.append(
            _("Women only")
            if service.genders == ("female",)
            else _("Men only")
            if service.genders == ("male",)
            else _("Not open to this gender")
        )

    if profile.area and service.coverage != "national":
        if service.catchment and profile.area not in service.catchment:
            reasons.append(_area_reason(service.catchment))
        elif not service.catchment:
            checks.append(_("Area served not known"))

    wanted = set(profile.substances)
    if (
        wanted
        and SUBSTANCE_SPECIFIC & set(service.categories)
        and service.substances
        and "any" not in service.substances
        and not wanted & set(service.substances)
    ):
        names = ", ".join(label("substance", s) for s in service.substances)
        reasons.append(_("Works with {substances} only").format(substances=names))

    if set(service.referral_routes) == {"court-custody-only"}:
        # how a person gets there, not who may: a parent in care proceedings is not an
        # offender, and an offender still needs the court or custody to refer them
        checks.append(_("Court, custody or care-proceedings referral only"))

    if set(service.referral_routes) == {"provider-clients-only"}:
        # an employment or aftercare service for the provider's own clients: nobody else
        # can be referred, and whether this person is one is for the worker to find out
        checks.append(_("Only for people already using this provider's services, through their own worker."))

    needed = _required_groups(service)
    if needed and not _groups(profile) & needed:
        names = ", ".join(label("client_group", g) for g in service.client_groups if g in needed)
        reasons.append(_("Only for: {groups}").format(groups=names))

    if reasons:
        return Verdict(Eligibility.EXCLUDED, reasons, checks)
    return Verdict(Eligibility.CHECK if checks else Eligibility.ELIGIBLE, [], checks)
