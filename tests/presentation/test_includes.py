"""Small partials: RAG badge, change arrow, key, as-at line, headline figure, trend table."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string

from .conftest import MONTHS


def text_of(html: str) -> str:
    """Visible and screen-reader text, tags removed, whitespace collapsed."""
    without_svg = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", without_svg)).strip()


def without_hidden(html: str) -> str:
    """Only what a sighted reader sees (visually hidden spans removed)."""
    return text_of(re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", html))


@pytest.mark.parametrize(
    ("rag", "label", "shape"),
    [
        ("strong", "Strong", "circle"),
        ("Acceptable", "Acceptable", "path"),
        ("POOR", "Poor", "rect"),
    ],
)
def test_rag_badge_has_symbol_shape_and_word(rag, label, shape):
    html = render_to_string("includes/_rag_badge.html", {"rag": rag})
    element = ET.fromstring(html)
    assert element.get("class") == f"cps-rag cps-rag--{label.lower()}"
    svg = element.find("svg")
    assert svg.get("aria-hidden") == "true"
    assert svg.find(shape) is not None
    assert without_hidden(html) == label
    assert text_of(html) == f"Performance against target: {label}"


@pytest.mark.parametrize("rag", [None, "", "amber", "green"])
def test_rag_badge_renders_nothing_without_a_known_rating(rag):
    assert render_to_string("includes/_rag_badge.html", {"rag": rag}).strip() == ""


def test_rag_badges_differ_without_colour():
    shapes = set()
    for rag in ("strong", "acceptable", "poor"):
        svg = ET.fromstring(render_to_string("includes/_rag_badge.html", {"rag": rag})).find("svg")
        shapes.add(tuple(child.tag for child in svg))
    assert len(shapes) == 3


@pytest.mark.parametrize(
    ("change", "label"),
    [("improved", "Improved"), ("Same", "Same"), ("deteriorated", "Deteriorated")],
)
def test_change_arrow_labels(change, label):
    html = render_to_string("includes/_change_arrow.html", {"change": change})
    element = ET.fromstring(html)
    assert element.get("class") == f"cps-change cps-change--{label.lower()}"
    assert element.find("svg").get("aria-hidden") == "true"
    assert without_hidden(html) == label
    assert text_of(html) == f"{label} since previous month"


def test_change_arrow_since_and_first_month():
    html = render_to_string(
        "includes/_change_arrow.html", {"change": "improved", "since": "since February"}
    )
    assert text_of(html) == "Improved since February"
    assert render_to_string("includes/_change_arrow.html", {"change": None}).strip() == ""


def test_key_lists_every_symbol():
    html = render_to_string("includes/_key.html", {})
    visible = without_hidden(html)
    for word in (
        "Key",
        "Change since previous month",
        "Improved",
        "Same",
        "Deteriorated",
        "Performance against target",
        "Strong",
        "Acceptable",
        "Poor",
    ):
        assert word in visible
    assert html.count("<svg") == 6
    assert 'id="cps-key-heading"' in html
    assert 'id="key-2"' in render_to_string("includes/_key.html", {"key_id": "key-2"})


def test_as_at_line_reads_like_the_issue():
    html = render_to_string(
        "includes/_as_at.html",
        {
            "as_at": dt.date(2024, 3, 31),
            "feeds": [
                {"label": "SSDA903", "imported_at": dt.date(2024, 4, 2), "stale": False},
                {"label": "visits", "imported_at": dt.date(2024, 4, 3), "stale": False},
            ],
        },
    )
    assert text_of(html) == (
        "Data as at 31 March 2024: SSDA903 imported 2 April, visits imported 3 April"
    )
    assert "stale" not in html


def test_as_at_line_marks_stale_feeds_and_other_years():
    class Feed:  # FeedStatus-like: a ``feed`` name, no label
        feed = "health"
        imported_at = dt.datetime(2023, 12, 31, 23, 30, tzinfo=dt.UTC)
        stale = True

    html = render_to_string(
        "includes/_as_at.html", {"as_at": dt.date(2024, 3, 31), "feeds": [Feed()]}
    )
    # 23:30 UTC on 31 December 2023 is still 31 December in London (GMT)
    assert (
        without_hidden(html) == "Data as at 31 March 2024: health imported 31 December 2023 stale"
    )
    assert "govuk-tag" in html


def test_as_at_line_uses_local_time_for_import_times():
    late = dt.datetime(2024, 4, 2, 23, 30, tzinfo=dt.UTC)  # 00:30 on 3 April in BST
    assert late.astimezone(ZoneInfo("Europe/London")).day == 3
    html = render_to_string(
        "includes/_as_at.html",
        {"as_at": dt.date(2024, 3, 31), "feeds": [{"label": "SSDA903", "imported_at": late}]},
    )
    assert text_of(html).endswith("SSDA903 imported 3 April")


def test_as_at_line_month_to_date_and_no_feeds():
    html = render_to_string(
        "includes/_as_at.html", {"as_at": dt.date(2024, 6, 12), "month_to_date": True}
    )
    assert text_of(html) == "Month to date: data as at 12 June 2024"


def test_figure_shows_value_out_of_target_rag_change_benchmark_sentence():
    figure = {
        "title": "% of statutory visits on time",
        "kind": "pct",
        "numerator": 461,
        "denominator": 637,
        "target": 98,
        "polarity": "higher",
        "rag": "poor",
        "change": "improved",
        "benchmark": 85.2,
        "benchmark_label": "England 2023",
        "sentence": "461 of the 637 visits due were on time.",
    }
    html = render_to_string("includes/_figure.html", {"figure": figure})
    assert (
        '<h3 class="govuk-heading-s cps-figure__title">% of statutory visits on time</h3>' in html
    )
    assert without_hidden(html) == (
        "% of statutory visits on time 72.4% 461 out of 637 Target: 98.0% or above "
        "Poor Improved England 2023: 85.2% 461 of the 637 visits due were on time."
    )
    assert "cps-figure--muted" not in html


def test_figure_heading_level_and_no_data():
    html = render_to_string(
        "includes/_figure.html",
        {
            "figure": {
                "title": "Unsuitable accommodation",
                "kind": "pct",
                "numerator": 0,
                "denominator": 0,
            },
            "heading_level": 2,
        },
    )
    assert "<h2 " in html
    assert without_hidden(html) == "Unsuitable accommodation no data"
    assert "cps-figure--muted" in html
    assert "0.0%" not in html and "100.0%" not in html


def test_figure_suppressed():
    html = render_to_string(
        "includes/_figure.html",
        {
            "figure": {
                "title": "Adopted",
                "kind": "pct",
                "numerator": 2,
                "denominator": 30,
                "suppress": True,
            }
        },
    )
    assert without_hidden(html) == "Adopted suppressed &lt;5 out of 30"
    assert "6.7%" not in html


def test_trend_table_structure(months):
    table = {
        "caption": "Population",
        "heading": "Looked after children",
        "months": months,
        "kind": "count",
        "rows": [
            {"label": "Children in care", "values": [685, 675, 681]},
            {"label": "UASC %", "kind": "pct", "values": [(66, 685), None, (67, 681)]},
        ],
    }
    html = render_to_string("includes/_trend_table.html", {"table": table})
    page = ET.fromstring(html)  # well-formed, SVG sparklines included
    assert page.get("role") == "region" and page.get("tabindex") == "0"
    assert page.find(".//caption").text == "Population"
    headers = [th for th in page.iter("th") if th.get("scope") == "col"]
    assert ["".join(th.itertext()) for th in headers] == [
        "Looked after children",
        *MONTHS,
        "Trend",
        "Average",
    ]
    body_rows = page.findall(".//tbody/tr")
    assert len(body_rows) == 2
    first = body_rows[0]
    assert first.find("th").get("scope") == "row"
    cells = ["".join(td.itertext()) for td in first.findall("td")]
    assert cells[:3] == ["685", "675", "681"]
    assert cells[3:12] == ["not yet reported"] * 9
    assert cells[-1] == "680.3"
    assert first.find(".//{http://www.w3.org/2000/svg}svg") is not None
    second = ["".join(td.itertext()) for td in body_rows[1].findall("td")]
    assert second[:3] == ["9.6%", "no data", "9.8%"]
    assert second[-1] == "9.7%"


def test_trend_table_groups_use_rowgroup_headers(months):
    table = {
        "caption": "CSE",
        "months": months,
        "kind": "count",
        "suppress": True,
        "groups": [
            {"heading": "Gender", "rows": [{"label": "Male", "values": [11, 13]}]},
            {"heading": "Age of children", "rows": [{"label": "9-12", "values": [4, 5]}]},
        ],
    }
    page = ET.fromstring(render_to_string("includes/_trend_table.html", {"table": table}))
    bodies = page.findall(".//tbody")
    assert len(bodies) == 2
    group_header = bodies[0].find("tr/th")
    assert group_header.get("scope") == "rowgroup"
    assert group_header.get("colspan") == "15"
    assert group_header.text == "Gender"
    small = ["".join(td.itertext()) for td in bodies[1].findall("tr")[1].findall("td")]
    assert small[:2] == ["<5", "5"]
    assert small[-1] == "suppressed"
    assert bodies[1].find(".//{http://www.w3.org/2000/svg}svg") is None
