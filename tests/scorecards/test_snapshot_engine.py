"""Snapshot versions, atomic month writes, the kill-half-way guarantee and the query budget."""

from __future__ import annotations

import re
from datetime import date

import pytest

from scorecards import services
from scorecards.engine import la_data_load
from scorecards.indicators import INDICATORS, indicators_implemented
from scorecards.models import Snapshot, SnapshotCell
from scorecards.periods import ReportingDates
from scorecards.selectors import snapshot_cells, snapshot_current_get, snapshot_export
from scorecards.services import snapshot_cells_compute, snapshots_recompute
from tests.indicators.builders import LATER, child_make, episode_make, la_get, review_make

pytestmark = pytest.mark.django_db

MONTHS = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]

#: The ids issue 5 asks the engine to compute from the SSDA903.
SSDA903_IDS = {
    "cla_count", "cla_rate_per_10k", "cla_uasc_count", "cla_non_uasc_count", "uasc_pct",
    "cla_started", "cla_ceased", "entry_exit_ratio_6m", "legal_status_breakdown",
    "time_in_care_breakdown", "placement_type_breakdown", "age_breakdown", "gender_breakdown",
    "ethnicity_breakdown", "cin_reason_breakdown", "reviews_on_time", "reviews_late",
    "placements_3plus_12m", "placements_3plus_ytd", "long_term_stability", "missing_incidents",
    "missing_children", "adopted_pct", "adoptions", "a1_days", "a2_days", "a10_days",
    "adoption_wait_under_14m", "adoption_pipeline",
}  # fmt: skip


def _state_a(la):
    child = child_make(la, "A")
    episode_make(child, "2023-11-01", "S", "C1", "U6")
    review_make(child, "2023-11-20")
    return child


def _state_b(la):
    other = child_make(la, "B")
    episode_make(other, "2023-12-15", "S", "V2", "U4", dec="2024-02-10", rec="E4A")
    episode_make(child_make(la, "C"), "2024-02-20", "S", "C1", "K2")


def _current_cells(la) -> dict:
    return {m: snapshot_cells(snapshot=snapshot_current_get(la=la, month=m)) for m in MONTHS}


def test_every_catalogue_id_is_registered_and_the_903_ones_are_computed():
    assert len(INDICATORS) == 52
    assert {i.id for i in indicators_implemented()} >= SSDA903_IDS


def test_a_recompute_writes_one_current_version_per_month():
    la = la_get()
    _state_a(la)

    snapshots = snapshots_recompute(la=la, months=MONTHS, today=LATER)

    assert [s.version for s in snapshots] == [1, 1, 1]
    assert Snapshot.objects.filter(la=la, is_current=True).count() == 3
    cells = snapshot_cells(snapshot=snapshots[0])
    assert set(cells) == {i.id for i in indicators_implemented()}


def test_recomputing_unchanged_data_writes_nothing_new():
    la = la_get()
    _state_a(la)
    first = snapshots_recompute(la=la, months=MONTHS, today=LATER)

    again = snapshots_recompute(la=la, months=MONTHS, today=LATER)

    assert [s.pk for s in again] == [s.pk for s in first]
    assert Snapshot.objects.filter(la=la).count() == 3


def test_changed_data_makes_a_new_current_version_and_keeps_the_old_one():
    la = la_get()
    _state_a(la)
    snapshots_recompute(la=la, months=MONTHS, today=LATER)
    _state_b(la)

    snapshots_recompute(la=la, months=MONTHS, today=LATER)

    march = Snapshot.objects.filter(la=la, month=date(2024, 3, 1)).order_by("version")
    assert [(s.version, s.is_current) for s in march] == [(1, False), (2, True)]
    assert snapshot_cells(snapshot=march[0])["cla_count"]["at_e"] == {"value": 1}
    assert snapshot_cells(snapshot=march[1])["cla_count"]["at_e"] == {"value": 2}


def test_a_recompute_killed_half_way_leaves_the_previous_version_current(monkeypatch):
    la = la_get()
    _state_a(la)
    snapshots_recompute(la=la, months=MONTHS, today=LATER)
    before = _current_cells(la)
    _state_b(la)

    real_create = services._snapshot_cells_create
    calls = {"n": 0}

    def create_then_die(rows):
        calls["n"] += 1
        if calls["n"] == 2:  # February: half its cells written, then the process "dies"
            real_create(rows[: len(rows) // 2])
            raise RuntimeError("worker killed mid-write")
        real_create(rows)

    monkeypatch.setattr(services, "_snapshot_cells_create", create_then_die)
    with pytest.raises(RuntimeError, match="killed"):
        snapshots_recompute(la=la, months=MONTHS, today=LATER)

    february, march = date(2024, 2, 1), date(2024, 3, 1)
    assert snapshot_current_get(la=la, month=february).version == 1
    assert snapshot_cells(snapshot=snapshot_current_get(la=la, month=february)) == before[february]
    assert not Snapshot.objects.filter(la=la, month=february, version=2).exists()
    assert snapshot_current_get(la=la, month=march).version == 1
    february_cells = SnapshotCell.objects.filter(snapshot__la=la, snapshot__month=february)
    assert february_cells.count() == sum(len(periods) for periods in before[february].values())
    # The month finished before the kill is already the new figures.
    assert snapshot_current_get(la=la, month=date(2024, 1, 1)).version == 2

    monkeypatch.setattr(services, "_snapshot_cells_create", real_create)
    snapshots_recompute(la=la, months=MONTHS, today=LATER)

    data = la_data_load(la=la)
    clean = {
        m: snapshot_cells_compute(data=data, dates=ReportingDates.for_month(m, today=LATER))
        for m in MONTHS
    }
    assert _current_cells(la) == clean
    assert [snapshot_current_get(la=la, month=m).version for m in MONTHS] == [2, 2, 2]


def test_loading_an_authority_costs_the_same_queries_for_2_or_40_children(
    django_assert_num_queries,
):
    small, large = la_get("873"), la_get("874")
    for la, n in ((small, 2), (large, 40)):
        for i in range(n):
            child = child_make(la, f"C{i}")
            episode_make(child, "2023-01-01", "S", "C2", "U4", dec="2023-06-01", rec="X1")
            episode_make(child, "2023-06-01", "P", "C2", "U6")
            review_make(child, "2023-01-25")

    with django_assert_num_queries(26) as small_queries:
        la_data_load(la=small)
    with django_assert_num_queries(len(small_queries.captured_queries)):
        data = la_data_load(la=large)
    assert len(data.children) == 40


def test_a_future_month_is_refused():
    la = la_get()
    with pytest.raises(ValueError, match="after the current month"):
        snapshots_recompute(la=la, months=[date(2024, 5, 1)], today=date(2024, 4, 30))


def test_export_has_the_shape_of_indicators_md_section_4():
    la = la_get()
    child = _state_a(la)
    review_make(child, "2024-02-20")
    snapshots_recompute(la=la, months=MONTHS, today=LATER)

    payload = snapshot_export(la=la, month=date(2024, 2, 1))

    assert payload["la"] == "873"
    assert payload["month"] == "2024-02"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", payload["computed_at"])
    indicators = payload["indicators"]
    assert set(indicators) >= SSDA903_IDS
    assert indicators["cla_count"] == {"at_e": {"value": 1}}
    assert indicators["reviews_on_time"]["month"] == {
        "numerator": 1,
        "denominator": 1,
        "by_team": {"unallocated": [1, 1]},
        "value": 100.0,
    }
    assert indicators["a1_days"]["rolling12"] == {"sum": 0, "count": 0, "value": None}
    assert indicators["legal_status_breakdown"]["at_e"]["breakdown"]["C1"] == 1
    # Every catalogue id is computed; a casework figure with nothing due is "no data".
    assert payload["not_computed"] == []
    assert indicators["visits_on_time"]["month"]["value"] is None


def test_old_versions_beyond_the_newest_two_are_pruned():
    la = la_get()
    for i in range(5):
        episode_make(child_make(la, f"N{i}"), "2024-03-01", "S", "V2", "U6")
        snapshots_recompute(la=la, months=[date(2024, 3, 1)], today=LATER)

    versions = list(
        Snapshot.objects.filter(la=la, month=date(2024, 3, 1))
        .order_by("version")
        .values_list("version", "is_current")
    )
    assert versions == [(3, False), (4, False), (5, True)]
