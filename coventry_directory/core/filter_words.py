"""Words for what a filter did: which facts a result's record does not give, and the counts.

Shared by the command line and the desktop app. Each filter of the three-outcome kind
(``store.search_filters``) keeps the services known to fit and those whose record does
not say; these words mark the second kind "check" and say how many fell each way.
"""

from __future__ import annotations

from collections.abc import Sequence

from coventry_directory.i18n import N_, _
from coventry_directory.i18n.formatting import format_number

FILTER_NAMES = {
    "substances": N_("Substance"),
    "gender": N_("Gender"),
    "age": N_("Age"),
    "client_groups": N_("Client group"),
    "referral_routes": N_("Referral route"),
    "delivery_modes": N_("Delivery mode"),
    "languages": N_("Language"),
    "free": N_("Free"),
    "open_at": N_("Opening hours"),
}
NOT_STATED = {
    "substances": N_("substances it works with not stated"),
    "gender": N_("genders it takes not stated"),
    "age": N_("age range not stated"),
    "client_groups": N_("not stated to be for this group"),
    "referral_routes": N_("referral routes not stated"),
    "delivery_modes": N_("how it is delivered not stated"),
    "languages": N_("languages not stated"),
    "free": N_("cost not stated"),
    "open_at": N_("opening hours not known for that time"),
}


def check_text(checks: Sequence[str]) -> str:
    """What a result row says when its record does not give what some filters ask ("" when it gives all)."""
    if not checks:
        return ""
    return _("Check: {what}").format(what="; ".join(_(NOT_STATED[c]) for c in checks if c in NOT_STATED))


def count_text(field: str, counts: tuple[int, int, int]) -> str:
    """One filter's counts in words: known to fit, not stated (kept, marked), known not to fit (left out)."""
    known, unknown, excluded = counts
    return _("{filter}: {known} known to fit, {unknown} not stated (kept, marked “check”), {excluded} left out").format(
        filter=_(FILTER_NAMES.get(field, field)),
        known=format_number(known),
        unknown=format_number(unknown),
        excluded=format_number(excluded),
    )


def counts_lines(filter_counts: dict[str, tuple[int, int, int]]) -> list[str]:
    """Every active filter's counts, one line each, in the order the filters are reported."""
    return [count_text(field, counts) for field, counts in filter_counts.items()]
