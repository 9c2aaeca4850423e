"""The indicator registry, one module per scorecard section (``indicators.md`` §2).

Importing this package registers every catalogue id. Read it through
``INDICATORS`` / ``SECTIONS`` or the helpers below; never import a section module's
private compute functions.
"""

from __future__ import annotations

from scorecards.indicators import (  # noqa: F401  (imported to register)
    adoption,
    care_leavers,
    demographics,
    education,
    exploitation,
    headline,
    health,
    homes,
    missing,
    service_standards,
    staffing,
)
from scorecards.indicators.registry import (
    INDICATORS,
    SECTIONS,
    Indicator,
    Section,
)

#: Catalogue order of ``indicators.md`` §2: pages and exports list indicators in it.
CATALOGUE_IDS = (
    "cla_count", "cla_rate_per_10k", "cla_uasc_count", "cla_non_uasc_count", "uasc_pct",
    "cla_started", "cla_ceased", "entry_exit_ratio_6m", "staffing",
    "legal_status_breakdown", "time_in_care_breakdown", "placement_type_breakdown",
    "age_breakdown", "gender_breakdown", "ethnicity_breakdown", "disability_pct",
    "cin_reason_breakdown", "reviews_on_time", "reviews_late", "visits_on_time",
    "visits_due", "visits_seen_6_weeks", "supervision_in_month", "placements_3plus_12m",
    "placements_3plus_ytd", "long_term_stability", "placed_in_county",
    "out_of_county_non_uasc", "out_of_county_20_miles", "uasc_out_of_county",
    "pep_in_place", "good_outstanding_school", "missing_incidents", "missing_children",
    "return_interviews", "adopted_pct", "adoptions", "a1_days", "a2_days", "a10_days",
    "adoption_wait_under_14m", "adoption_pipeline", "iha_on_time",
    "health_assessment_on_time", "dental_on_time", "pathway_plan", "cl_19_21_neet",
    "cl_19_21_unsuitable_accommodation", "cl_19_21_in_touch", "cl_birthday_cohort",
    "cse_risk", "gang_risk",
)  # fmt: skip
if set(CATALOGUE_IDS) != set(INDICATORS):  # pragma: no cover - a registration slip
    raise ImportError(f"registry differs from catalogue: {set(CATALOGUE_IDS) ^ set(INDICATORS)}")
_registered = dict(INDICATORS)
INDICATORS.clear()
INDICATORS.update((i, _registered[i]) for i in CATALOGUE_IDS)

__all__ = [
    "CATALOGUE_IDS",
    "INDICATORS",
    "SECTIONS",
    "Indicator",
    "Section",
    "indicator_get",
    "indicators_implemented",
    "indicators_in_section",
    "sections_ordered",
]


def indicator_get(indicator_id: str) -> Indicator:
    """The registry entry of a catalogue id (``KeyError`` for an unknown id)."""
    return INDICATORS[indicator_id]


def sections_ordered() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: s.order)


def indicators_in_section(section_key: str) -> list[Indicator]:
    """A section's indicators in catalogue order."""
    return [i for i in INDICATORS.values() if i.section == section_key]


def indicators_implemented() -> list[Indicator]:
    """Indicators the engine computes today (the others show "no data")."""
    return [i for i in INDICATORS.values() if i.implemented]
