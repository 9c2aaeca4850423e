"""The dashboard (seed 003): per section a trend table April..March with sparkline and
average, then the commentary slot and the notes on data and definitions.
"""

from __future__ import annotations

import pytest

from scorecards.indicators import sections_ordered
from tests.pages.conftest import page_text, segments

URL = "/la/873/dashboard/2024-03/"


@pytest.fixture
def html(la, committee_client) -> str:
    response = committee_client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_every_registry_section_in_order(html):
    text = page_text(html)
    positions = [text.index(section.title) for section in sections_ordered()]
    assert positions == sorted(positions)


def test_trend_rows_run_april_to_march_with_the_average_of_months_with_data(html):
    headline = segments(html, "data-block")["indicators"]
    assert "Headline figures: April 2023 to March 2024" in headline
    # Only February (650) and March (657) have snapshots: the rest read "no data", and
    # the average is of the two months with data, (650 + 657) / 2 = 653.5.
    row = "Number of children in care on the last day of the month" + " no data" * 10 + " 650 657"
    assert row in headline
    assert "653.5" in headline.split(row, 1)[1]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="cps-sparkline"' in html


def test_percentage_rows_and_cumulative_rows(html):
    text = page_text(html)
    row = "% of reviews of children in care held on time (year to date)" + " no data" * 10
    assert f"{row} 98.5% 98.6%" in text
    assert "Cumulative late reviews (year to date)" in text
    assert "Late reviews this month" in text


def test_exploitation_grouped_by_gender_and_age_as_seed_003(html):
    cse = segments(html, "data-block")["cse_risk_at_e"]
    assert "Gender" in cse and "Age of children" in cse
    assert "Male" + " no data" * 10 + " 13 11" in cse


def test_each_section_has_a_commentary_slot_and_its_notes(html):
    commentary = segments(html, "data-commentary")
    assert set(commentary) == {section.key for section in sections_ordered()}
    assert all(text == "Commentary No commentary yet." for text in commentary.values())
    text = page_text(html)
    assert text.count("Notes on data and definitions") == len(sections_ordered())
    # The registry's notes (headline) and each figure's definition.
    assert "A child whose care ended on that day is not counted." in text
    assert "Definition of each figure" in text


def test_a_month_early_in_the_year_leaves_later_months_blank(la, committee_client):
    html = committee_client.get("/la/873/dashboard/2024-02/").content.decode()
    headline = segments(html, "data-block")["indicators"]
    assert "no data 650 not yet reported" in headline
