"""Staffing: establishment, staff in post and average caseload per role (casework feeds)."""

from __future__ import annotations

from scorecards.indicators.registry import (
    LOWER,
    UNIT_PER_ROLE,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E

SECTION = section_register(
    Section(
        key="staffing",
        title="Staffing",
        order=20,
        notes=(
            "Staff are counted per role: children in care qualified social workers, family "
            "safeguarding social workers, leaving care personal advisers and independent "
            "reviewing officers.",
            "'Establishment' is the number of full-time-equivalent posts and 'Staff' the "
            "full-time-equivalent staff in post at the end of the month.",
            "'Average caseload' is the number of open cases allocated to workers in the role "
            "divided by the number of those workers with at least one case. The change is "
            "measured from the end of the previous quarter.",
        ),
    )
)

STAFFING_ROLES = (
    "cic_social_worker",
    "family_safeguarding_social_worker",
    "leaving_care_pa",
    "iro",
)

indicator_register(
    Indicator(
        id="staffing",
        title="Staff, establishment and average caseload",
        section="staffing",
        unit=UNIT_PER_ROLE,
        polarity=LOWER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Per role at the month end: establishment (FTE posts), staff in post (FTE), "
            "allocated open cases and workers with at least one case; average caseload = "
            "cases / workers. Lower caseloads are better; the caseload target is set per role."
        ),
        breakdown_labels={
            f"{role}:{part}": f"{role} {part}"
            for role in STAFFING_ROLES
            for part in ("establishment_fte", "in_post_fte", "cases", "workers")
        },
        source="seed 000, seed 001, seed 004",
    )
)
