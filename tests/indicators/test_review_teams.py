"""reviews_on_time by_team: the team of the allocated social worker on the review's due date."""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get, review_make
from tests.indicators.casework_builders import allocation_make, team_make

pytestmark = pytest.mark.django_db


def test_an_allocation_ending_on_the_due_date_hands_the_review_to_the_next_team():
    la = la_get()
    t10, t20 = team_make(la, "T10"), team_make(la, "T20")
    # Start Monday 25 March 2024: first review due Wednesday 24 April (Easter skipped).
    handed_over = child_make(la, "H")
    episode_make(handed_over, "2024-03-25", "S", "C1", "U6")
    review_make(handed_over, "2024-04-24")
    allocation_make(handed_over, t10, "2024-03-25", "2024-04-24")
    allocation_make(handed_over, t20, "2024-04-24")
    dropped = child_make(la, "D")  # allocated until the due date only
    episode_make(dropped, "2024-03-25", "S", "C1", "U6")
    allocation_make(dropped, t10, "2024-03-25", "2024-04-24")

    cell = figures(la, "2024-04")["reviews_on_time"]["month"]

    assert (cell["numerator"], cell["denominator"]) == (1, 2)
    assert cell["by_team"] == {"T20": [1, 1], "unallocated": [0, 1]}
