"""The arithmetic a reader can do with a month's published figures (secondary suppression).

Small-number suppression withholds counts of 1 to 4, but a withheld count can often be
worked out from counts that are published: a legal status is ``cla_count`` minus the
other legal statuses, this month's starters are this year-to-date minus last month's, a
month's late reviews are the reviews due minus those on time. ``scorecards.suppression``
withholds further counts until no withheld one can be worked out from these identities;
this module lists them.

Each identity is a sum that is zero, over counts published for one authority: a term is
``(coefficient, (month, indicator, period, key))``, where ``key`` names a count in the
cell (``value``, ``numerator``, ``denominator``, ``count``, ``breakdown:<part>``, the
breakdown's ``total``, ``other_codes:<code>``, ``by_team:<team>:n`` / ``:d``, or a count
kept beside a figure such as ``unknown``). An identity is used for a month only when it
holds exactly in that month's figures: one that does not hold (a definition that differs,
an extract with a gap) gives a reader a wrong answer, not a disclosure.

Readings (``indicators.md`` §1 "Suppression"): identities between the periods of one
indicator are the year to date built from months (April's year to date is its month), the
year to date built from quarters, and the rolling 6 and 12 months built from months
(reaching into the previous financial year); within a month, breakdown parts sum to their
total and to the children in care, UASC and non-UASC children sum to the children in care,
late reviews are due minus on time, team figures sum to the authority's, and the location,
care-leaver and adoption figures add up as their definitions say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_ROLLING6,
    PERIOD_ROLLING12,
    PERIOD_YTD,
    add_months,
    financial_quarter_start,
    financial_year_start,
)

Ref = tuple[date, str, str, str]
Local = tuple[str, str, str]
Term = tuple[int, Ref]
Equation = tuple[Term, ...]

CLA = ("cla_count", PERIOD_AT_E, "value")
UASC = ("cla_uasc_count", PERIOD_AT_E, "value")
NON_UASC = ("cla_non_uasc_count", PERIOD_AT_E, "value")

#: Breakdowns of the children in care on the last day of the month.
CHILDREN_IN_CARE_BREAKDOWNS = (
    "legal_status_breakdown",
    "time_in_care_breakdown",
    "placement_type_breakdown",
    "age_breakdown",
    "gender_breakdown",
    "ethnicity_breakdown",
)

#: (total, parts): total = the sum of the parts, within one month.
SAME_MONTH_SUMS: tuple[tuple[Local, tuple[Local, ...]], ...] = (
    (CLA, (UASC, NON_UASC)),
    *((CLA, ((b, PERIOD_AT_E, "total"),)) for b in CHILDREN_IN_CARE_BREAKDOWNS),
    # Fractions over the children in care, or over UASC / non-UASC children.
    *(
        (CLA, ((i, PERIOD_AT_E, "denominator"),))
        for i in ("uasc_pct", "disability_pct", "visits_seen_6_weeks")
    ),
    (CLA, (("cla_rate_per_10k", PERIOD_AT_E, "numerator"),)),
    (CLA, (("supervision_in_month", PERIOD_MONTH, "denominator"),)),
    (CLA, (("placements_3plus_12m", PERIOD_ROLLING12, "denominator"),)),
    (CLA, (("placements_3plus_ytd", PERIOD_YTD, "denominator"),)),
    (UASC, (("uasc_pct", PERIOD_AT_E, "numerator"),)),
    (UASC, (("uasc_out_of_county", PERIOD_AT_E, "denominator"),)),
    (NON_UASC, (("out_of_county_non_uasc", PERIOD_AT_E, "denominator"),)),
    (NON_UASC, (("out_of_county_20_miles", PERIOD_AT_E, "denominator"),)),
    # Where children live: in county, out of county (non-UASC, UASC), not known.
    (
        CLA,
        (
            ("placed_in_county", PERIOD_AT_E, "value"),
            ("out_of_county_non_uasc", PERIOD_AT_E, "numerator"),
            ("uasc_out_of_county", PERIOD_AT_E, "numerator"),
            ("placed_in_county", PERIOD_AT_E, "unknown"),
        ),
    ),
    (
        ("placed_in_county", PERIOD_AT_E, "unknown"),
        (
            ("out_of_county_non_uasc", PERIOD_AT_E, "unknown"),
            ("uasc_out_of_county", PERIOD_AT_E, "unknown"),
        ),
    ),
    (
        ("out_of_county_non_uasc", PERIOD_AT_E, "unknown"),
        (("out_of_county_20_miles", PERIOD_AT_E, "unknown"),),
    ),
    # Late reviews are those due less those held on time.
    *(
        (
            ("reviews_on_time", p, "denominator"),
            (("reviews_on_time", p, "numerator"), ("reviews_late", p, "value")),
        )
        for p in (PERIOD_MONTH, PERIOD_YTD)
    ),
    # Starters by category of need; adoptions among leavers; A1 and the 14-month wait.
    (("cla_started", PERIOD_YTD, "value"), (("cin_reason_breakdown", PERIOD_YTD, "total"),)),
    (
        ("entry_exit_ratio_6m", PERIOD_ROLLING6, "numerator"),
        (("cin_reason_breakdown", PERIOD_ROLLING6, "total"),),
    ),
    (("adoptions", PERIOD_YTD, "value"), (("adopted_pct", PERIOD_YTD, "numerator"),)),
    (("cla_ceased", PERIOD_YTD, "value"), (("adopted_pct", PERIOD_YTD, "denominator"),)),
    *(
        (("a1_days", p, "count"), (("adoption_wait_under_14m", p, "denominator"),))
        for p in (PERIOD_MONTH, PERIOD_ROLLING12)
    ),
    # Care leavers: the parts kept beside each figure.
    (
        ("cl_19_21_neet", PERIOD_YTD, "numerator"),
        (("cl_19_21_neet", PERIOD_YTD, "neet"), ("cl_19_21_neet", PERIOD_YTD, "unknown")),
    ),
    (
        ("cl_19_21_unsuitable_accommodation", PERIOD_YTD, "numerator"),
        (
            ("cl_19_21_unsuitable_accommodation", PERIOD_YTD, "unsuitable"),
            ("cl_19_21_unsuitable_accommodation", PERIOD_YTD, "unknown"),
        ),
    ),
    (
        ("cl_19_21_in_touch", PERIOD_YTD, "denominator"),
        tuple(
            ("cl_19_21_in_touch", PERIOD_YTD, k)
            for k in ("numerator", "returned_home", "no_longer_required", "died", "unknown")
        ),
    ),
    *(
        (("cl_19_21_neet", PERIOD_YTD, "denominator"), ((i, PERIOD_YTD, "denominator"),))
        for i in ("cl_19_21_unsuitable_accommodation", "cl_19_21_in_touch")
    ),
)

#: Several-count cells whose two groups of parts count the same children.
SAME_CHILDREN_TWO_WAYS = (("cse_risk", "gender:", "age:"), ("gang_risk", "gender:", "age:"))

#: Indicators with these periods: the year to date is built from them.
YEAR_FROM_MONTHS = (
    "cla_started",
    "cla_ceased",
    "reviews_on_time",
    "reviews_late",
    "visits_on_time",
    "missing_incidents",
    "return_interviews",
    "adoptions",
)
YEAR_FROM_QUARTERS = ("adopted_pct", "iha_on_time")
#: (rolling cell, monthly cell, months): the rolling count is the sum of the months.
ROLLING_FROM_MONTHS = (
    *(((i, PERIOD_ROLLING12), (i, PERIOD_MONTH), 12) for i in ("a1_days", "a2_days", "a10_days")),
    (("adoption_wait_under_14m", PERIOD_ROLLING12), ("adoption_wait_under_14m", PERIOD_MONTH), 12),
)
ROLLING_KEYS_FROM_MONTHS = (
    (("entry_exit_ratio_6m", PERIOD_ROLLING6, "numerator"), ("cla_started", PERIOD_MONTH, "value")),
    (
        ("entry_exit_ratio_6m", PERIOD_ROLLING6, "denominator"),
        ("cla_ceased", PERIOD_MONTH, "value"),
    ),
)
COUNT_KEYS = ("value", "numerator", "denominator", "count")


def _sum(month_of_total: date, total: Local, parts: Iterable[tuple[date, Local]]) -> Equation:
    return ((1, (month_of_total, *total)), *((-1, (m, *local)) for m, local in parts))


def _cell_sum(month: date, indicator: str, period: str, total: str, parts: list[str]) -> Equation:
    """Within one cell: ``total`` is the sum of ``parts``."""
    return _sum(month, (indicator, period, total), ((month, (indicator, period, k)) for k in parts))


def _within_month(month: date, values: Mapping[Ref, int]) -> list[Equation]:
    """Identities among the figures of one month."""
    here = [ref for ref in values if ref[0] == month]
    equations = [
        _sum(month, total, ((month, p) for p in parts)) for total, parts in SAME_MONTH_SUMS
    ]
    cells: dict[tuple[str, str], list[str]] = {}
    for _, indicator, period, key in here:
        cells.setdefault((indicator, period), []).append(key)
    for (indicator, period), keys in cells.items():
        parts = [k for k in keys if k.startswith("breakdown:")]
        if "total" in keys:
            equations.append(_cell_sum(month, indicator, period, "total", parts))
        codes = [k for k in keys if k.startswith("other_codes:")]
        if codes:
            equations.append(_cell_sum(month, indicator, period, "breakdown:other", codes))
        for side, whole in ((":n", "numerator"), (":d", "denominator")):
            teams = [k for k in keys if k.startswith("by_team:") and k.endswith(side)]
            if teams:
                equations.append(_cell_sum(month, indicator, period, whole, teams))
        for counts_id, first, second in SAME_CHILDREN_TWO_WAYS:
            if indicator != counts_id:
                continue
            one = [k for k in parts if k.startswith(f"breakdown:{first}")]
            two = [k for k in parts if k.startswith(f"breakdown:{second}")]
            if one and two:
                equations.append(
                    (
                        *((1, (month, indicator, period, k)) for k in one),
                        *((-1, (month, indicator, period, k)) for k in two),
                    )
                )
    return equations


def _across_periods(month: date, values: Mapping[Ref, int]) -> list[Equation]:
    """Identities between this month's figures and earlier months' (``month`` the latest)."""
    equations: list[Equation] = []
    previous = add_months(month, -1)
    april = financial_year_start(month).replace(day=1)
    for indicator in YEAR_FROM_MONTHS:
        for key in COUNT_KEYS:
            ytd, this = (indicator, PERIOD_YTD, key), (indicator, PERIOD_MONTH, key)
            if month == april:
                equations.append(_sum(month, ytd, [(month, this)]))
            else:
                equations.append(_sum(month, ytd, [(previous, ytd), (month, this)]))
    quarter_start = financial_quarter_start(month).replace(day=1)
    for indicator in YEAR_FROM_QUARTERS:
        for key in COUNT_KEYS:
            ytd, quarter = (indicator, PERIOD_YTD, key), (indicator, PERIOD_QUARTER, key)
            if quarter_start == april:
                equations.append(_sum(month, ytd, [(month, quarter)]))
            else:
                before = add_months(quarter_start, -1)
                equations.append(_sum(month, ytd, [(before, ytd), (month, quarter)]))
    for (indicator, rolling), (_, monthly), span in ROLLING_FROM_MONTHS:
        months = [add_months(month, -n) for n in range(span)]
        for key in COUNT_KEYS:
            parts = [(m, (indicator, monthly, key)) for m in months]
            equations.append(_sum(month, (indicator, rolling, key), parts))
    for total, monthly in ROLLING_KEYS_FROM_MONTHS:  # the rolling 6 months
        parts = [(add_months(month, -n), monthly) for n in range(6)]
        equations.append(_sum(month, total, parts))
    return equations


def holds(equation: Equation, values: Mapping[Ref, int]) -> bool:
    """Whether every count of the identity is there and it sums to zero."""
    total = 0
    for coefficient, ref in equation:
        value = values.get(ref)
        if value is None:
            return False
        total += coefficient * value
    return total == 0


def identities_for_month(month: date, values: Mapping[Ref, int]) -> list[Equation]:
    """The identities whose latest month is ``month`` and which hold in ``values``."""
    found = _within_month(month, values) + _across_periods(month, values)
    return [eq for eq in found if len(eq) > 1 and holds(eq, values)]
