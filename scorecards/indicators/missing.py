"""Children in care who go missing: incidents, children, return interviews."""

from __future__ import annotations

from datetime import date

from scorecards.cells import count_cell, fraction_cell
from scorecards.engine import ChildTimeline, DatedIndex, LAData, MissingIn, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_COUNT,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_MONTH, PERIOD_YTD

SECTION = section_register(
    Section(
        key="missing",
        title="Missing",
        order=70,
        notes=(
            "Each episode of a child in care going missing (whereabouts unknown) is recorded "
            "as a missing incident. A child who goes missing during the month is counted as a "
            "missing child only once, but each time they go missing adds an incident.",
            "Incidents are counted in the month they start, for children who were in care "
            "(not on a short break) on that day. Being 'away from placement without "
            "authorisation' (whereabouts known) is not counted as missing.",
            "A return interview is offered to every child when they come back; the figure is "
            "the incidents that ended in the period where the child accepted an interview and "
            "it was held by the month end.",
        ),
    )
)


def incident_counted(child: ChildTimeline, incident: MissingIn) -> bool:
    """A missing (M) incident of a child looked after on the day it started.

    Reading: "of looked-after children" is judged on the day the incident started (the
    child had a period of care open that day, short breaks excluded); incidents starting
    on the day care ended are not counted. The drill-down lists read the same rule.
    """
    return incident.kind.upper() == "M" and child.history.looked_after_on(incident.start)


def missing_incidents_index(data: LAData) -> DatedIndex[int]:
    """Missing (M) incidents of children looked after on the incident's start date."""
    pairs = []
    for child in data.children:
        for incident in child.missing:
            if incident_counted(child, incident):
                pairs.append((incident.start, child.pk))
    return DatedIndex(pairs)


def _incidents(ctx: MonthContext) -> Cells:
    index = ctx.data.memo("missing_incidents", missing_incidents_index)
    return {p: count_cell(len(index.between(*ctx.window(p)))) for p in (PERIOD_MONTH, PERIOD_YTD)}


def _children(ctx: MonthContext) -> Cells:
    index = ctx.data.memo("missing_incidents", missing_incidents_index)
    return {
        p: count_cell(len(set(index.between(*ctx.window(p))))) for p in (PERIOD_MONTH, PERIOD_YTD)
    }


def missing_endings_index(data: LAData) -> DatedIndex[MissingIn]:
    """Missing (M) incidents of looked-after children that have ended, by end date.

    The same incidents as ``missing_incidents`` (a child looked after on the day the
    incident started), counted when they end.
    """
    pairs = []
    for child in data.children:
        for incident in child.missing:
            if incident.end is not None and incident_counted(child, incident):
                pairs.append((incident.end, incident))
    return DatedIndex(pairs)


def return_interview_done(incident: MissingIn, e: date) -> bool:
    """Accepted (Y) and completed on or before E (``ext_missing_rhi`` completion date)."""
    return (
        incident.rhi_accepted.strip().upper() in ("Y", "YES")
        and incident.rhi_completed is not None
        and incident.rhi_completed <= e
    )


def _return_interviews(ctx: MonthContext) -> Cells:
    index = ctx.data.memo("missing_endings", missing_endings_index)
    out: Cells = {}
    for p in (PERIOD_MONTH, PERIOD_YTD):
        ended = index.between(*ctx.window(p))
        done = sum(1 for incident in ended if return_interview_done(incident, ctx.as_of))
        out[p] = fraction_cell(done, len(ended))
    return out


indicator_register(
    Indicator(
        id="missing_incidents",
        title="Number of missing incidents of children in care",
        section="missing",
        unit=UNIT_COUNT,
        polarity=LOWER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Missing episodes (MISSING = M) of children in care that started in the month or "
            "year to date."
        ),
        compute=_incidents,
        source="seed 003",
        readings=(
            "'Of looked-after children' is judged on the incident's start date; an incident "
            "starting on the day care ended does not count.",
        ),
    )
)
indicator_register(
    Indicator(
        id="missing_children",
        title="Number of children in care who went missing",
        section="missing",
        unit=UNIT_COUNT,
        polarity=LOWER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Distinct children in care with at least one missing incident starting in the "
            "month or year to date."
        ),
        compute=_children,
        source="seed 003",
    )
)
indicator_register(
    Indicator(
        id="return_interviews",
        title="Children in care who have a return interview",
        section="missing",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Missing incidents that ended in the period where a return home interview was "
            "accepted and completed on or before the month end, as a percentage of missing "
            "incidents that ended in the period."
        ),
        compute=_return_interviews,
        source="seed 000",
        readings=(
            "Incidents are those of 'missing incidents' (MISSING = M, child looked after on "
            "the start date), counted in the period they ended (MIS_END from the 1st of the "
            "month, or 1 April, to E).",
            "Done = rhi_accepted Y and a completion date (ext_missing_rhi) on or before E; an "
            "interview completed after E counts only in later snapshots. Incidents with no "
            "return interview information (903 rows) are in the denominator, not done.",
            "SSD missing rows replace 903 rows for the dates the SSD rows cover "
            "(ssd-extracts.md §4; see scorecards.engine.ssd_covered_drop).",
        ),
    )
)
