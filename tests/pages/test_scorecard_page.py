"""The scorecard page of a hand-checked month (seed 000's look and sections, in order)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scorecards.models import Target
from scorecards.sections import SCORECARD_SECTIONS, SECTIONS
from tests.pages.conftest import MARCH, page_text, segments, snapshot_make

URL = "/la/873/scorecard/2024-03/"
ZERO = re.compile(r"(?<![0-9.])0\.0%")


@pytest.fixture
def html(la, committee_client) -> str:
    response = committee_client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, indicator: str, period: str) -> str:
    return segments(html, "data-indicator", "data-period")[f"{indicator}/{period}"]


def test_urls_are_named_and_stable():
    assert reverse("scorecards:scorecard", kwargs={"code": "873", "month": MARCH}) == URL
    assert reverse("scorecards:scorecard_latest", kwargs={"code": "873"}) == "/la/873/scorecard/"
    assert (
        reverse("scorecards:scorecard_xlsx", kwargs={"code": "873", "month": MARCH})
        == URL + "scorecard.xlsx"
    )


def test_every_section_heading_appears_in_seed_order(html):
    text = page_text(html)
    titles = [title or SECTIONS[key].title for key, title, _ in SCORECARD_SECTIONS]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Legal status and time in care" in titles


def test_reviews_year_to_date_reads_n_out_of_d_target_rag_change_and_sentence(html):
    text = figure(html, "reviews_on_time", "ytd")
    # 1093 / 1109 = 98.557… → 98.6%; February 997 / 1012 = 98.5% → improved.
    assert "98.6%" in text
    assert "1,093 out of 1,109" in text
    assert "Target: 98.0% or above" in text
    assert "Strong" in text
    assert "Improved" in text
    assert "since February 2024" in text
    assert (
        "98.6% of the reviews of children in care due since 1 April 2023 were held on time "
        "(1,093 out of 1,109)." in text
    )


def test_children_in_care_against_target_poor_and_deteriorated(html):
    text = figure(html, "cla_count", "at_e")
    assert "Number of children in care on the last day of March" in text
    assert "657" in text
    assert "Target: 546 or below" in text  # 657 > 546 + 54.6: poor
    assert "Poor" in text and "Deteriorated" in text  # 650 → 657, lower is better
    assert "657 children were in Cambridgeshire's care on 31 March 2024." in text


def test_homes_sentence_benchmark_and_acceptable(html):
    text = figure(html, "placements_3plus_12m", "rolling12")
    # 80 / 655 = 12.21% → 12.2%: within 5 points of the 9% target.
    assert "12.2%" in text and "80 out of 655" in text
    assert "Acceptable" in text
    assert "England (2023): 10.0%" in text
    assert (
        "12.2% of children in Cambridgeshire's care had 3 or more different homes in the "
        "last 12 months." in text
    )
    stability = figure(html, "long_term_stability", "at_e")
    assert "73.3%" in stability and "148 out of 202" in stability and "Strong" in stability
    assert "have been in their current home for two or more years" in stability


def test_days_are_whole_never_seed_001s_long_decimals(html):
    text = figure(html, "a2_days", "rolling12")
    assert "167 days" in text
    assert "167.2" not in html
    assert "Target: 120 days or below" in text
    assert "Poor" in text  # 167 > 120 + 12


def test_change_uses_polarity(html):
    # February 3400 / 20 = 170 days, March 167 days: lower is better, so improved.
    assert "Improved" in figure(html, "a2_days", "rolling12")
    # Missing children 27 → 23 (lower is better) and incidents 41 → 43.
    assert "Improved" in figure(html, "missing_children", "month")
    assert "Deteriorated" in figure(html, "missing_incidents", "month")


def test_empty_denominators_and_missing_casework_say_no_data(html):
    # 0 out of 0 return interviews: "no data", not 0% or 100%.
    rhi = figure(html, "return_interviews", "month")
    assert "no data" in rhi and not ZERO.search(rhi) and "100.0%" not in rhi
    # No cell at all (casework not imported): "no data", never 0%.
    for indicator, period in (
        ("pep_in_place", "at_e"),
        ("visits_on_time", "ytd"),
        ("iha_on_time", "ytd"),
        ("pathway_plan", "at_e"),
    ):
        text = figure(html, indicator, period)
        assert "no data" in text, indicator
        assert not ZERO.search(text), indicator
        assert "Poor" not in text and "Strong" not in text, indicator


def test_as_at_line_names_each_feed_and_marks_the_stale_one(html):
    text = page_text(html)
    assert (
        "Data as at 31 March 2024: SSDA903 imported 2 April, health imported 1 December 2023 "
        "stale" in text
    )
    assert "visits imported 3 April" in text


def test_key_to_the_symbols(html):
    text = page_text(html)
    assert "Key" in text
    assert "Change since previous month" in text and "Performance against target" in text
    for word in ("Improved", "Same", "Deteriorated", "Strong", "Acceptable", "Poor"):
        assert word in text


def test_charts_have_data_tables_and_breakdowns_their_shares(html):
    blocks = segments(html, "data-block")
    legal = blocks["legal_status"]
    assert "C2 Full care order" in legal and "400" in legal and "60.9%" in legal  # 400/657
    other = blocks["other_settings"]
    assert "S1 Residential school" in other and "71.4%" in other  # 5 of 7
    reviews = blocks["reviews_by_month"]
    assert "Feb" in reviews and "97.8%" in reviews and "99.0%" in reviews  # 88/90, 96/97
    missing = blocks["missing_by_month"]
    assert "Missing incidents" in missing and "43" in missing and "23" in missing


def test_staffing_table_caseload_and_change(html):
    staffing = segments(html, "data-block")["staffing"]
    # 385 cases / 17 workers = 22.6; no snapshot in December 2023: change "no data".
    assert "Children in care qualified social workers 17.5 20.0 22.6 no data" in staffing
    assert "Change in average caseload is from December 2023 to March 2024" in staffing


def test_staffing_rag_uses_the_caseload_target(la, committee_client):
    # 22.6 is above 21 but within 10% of it (21 + 2.1): acceptable.
    Target.objects.create(la=la, indicator="staffing", financial_year=2023, target=21)
    html = committee_client.get(URL).content.decode()
    staffing = segments(html, "data-block")["staffing"]
    assert "22.6" in staffing and "Poor" not in staffing and "Acceptable" in staffing


def test_every_block_is_on_the_page(la, committee_client, html):
    from scorecards.sections import page_build, snapshots_current

    snapshot = next(s for s in snapshots_current(la=la) if s.month == MARCH)
    page = page_build(page="scorecard", la=la, snapshot=snapshot)
    on_page = segments(html, "data-block")
    for section in page.sections:
        for key in section.blocks:
            assert key in on_page, (section.key, key)


def test_small_number_suppression(la, committee_client):
    la.small_number_suppression = True
    la.save()
    html = committee_client.get(URL).content.decode()
    blocks = segments(html, "data-block")
    # CSE age 9-12 = 3: "<5"; adoption quarter 3 out of 40: the percentage is withheld.
    assert "<5" in blocks["by_age"]
    assert "9-12 <5" in blocks["by_age"]
    adopted = figure(html, "adopted_pct", "quarter")
    assert "suppressed" in adopted and "7.5%" not in adopted and "3 out of 40" not in adopted
    assert "Small numbers: counts of 1 to 4 are shown" in page_text(html)
    # Not on: the same counts in full.
    la.small_number_suppression = False
    la.save()
    html = committee_client.get(URL).content.decode()
    assert "9-12 3" in segments(html, "data-block")["by_age"]
    assert "7.5%" in figure(html, "adopted_pct", "quarter")


def test_latest_redirects_to_the_newest_month_and_the_picker_to_its_month(la, committee_client):
    response = committee_client.get("/la/873/scorecard/")
    assert response.status_code == 302 and response["Location"] == URL
    response = committee_client.get("/la/873/scorecard/?month=2024-02")
    assert response["Location"] == "/la/873/scorecard/2024-02/"
    html = committee_client.get(URL).content.decode()
    assert '<option value="2024-02">February 2024</option>' in html
    assert '<option value="2024-03" selected>March 2024</option>' in html


def test_month_without_figures_is_404_and_no_snapshots_says_so(la, committee_client):
    assert committee_client.get("/la/873/scorecard/2023-01/").status_code == 404
    la.snapshots.all().delete()
    response = committee_client.get("/la/873/scorecard/")
    assert response.status_code == 200
    assert "There are no figures for Cambridgeshire yet" in response.content.decode()


def test_month_to_date_is_labelled(la, committee_client):
    import datetime as dt

    snapshot_make(
        la,
        dt.date(2024, 4, 1),
        {"cla_count": {"at_e": {"value": 660}}},
        month_to_date=True,
        as_of=dt.date(2024, 4, 12),
    )
    html = committee_client.get("/la/873/scorecard/2024-04/").content.decode()
    text = page_text(html)
    assert "April 2024 (month to date)" in text
    assert "Month to date: data as at 12 April 2024" in text
    assert "Number of children in care on 12 April 2024" in text


def test_navigation_and_authority_switcher(la, other_la, client_for):
    from tests.pages.conftest import user_make

    user = user_make("lead2", role="committee_lead", las=[la, other_la])
    client = client_for(user)
    html = client.get(URL).content.decode()
    assert 'href="/la/873/dashboard/2024-03/"' in html
    assert 'href="/la/873/demographics/2024-03/"' in html
    assert 'aria-current="page"' in html
    assert '<option value="874"' in html
    response = client.get("/la/switch/?la=874&page=scorecard&month=2024-03")
    assert response["Location"] == "/la/874/scorecard/?month=2024-03"
    assert client.get(response["Location"])["Location"] == "/la/874/scorecard/2024-03/"
    # An authority the user is not a member of: 404, as for one that does not exist.
    other = user_make("lead3", role="committee_lead", las=[la])
    assert client_for(other).get("/la/switch/?la=874&page=scorecard").status_code == 404
