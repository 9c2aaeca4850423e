"""The demographics page (seed 004): demand, gender, ethnicity, age, legal status, reason
for becoming looked after, the entry/exit ratio.
"""

from __future__ import annotations

import pytest

from tests.pages.conftest import page_text, segments

URL = "/la/873/demographics/2024-03/"


@pytest.fixture
def html(la, committee_client) -> str:
    response = committee_client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_every_section_heading(html):
    text = page_text(html)
    for heading in (
        "Demand",
        "Gender",
        "Ethnicity",
        "Age",
        "Legal status",
        "Reason for becoming looked after",
        "Disability",
    ):
        assert heading in text


def test_breakdowns_with_shares_and_a_sentence(html):
    blocks = segments(html, "data-block")
    assert "Male 361 54.9%" in blocks["gender"]  # 361 / 657
    assert (
        "The largest group of children in care by gender is Male: 54.9% (361 children)."
        in (blocks["gender"])
    )
    assert "White 532 81.0%" in blocks["ethnicity"]  # seed 004's "White 81%"
    assert "N1 Abuse or neglect 97 70.8%" in blocks["reason_rolling6"]  # 97 / 137
    assert (
        "The most common reason for children starting care in the 6 months to 31 March 2024 is "
        "N1 Abuse or neglect: 70.8% (97 children)." in blocks["reason_rolling6"]
    )


def test_entry_exit_ratio_reads_as_seed_004(html):
    ratio = segments(html, "data-indicator")["entry_exit_ratio_6m"]
    # 97 started / 160 ceased = 0.606 → 0.6 (seed 004: "For every 0.6 children entering care,
    # one child exits care").
    assert "0.6" in ratio
    assert "0.6 children started care for every child who left care (97 started, 160 left)" in (
        ratio
    )


def test_disability_without_data_says_no_data(html):
    assert "no data" in segments(html, "data-indicator")["disability_pct"]
