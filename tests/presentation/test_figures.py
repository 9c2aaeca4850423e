"""Formatting filters: indicators.md §1 (one decimal, "n out of d", "no data") and roles.md "<5"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from scorecards.templatetags.figures import (
    NO_DATA,
    count,
    days,
    figure_texts,
    format_figure,
    mean_of_months,
    n_out_of_d,
    pct,
    rate,
    ratio,
    signed_change,
    suppress,
    trend_cells,
    trend_row,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (72.4, "72.4%"),
        (72.35, "72.4%"),  # half up, not half even (round() would give 72.3 via float)
        (72.25, "72.3%"),  # half even would give 72.2
        (72.349, "72.3%"),
        (Decimal("99.95"), "100.0%"),
        (0, "0.0%"),
        (100, "100.0%"),
        (-0.04, "0.0%"),  # never "-0.0%"
        (None, NO_DATA),
        ("", NO_DATA),
        (float("nan"), NO_DATA),
    ],
)
def test_pct_rounds_half_up_to_one_decimal(value, expected):
    assert pct(value) == expected


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ((461, 637), "72.4%"),
        ((1093, 1109), "98.6%"),
        ((1447, 2000), "72.4%"),  # exactly 72.35: half up
        ((1, 3), "33.3%"),
        ((2, 3), "66.7%"),
        ((0, 5), "0.0%"),
        ((5, 5), "100.0%"),
        ((0, 0), NO_DATA),  # an empty denominator is "no data", never 0% or 100%
        ((3, 0), NO_DATA),
        ((None, 10), NO_DATA),
        ((3, None), NO_DATA),
    ],
)
def test_pct_of_a_numerator_and_denominator(pair, expected):
    assert pct(pair) == expected


def test_pct_rounds_the_exact_value_where_float_rounding_would_not():
    # 100 * 569 / 2000 is exactly 28.45; Python's round() and "%.1f" see the float
    # 28.449999... and give 28.4. UK statistics round half up: 28.5.
    assert round(100 * 569 / 2000, 1) == 28.4
    assert f"{72.35:.1f}" == "72.3"
    assert pct((569, 2000)) == "28.5%"
    assert pct(72.35) == "72.4%"


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (461, 637, "461 out of 637"),
        (0, 637, "0 out of 637"),
        (1234, 56789, "1,234 out of 56,789"),
        (0, 0, NO_DATA),
        (5, 0, NO_DATA),
        (5, None, NO_DATA),
        (None, 5, NO_DATA),
    ],
)
def test_n_out_of_d(numerator, denominator, expected):
    assert n_out_of_d(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (51.54, "51.5"),
        (51.55, "51.6"),
        ((685, 133000), "51.5"),
        ((0, 133000), "0.0"),
        ((685, 0), NO_DATA),
        (None, NO_DATA),
    ],
)
def test_rate_per_10000_one_decimal(value, expected):
    assert rate(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.64, "0.6"), (0.65, "0.7"), ((13, 21), "0.6"), ((5, 0), NO_DATA), (None, NO_DATA)],
)
def test_ratio_one_decimal(value, expected):
    assert ratio(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (167.238095238095, "167"),  # seed 001's mistake, never again
        (166.5, "167"),
        (166.49, "166"),
        (0, "0"),
        (1234.6, "1,235"),
        ((3512, 21), "167"),  # averages are stored as sum and count
        ((0, 0), NO_DATA),
        (None, NO_DATA),
    ],
)
def test_days_whole_days(value, expected):
    assert days(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1234, "1,234"),
        (1234567, "1,234,567"),
        (Decimal("1E+3"), "1,000"),
        (43.2, "43.2"),  # an average of counts keeps one decimal (seed 003)
        (43.25, "43.3"),
        (692.0, "692"),
        (-12, "-12"),
        (None, NO_DATA),
    ],
)
def test_count_thousands_separators(value, expected):
    assert count(value) == expected


@pytest.mark.parametrize(
    ("value", "enabled", "expected"),
    [
        (0, True, "0"),  # zero is not a small number: it stays 0
        (1, True, "<5"),
        (4, True, "<5"),
        (5, True, "5"),
        (1234, True, "1,234"),
        (3, False, "3"),  # suppression is off by default (roles.md)
        (None, True, NO_DATA),
    ],
)
def test_suppress_counts_one_to_four(value, enabled, expected):
    assert suppress(value, enabled) == expected


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (2.6, "number", "+2.6"),
        (-2.6, "number", "-2.6"),
        (0, "number", "0.0"),
        (-0.04, "number", "0.0"),
        (12, "count", "+12"),
        (-1234, "count", "-1,234"),
        (2.65, "pp", "+2.7 percentage points"),
        (-3.2, "days", "-3 days"),
        (None, "number", NO_DATA),
    ],
)
def test_signed_change(value, kind, expected):
    assert signed_change(value, kind) == expected


def test_filters_from_a_template():
    template = Template(
        "{% load figures %}{{ a|pct }}|{{ n|n_out_of_d:d }}|{{ z|n_out_of_d:zero }}|"
        "{{ big|count }}|{{ small|suppress:True }}|{{ avg|days }}|{% fmt r 'rate' %}"
    )
    out = template.render(
        Context(
            {
                "a": 72.35,
                "n": 461,
                "d": 637,
                "z": 0,
                "zero": 0,
                "big": 12345,
                "small": 3,
                "avg": 167.238095238095,
                "r": (685, 133000),
            }
        )
    )
    assert out == "72.4%|461 out of 637|no data|12,345|&lt;5|167|51.5"


def test_format_figure_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="Unknown figure kind"):
        format_figure(1, "percent")


def test_format_figure_suppresses_counts_only():
    assert format_figure(3, "count", suppress_small=True) == "<5"
    assert format_figure(3, "pct", suppress_small=True) == "3.0%"


def test_mean_of_months_ignores_months_without_data():
    assert mean_of_months([10, None, 20]) == Decimal(15)
    assert mean_of_months([None, None]) is None
    assert mean_of_months([]) is None


def test_trend_cells_blank_after_the_latest_reported_month():
    cells = trend_cells([5, None], ["Apr", "May", "Jun"])
    assert cells == [
        {"month": "Apr", "value": 5, "reported": True},
        {"month": "May", "value": None, "reported": True},
        {"month": "Jun", "value": None, "reported": False},
    ]


def test_trend_row_average_of_percentages_in_display_units():
    row = trend_row(
        {"label": "UASC %", "kind": "pct", "values": [(66, 685), (61, 675), None]},
        ["Apr", "May", "Jun", "Jul"],
    )
    assert [cell["text"] for cell in row["cells"]] == ["9.6%", "9.0%", NO_DATA, ""]
    # mean of 9.635... and 9.037... = 9.336...
    assert row["average"] == "9.3%"
    assert row["sparkline"] is True
    assert row["slots"] == 4


def test_trend_row_uses_a_given_average():
    row = trend_row({"label": "x", "values": [1, 2], "average": 40}, ["Apr", "May"], kind="count")
    assert row["average"] == "40"


def test_trend_row_with_suppression_hides_sparkline_and_average():
    row = trend_row(
        {"label": "9-12", "values": [4, 4, 5]},
        ["Apr", "May", "Jun"],
        kind="count",
        suppress_small=True,
    )
    assert [cell["text"] for cell in row["cells"]] == ["<5", "<5", "5"]
    assert row["sparkline"] is False
    assert row["sparkline_suppressed"] is True
    assert row["average"] == "suppressed"


def test_figure_texts_percentage_with_target_rag_change_benchmark():
    texts = figure_texts(
        {
            "title": "Visits on time",
            "kind": "pct",
            "numerator": 461,
            "denominator": 637,
            "target": 98,
            "polarity": "higher",
            "rag": "Poor",
            "change": "IMPROVED",
            "benchmark": 85.25,
            "benchmark_label": "England 2023",
        }
    )
    assert texts["value"] == "72.4%"
    assert texts["n_out_of_d"] == "461 out of 637"
    assert texts["target"] == "Target: 98.0% or above"
    assert texts["rag"] == "poor"
    assert texts["change"] == "improved"
    assert texts["benchmark"] == "England 2023: 85.3%"
    assert texts["no_data"] is False


def test_figure_texts_empty_denominator_reads_no_data_once():
    texts = figure_texts(
        {"kind": "pct", "numerator": 0, "denominator": 0, "target": 9, "polarity": "lower"}
    )
    assert texts["value"] == NO_DATA
    assert texts["n_out_of_d"] == ""
    assert texts["target"] == "Target: 9.0% or below"
    assert texts["no_data"] is True


def test_figure_texts_days_and_count_targets():
    texts = figure_texts({"kind": "days", "value": (3512, 21), "target": 120, "polarity": "lower"})
    assert texts["value"] == "167 days"
    assert texts["target"] == "Target: 120 days or below"
    texts = figure_texts({"kind": "count", "value": 657, "target": 546})
    assert texts["value"] == "657"
    assert texts["target"] == "Target: 546"


def test_figure_texts_suppression_withholds_a_percentage_of_a_small_number():
    texts = figure_texts({"kind": "pct", "numerator": 3, "denominator": 41, "suppress": True})
    assert texts["value"] == "suppressed"
    assert texts["n_out_of_d"] == "<5 out of 41"
    assert texts["withheld"] is True
    unsuppressed = figure_texts({"kind": "pct", "numerator": 3, "denominator": 41})
    assert unsuppressed["value"] == "7.3%"
    assert unsuppressed["n_out_of_d"] == "3 out of 41"


def test_figure_texts_unknown_rag_and_change_are_dropped():
    texts = figure_texts({"kind": "count", "value": 1, "rag": "amber", "change": "up"})
    assert texts["rag"] is None
    assert texts["change"] is None


def test_figure_texts_reads_objects_as_well_as_dicts():
    class Figure:
        kind = "pct"
        numerator = 1
        denominator = 4
        title = "A quarter"

    texts = figure_texts(Figure())
    assert texts["value"] == "25.0%"
    assert texts["title"] == "A quarter"
