"""Adoption: adoptions, share of leavers adopted, timeliness (A1, A2, A10) and the pipeline.

A1, A2 and A10 follow the DfE adoption scorecard; the dates come from the SSDA903
episodes (entering care, placement for adoption, placement order) and the AD1 table
(date of the match, adoption by foster carers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from children.care_history import ADOPTION_PLACEMENTS, ADOPTION_REASONS_CEASED, PeriodOut
from scorecards.cells import average_cell, breakdown_cell, count_cell, fraction_cell
from scorecards.engine import AdoptionIn, ChildTimeline, DatedIndex, LAData, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_COUNT,
    UNIT_COUNTS,
    UNIT_DAYS,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_ROLLING12,
    PERIOD_YTD,
    collection_year_of,
)

SECTION = section_register(
    Section(
        key="adoption",
        title="Adoption",
        order=80,
        notes=(
            "An adoption is counted in the month the adoption order was made and the child "
            "ceased to be looked after (reason E11 or E12).",
            "'% of children leaving care who are adopted' divides the adoptions by all the "
            "children who ceased to be looked after in the quarter or year to date.",
            "'Average time between a child entering care and moving in with its adoptive "
            "family' (A1) runs from the start of the child's last period of care to the day "
            "they were placed for adoption with the family who adopted them. A10 is the same "
            "except that, where foster carers adopt, it stops on the day the child moved in "
            "with them as foster carers.",
            "'Average time between an LA receiving court authority to place a child and the "
            "LA deciding on a match' (A2) runs from the placement order to the match decision.",
            "'Children who wait less than 14 months' is the share of adopted children whose "
            "A1 time is under 426 days.",
            "Adoption timeliness figures are for children adopted in the month and in the "
            "12 months ending at the month end.",
        ),
    )
)

ADOPTION_WAIT_LIMIT_DAYS = 426
PLACEMENT_ORDER_STATUSES = frozenset({"E1", "D1"})
FOSTER_CARER_ADOPTION_PLACEMENTS = frozenset({"A3", "A5"})


@dataclass(frozen=True, slots=True)
class AdoptionEvent:
    """One adoption from care with the intervals of the DfE adoption scorecard (days)."""

    child_pk: int
    adopted_on: date
    a1: int | None
    a10: int | None
    a2: int | None
    #: The match decision that ends A2 (AD1 DATE_MATCH): a month counts A2 only once it is
    #: known by the month's end, as every figure counts only what is dated by then.
    matched_on: date | None = None


def _ad1_for(child: ChildTimeline, adopted_on: date) -> AdoptionIn | None:
    """The AD1 row of the collection year of the adoption, else the child's latest row."""
    if not child.adoptions:
        return None
    year = collection_year_of(adopted_on)
    for row in child.adoptions:
        if row.year == year:
            return row
    return child.adoptions[-1]


def placed_for_adoption_date(period: PeriodOut) -> date:
    """The day the child moved in with the adoptive family as adopters (end of A1).

    The start of the first adoption-coded episode (PLACE A3–A6) of the placement the
    child was adopted from. Reading: if that placement has no adoption-coded episode (a
    data error), the start of the placement itself is used.
    """
    last = period.placements[-1]
    for eff in last.episodes:
        if eff.episode.place in ADOPTION_PLACEMENTS:
            return eff.start
    return last.start


def adoption_event_build(child: ChildTimeline, period: PeriodOut) -> AdoptionEvent:
    """A1, A10 and A2 for one adoption (``None`` where the interval cannot be known)."""
    adopted_on = period.end
    assert adopted_on is not None
    ad1 = _ad1_for(child, adopted_on)
    a1 = a10 = a2 = None
    if period.starts_with_s and period.placements:
        placed = placed_for_adoption_date(period)
        a1 = max(0, (placed - period.start).days)
        by_foster_carers = (
            ad1.foster_care
            if ad1 is not None and ad1.foster_care is not None
            else period.placements[-1].usual.place in FOSTER_CARER_ADOPTION_PLACEMENTS
        )
        moved_in = period.placements[-1].start if by_foster_carers else placed
        a10 = max(0, (moved_in - period.start).days)
    authority = next(
        (eff.start for eff in period.episodes if eff.episode.ls in PLACEMENT_ORDER_STATUSES),
        None,
    )
    matched_on = ad1.date_match if ad1 is not None else None
    if authority is not None and matched_on is not None:
        a2 = max(0, (matched_on - authority).days)
    return AdoptionEvent(child.pk, adopted_on, a1, a10, a2, matched_on)


def adoption_events_index(data: LAData) -> DatedIndex[AdoptionEvent]:
    """Every adoption from care (a period of care ending E11 or E12), by adoption date."""
    return DatedIndex(
        (period.end, adoption_event_build(child, period))
        for child in data.children
        for period in child.history.periods
        if period.end is not None and period.reason_ceased in ADOPTION_REASONS_CEASED
    )


def _adoptions_between(ctx: MonthContext, first: date, last: date) -> dict[int, AdoptionEvent]:
    """Children adopted between two dates, each once (their last adoption in the window)."""
    index = ctx.data.memo("adoption_events", adoption_events_index)
    return {ev.child_pk: ev for ev in index.between(first, last)}


def _adoptions(ctx: MonthContext) -> Cells:
    return {
        p: count_cell(len(_adoptions_between(ctx, *ctx.window(p))))
        for p in (PERIOD_MONTH, PERIOD_YTD)
    }


def _adopted_pct(ctx: MonthContext) -> Cells:
    out: Cells = {}
    for p in (PERIOD_QUARTER, PERIOD_YTD):
        first, last = ctx.window(p)
        out[p] = fraction_cell(
            len(_adoptions_between(ctx, first, last)), len(ctx.ceased(first, last))
        )
    return out


def _average(ctx: MonthContext, attr: str) -> Cells:
    out: Cells = {}
    for p in (PERIOD_MONTH, PERIOD_ROLLING12):
        values = [
            getattr(ev, attr)
            for ev in _adoptions_between(ctx, *ctx.window(p)).values()
            if getattr(ev, attr) is not None
            and not (attr == "a2" and ev.matched_on is not None and ev.matched_on > ctx.as_of)
        ]
        out[p] = average_cell(sum(values), len(values))
    return out


def _a1(ctx: MonthContext) -> Cells:
    return _average(ctx, "a1")


def _a10(ctx: MonthContext) -> Cells:
    return _average(ctx, "a10")


def _a2(ctx: MonthContext) -> Cells:
    return _average(ctx, "a2")


def _wait_under_14m(ctx: MonthContext) -> Cells:
    out: Cells = {}
    for p in (PERIOD_MONTH, PERIOD_ROLLING12):
        waits = [
            ev.a1 for ev in _adoptions_between(ctx, *ctx.window(p)).values() if ev.a1 is not None
        ]
        out[p] = fraction_cell(sum(1 for w in waits if w < ADOPTION_WAIT_LIMIT_DAYS), len(waits))
    return out


def _pipeline(ctx: MonthContext) -> Cells:
    e = ctx.as_of
    placed = matched = 0
    for entry in ctx.cla:
        place = entry.placement.place_on(e) if entry.placement else entry.episode.episode.place
        if place in ADOPTION_PLACEMENTS:
            placed += 1
            continue
        if any(
            row.date_match is not None and entry.period.start <= row.date_match <= e
            for row in entry.child.adoptions
        ):
            matched += 1
    return {
        PERIOD_AT_E: breakdown_cell(
            {"placed_for_adoption": placed, "matched_awaiting_placement": matched},
            ("placed_for_adoption", "matched_awaiting_placement"),
        )
    }


_TIMELINESS_READINGS = (
    "Entering care = start of the period of care that ended in adoption; a period whose "
    "data begin mid-period (first known episode not S) is left out of A1, A10 and the "
    "14-month measure.",
    "Moving in (A1) = start of the first adoption-coded episode (A3–A6) of the placement "
    "the child was adopted from; if it has none, that placement's start.",
    "Adopted by foster carers (A10) = AD1 FOSTER_CARE = 1, or, without an AD1 value, "
    "an adoption placement with current foster carers (A3/A5); the end date is then the "
    "start of that placement (the carers' foster placement, since RNE T/U continue it; "
    "a temporary stay before it, e.g. in hospital from birth, is never a placement of its "
    "own, so the end date is the day the child moved on to the carers).",
    "Each adopted child counts once per window; negative intervals (inconsistent "
    "dates) count as 0 days.",
)

indicator_register(
    Indicator(
        id="adoptions",
        title="Number of adoptions",
        section="adoption",
        unit=UNIT_COUNT,
        polarity=HIGHER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Children whose period of care ended in the month or year to date with an "
            "adoption order (reason ceased E11 or E12)."
        ),
        compute=_adoptions,
        benchmark="DfE 'Children looked after in England': adopted during the year",
        source="seed 003",
    )
)
indicator_register(
    Indicator(
        id="adopted_pct",
        title="% of children leaving care who are adopted",
        section="adoption",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_QUARTER, PERIOD_YTD),
        definition=(
            "Adoptions in the quarter or year to date as a percentage of the children who "
            "ceased to be looked after in the same period."
        ),
        compute=_adopted_pct,
        benchmark="DfE 'Children looked after in England': ceased because adopted (%)",
        source="seed 000",
    )
)
indicator_register(
    Indicator(
        id="a1_days",
        title="Average days between entering care and moving in with the adoptive family (A1)",
        section="adoption",
        unit=UNIT_DAYS,
        polarity=LOWER,
        periods=(PERIOD_MONTH, PERIOD_ROLLING12),
        default_target=Decimal("426"),
        target_text="below 426",
        definition=(
            "For children adopted in the month (or the 12 months ending at the month end): "
            "average days from the start of the period of care to the day the child moved in "
            "with the family who adopted them."
        ),
        compute=_a1,
        benchmark="DfE adoption scorecard A1",
        source="seed 001, seed 003",
        readings=_TIMELINESS_READINGS,
    )
)
indicator_register(
    Indicator(
        id="a2_days",
        title="Average days between court authority to place and the match decision (A2)",
        section="adoption",
        unit=UNIT_DAYS,
        polarity=LOWER,
        periods=(PERIOD_MONTH, PERIOD_ROLLING12),
        default_target=Decimal("120"),
        target_text="below 120",
        definition=(
            "For children adopted in the period: average days from the placement order (start "
            "of legal status E1, or D1 before 2005) to the decision on a match with the "
            "adopters (AD1 DATE_MATCH)."
        ),
        compute=_a2,
        benchmark="DfE adoption scorecard A2",
        source="seed 001, seed 003",
        readings=(
            "Court authority = start of the first episode of that period of care with legal "
            "status E1 (or D1); children placed with consent (no E1/D1 episode) or with no "
            "match date are left out. A match before the order counts as 0 days.",
            "A match dated after the month end (a late or mistyped AD1 DATE_MATCH) is not yet "
            "known at that month end: the month leaves that child out, as every figure counts "
            "only what is dated by the month end.",
        ),
    )
)
indicator_register(
    Indicator(
        id="a10_days",
        title="Average days between entering care and moving in, adjusted for foster-carer "
        "adoptions (A10)",
        section="adoption",
        unit=UNIT_DAYS,
        polarity=LOWER,
        periods=(PERIOD_MONTH, PERIOD_ROLLING12),
        default_target=Decimal("426"),
        target_text="below 426",
        definition=(
            "As A1, but where the child was adopted by their foster carers the end date is "
            "the day the child moved in with those carers."
        ),
        compute=_a10,
        benchmark="DfE adoption scorecard A10",
        source="indicators.md",
        readings=_TIMELINESS_READINGS,
    )
)
indicator_register(
    Indicator(
        id="adoption_wait_under_14m",
        title="Children who wait less than 14 months between entering care and moving in",
        section="adoption",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_MONTH, PERIOD_ROLLING12),
        definition=(
            "Of children adopted in the period with a known A1 time, the percentage whose A1 "
            "time is under 14 months (fewer than 426 days)."
        ),
        compute=_wait_under_14m,
        source="seed 003",
        readings=("Under 14 months = A1 of 425 days or fewer (strictly under 426).",),
    )
)
indicator_register(
    Indicator(
        id="adoption_pipeline",
        title="Placed for adoption / matched and awaiting placement",
        section="adoption",
        unit=UNIT_COUNTS,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "At the month end: children in care placed for adoption (placement A3–A6), and "
            "children in care matched with adopters (AD1 match date on or before the month "
            "end, within the current period of care) but not yet placed."
        ),
        compute=_pipeline,
        breakdown_labels={
            "placed_for_adoption": "Placed for adoption",
            "matched_awaiting_placement": "Matched, awaiting placement",
        },
        source="seed 002",
        readings=(
            "The 903 records a match date only in AD1, once the child is adopted, so a child "
            "matched but not yet adopted at the time of the recompute is not counted as "
            "matched until their AD1 row is imported.",
        ),
    )
)
