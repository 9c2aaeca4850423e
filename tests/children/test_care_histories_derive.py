from datetime import date

import pytest

from children.models import Child, Episode, PeriodOfCare
from children.services import care_histories_derive
from organisations.models import LocalAuthority
from placements.models import Placement


@pytest.fixture
def la(db):
    la, _ = LocalAuthority.objects.get_or_create(
        code="873", defaults={"ons_code": "E10000003", "name": "Cambridgeshire"}
    )
    return la


def test_derive_writes_periods_placements_and_flags_then_nothing_on_rerun(la):
    child = Child.objects.create(la=la, child_id="A1001", sex="M", dob=date(2012, 6, 14))
    common = {"la": la, "child": child, "cin": "N1"}
    Episode.objects.create(
        **common,
        decom=date(2023, 2, 3),
        dec=date(2024, 7, 19),
        rne="S",
        ls="C1",
        place="U6",
        rec="X1",
    )
    Episode.objects.create(
        **common,
        decom=date(2024, 7, 19),
        dec=date(2024, 10, 2),
        rne="P",
        ls="C1",
        place="K2",
        rec="X1",
    )
    Episode.objects.create(**common, decom=date(2024, 10, 2), rne="L", ls="C2", place="K2")

    stats = care_histories_derive(la=la)

    assert stats["periods_written"] == 1 and stats["placements_written"] == 2
    period = PeriodOfCare.objects.get(child=child)
    assert period.start_date == date(2023, 2, 3) and period.end_date is None
    assert list(Placement.objects.filter(child=child).values_list("place", "latest_place")) == [
        ("U6", "U6"),
        ("K2", "K2"),
    ]
    assert list(Episode.objects.filter(child=child).values_list("is_move", flat=True)) == [
        False,
        True,
        False,
    ]
    assert set(Episode.objects.values_list("period_of_care", flat=True)) == {period.pk}

    assert care_histories_derive(la=la) == {
        "periods_written": 0,
        "placements_written": 0,
        "episodes_updated": 0,
    }
