"""The readings an independent comparison found read differently (issue #22 item 6) are
named where the methodology is kept: each indicator's ``readings`` (served by the API) and
the section notes the scorecard and dashboard show under "Notes on data and definitions"."""

from __future__ import annotations

import pytest

from scorecards.indicators import indicator_get
from scorecards.indicators.registry import SECTIONS


def _readings(indicator_id: str) -> str:
    return " ".join(indicator_get(indicator_id).readings)


@pytest.mark.parametrize(
    "indicator_id",
    [
        "time_in_care_breakdown",
        "long_term_stability",
        "health_assessment_on_time",
        "dental_on_time",
        "pep_in_place",
    ],
)
def test_durations_count_both_days(indicator_id):
    text = _readings(indicator_id)
    assert "both" in text and "DfE's continuous-care rule" in text


@pytest.mark.parametrize("indicator_id", ["visits_on_time", "visits_due"])
def test_visits_before_one_due_date_meet_it_once(indicator_id):
    text = _readings(indicator_id)
    assert "meet it once" in text and "21 March" in text
    assert "meets it once" in " ".join(SECTIONS["service_standards"].notes)


@pytest.mark.parametrize("indicator_id", ["placements_3plus_12m", "long_term_stability"])
def test_a_temporary_placement_is_never_a_placement_of_its_own(indicator_id):
    assert "never a placement of its own" in _readings(indicator_id)


@pytest.mark.parametrize("indicator_id", ["reviews_on_time", "reviews_late"])
def test_reviews_before_the_data_begin(indicator_id):
    assert "Reviews held before the data begin are unknown" in _readings(indicator_id)
    assert "before the data begin" in " ".join(SECTIONS["service_standards"].notes)
