"""Database constraints that keep re-imports idempotent and dates coherent.

The constraints live in the database, so each test writes with the ORM and expects the
database itself to refuse (``IntegrityError``), inside a savepoint so the test can go on.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from children.models import Child, Episode
from organisations.models import Allocation, AllocationRole, LocalAuthority
from reviews.models import Review
from scorecards.models import Snapshot

pytestmark = pytest.mark.django_db


def cambridgeshire() -> LocalAuthority:
    la, _ = LocalAuthority.objects.get_or_create(
        code="873", defaults={"ons_code": "E10000003", "name": "Cambridgeshire"}
    )
    return la


def peterborough() -> LocalAuthority:
    la, _ = LocalAuthority.objects.get_or_create(
        code="874", defaults={"ons_code": "E06000031", "name": "Peterborough"}
    )
    return la


def make_child(la: LocalAuthority, child_id: str = "C0001") -> Child:
    return Child.objects.create(la=la, child_id=child_id, sex="F", dob=dt.date(2012, 5, 17))


def make_episode(child: Child, **fields) -> Episode:
    values = {"decom": dt.date(2023, 4, 3), "rne": "S", "ls": "C2", "place": "U4"} | fields
    return Episode.objects.create(la=child.la, child=child, **values)


def test_a_second_episode_for_the_same_child_and_decom_is_rejected():
    child = make_child(cambridgeshire())
    make_episode(child, decom=dt.date(2023, 4, 3))

    with pytest.raises(IntegrityError), transaction.atomic():
        make_episode(child, decom=dt.date(2023, 4, 3), place="R1")

    assert Episode.objects.filter(child=child).count() == 1


def test_episodes_of_one_child_with_different_decoms_are_kept():
    child = make_child(cambridgeshire())
    make_episode(child, decom=dt.date(2023, 4, 3), dec=dt.date(2023, 9, 1), rec="X1")
    make_episode(child, decom=dt.date(2023, 9, 1), rne="P", place="U1")

    assert Episode.objects.filter(child=child).count() == 2


def test_an_episode_ending_before_it_starts_is_rejected():
    child = make_child(cambridgeshire())

    with pytest.raises(IntegrityError), transaction.atomic():
        make_episode(child, decom=dt.date(2023, 4, 3), dec=dt.date(2023, 4, 2), rec="E11")

    assert not Episode.objects.filter(child=child).exists()


def test_an_episode_ending_on_the_day_it_starts_is_allowed():
    child = make_child(cambridgeshire())

    episode = make_episode(child, decom=dt.date(2023, 4, 3), dec=dt.date(2023, 4, 3), rec="E11")

    assert episode.pk is not None


def test_an_allocation_ending_before_it_starts_is_rejected():
    la = cambridgeshire()
    child = make_child(la)

    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            la=la,
            involvement_id="INV1",
            child=child,
            role=AllocationRole.ALLOCATED_SW,
            start_date=dt.date(2024, 1, 10),
            end_date=dt.date(2024, 1, 9),
        )


def test_a_child_id_is_unique_within_an_authority_but_not_across_authorities():
    make_child(cambridgeshire(), "C0001")
    other = make_child(peterborough(), "C0001")

    assert other.pk is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        make_child(cambridgeshire(), "C0001")


def test_two_903_reviews_on_one_date_are_rejected_but_ssd_reviews_are_keyed_by_their_id():
    la = cambridgeshire()
    child = make_child(la)
    on_the_day = {"la": la, "child": child, "review_date": dt.date(2024, 2, 1)}
    Review.objects.create(source="903", **on_the_day)
    Review.objects.create(source="ssd", ssd_review_id="R1", **on_the_day)
    Review.objects.create(source="ssd", ssd_review_id="R2", **on_the_day)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(source="903", **on_the_day)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(source="ssd", ssd_review_id="R1", **on_the_day)

    assert Review.objects.filter(child=child).count() == 3


def test_only_one_snapshot_per_authority_and_month_is_current():
    la = cambridgeshire()
    month = dt.date(2024, 3, 1)
    computed_at = dt.datetime(2024, 4, 1, 6, 0, tzinfo=dt.UTC)
    common = {"la": la, "month": month, "as_of": dt.date(2024, 3, 31), "computed_at": computed_at}
    Snapshot.objects.create(version=1, is_current=True, **common)
    Snapshot.objects.create(version=2, is_current=False, **common)

    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(version=3, is_current=True, **common)
