"""Care leavers: pathway plans, the DfE 19–21 cohort and the birthday cohort (casework feeds)."""

from __future__ import annotations

from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_COUNTS,
    UNIT_PERCENT,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E, PERIOD_MONTH, PERIOD_YTD

SECTION = section_register(
    Section(
        key="care_leavers",
        title="Care leavers",
        order=100,
        notes=(
            "The care leaver cohort are the care leavers whose 17th, 18th, 19th, 20th or 21st "
            "birthday fell within the reporting month.",
            "Suitable accommodation: whether accommodation is 'suitable' is judged on the "
            "individual case. Homelessness and custody are always unsuitable.",
            "In touch: there should be contact between the authority and the young person "
            "around 3 months before and one month after their birthday; this monitors their "
            "situation after they have left care.",
            "Main activity is measured on or around the birthday when the authority is in "
            "touch with the young person; this gives the education, employment and training "
            "(EET) numbers. 'Unknown' and 'not in touch' are shown separately, never counted "
            "as good.",
        ),
    )
)

_COHORT_KEYS = (
    "cohort",
    "suitable_accommodation_yes",
    "suitable_accommodation_unknown",
    "eet_yes",
    "eet_unknown",
    "in_touch_yes",
    "in_touch_returned_home",
    "in_touch_no_longer_required",
)

indicator_register(
    Indicator(
        id="pathway_plan",
        title="Care leavers who have a pathway plan in place",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Care leavers at the month end (16–25, eligible, relevant or former relevant) "
            "whose pathway plan was reviewed within the 6 months ending the month end."
        ),
        source="seed 000",
    )
)
indicator_register(
    Indicator(
        id="cl_19_21_neet",
        title="19–21 year old care leavers not in education, employment or training",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_YTD,),
        definition=(
            "Former relevant care leavers whose 19th, 20th or 21st birthday fell in the year "
            "to date and whose activity around the birthday was NEET (G4, G5, G6)."
        ),
        benchmark="DfE 'Children looked after in England': care leavers aged 19 to 21 NEET",
        source="seed 000",
    )
)
indicator_register(
    Indicator(
        id="cl_19_21_unsuitable_accommodation",
        title="19–21 year old care leavers in unsuitable accommodation",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_YTD,),
        definition=(
            "Former relevant care leavers whose 19th, 20th or 21st birthday fell in the year "
            "to date and whose accommodation around the birthday was unsuitable."
        ),
        benchmark="DfE 'Children looked after in England': care leavers in suitable accommodation",
        source="seed 000",
    )
)
indicator_register(
    Indicator(
        id="cl_19_21_in_touch",
        title="19–21 year old care leavers in touch",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_YTD,),
        definition=(
            "Former relevant care leavers whose 19th, 20th or 21st birthday fell in the year "
            "to date and with whom the authority was in touch around the birthday."
        ),
        source="seed 000",
    )
)
indicator_register(
    Indicator(
        id="cl_birthday_cohort",
        title="Care leaver cohort by birthday month (17th–21st)",
        section="care_leavers",
        unit=UNIT_COUNTS,
        polarity=None,
        periods=(PERIOD_MONTH,),
        definition=(
            "Young people whose 17th to 21st birthday fell in the month: cohort size; "
            "suitable accommodation yes / unknown; EET yes / unknown; in touch yes / returned "
            "home / no longer required."
        ),
        breakdown_labels={k: k.replace("_", " ").capitalize() for k in _COHORT_KEYS},
        source="seed 003",
    )
)
