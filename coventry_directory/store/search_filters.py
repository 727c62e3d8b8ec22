"""Part of the store: search's hard filters, each with three outcomes, as SQL and index tags.

A record often does not say: 95 of the edition's 96 services name no gender, none its
languages. A filter that kept only what is known would hide them; one that kept them as
matches would hide that they are not known. So each filter (but the category, which says
what a service *is*) has three outcomes: **known** to fit, **not known** (the record gives
nothing for that field: kept, and marked "check"), and known **not** to fit (left out).
Search keeps the first two (:meth:`FacetFilter.where`, :meth:`FacetFilter.tags`); the
outcome of each filter for a service, and how many services fall in each, come from the
same per-field tests (:meth:`FacetFilter.outcome_tests`), so what is counted is exactly
what is kept and marked. The rules, field by field: docs/architecture.md, "Filters".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from coventry_directory.store.open_hours import OpenAt, not_closed_sql, open_at_sql
from coventry_directory.store.search_tags import (
    BOUNDED_TAG,
    CALENDAR_TAG,
    FEES_UNSTATED_TAG,
    FREE_TAG,
    HOURS_UNSTATED_TAG,
    UNSTATED_FIELDS,
    UNTIMED_TAG,
    all_tags,
    code_tag,
    moment_tags,
    unstated_tag,
)

KNOWN, NOT_KNOWN, EXCLUDED = 0, 1, 2  # a filter's outcome for one service
# The filters with three outcomes, in the order they are reported.
OUTCOME_FIELDS = (
    "substances",
    "gender",
    "age",
    "client_groups",
    "referral_routes",
    "delivery_modes",
    "languages",
    "free",
    "open_at",
)
_CODE_FIELDS = ("referral_routes", "delivery_modes", "client_groups", "languages")
# The filters chosen from lists (the category, four tick lists, the gender and language choices):
# each option is counted (``SearchQueries.option_counts``).
LIST_FIELDS = ("categories", "substances", "client_groups", "referral_routes", "delivery_modes", "gender", "languages")


@dataclass(frozen=True)
class OutcomeTest:
    """One active filter's tests over service_facets (alias f): known to fit, and not known."""

    field: str
    known: str
    params: tuple
    unknown: str
    unknown_params: tuple = ()

    @property
    def kept(self) -> tuple[str, list]:
        """What the filter keeps: known to fit or not known."""
        return f"({self.known} OR {self.unknown})", [*self.params, *self.unknown_params]


@dataclass
class FacetFilter:
    """Hard filters, as plain values; OR within a field, AND across fields."""

    categories: Sequence[str] = ()
    referral_routes: Sequence[str] = ()
    delivery_modes: Sequence[str] = ()
    client_groups: Sequence[str] = ()
    languages: Sequence[str] = ()
    substances: Sequence[str] = ()
    gender: str | None = None
    age: int | None = None
    free: bool = False
    exclude_status: Sequence[str] = ()
    open_at: OpenAt | None = None  # services open then (``store.open_hours``), or whose hours are not known
    known_only: bool = False  # keep only what is known to fit ("open at" for ``SearchEngine.open_ids``)

    def outcome_tests(self) -> list[OutcomeTest]:
        """The active three-outcome filters' tests, in :data:`OUTCOME_FIELDS` order."""
        tests = []
        if self.substances:
            codes = [*self.substances, "any"]  # a service working with any substance fits every one
            tests.append(_code_test("substances", "substances", codes))
        if self.gender:
            tests.append(_code_test("gender", "genders", [self.gender, "any"]))
        if self.age is not None:
            tests.append(
                OutcomeTest(
                    "age",
                    "((f.minimum_age IS NOT NULL OR f.maximum_age IS NOT NULL) "
                    "AND (f.minimum_age IS NULL OR f.minimum_age <= ?) AND (f.maximum_age IS NULL OR f.maximum_age >= ?))",
                    (self.age, self.age),
                    "(f.minimum_age IS NULL AND f.maximum_age IS NULL)",
                )
            )
        if self.client_groups:
            # for the groups it lists; for others too, unless it is only for some
            # (groups_for: core.eligibility.required_groups, as the client's verdict says)
            only, only_params = _any_code("groups_for", list(self.client_groups))
            listed, listed_params = _any_code("client_groups", list(self.client_groups))
            known = f"(CASE WHEN trim(f.groups_for) <> '' THEN {only} ELSE {listed} END)"
            tests.append(OutcomeTest("client_groups", known, (*only_params, *listed_params), "trim(f.groups_for) = ''"))
        for field in ("referral_routes", "delivery_modes", "languages"):
            values = getattr(self, field)
            if values:
                tests.append(_code_test(field, field, list(values)))
        if self.free:
            tests.append(OutcomeTest("free", "f.free = 1", (), "coalesce(f.fees_stated, 0) = 0"))
        if self.open_at is not None:
            sql, params = open_at_sql(self.open_at)
            unknown, unknown_params = not_closed_sql(self.open_at)  # no hours, or none that say then
            # hours say nothing for a service its source does not list as running (temporarily
            # closed, inactive, a status HSDS does not know): never "open", never "closed" by them
            known = f"({sql} AND f.status = 'active')"
            unknown = f"({unknown} OR f.status IS NOT 'active')"
            tests.append(OutcomeTest("open_at", known, tuple(params), unknown, tuple(unknown_params)))
        return tests

    def list_tests(self) -> list[OutcomeTest]:
        """:meth:`outcome_tests`, with the category first when one is asked for (known or not: it has no "not known")."""
        tests = self.outcome_tests()
        if self.categories:
            tests.insert(0, option_test("categories", list(self.categories)))
        return tests

    def tags(self) -> str:
        """The code filters as a tags expression (``store.search_tags``), for the same FTS5 query as the words.

        The same meaning as :meth:`where`: any of a field's codes (or, unless
        :attr:`known_only`, none stated), every field. The substance, gender and age
        filters stay SQL (:meth:`where` with ``tagged`` False): most services do not say,
        so a tag list of nearly every service would only slow the index down.
        """
        groups: list[list[str]] = []
        if self.categories:
            groups.append([code_tag("categories", v) for v in self.categories])
        for field in _CODE_FIELDS:
            values = getattr(self, field)
            if values:
                unstated = [unstated_tag(field)] if field in UNSTATED_FIELDS and not self.known_only else []
                groups.append([code_tag(field, v) for v in values] + unstated)
        if self.free:
            groups.append([FREE_TAG] if self.known_only else [FREE_TAG, FEES_UNSTATED_TAG])
        if self.open_at is not None:
            # what may be open at that hour of the week (the SQL beside decides), or does not say
            at = self.open_at.at
            if self.known_only:  # open then: on a bank holiday only what is open all day every day
                hours = moment_tags(at.weekday(), at.hour, self.open_at.holiday_today, self.open_at.holiday_yesterday)
                groups.append([*hours, CALENDAR_TAG])
            else:  # or not known then: a bank holiday's openings are, so no holiday narrowing
                unsure = [HOURS_UNSTATED_TAG, UNTIMED_TAG, BOUNDED_TAG]
                groups.append([*moment_tags(at.weekday(), at.hour), CALENDAR_TAG, *unsure])
        return all_tags(groups)

    def where(self, *, tagged: bool = True) -> tuple[str, list]:
        """SQL over service_facets (alias f) and its parameters; ``tagged`` False leaves out the category (tags only)."""
        clauses: list[str] = []
        params: list = []
        if tagged and self.categories:
            sql, values = _any_code("categories", list(self.categories))
            clauses.append(sql)
            params += values
        # every outcome test, also those the tags make: the tags only narrow what the index
        # returns, and the SQL decides, so what is kept is exactly what is counted as kept
        for test in self.outcome_tests():
            sql, values = (test.known, list(test.params)) if self.known_only else test.kept
            clauses.append(sql)
            params += values
        status, values = self.status_where()
        if status != "1":
            clauses.append(status)
            params += values
        return (" AND ".join(clauses) or "1"), params

    def status_where(self) -> tuple[str, list]:
        """The status filter alone (a closed service is left out, or not: it has no "not known")."""
        if not self.exclude_status:
            return "1", []
        return "f.status NOT IN (" + ",".join("?" * len(self.exclude_status)) + ")", list(self.exclude_status)

    def scope(self) -> FacetFilter:
        """The filters that decide which services are counted: only the category and the status.

        Filter counts (``SearchQueries.outcome_counts``) are over the services matching
        the words that are of the kinds asked for; each three-outcome filter then sorts them.
        """
        return replace(
            self,
            referral_routes=(),
            delivery_modes=(),
            client_groups=(),
            languages=(),
            substances=(),
            gender=None,
            age=None,
            free=False,
            open_at=None,
        )


def option_test(field: str, codes: Sequence[str]) -> OutcomeTest:
    """The test a list filter (:data:`LIST_FIELDS`) would make with only ``codes`` ticked in it.

    The same SQL the filter itself uses, so an option's count is what ticking it would keep.
    """
    if field == "categories":  # what a service is: known, or known not to be
        known, params = _any_code("categories", codes)
        return OutcomeTest("categories", known, tuple(params), "0")
    ticked = FacetFilter()
    # one of the list fields, by name (the gender is one code, not a list)
    setattr(ticked, field, codes[0] if field == "gender" else tuple(codes))
    (test,) = ticked.outcome_tests()
    return test


def _any_code(col: str, values: Sequence[str]) -> tuple[str, list]:
    """SQL true when the space-delimited codes in ``f.col`` hold any of ``values``."""
    return "(" + " OR ".join(f"instr(f.{col}, ?) > 0" for _ in values) + ")", [f" {v} " for v in values]


def _code_test(field: str, col: str, values: Sequence[str]) -> OutcomeTest:
    """A code filter's tests: one of the codes is listed; or no code at all is."""
    known, params = _any_code(col, values)
    return OutcomeTest(field, known, tuple(params), f"trim(coalesce(f.{col}, '')) = ''")
