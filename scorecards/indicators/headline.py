"""Headline figures: children in care at the month end, UASC, rate, entries and exits."""

from __future__ import annotations

from decimal import Decimal

from scorecards.cells import count_cell, fraction_cell
from scorecards.engine import MonthContext
from scorecards.indicators.registry import (
    LOWER,
    UNIT_COUNT,
    UNIT_PERCENT,
    UNIT_RATE,
    UNIT_RATIO,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_ROLLING6,
    PERIOD_YTD,
    financial_year_of,
)

SECTION = section_register(
    Section(
        key="headline",
        title="Headline figures",
        order=10,
        notes=(
            "The 'children in care' figure is the number of children in the care of the "
            "local authority at the end of the last day of the month. A child whose care "
            "ended on that day is not counted.",
            "Children receiving an agreed series of short breaks (legal status V3 or V4) are "
            "not counted as children in care in any figure.",
            "A 'UASC' is an unaccompanied asylum-seeking child. A child counts as UASC until "
            "the date their UASC status ceased.",
            "The rate per 10,000 divides the number of children in care by the authority's "
            "population aged 0 to 17 (ONS mid-year estimate for the year).",
            "'Became looked after' and 'Ceased looked after' count the children who started "
            "or ended a period of care in the month (or year to date). A child who starts or "
            "ends more than once is counted once.",
        ),
    )
)


def _cla_count(ctx: MonthContext) -> Cells:
    return {PERIOD_AT_E: count_cell(len(ctx.cla))}


def _uasc_split(ctx: MonthContext) -> tuple[int, int]:
    def split(c: MonthContext) -> tuple[int, int]:
        uasc = sum(1 for entry in c.cla if entry.child.uasc_on(c.as_of))
        return uasc, len(c.cla) - uasc

    return ctx.memo("uasc_split", split)


def _cla_rate(ctx: MonthContext) -> Cells:
    population = ctx.data.population_for(financial_year_of(ctx.as_of))
    return {PERIOD_AT_E: fraction_cell(len(ctx.cla), population)}


def _uasc_count(ctx: MonthContext) -> Cells:
    return {PERIOD_AT_E: count_cell(_uasc_split(ctx)[0])}


def _non_uasc_count(ctx: MonthContext) -> Cells:
    return {PERIOD_AT_E: count_cell(_uasc_split(ctx)[1])}


def _uasc_pct(ctx: MonthContext) -> Cells:
    return {PERIOD_AT_E: fraction_cell(_uasc_split(ctx)[0], len(ctx.cla))}


def _started(ctx: MonthContext) -> Cells:
    return {p: count_cell(len(ctx.started(*ctx.window(p)))) for p in (PERIOD_MONTH, PERIOD_YTD)}


def _ceased(ctx: MonthContext) -> Cells:
    return {p: count_cell(len(ctx.ceased(*ctx.window(p)))) for p in (PERIOD_MONTH, PERIOD_YTD)}


def _entry_exit_ratio(ctx: MonthContext) -> Cells:
    first, last = ctx.window(PERIOD_ROLLING6)
    return {
        PERIOD_ROLLING6: fraction_cell(len(ctx.started(first, last)), len(ctx.ceased(first, last)))
    }


indicator_register(
    Indicator(
        id="cla_count",
        title="Number of children in care on the last day of the month",
        section="headline",
        unit=UNIT_COUNT,
        polarity=LOWER,
        periods=(PERIOD_AT_E,),
        default_target=Decimal("546"),
        target_text="below 546",
        definition=(
            "Distinct children looked after at the end of the month: an episode of care "
            "started on or before the last day and not ended before the end of that day. "
            "Short breaks (V3/V4) excluded."
        ),
        compute=_cla_count,
        benchmark="DfE 'Children looked after in England': number looked after at 31 March",
        source="seed 000 headline; DfE CLA statistics",
    )
)
indicator_register(
    Indicator(
        id="cla_rate_per_10k",
        title="Rate per 10,000 children aged 0–17",
        section="headline",
        unit=UNIT_RATE,
        polarity=LOWER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end per 10,000 of the authority's population aged "
            "0 to 17 (ONS mid-year estimate)."
        ),
        compute=_cla_rate,
        benchmark="DfE 'Children looked after in England': rate per 10,000 children under 18",
        source="seed 003",
        readings=(
            "Financial year Y/Y+1 uses the ONS mid-Y estimate; if missing, the latest "
            "earlier estimate, else the earliest later one.",
        ),
    )
)
indicator_register(
    Indicator(
        id="cla_uasc_count",
        title="Children in care – UASC",
        section="headline",
        unit=UNIT_COUNT,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end who are unaccompanied asylum-seeking children "
            "(a UASC row, and the month end is before the date UASC status ceased)."
        ),
        compute=_uasc_count,
        benchmark="DfE 'Children looked after in England': UASC looked after at 31 March",
        source="seed 003",
        readings=(
            "UASC status ceases on DUC itself; with rows for several years the latest "
            "collection year's DUC wins.",
        ),
    )
)
indicator_register(
    Indicator(
        id="cla_non_uasc_count",
        title="Children in care – not UASC",
        section="headline",
        unit=UNIT_COUNT,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition="Children in care at the month end who are not UASC at that date.",
        compute=_non_uasc_count,
        source="seed 003",
    )
)
indicator_register(
    Indicator(
        id="uasc_pct",
        title="UASC %",
        section="headline",
        unit=UNIT_PERCENT,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "UASC children in care at the month end as a percentage of all children in care."
        ),
        compute=_uasc_pct,
        source="seed 003",
    )
)
indicator_register(
    Indicator(
        id="cla_started",
        title="Became looked after",
        section="headline",
        unit=UNIT_COUNT,
        polarity=None,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Children starting a period of care (an episode with reason for new episode S) in "
            "the month or year to date; a child starting twice is counted once."
        ),
        compute=_started,
        benchmark="DfE 'Children looked after in England': started to be looked after",
        source="seed 003",
        readings=(
            "Counted per child, first occasion in the period (DfE). A period whose first "
            "known episode is not S has no known start and is not counted.",
        ),
    )
)
indicator_register(
    Indicator(
        id="cla_ceased",
        title="Ceased looked after",
        section="headline",
        unit=UNIT_COUNT,
        polarity=None,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Children whose period of care ended in the month or year to date (the last "
            "episode's end date, with a reason other than X1); a child ceasing twice is "
            "counted once."
        ),
        compute=_ceased,
        benchmark="DfE 'Children looked after in England': ceased to be looked after",
        source="seed 003",
        readings=(
            "Counted per child, last occasion in the period (DfE). An episode ended X1 with "
            "no next episode is not a ceasing; an end date without a reason is.",
        ),
    )
)
indicator_register(
    Indicator(
        id="entry_exit_ratio_6m",
        title="Children entering care for every child leaving (6 months)",
        section="headline",
        unit=UNIT_RATIO,
        polarity=LOWER,
        periods=(PERIOD_ROLLING6,),
        definition=(
            "Children who became looked after divided by children who ceased to be looked "
            "after, over the 6 months ending at the month end."
        ),
        compute=_entry_exit_ratio,
        source="seed 004",
        readings=(
            "The 6 months ending E run from E − 6 calendar months to E, both included "
            "(indicators.md §1 Windows).",
        ),
    )
)
