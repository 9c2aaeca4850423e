"""Health: initial and annual health assessments and dental checks (casework feeds)."""

from __future__ import annotations

from decimal import Decimal

from scorecards.indicators.registry import (
    HIGHER,
    UNIT_PERCENT,
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
        source="seed 001, seed 003",
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
        benchmark="DfE 'Children looked after in England': outcomes (OC2) health assessments",
        source="seed 001, seed 004",
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
        benchmark="DfE 'Children looked after in England': outcomes (OC2) dental checks",
        source="seed 001, seed 004",
    )
)
