"""Education: children in care by age group, PEPs and school quality."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from scorecards.cells import breakdown_cell
from scorecards.engine import MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    UNIT_BREAKDOWN,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E, age_on

SECTION = section_register(
    Section(
        key="education",
        title="Education",
        order=60,
        notes=(
            "Age groups use each child's age in whole years on the last day of the month.",
            "'School-aged' children are those in Year 1 to Year 11: aged 5 to 15 on the 31 "
            "August before the school year. Reception is not included.",
            "A Personal Education Plan (PEP) is 'in place' when the child's latest completed "
            "PEP is dated within the 6 months to the month end; draft PEPs do not count. Only "
            "children in care for at least a month are included.",
            "School quality is the school's latest graded Ofsted overall effectiveness "
            "judgement: Outstanding or Good.",
        ),
    )
)

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16-17")


def age_band(age: int | None) -> str:
    """Age group of seed 001 (under 1, 1-4, 5-9, 10-15, 16-17); 18+ or no birth date apart."""
    if age is None or age < 0:
        return "unknown"
    if age < 1:
        return "under 1"
    if age <= 4:
        return "1-4"
    if age <= 9:
        return "5-9"
    if age <= 15:
        return "10-15"
    if age <= 17:
        return "16-17"
    return "18+"


def _age(ctx: MonthContext) -> Cells:
    counts = Counter(
        age_band(age_on(entry.child.dob, ctx.as_of) if entry.child.dob else None)
        for entry in ctx.cla
    )
    return {PERIOD_AT_E: breakdown_cell(counts, AGE_BANDS)}


indicator_register(
    Indicator(
        id="age_breakdown",
        title="Children in care by age group",
        section="education",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end by age in whole years on that day: under 1, "
            "1-4, 5-9, 10-15, 16-17."
        ),
        compute=_age,
        breakdown_labels={
            **{b: b for b in AGE_BANDS},
            "18+": "18 and over",
            "unknown": "Date of birth not recorded",
        },
        benchmark="DfE 'Children looked after in England': by age at 31 March",
        source="seed 001",
        readings=(
            "A child in care aged 18 or over on the month end (possible only in messy data) "
            "or without a date of birth is counted under '18+' or 'unknown', so the groups "
            "always add up to the number in care.",
        ),
    )
)
indicator_register(
    Indicator(
        id="pep_in_place",
        title="% of school-aged children in care with a PEP in place",
        section="education",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        default_target=Decimal("100"),
        target_text="100%",
        definition=(
            "School-aged children in care at the month end, in care for at least one month, "
            "whose latest completed PEP is dated within the 6 months ending the month end."
        ),
        source="seed 001, seed 004",
    )
)
indicator_register(
    Indicator(
        id="good_outstanding_school",
        title="% of school-aged children in care in good or outstanding schools",
        section="education",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        definition=(
            "School-aged children in care at the month end with a known school whose latest "
            "graded Ofsted overall effectiveness is Outstanding (1) or Good (2)."
        ),
        source="seed 001",
    )
)
