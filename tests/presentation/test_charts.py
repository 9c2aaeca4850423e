"""Server-side SVG charts: valid markup, an accessible name and data table, no colour-only cues."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from scorecards.suppression import PRIMARY, SECONDARY
from scorecards.templatetags.charts import (
    render_bar_chart,
    render_grouped_bar_chart,
    render_hbar_chart,
    render_line_chart,
    render_sparkline,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]


def parse(html: str) -> ET.Element:
    """The whole figure must be well-formed XML (so the SVG is valid for WeasyPrint)."""
    return ET.fromstring(html)


def svg_of(figure: ET.Element) -> ET.Element:
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return svg


def svg_texts(svg: ET.Element) -> list[str]:
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


def table_cells(figure: ET.Element) -> list[list[str]]:
    table = figure.find(".//table")
    assert table is not None
    rows = []
    for row in table.iter("tr"):
        rows.append(["".join(cell.itertext()) for cell in row if cell.tag in ("th", "td")])
    return rows


def assert_accessible(figure: ET.Element, title: str) -> ET.Element:
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    title_element = svg.find(f"{SVG}title")
    desc_element = svg.find(f"{SVG}desc")
    assert title_element is not None and title_element.text == title
    assert desc_element is not None and desc_element.text
    labelled_by = svg.get("aria-labelledby", "").split()
    assert labelled_by == [title_element.get("id"), desc_element.get("id")]
    return svg


def test_bar_chart_is_valid_svg_with_title_desc_and_a_data_table():
    values = [70.3, 80.3, None, 0, 79.1]
    html = render_bar_chart(
        list(zip(MONTHS, values, strict=False)), title="Visits on time", kind="pct", target=98
    )
    figure = parse(html)
    svg = assert_accessible(figure, "Visits on time")
    texts = svg_texts(svg)
    # every value is written on the chart: colour is never the only cue
    for expected in ["70.3%", "80.3%", "0.0%", "79.1%", "no data", "Target: 98.0%"]:
        assert expected in texts
    for month in MONTHS[:5]:
        assert month in texts
    # the accessible table holds every value, the target included
    rows = table_cells(figure)
    assert rows[0] == ["Period", "Value"]
    assert rows[1:] == [
        ["Apr", "70.3%"],
        ["May", "80.3%"],
        ["Jun", "no data"],
        ["Jul", "0.0%"],
        ["Aug", "79.1%"],
        ["Target", "98.0%"],
    ]
    # a native <details> needs no script and prints in WeasyPrint
    details = figure.find("details")
    assert details is not None and details.find("summary") is not None
    # None gets no bar (a gap); zero gets no bar but a "0.0%" label; four bars drawn
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "cps-chart__bar"]
    assert len(bars) == 3
    assert svg.find(f".//{SVG}line[@class='cps-chart__target']") is not None
    assert "Jun: no data" in svg.find(f"{SVG}desc").text


def test_bar_chart_scales_to_the_largest_value():
    figure = parse(render_bar_chart([("a", 50), ("b", 100)], title="t"))
    bars = [r for r in svg_of(figure).iter(f"{SVG}rect") if r.get("class") == "cps-chart__bar"]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)


def test_bar_chart_large_numbers_and_many_bars_stay_readable():
    points = [(f"M{i}", 12_345_678 + i) for i in range(36)]
    figure = parse(render_bar_chart(points, title="Big"))
    svg = svg_of(figure)
    texts = svg_texts(svg)
    assert "12,345,678" in texts and "12,345,713" in texts
    # labels too wide for their slot are turned upright, with room kept for them above
    rotated = [t for t in svg.iter(f"{SVG}text") if "rotate(-90" in (t.get("transform") or "")]
    assert rotated
    for text in rotated:
        if text.get("text-anchor") == "start":  # a value reading upwards from its bar
            estimated_length = len(text.text) * float(text.get("font-size")) * 0.6
            assert float(text.get("y")) - estimated_length >= 0
    view_box = svg.get("viewBox").split()
    assert view_box == ["0", "0", svg.get("width"), svg.get("height")]


def test_bar_chart_all_empty_and_all_zero():
    empty = parse(render_bar_chart([("Apr", None), ("May", None)], title="Empty"))
    assert svg_texts(svg_of(empty)).count("no data") == 2
    zeros = parse(render_bar_chart([("Apr", 0), ("May", 0)], title="Zeros"))
    assert svg_texts(svg_of(zeros)).count("0") == 2
    assert parse(render_bar_chart([], title="Nothing")) is not None


def test_bar_chart_suppression_applies_to_counts():
    figure = parse(render_bar_chart([("Apr", 3), ("May", 12)], title="s", suppress=True))
    assert "<5" in svg_texts(svg_of(figure))
    assert ["Apr", "<5"] in table_cells(figure)
    assert "3" not in svg_texts(svg_of(figure))


def test_a_suppressed_count_draws_no_bar_whose_length_gives_it_away():
    """Two bars, 3 and 12: a bar for the 3 a quarter of the 12's height would say "3"."""
    figure = parse(render_bar_chart([("Apr", 3), ("May", 12)], title="s", suppress=True))
    bars = svg_of(figure).findall(f".//{SVG}rect")
    assert len([b for b in bars if b.get("class") == "cps-chart__bar"]) == 1
    hbar = parse(render_hbar_chart([("A", 3), ("B", 97)], title="s", suppress=True))
    assert len([b for b in svg_of(hbar).iter(f"{SVG}rect")]) == 1


def test_withheld_values_read_as_their_markers_with_no_bar():
    figure = parse(render_bar_chart([("Apr", PRIMARY), ("May", SECONDARY), ("Jun", 12)]))
    assert {"<5", "suppressed", "12"} <= set(svg_texts(svg_of(figure)))
    assert len(list(svg_of(figure).iter(f"{SVG}rect"))) == 1


def test_hbar_shares_are_of_the_published_total_and_withheld_with_it():
    """With a part withheld, shares are of the breakdown's total (given), not of the
    parts shown; a withheld total withholds every share."""
    figure = parse(render_hbar_chart([("A", PRIMARY), ("B", 60)], title="s", share=True, total=80))
    assert "60 (75.0%)" in svg_texts(svg_of(figure))
    hidden = parse(
        render_hbar_chart([("A", PRIMARY), ("B", 60)], title="s", share=True, total=SECONDARY)
    )
    assert ["B", "60", "suppressed"] in table_cells(hidden)


def test_chart_text_is_escaped():
    figure = parse(render_bar_chart([("<b>&", 1)], title='Quotes " & <tags>'))
    svg = svg_of(figure)
    assert svg.find(f"{SVG}title").text == 'Quotes " & <tags>'
    assert "<b>&" in svg_texts(svg)


def test_hbar_chart_breakdown_with_shares_and_wrapped_labels():
    breakdown = {
        "C2 Full care order": 412,
        "V2 Single period of accommodation under section 20 of the Children Act 1989": 120,
        "E1 Placement order granted": 40,
        "L1 Under police protection": 0,
        "J1 Remanded": None,
    }
    figure = parse(render_hbar_chart(breakdown, title="Legal status", share=True))
    svg = assert_accessible(figure, "Legal status")
    texts = svg_texts(svg)
    assert "412 (72.0%)" in texts  # of the 572 in the rows with data
    assert "120 (21.0%)" in texts
    assert "0 (0.0%)" in texts
    assert "no data" in texts
    assert "C2 Full care order" in texts
    # the long label wraps over more than one line rather than being cut
    assert not any(len(text) > 60 for text in texts)
    assert table_cells(figure)[1:] == [
        ["C2 Full care order", "412", "72.0%"],
        [
            "V2 Single period of accommodation under section 20 of the Children Act 1989",
            "120",
            "21.0%",
        ],
        ["E1 Placement order granted", "40", "7.0%"],
        ["L1 Under police protection", "0", "0.0%"],
        ["J1 Remanded", "no data", "no data"],
    ]


def test_hbar_chart_suppressed_count_hides_its_share():
    figure = parse(render_hbar_chart([("A", 3), ("B", 97)], title="s", share=True, suppress=True))
    assert "<5 (suppressed)" in svg_texts(svg_of(figure))
    assert ["A", "<5", "suppressed"] in table_cells(figure)


def test_grouped_bar_chart_series_differ_by_pattern_and_carry_values():
    figure = parse(
        render_grouped_bar_chart(
            MONTHS,
            [("Incidents", [43, 41, 54]), {"name": "Children", "values": [23, None, 30]}],
            title="Missing",
        )
    )
    svg = assert_accessible(figure, "Missing")
    texts = svg_texts(svg)
    for value in ["43", "41", "54", "23", "30", "no data", "Incidents", "Children"]:
        assert value in texts
    # months after the last reported one are left off
    assert "Jul" not in texts and "Jun" in texts
    fills = {r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "cps-chart__bar"}
    assert "#1d70b8" in fills
    hatch = [fill for fill in fills if fill.startswith("url(#") and fill.endswith("-hatch)")]
    assert hatch, "the second series is hatched, not only a different colour"
    pattern_ids = {p.get("id") for p in svg.iter(f"{SVG}pattern")}
    assert hatch[0][5:-1] in pattern_ids
    assert table_cells(figure) == [
        ["Period", "Incidents", "Children"],
        ["Apr", "43", "23"],
        ["May", "41", "no data"],
        ["Jun", "54", "30"],
    ]


def test_line_chart_breaks_at_missing_months_and_notes_a_non_zero_scale():
    figure = parse(
        render_line_chart(
            list(zip(MONTHS, [51.5, 50.7, None, 51.8, 52.4], strict=False)),
            title="Rate",
            kind="rate",
            alt="hidden",
        )
    )
    svg = assert_accessible(figure, "Rate")
    paths = list(svg.iter(f"{SVG}path"))
    assert len(paths) == 2  # two segments either side of the gap
    texts = svg_texts(svg)
    assert {"51.5", "50.7", "51.8", "52.4", "no data"} <= set(texts)
    assert any("scale starts at" in text for text in texts)
    # alt="hidden": a visually hidden table instead of <details>
    assert figure.find("details") is None
    table = figure.find("table")
    assert "govuk-visually-hidden" in table.get("class")
    assert ["Jun", "no data"] in table_cells(figure)


def test_line_chart_from_zero_when_asked():
    figure = parse(render_line_chart([("a", 5), ("b", 10)], title="z", scale_min=0))
    assert not any("scale starts" in text for text in svg_texts(svg_of(figure)))


def test_sparkline_is_a_small_valid_svg_with_gaps():
    svg = ET.fromstring(
        render_sparkline([1, 2, None, 4, None, 6, 7], labels=MONTHS, title="Trend: x", slots=12)
    )
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Trend: x"
    assert svg.find(f"{SVG}desc").text == "From 1 in Apr to 7 in Oct."
    assert len(list(svg.iter(f"{SVG}path"))) == 2  # Apr-May and Sep-Oct
    circles = list(svg.iter(f"{SVG}circle"))
    assert len(circles) == 2  # the lone Jul point and the latest value
    # spaced by month: seven of twelve months reach a little over half the width
    last_x = max(float(c.get("cx")) for c in circles)
    assert last_x < float(svg.get("width")) * 0.6


def test_sparkline_no_data_and_flat():
    empty = ET.fromstring(render_sparkline([None, None]))
    assert empty.find(f"{SVG}desc").text == "No data."
    flat = ET.fromstring(render_sparkline([0, 0, 0]))
    assert len(list(flat.iter(f"{SVG}path"))) == 1


def test_unknown_alt_mode_is_an_error():
    with pytest.raises(ValueError, match="alt must be one of"):
        render_bar_chart([("a", 1)], alt="tooltip")


def test_template_tags_give_each_chart_on_a_page_its_own_ids():
    template = Template(
        "{% load charts %}<div>"
        "{% bar_chart points title='Same' %}{% bar_chart points title='Same' %}"
        "{% grouped_bar_chart months series title='G' %}"
        "{% hbar_chart points title='H' %}{% line_chart points title='L' %}"
        "{% sparkline values %}</div>"
    )
    html = template.render(
        Context(
            {
                "points": [("Apr", 1), ("May", 2)],
                "months": ["Apr", "May"],
                "series": [("a", [1, 2]), ("b", [2, 1])],
                "values": [1, 2, 3],
            }
        )
    )
    page = ET.fromstring(html)
    ids = [element.get("id") for element in page.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    for svg in page.iter(f"{SVG}svg"):
        for referenced in svg.get("aria-labelledby").split():
            assert referenced in ids
    assert len(list(page.iter(f"{SVG}svg"))) == 6
