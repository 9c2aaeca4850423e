"""Who the children in care are: legal status, time in care, gender, ethnicity, need."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.conf import settings

from reviews.scheduling import has_lasted_months
from scorecards.cells import breakdown_cell, fraction_cell
from scorecards.engine import MonthContext
from scorecards.indicators.registry import (
    UNIT_BREAKDOWN,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E, PERIOD_ROLLING6, PERIOD_YTD

SECTION = section_register(
    Section(
        key="demographics",
        title="Children in care: demographics",
        order=30,
        notes=(
            "All breakdowns count the children in care on the last day of the month, so each "
            "adds up to the headline number; the percentage beside each part is of that "
            "number.",
            "'Legal status' is the legal status of the child's episode of care on that day "
            "(for example C2, a full care order; V2, accommodated under section 20).",
            "'Length of time in care' is measured from the start of the child's current period "
            "of care, in whole calendar months.",
            "Ethnicity is grouped as in the DfE's published tables; 'Not stated' means the "
            "child or family refused to say and 'Not recorded' that it is not yet known.",
            "'Reason for becoming looked after' is the category of need recorded for the "
            "children who started care in the year to date, or in the last 6 months.",
        ),
    )
)

LEGAL_STATUS_LABELS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "J1": "Remanded to local authority or youth detention accommodation",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to a youth rehabilitation order",
    "L1": "Police protection, in local authority accommodation",
    "L2": "Emergency protection order",
    "L3": "Child assessment order, in local authority accommodation",
    "V2": "Single period of accommodation under section 20",
}

TIME_IN_CARE_BANDS = ("<6 months", "6-12 months", "1-2 years", "2-5 years", "5+ years")

GENDER_KEYS = {"M": "male", "F": "female"}
GENDER_LABELS = {"male": "Male", "female": "Female", "unknown": "Unknown"}

ETHNIC_GROUPS = (
    "White",
    "Mixed",
    "Asian or Asian British",
    "Black or Black British",
    "Other ethnic group",
    "Not stated",
    "Not recorded",
)
ETHNICITY_GROUP_OF: dict[str, str] = {
    **dict.fromkeys(["WBRI", "WIRI", "WIRT", "WROM", "WOTH"], "White"),
    **dict.fromkeys(["MWBC", "MWBA", "MWAS", "MOTH"], "Mixed"),
    **dict.fromkeys(["AIND", "APKN", "ABAN", "AOTH"], "Asian or Asian British"),
    **dict.fromkeys(["BCRB", "BAFR", "BOTH"], "Black or Black British"),
    "OOTH": "Other ethnic group",
    "REFU": "Not stated",
    "NOBT": "Not recorded",
}

CIN_KEYS = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
CIN_LABELS = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "unknown": "Not recorded",
}


def ethnicity_group(code: str) -> str:
    """The reporting group of an ETHNIC code (``ssda903.md`` §3.2).

    CHNE (Chinese) goes to "Other ethnic group" as in 903 statistics historically, or to
    "Asian or Asian British" (ONS 2021) when ``SCORECARD_CHNE_GROUP`` says so. A blank or
    unknown code is "Not recorded".
    """
    code = (code or "").strip().upper()
    if code == "CHNE":
        return getattr(settings, "SCORECARD_CHNE_GROUP", "Other ethnic group")
    return ETHNICITY_GROUP_OF.get(code, "Not recorded")


#: (months the period has lasted, band from then on), longest first.
_TIME_IN_CARE_FROM = ((60, "5+ years"), (24, "2-5 years"), (12, "1-2 years"), (6, "6-12 months"))


def time_in_care_band(start: date, e: date) -> str:
    """Band of the time from ``start`` to ``e``: a band is reached on the day the period has
    lasted that long, both days counted (``indicators.md`` §1 "Durations": a period from
    1 April 2023 is in "1-2 years" on 31 March 2024)."""
    for months, band in _TIME_IN_CARE_FROM:
        if has_lasted_months(start=start, on=e, months=months):
            return band
    return "<6 months"


def _legal_status(ctx: MonthContext) -> Cells:
    counts = Counter(entry.episode.episode.ls or "unknown" for entry in ctx.cla)
    return {PERIOD_AT_E: breakdown_cell(counts, tuple(LEGAL_STATUS_LABELS))}


def _time_in_care(ctx: MonthContext) -> Cells:
    counts = Counter(time_in_care_band(entry.period.start, ctx.as_of) for entry in ctx.cla)
    return {PERIOD_AT_E: breakdown_cell(counts, TIME_IN_CARE_BANDS)}


def _gender(ctx: MonthContext) -> Cells:
    counts = Counter(GENDER_KEYS.get(entry.child.sex, "unknown") for entry in ctx.cla)
    return {PERIOD_AT_E: breakdown_cell(counts, ("male", "female", "unknown"))}


def _ethnicity(ctx: MonthContext) -> Cells:
    counts = Counter(ethnicity_group(entry.child.ethnicity) for entry in ctx.cla)
    return {PERIOD_AT_E: breakdown_cell(counts, ETHNIC_GROUPS)}


def _cin_reason(ctx: MonthContext) -> Cells:
    out: Cells = {}
    for period in (PERIOD_YTD, PERIOD_ROLLING6):
        started = ctx.started(*ctx.window(period))
        counts = Counter(
            (ev.period.first_episode.cin or "").upper() or "unknown" for ev in started.values()
        )
        out[period] = breakdown_cell(counts, CIN_KEYS)
    return out


indicator_register(
    Indicator(
        id="legal_status_breakdown",
        title="Legal status of children in care",
        section="demographics",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end by the legal status (LS) of the episode in "
            "force on that day."
        ),
        compute=_legal_status,
        breakdown_labels=LEGAL_STATUS_LABELS,
        benchmark="DfE 'Children looked after in England': by legal status at 31 March",
        source="seed 000",
    )
)
indicator_register(
    Indicator(
        id="time_in_care_breakdown",
        title="Length of time children have been in care",
        section="demographics",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end by the time since the start of their current "
            "period of care: under 6 months, 6–12 months, 1–2 years, 2–5 years, 5 years or more."
        ),
        compute=_time_in_care,
        breakdown_labels={b: b for b in TIME_IN_CARE_BANDS},
        source="seed 000, seed 001",
        readings=(
            "Bands by calendar months from the period start, counting both the first day and "
            "the month end as DfE's continuous-care rule does: a child who started on 1 April "
            "2023 is in '1-2 years' on 31 March 2024, and one who started on 15 March is in "
            "'6-12 months' from 14 September. A period whose data begin mid-period is "
            "measured from its first known episode, so every child falls in a band.",
        ),
    )
)
indicator_register(
    Indicator(
        id="gender_breakdown",
        title="Gender",
        section="demographics",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition="Children in care at the month end by sex recorded (male, female, unknown).",
        compute=_gender,
        breakdown_labels=GENDER_LABELS,
        benchmark="DfE 'Children looked after in England': by gender at 31 March",
        source="seed 002, seed 004",
    )
)
indicator_register(
    Indicator(
        id="ethnicity_breakdown",
        title="Ethnicity",
        section="demographics",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end by top-level ethnic group: White, Mixed, Asian "
            "or Asian British, Black or Black British, Other ethnic group, Not stated, Not "
            "recorded."
        ),
        compute=_ethnicity,
        breakdown_labels={g: g for g in ETHNIC_GROUPS},
        benchmark="DfE 'Children looked after in England': by ethnic origin at 31 March",
        source="seed 004",
        readings=(
            "CHNE counts as 'Other ethnic group' (903 statistics) unless the setting "
            "SCORECARD_CHNE_GROUP says otherwise; REFU is 'Not stated', NOBT and blank "
            "'Not recorded'.",
        ),
    )
)


def _disability(ctx: MonthContext) -> Cells:
    n = sum(1 for entry in ctx.cla if entry.child.disability is True)
    unknown = sum(1 for entry in ctx.cla if entry.child.disability is None)
    return {PERIOD_AT_E: fraction_cell(n, len(ctx.cla), unknown=unknown)}


indicator_register(
    Indicator(
        id="disability_pct",
        title="% with a diagnosed disability",
        section="demographics",
        unit=UNIT_PERCENT,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end with a recorded disability, as a percentage "
            "of all children in care."
        ),
        compute=_disability,
        source="seed 002",
        readings=(
            "Children whose disability is not recorded stay in the denominator and are shown "
            "beside the figure as 'unknown'.",
        ),
    )
)
indicator_register(
    Indicator(
        id="cin_reason_breakdown",
        title="Reason for becoming looked after",
        section="demographics",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_YTD, PERIOD_ROLLING6),
        definition=(
            "Children who started a period of care in the year to date (or the 6 months "
            "ending at the month end) by category of need (N1–N8) of their first episode."
        ),
        compute=_cin_reason,
        breakdown_labels=CIN_LABELS,
        benchmark="DfE 'Children looked after in England': started by category of need",
        source="seed 004",
        readings=(
            "A child who started care twice in the window is counted once, with the category "
            "of need of the first start.",
        ),
    )
)
