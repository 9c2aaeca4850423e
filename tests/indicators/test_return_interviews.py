"""return_interviews, and SSD missing rows replacing the 903's for the dates they cover."""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get
from tests.indicators.casework_builders import missing_rhi_make

pytestmark = pytest.mark.django_db


def _fraction(cells: dict, period: str) -> tuple[int, int]:
    cell = cells["return_interviews"][period]
    return cell["numerator"], cell["denominator"]


def _fixture(la):
    child = child_make(la, "M1")
    episode_make(child, "2024-01-01", "S", "C2", "U4")
    missing_rhi_make(child, "2024-04-10", "2024-04-12", completed="2024-04-15")  # done
    # Ended in April, interview completed on 2 May: not done at 30 April, done by 31 May.
    missing_rhi_make(child, "2024-04-25", "2024-04-27", completed="2024-05-02")
    missing_rhi_make(child, "2024-04-05", "2024-04-06", accepted="N")  # declined
    missing_rhi_make(child, "2024-04-07", "2024-04-08", kind="A", completed="2024-04-09")
    missing_rhi_make(child, "2024-04-28", None)  # still missing at the month end
    # 903 rows: one inside the dates the SSD rows cover (5–28 April) is replaced, one
    # before them is kept (and has no return interview information).
    missing_rhi_make(child, "2024-04-20", "2024-04-21", source="903", accepted="")
    missing_rhi_make(child, "2024-03-01", "2024-03-02", source="903", accepted="")
    return child


def test_a_return_interview_completed_after_the_month_end_counts_from_the_next_snapshot():
    la = la_get()
    _fixture(la)

    march, april, may = (figures(la, m) for m in ("2024-03", "2024-04", "2024-05"))

    assert _fraction(march, "month") == (0, 1)  # the kept 903 incident
    assert _fraction(april, "month") == (1, 3)
    assert _fraction(may, "month") == (0, 0)
    assert may["return_interviews"]["month"]["denominator"] == 0
    assert _fraction(may, "ytd") == (2, 3)


def test_ssd_missing_rows_replace_the_903_rows_for_the_dates_they_cover():
    la = la_get()
    _fixture(la)

    april = figures(la, "2024-04")

    # Started in April: 5, 10, 25 and 28 April (SSD); the 903 row of 20 April is replaced.
    assert april["missing_incidents"]["month"] == {"value": 4}
