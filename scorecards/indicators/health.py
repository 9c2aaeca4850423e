"""Health: initial and annual health assessments and dental checks (casework feeds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reviews.scheduling import (
    CarePeriod,
    RecurringDue,
    dental_check_due,
    has_lasted_months,
    health_assessment_due,
    iha_due,
)
from scorecards.cells import fraction_cell
from scorecards.engine import ChildTimeline, CLAEntry, DatedIndex, HealthIn, LAData, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E, PERIOD_QUARTER, PERIOD_YTD

SECTION = section_register(
    Section(
        key="health",
        title="Health – service standards",
        order=90,
        notes=(
            "An Initial Health Assessment (IHA) must take place within 20 working days of a "
            "child becoming looked after. Working days exclude weekends and England and Wales "
            "bank holidays. Each period of care counts once; short breaks are excluded.",
            "Annual health assessments and dental checks are measured for children who have "
            "been in care continuously for at least 12 months: a health assessment within the "
            "last 6 months for children under 5 and the last 12 months for older children, "
            "and a dental check within the last 12 months.",
            "Refused and cancelled assessments never count as done; the number of children "
            "whose latest assessment was refused is shown beside the figure.",
        ),
    )
)

#: Health check kinds that are health assessments (``ssd-extracts.md`` §3.4): the first
#: completed one of a period of care is its initial assessment whatever it was recorded as.
HEALTH_ASSESSMENT_KINDS = frozenset({"IHA", "RHA", "HA"})
DENTAL_KINDS = frozenset({"DENTAL"})
COMPLETED = "COMPLETED"
REFUSED = "REFUSED"
PLANNED = "PLANNED"


def check_completed(check: HealthIn) -> bool:
    """Completed, or blank (the importer has already judged a blank status by its as-at date)."""
    return check.status.strip().upper() in (COMPLETED, "COMPLETE", "")


def completed_dates(child: ChildTimeline, kinds: frozenset[str]) -> list[date]:
    """Dates of the child's completed checks of these kinds (refused, cancelled, planned: not).

    Kept on the timeline: every month of a recompute asks again for the same child. Callers
    only read the list.
    """
    key = "completed_dates:" + ",".join(sorted(kinds))
    dates = child.extra.get(key)
    if dates is None:
        dates = [h.on for h in child.health if h.kind.upper() in kinds and check_completed(h)]
        child.extra[key] = dates
    return dates


def latest_refused(child: ChildTimeline, kinds: frozenset[str], e: date) -> bool:
    """True when the child's latest check of these kinds dated on or before E was refused.

    Reading: planned checks are not yet outcomes and are passed over; when a completed and a
    refused check share the latest day, the completed one stands.
    """
    latest: date | None = None
    refused = False
    for h in child.health:  # sorted by date
        if h.on > e:
            break
        if h.kind.upper() not in kinds or h.status.strip().upper() == PLANNED:
            continue
        if latest != h.on:
            latest, refused = h.on, True
        refused = refused and h.status.strip().upper() == REFUSED
    return latest is not None and refused


@dataclass(frozen=True, slots=True)
class IhaItem:
    child_pk: int
    due: date
    on_time: bool


def iha_items_build(data: LAData, horizon: date) -> DatedIndex[IhaItem]:
    """Every period of care's initial health assessment, indexed by its due date.

    Computed once as of ``horizon`` (today): the due date, whether the child was still
    looked after on it and whether the first completed assessment was on or before it all
    depend on nothing after the due date, so a month whose E is on or after the due date
    reads the same answer. Periods starting with a short break are not periods of care
    (``children.care_history`` keeps V3/V4 aside), and periods whose first known episode is
    not RNE S are left out (``indicators.md`` §1).
    """
    items: list[tuple[date, IhaItem]] = []
    for child in data.children:
        if not child.history.periods:
            continue
        dates = completed_dates(child, HEALTH_ASSESSMENT_KINDS)
        for period in child.history.periods:
            due = iha_due(
                period=CarePeriod(
                    start=period.start, end=period.end, starts_with_s=period.starts_with_s
                ),
                completed_assessment_dates=dates,
                as_of=horizon,
            )
            if due is None or not due.looked_after_on_due_date:
                continue
            items.append((due.due_date, IhaItem(child.pk, due.due_date, due.on_time)))
    return DatedIndex(items)


def iha_items(ctx: MonthContext) -> DatedIndex[IhaItem]:
    """The authority's initial health assessments, computed once per recompute (as of today)."""
    horizon = max(ctx.as_of, date.today())
    return ctx.data.memo(
        f"iha_items:{horizon.isoformat()}", lambda data: iha_items_build(data, horizon)
    )


def _iha_on_time(ctx: MonthContext) -> Cells:
    index = iha_items(ctx)
    out: Cells = {}
    for p in (PERIOD_QUARTER, PERIOD_YTD):
        items = index.between(*ctx.window(p))
        out[p] = fraction_cell(sum(1 for it in items if it.on_time), len(items))
    return out


#: The annual checks' cohort: looked after continuously for at least this many months.
ANNUAL_COHORT_MONTHS = 12


def in_care_12_months(entry: CLAEntry, e: date) -> bool:
    """Looked after continuously for 12 months or more at E, both days counted
    (``indicators.md`` §1 "Durations"): a period from 1 April 2023 qualifies on 31 March 2024.
    The worklists' review health assessment and dental lists use the same test."""
    return has_lasted_months(start=entry.period.start, on=e, months=ANNUAL_COHORT_MONTHS)


def annual_health_dues(child: ChildTimeline, e: date) -> tuple[RecurringDue, RecurringDue]:
    """(health assessment, dental check) as seen on E; in time when not ``overdue``.

    The worklists read the same dues for their overdue lists. A child with no date of birth
    is given 12 months between health assessments.
    """
    assessments = completed_dates(child, HEALTH_ASSESSMENT_KINDS)
    if child.dob is not None:
        health = health_assessment_due(
            completed_assessment_dates=assessments, date_of_birth=child.dob, as_of=e
        )
    else:
        health = dental_check_due(completed_check_dates=assessments, as_of=e)
    dental = dental_check_due(completed_check_dates=completed_dates(child, DENTAL_KINDS), as_of=e)
    return health, dental


def _annual(ctx: MonthContext) -> tuple[int, int, int, int, int, int]:
    """(health n, d, refused; dental n, d, refused) at E, computed once per month."""

    def build(c: MonthContext) -> tuple[int, int, int, int, int, int]:
        e = c.as_of
        d = hn = hr = dn = dr = 0
        for entry in c.cla:
            if not in_care_12_months(entry, e):
                continue
            child = entry.child
            d += 1
            health, dental = annual_health_dues(child, e)
            hn += not health.overdue
            hr += latest_refused(child, HEALTH_ASSESSMENT_KINDS, e)
            dn += not dental.overdue
            dr += latest_refused(child, DENTAL_KINDS, e)
        return hn, d, hr, dn, d, dr

    return ctx.memo("annual_health", build)


def _health_assessment_on_time(ctx: MonthContext) -> Cells:
    n, d, refused, *_ = _annual(ctx)
    return {PERIOD_AT_E: fraction_cell(n, d, refused=refused)}


def _dental_on_time(ctx: MonthContext) -> Cells:
    *_, n, d, refused = _annual(ctx)
    return {PERIOD_AT_E: fraction_cell(n, d, refused=refused)}


_ANNUAL_READINGS = (
    "'Looked after continuously for at least 12 months' counts both the first day and the "
    "month end, as DfE's continuous-care rule does: the current period of care started on "
    "or before E + 1 day − 12 calendar months (from 1 April 2023 → in the cohort on "
    "31 March 2024; from 2 April 2023 → not).",
    "Health assessments are the checks mapped to IHA, RHA or HA; dental checks those mapped "
    "to DENTAL. Completed (or blank status, judged by the importer against the as-at date) "
    "counts; refused, cancelled and planned never do.",
    "'refused' beside the figure: children in the denominator whose latest check of that "
    "kind dated on or before E (planned ones passed over; a completed one on the same day "
    "wins) was refused. Dental checks carry the same note.",
)

indicator_register(
    Indicator(
        id="iha_on_time",
        title="Initial health assessment within 20 working days",
        section="health",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_QUARTER, PERIOD_YTD),
        default_target=Decimal("95"),
        target_text="above 95%",
        definition=(
            "Periods of care whose 20th working day after the start fell in the period (child "
            "still looked after on it), and of those the ones whose first completed health "
            "assessment was on or before that day."
        ),
        compute=_iha_on_time,
        source="seed 001, seed 003",
        readings=(
            "Due on the 20th working day after the start of the period of care (England and "
            "Wales bank holidays, reviews.working_days); met by the first completed health "
            "assessment (IHA, RHA or HA) dated in the period.",
            "A period counts in the quarter / year to date its due date falls in, when the "
            "child was still looked after on the due date (care ending after it).",
        ),
    )
)
indicator_register(
    Indicator(
        id="health_assessment_on_time",
        title="Annual health assessment completed on time",
        section="health",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        default_target=Decimal("93"),
        target_text="above 93%",
        definition=(
            "Children in care at the month end looked after continuously for 12 months or "
            "more, whose latest completed health assessment is within 6 months (under 5) or "
            "12 months (5 and over) of the month end."
        ),
        compute=_health_assessment_on_time,
        benchmark="DfE 'Children looked after in England': outcomes (OC2) health assessments",
        source="seed 001, seed 004",
        readings=(
            *_ANNUAL_READINGS,
            "Under 5 is the child's age on E (a child turning 5 on or before E has 12 "
            "months); a child with no date of birth is given 12 months.",
        ),
    )
)
indicator_register(
    Indicator(
        id="dental_on_time",
        title="Annual dental examination completed on time",
        section="health",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        default_target=Decimal("93"),
        target_text="above 93%",
        definition=(
            "Children in care at the month end looked after continuously for 12 months or "
            "more with a dental check within the 12 months ending the month end."
        ),
        compute=_dental_on_time,
        benchmark="DfE 'Children looked after in England': outcomes (OC2) dental checks",
        source="seed 001, seed 004",
        readings=_ANNUAL_READINGS,
    )
)
