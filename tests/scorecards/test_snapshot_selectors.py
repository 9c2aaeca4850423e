"""Figures derived on read: value, RAG, change since last month, trend, targets, benchmarks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scorecards.cells import cell_value
from scorecards.indicators import indicator_get
from scorecards.models import Benchmark, Target
from scorecards.selectors import (
    CHANGE_DETERIORATED,
    CHANGE_IMPROVED,
    CHANGE_SAME,
    CHANGE_UP,
    RAG_ACCEPTABLE,
    RAG_POOR,
    RAG_STRONG,
    TargetInfo,
    change_status,
    rag_status,
    scorecard_rows,
    targets_for_year,
)
from scorecards.services import snapshots_recompute
from tests.indicators.builders import LATER, child_make, episode_make, la_get

REVIEWS = indicator_get("reviews_on_time")  # percent, higher is better, target 98
CLA = indicator_get("cla_count")  # count, lower is better, target 546
A1 = indicator_get("a1_days")  # days, lower is better, target 426


def test_values_are_derived_to_one_decimal_and_zero_denominators_are_no_data():
    assert cell_value("percent", {"numerator": 96, "denominator": 97}) == Decimal("99.0")
    assert cell_value("percent", {"numerator": 1093, "denominator": 1109}) == Decimal("98.6")
    assert cell_value("percent", {"numerator": 0, "denominator": 0}) is None
    assert cell_value("rate", {"numerator": 685, "denominator": 133_000}) == Decimal("51.5")
    assert cell_value("rate", {"numerator": 685, "denominator": None}) is None
    assert cell_value("ratio", {"numerator": 3, "denominator": 5}) == Decimal("0.6")
    assert cell_value("days", {"sum": 10479, "count": 21}) == Decimal("499.0")
    assert cell_value("days", {"sum": 0, "count": 0}) is None
    assert cell_value("count", {"value": 657}) == Decimal(657)


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        (REVIEWS, Decimal("98.0"), RAG_STRONG),  # "above 98%" is met at exactly 98%
        (REVIEWS, Decimal("97.96"), RAG_STRONG),  # printed as 98.0%
        (REVIEWS, Decimal("93.0"), RAG_ACCEPTABLE),  # within 5 points
        (REVIEWS, Decimal("92.9"), RAG_POOR),
        (CLA, Decimal(546), RAG_STRONG),  # "below 546" is met at exactly 546
        (CLA, Decimal(600), RAG_ACCEPTABLE),  # 10% of 546 = 54.6 → up to 600.6
        (CLA, Decimal(601), RAG_POOR),
        (A1, Decimal("468.5"), RAG_POOR),  # whole days: 469 > 426 + 42.6
        (A1, Decimal("468.4"), RAG_ACCEPTABLE),
    ],
)
def test_rag_against_the_default_targets(indicator, value, expected):
    target = TargetInfo(
        indicator.default_target,
        Decimal(5) if indicator.unit == "percent" else indicator.default_target / 10,
        is_default=True,
    )
    assert rag_status(indicator=indicator, value=value, target=target) == expected


def test_no_target_or_no_value_gives_no_rag():
    assert rag_status(indicator=indicator_get("uasc_pct"), value=Decimal(9), target=None) is None
    target = TargetInfo(Decimal(98), Decimal(5), True)
    assert rag_status(indicator=REVIEWS, value=None, target=target) is None


@pytest.mark.parametrize(
    ("indicator", "value", "previous", "expected"),
    [
        (REVIEWS, Decimal("97.34"), Decimal("97.26"), CHANGE_SAME),  # both print 97.3%
        (REVIEWS, Decimal("97.4"), Decimal("97.3"), CHANGE_IMPROVED),
        (REVIEWS, Decimal("95.0"), Decimal("97.3"), CHANGE_DETERIORATED),
        (CLA, Decimal(650), Decimal(657), CHANGE_IMPROVED),  # lower is better
        (CLA, Decimal(660), Decimal(657), CHANGE_DETERIORATED),
        (indicator_get("uasc_pct"), Decimal("10.0"), Decimal("9.6"), CHANGE_UP),
        (REVIEWS, Decimal("97.0"), None, None),  # first month of data
    ],
)
def test_change_since_previous_month_by_polarity(indicator, value, previous, expected):
    assert change_status(indicator=indicator, value=value, previous=previous) == expected


@pytest.mark.django_db
def test_an_authoritys_own_target_and_tolerance_win_over_the_default():
    la = la_get()
    Target.objects.create(
        la=la, indicator="reviews_on_time", financial_year=2023, target=Decimal(95)
    )
    Target.objects.create(
        la=la,
        indicator="placements_3plus_12m",
        financial_year=2023,
        target=Decimal(8),
        tolerance=Decimal(1),
    )

    targets = targets_for_year(la=la, financial_year=2023)

    assert targets["reviews_on_time"] == TargetInfo(Decimal(95), Decimal(5), is_default=False)
    assert targets["placements_3plus_12m"] == TargetInfo(Decimal(8), Decimal(1), False)
    assert targets["cla_count"] == TargetInfo(Decimal(546), Decimal("54.6"), True)
    assert targets_for_year(la=la, financial_year=2024)["reviews_on_time"].is_default


@pytest.mark.django_db
def test_scorecard_rows_trend_average_change_and_benchmark(django_assert_max_num_queries):
    la = la_get()
    # One child in care from April 2023, a second from June: cla_count 1, 1, 2, 2 …
    episode_make(child_make(la, "A"), "2023-04-01", "S", "C2", "U4")
    episode_make(child_make(la, "B"), "2023-06-15", "S", "C2", "U4")
    months = [date(2023, m, 1) for m in (4, 5, 6, 7)]
    snapshots_recompute(la=la, months=months, today=LATER)
    Benchmark.objects.create(
        indicator="cla_count", year=2023, scope="england", value=Decimal(83840), source="DfE"
    )
    Benchmark.objects.create(
        indicator="cla_count", year=2022, scope="england", value=Decimal(82080), source="DfE"
    )

    with django_assert_max_num_queries(5):
        rows = scorecard_rows(la=la, month=date(2023, 6, 1))

    row = next(r for r in rows if r.indicator.id == "cla_count")
    assert row.value == Decimal(2)
    assert row.change == CHANGE_DETERIORATED  # 1 → 2, lower is better
    assert row.rag == RAG_STRONG  # 2 ≤ 546
    assert [p.value for p in row.trend[:4]] == [Decimal(1), Decimal(1), Decimal(2), None]
    assert all(p.value is None for p in row.trend[3:])  # July is after the month shown
    assert row.trend_average == Decimal("1.3")
    assert [(b.scope, b.year, b.value) for b in row.benchmarks] == [
        ("england", 2023, Decimal(83840))
    ]
    no_adoptions = next(r for r in rows if r.indicator.id == "a1_days")
    assert no_adoptions.no_data and no_adoptions.rag is None and no_adoptions.change is None
    first = scorecard_rows(la=la, month=date(2023, 4, 1))
    assert next(r for r in first if r.indicator.id == "cla_count").change is None
