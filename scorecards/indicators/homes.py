"""Homes: type of home, stability (3+ placements, long-term) and where children live."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from children.care_history import (
    ADOPTION_PLACEMENTS,
    PLACEMENT_GROUP_LABELS,
    PlacementOut,
    placement_group,
)
from reviews.scheduling import has_lasted_months
from scorecards.cells import breakdown_cell, count_cell, fraction_cell
from scorecards.engine import ChildTimeline, CLAEntry, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_BREAKDOWN,
    UNIT_COUNT,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_ROLLING12,
    PERIOD_YTD,
    age_on,
)

SECTION = section_register(
    Section(
        key="homes",
        title="Homes",
        order=50,
        notes=(
            "'3+ homes in the last 12 months' is the percentage of children in care at the "
            "month end who have had three or more placements in the 12 months to that day. "
            "The home a child was living in at the start of the 12 months counts as one.",
            "A new placement starts when a child starts care or changes carer. A change of "
            "legal status only, a temporary stay (hospital, holiday, respite under 7 days) "
            "and the return from it, and foster carers going on to adopt the child are not "
            "moves. Short breaks are not counted.",
            "'3+ placements during the year' counts the same way from 1 April; it is "
            "cumulative, so it rises through the year.",
            "'In home 2+ years' is, of the children under 16 who have been in care "
            "continuously for at least two and a half years, the percentage who have lived "
            "in the same home for at least two years (or are placed for adoption and, with "
            "the home before, have done so).",
            "'Placed out of county' means placed outside the authority's boundary; '20 miles "
            "+' measures the straight-line distance from the home the child lived in before "
            "care. UASC are counted separately.",
        ),
    )
)

PLACEMENT_TYPE_KEYS = (
    "foster_connected_carer",
    "foster_other",
    "placed_with_parents",
    "placed_for_adoption",
    "residential_childrens_home",
    "secure",
    "semi_independent_supported",
    "independent_living",
    "other",
)


#: ``ssda903.md`` §6: a PLACE stored as unknown (not a code of any year's list) is counted
#: under "other / not known" — the key stays ``other`` and its drill-down shows "Not known".
PLACEMENT_TYPE_LABELS = {
    **{k: PLACEMENT_GROUP_LABELS[k] for k in PLACEMENT_TYPE_KEYS},
    "other": "Other settings or not known",
}


def placement_type_group(place: str) -> str:
    """The scorecard group of a PLACE code; codes outside the named groups, and an unknown
    (blank) PLACE, are "other"."""
    group = placement_group(place)
    return group if group in PLACEMENT_TYPE_KEYS else "other"


def placement_spans(child: ChildTimeline) -> list[tuple[date, date | None]]:
    """(start, end) of each of the child's placements, cached on the timeline.

    Temporary-only placements (a period that starts in hospital, before the child moves on to
    a usual placement) are left out: a temporary placement is never a placement of its own
    (``indicators.md`` §1), so neither the 3+ placements figures nor long-term stability
    count it.
    """
    spans = child.extra.get("placement_spans")
    if spans is None:
        spans = [
            (placement.start, placement.end)
            for placement in child.history.placements
            if not placement.is_temporary
        ]
        child.extra["placement_spans"] = spans
    return spans


def placements_in_window(child: ChildTimeline, first: date, last: date) -> int:
    """Placements a child had between two dates, the one open on ``first`` counting as one.

    A placement counts when it started on or before ``last`` and had not ended by
    ``first`` (a placement ending on ``first`` gave way that day to the next one, which
    is the one open at the window start). A temporary-only stay is not a placement
    (:func:`placement_spans`).
    """
    n = 0
    for start, end in placement_spans(child):
        if start > last:
            break
        if end is not None and end <= first:
            continue
        n += 1
    return n


def _placement_type(ctx: MonthContext) -> Cells:
    groups: Counter[str] = Counter()
    other_codes: Counter[str] = Counter()
    for entry in ctx.cla:
        place = (
            entry.placement.place_on(ctx.as_of) if entry.placement else entry.episode.episode.place
        )
        group = placement_type_group(place)
        groups[group] += 1
        if group == "other":
            other_codes[place or "unknown"] += 1
    cell = breakdown_cell(groups, PLACEMENT_TYPE_KEYS)
    cell["other_codes"] = {k: other_codes[k] for k in sorted(other_codes)}
    return {PERIOD_AT_E: cell}


def _three_plus(ctx: MonthContext, period: str) -> dict:
    first, last = ctx.window(period)
    n = sum(1 for entry in ctx.cla if placements_in_window(entry.child, first, last) >= 3)
    return fraction_cell(n, len(ctx.cla))


def _three_plus_12m(ctx: MonthContext) -> Cells:
    return {PERIOD_ROLLING12: _three_plus(ctx, PERIOD_ROLLING12)}


def _three_plus_ytd(ctx: MonthContext) -> Cells:
    return {PERIOD_YTD: _three_plus(ctx, PERIOD_YTD)}


def usual_placement(entry: CLAEntry) -> PlacementOut | None:
    """The child's usual placement at E, ``None`` when they have none (on a temporary stay
    that started their period of care, or no placement). A temporary stay in the middle of
    a placement is part of the placement it bridges, so that placement is returned."""
    placement = entry.placement
    return None if placement is None or placement.is_temporary else placement


def _previous_placement(entry: CLAEntry) -> PlacementOut | None:
    placements = entry.period.placements
    for i, placement in enumerate(placements):
        if placement is entry.placement:
            return placements[i - 1] if i > 0 else None
    return None


#: long_term_stability: looked after continuously for 2.5 years, in the placement for 2.
IN_CARE_MONTHS = 30
SAME_PLACEMENT_MONTHS = 24


class StabilityStatus(NamedTuple):
    """long_term_stability for one child at E, shared with the drill-down: in the
    denominator, in the numerator, and since when the child has been in their usual
    placement (``None`` with none: on a temporary stay that began their period of care)."""

    in_denominator: bool
    in_numerator: bool
    home_since: date | None


def long_term_stability_status(entry: CLAEntry, e: date) -> StabilityStatus:
    """Whether a child at E counts in long_term_stability's denominator and numerator."""
    child = entry.child
    if child.dob is None or age_on(child.dob, e) >= 16:
        return StabilityStatus(False, False, None)
    if not has_lasted_months(start=entry.period.start, on=e, months=IN_CARE_MONTHS):
        return StabilityStatus(False, False, None)
    placement = usual_placement(entry)
    if placement is None:
        return StabilityStatus(True, False, None)
    if has_lasted_months(start=placement.start, on=e, months=SAME_PLACEMENT_MONTHS):
        return StabilityStatus(True, True, placement.start)
    if placement.place_on(e) in ADOPTION_PLACEMENTS:
        previous = _previous_placement(entry)
        if (
            previous is not None
            and not previous.is_temporary
            and has_lasted_months(start=previous.start, on=e, months=SAME_PLACEMENT_MONTHS)
        ):
            return StabilityStatus(True, True, placement.start)
    return StabilityStatus(True, False, placement.start)


def _long_term_stability(ctx: MonthContext) -> Cells:
    d = n = 0
    for entry in ctx.cla:
        in_d, in_n, _ = long_term_stability_status(entry, ctx.as_of)
        d += in_d
        n += in_n
    return {PERIOD_AT_E: fraction_cell(n, d)}


#: PL_DISTANCE from which a placement out of county counts as 20 miles or more.
FAR_MILES = 20


@dataclass(frozen=True, slots=True)
class PlacementLocation:
    """Where a child in care at E lives, as the location figures read it.

    ``where`` is "in", "out" or "unknown" (PL_LOCATION blank or not IN/OUT); ``far`` when
    out of county and PL_DISTANCE >= 20 miles. Shared with the drill-downs.
    """

    uasc: bool
    where: str
    distance: Decimal | None
    far: bool


def placement_location(entry: CLAEntry, e: date) -> PlacementLocation:
    """The location of a child's placement on E (the episode open that day)."""
    episode = entry.placement.episode_on(e) if entry.placement else None
    if episode is None:
        episode = entry.episode.episode
    code = (episode.pl_location or "").upper()
    where = {"IN": "in", "OUT": "out"}.get(code, "unknown")
    distance = episode.pl_distance
    far = where == "out" and distance is not None and distance >= FAR_MILES
    return PlacementLocation(entry.child.uasc_on(e), where, distance, far)


def _location_counts(ctx: MonthContext) -> dict[str, int]:
    def build(c: MonthContext) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for entry in c.cla:
            loc = placement_location(entry, c.as_of)
            uasc = "uasc" if loc.uasc else "non_uasc"
            counts[uasc] += 1
            if loc.where == "in":
                counts["in"] += 1
            elif loc.where == "out":
                counts[f"{uasc}_out"] += 1
                if loc.far:
                    counts[f"{uasc}_out_20"] += 1
            else:
                counts["unknown"] += 1
                counts[f"{uasc}_unknown"] += 1
        return counts

    return ctx.memo("location_counts", build)


def _placed_in_county(ctx: MonthContext) -> Cells:
    counts = _location_counts(ctx)
    return {PERIOD_AT_E: count_cell(counts["in"], unknown=counts["unknown"])}


def _out_of_county_non_uasc(ctx: MonthContext) -> Cells:
    c = _location_counts(ctx)
    return {
        PERIOD_AT_E: fraction_cell(c["non_uasc_out"], c["non_uasc"], unknown=c["non_uasc_unknown"])
    }


def _out_of_county_20_miles(ctx: MonthContext) -> Cells:
    c = _location_counts(ctx)
    return {
        PERIOD_AT_E: fraction_cell(
            c["non_uasc_out_20"], c["non_uasc"], unknown=c["non_uasc_unknown"]
        )
    }


def _uasc_out_of_county(ctx: MonthContext) -> Cells:
    c = _location_counts(ctx)
    return {PERIOD_AT_E: fraction_cell(c["uasc_out"], c["uasc"], unknown=c["uasc_unknown"])}


indicator_register(
    Indicator(
        id="placement_type_breakdown",
        title="Type of home of children in care",
        section="homes",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end by the group of their placement type (PLACE): "
            "foster care with connected carers, other foster care, placed with parents, "
            "placed for adoption, children's home, secure, semi-independent or supported, "
            "independent living, other. 'other_codes' breaks 'other' into its codes."
        ),
        compute=_placement_type,
        breakdown_labels=PLACEMENT_TYPE_LABELS,
        benchmark="DfE 'Children looked after in England': by placement at 31 March",
        source="seed 000",
        readings=(
            "A child in a temporary placement (T0–T4) on the month end is shown in their usual "
            "placement's group, since a temporary stay is not a placement in its own right.",
            "A child whose period of care started on a temporary placement and who has not yet "
            "moved on has no usual placement: they are counted in 'other', under their T code.",
            "A placement type the import could not read (a PLACE in no year's code list, stored "
            "as unknown with a warning) is counted under 'Other settings or not known' and "
            "shown as 'Not known' in its drill-down ('other_codes' key 'unknown').",
        ),
    )
)
indicator_register(
    Indicator(
        id="placements_3plus_12m",
        title="3+ homes in the last 12 months",
        section="homes",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_ROLLING12,),
        default_target=Decimal("9"),
        target_text="below 9%",
        definition=(
            "Children in care at the month end who had 3 or more placements in the 12 months "
            "ending that day (the placement open at the start counts as one), as a percentage "
            "of all children in care."
        ),
        compute=_three_plus_12m,
        benchmark="DfE 'Children looked after in England': 3 or more placements during the year",
        source="seed 000",
        readings=(
            "Placements in every period of care within the window count. The window starts "
            "on E − 12 calendar months (a placement ending that very day is not counted: "
            "its successor is the one open at the start).",
            "A temporary placement (T0–T4) is never a placement of its own: a stay in the "
            "middle of a placement is part of the placement it bridges, and a period that "
            "starts on one (in hospital, say) has no placement until the child moves on, "
            "whatever the RNE of that move. The same reading as long-term stability.",
        ),
    )
)
indicator_register(
    Indicator(
        id="placements_3plus_ytd",
        title="3+ placements during the year (cumulative)",
        section="homes",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_YTD,),
        definition=(
            "As '3+ homes in the last 12 months' but counting from 1 April of the financial year."
        ),
        compute=_three_plus_ytd,
        source="seed 003",
    )
)
indicator_register(
    Indicator(
        id="long_term_stability",
        title="In the same home for 2+ years (of those in care 2.5+ years)",
        section="homes",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        default_target=Decimal("68"),
        target_text="above 68%",
        definition=(
            "Of children in care at the month end, aged under 16 and looked after "
            "continuously for at least 2.5 years, those who have been in the same placement "
            "for at least 2 years, or are placed for adoption and their adoptive placement "
            "together with their previous placement lasts at least 2 years."
        ),
        compute=_long_term_stability,
        benchmark="DfE 'Children looked after in England': long-term placement stability",
        source="seed 000",
        readings=(
            "Durations count both the first day and the month end, as DfE's continuous-care "
            "rule does: 'continuously for 2.5 years' = the current period of care started on "
            "or before E + 1 day − 30 calendar months; 'same placement 2 years' = the current "
            "placement (temporary stays bridged, carers adopting not a move) started on or "
            "before E + 1 day − 24 months, so a placement from 1 April 2022 counts on "
            "31 March 2024. For a child placed for adoption the placement before the adoptive "
            "one is measured the same way. Children with no date of birth are left out.",
            "A temporary placement (T0–T4) is never a placement of its own: a child away on "
            "one at E is judged by the placement it bridges; a child whose period of care "
            "started on one and who has not moved on to a usual placement is in the "
            "denominator but not 'in the same placement', and a usual placement that began "
            "when they moved on is measured from that day. The same reading as the 3+ "
            "placements figures.",
        ),
    )
)
indicator_register(
    Indicator(
        id="placed_in_county",
        title="Children in care placed in county",
        section="homes",
        unit=UNIT_COUNT,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end whose placement is inside the authority's "
            "boundary (PL_LOCATION IN)."
        ),
        compute=_placed_in_county,
        source="seed 003",
        readings=("Placements with an unknown location are shown beside it as 'unknown'.",),
    )
)
indicator_register(
    Indicator(
        id="out_of_county_non_uasc",
        title="% non-UASC placed out of county",
        section="homes",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Non-UASC children in care at the month end placed outside the authority's "
            "boundary, as a percentage of all non-UASC children in care."
        ),
        compute=_out_of_county_non_uasc,
        benchmark="DfE 'Children looked after in England': placed outside the LA boundary",
        source="seed 002, seed 003",
        readings=(
            "Children whose placement location is unknown stay in the denominator and are "
            "not counted as out of county; their number is shown as 'unknown'.",
        ),
    )
)
indicator_register(
    Indicator(
        id="out_of_county_20_miles",
        title="% non-UASC placed out of county and 20+ miles from home",
        section="homes",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Non-UASC children in care at the month end placed outside the boundary and 20 "
            "miles or more from the home they lived in before care, as a percentage of all "
            "non-UASC children in care."
        ),
        compute=_out_of_county_20_miles,
        source="seed 002, seed 003",
        readings=("20 miles or more: PL_DISTANCE ≥ 20.0.",),
    )
)
indicator_register(
    Indicator(
        id="uasc_out_of_county",
        title="% UASC placed out of county",
        section="homes",
        unit=UNIT_PERCENT,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "UASC children in care at the month end placed outside the authority's boundary, "
            "as a percentage of all UASC children in care."
        ),
        compute=_uasc_out_of_county,
        source="seed 002, seed 003",
    )
)
