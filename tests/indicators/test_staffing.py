"""staffing: establishment, staff in post (FTE), cases and workers with cases, per role at E."""

from __future__ import annotations

import pytest

from organisations.models import AllocationRole
from tests.indicators.builders import child_make, figures, la_get
from tests.indicators.casework_builders import (
    allocation_make,
    establishment_make,
    membership_make,
    team_make,
    worker_make,
)

pytestmark = pytest.mark.django_db


def test_staffing_per_role_at_the_month_end():
    la = la_get()
    cic, leaving = team_make(la, "T10"), team_make(la, "T30")
    w1 = worker_make(la, "W1", fte="1.0")
    membership_make(w1, cic, "cic_social_worker", "2023-01-01")
    w2 = worker_make(la, "W2", fte="1.0")  # left on E: not in post
    membership_make(w2, cic, "cic_social_worker", "2023-01-01", "2024-03-31")
    w3 = worker_make(la, "W3", fte="0.8")  # in post, no cases yet
    membership_make(w3, cic, "cic_social_worker", "2024-03-01")
    w4 = worker_make(la, "W4", fte=None, role="leaving_care_pa")  # no memberships: the role
    w5 = worker_make(la, "W5", fte="0.5")
    membership_make(w5, cic, "iro", "2023-01-01")
    w6 = worker_make(la, "W6", fte="1.0")
    membership_make(w6, cic, "team_manager", "2023-01-01")

    c1, c2, c3, c4 = (child_make(la, f"C{i}") for i in range(1, 5))
    allocation_make(c1, cic, "2023-06-01", worker=w1)
    allocation_make(c1, cic, "2024-01-01", worker=w1)  # the same child twice: one case
    allocation_make(c2, cic, "2023-06-01", worker=w1)
    allocation_make(c3, cic, "2023-06-01", "2024-03-31", worker=w1)  # ends on E
    allocation_make(c3, cic, "2023-06-01", worker=w2)  # W2 is no longer in post
    allocation_make(c4, leaving, "2023-06-01", worker=w4, role=AllocationRole.PA)
    allocation_make(c1, cic, "2023-06-01", worker=w5, role=AllocationRole.OTHER)
    allocation_make(c2, cic, "2023-06-01", worker=w5, role=AllocationRole.OTHER)
    allocation_make(c4, cic, "2023-06-01", worker=w6, role=AllocationRole.OTHER)

    establishment_make(la, "cic_social_worker", "2023-04-01", "3.0")
    establishment_make(la, "cic_social_worker", "2024-04-01", "4.0")  # after E
    establishment_make(la, "leaving_care_pa", "2024-03-31", "2.0")  # on E

    cell = figures(la, "2024-03")["staffing"]["at_e"]["breakdown"]

    assert cell == {
        "cic_social_worker:establishment_fte": 3.0,
        "cic_social_worker:in_post_fte": 1.8,
        "cic_social_worker:cases": 2,
        "cic_social_worker:workers": 1,
        "family_safeguarding_social_worker:establishment_fte": None,
        "family_safeguarding_social_worker:in_post_fte": 0.0,
        "family_safeguarding_social_worker:cases": 0,
        "family_safeguarding_social_worker:workers": 0,
        "leaving_care_pa:establishment_fte": 2.0,
        "leaving_care_pa:in_post_fte": 1.0,
        "leaving_care_pa:cases": 1,
        "leaving_care_pa:workers": 1,
        "iro:establishment_fte": None,
        "iro:in_post_fte": 0.5,
        "iro:cases": 2,
        "iro:workers": 1,
    }
