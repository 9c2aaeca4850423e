"""Links from the scorecard and dashboard figures to the children behind them (issue 10).

Admins and team managers get "List the N … behind this figure" under each figure with a
drill-down (the list is limited to their scope); committee leads get none, and the PDF
never links to a case list.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from reviews.templatetags.drilldown import drilldown_link
from scorecards.pdf import pdf_status_draft, scorecard_page_for_pdf, scorecard_pdf_html
from scorecards.selectors import snapshot_current_get
from scorecards.services import snapshots_recompute
from scorecards.suppression import PRIMARY, SECONDARY
from tests.worklists.conftest import looked_after_child, visit

TODAY = date(2024, 4, 10)
MARCH = date(2024, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def march(world):
    """Two due visits in March (one met), so visits_on_time is "1 out of 2"."""
    c1 = looked_after_child(world, "C1", start="2024-03-01")
    visit(c1, "2024-03-07")
    looked_after_child(world, "C2", start="2024-02-24", team=world.team2, worker=world.worker2)
    snapshots_recompute(la=world.la, months=[MARCH], today=TODAY)


def page(client, world, user, name: str = "scorecard") -> str:
    client.force_login(user)
    response = client.get(reverse(f"scorecards:{name}", kwargs={"code": "873", "month": MARCH}))
    assert response.status_code == 200
    return response.content.decode()


def drill_url(indicator: str, period: str) -> str:
    return reverse(
        "worklists:drilldown",
        kwargs={"code": "873", "indicator": indicator, "month": "2024-03", "period": period},
    )


@pytest.mark.parametrize("who", ["admin", "manager1"])
def test_case_readers_get_a_link_under_each_figure_with_a_list(client, world, march, who):
    html = page(client, world, getattr(world, who))
    assert f'href="{drill_url("visits_on_time", "month")}"' in html
    assert "List the 2 due visits behind this figure" in html


def test_the_link_names_its_figure_for_screen_readers(client, world, march):
    html = page(client, world, world.admin)
    start = html.index(f'href="{drill_url("visits_on_time", "month")}"')
    link = html[start : html.index("</a>", start)]
    assert "List the 2 due visits behind this figure" in link
    assert link.endswith(
        '<span class="govuk-visually-hidden">: % of statutory visits carried out on time '
        "(in the month), March 2024</span>"
    )


def test_figures_without_a_list_or_with_nothing_counted_get_no_link(client, world, march):
    html = page(client, world, world.admin)
    assert "/drilldown/cla_rate_per_10k/" not in html  # a rate: no list behind it
    assert "/drilldown/return_interviews/" not in html  # nothing ended in March: 0 counted


def test_committee_leads_get_no_link(client, world, march):
    html = page(client, world, world.committee)
    assert "/drilldown/" not in html and "behind this figure" not in html


def test_the_dashboard_links_each_row_with_a_list(client, world, march):
    html = page(client, world, world.admin, "dashboard")
    assert f'href="{drill_url("visits_on_time", "ytd")}"' in html
    assert "/drilldown/" not in page(client, world, world.committee, "dashboard")


def test_a_cached_page_never_gives_one_readers_links_to_another(client, world, march, settings):
    """The sections' HTML is cached per reader variant: the admin's links stay theirs."""
    settings.SCORECARD_PAGE_CACHE_SECONDS = 60
    cache.clear()
    try:
        assert "/drilldown/" in page(client, world, world.admin)
        assert "/drilldown/" not in page(client, world, world.committee)
        assert "/drilldown/" in page(client, world, world.admin)
    finally:
        cache.clear()


def test_the_pdf_never_links_to_a_case_list(world, march):
    snapshot = snapshot_current_get(la=world.la, month=MARCH)
    pdf_page = scorecard_page_for_pdf(la=world.la, snapshot=snapshot, commentary={})
    html = scorecard_pdf_html(
        page=pdf_page, status=pdf_status_draft(publication=None, figures_changed=False)
    )
    assert "1 out of 2" in html  # the visits figure is there, without its link
    assert "/drilldown/" not in html and "behind this figure" not in html


@pytest.mark.parametrize(
    ("indicator", "period"),
    [
        ("out_of_county_non_uasc", "at_e"),
        ("out_of_county_20_miles", "at_e"),
        ("uasc_pct", "at_e"),
        ("supervision_in_month", "month"),
    ],
)
def test_the_location_demographic_and_supervision_figures_link_their_children(
    client, world, march, indicator, period
):
    """Two children in care at 31 March, neither UASC: each of these figures counts both."""
    html = page(client, world, world.admin)
    start = html.index(f'href="{drill_url(indicator, period)}"')
    assert html[start : html.index("</a>", start)].count("List the 2 children behind this figure")


def test_a_figure_of_no_children_gets_no_link(client, world, march):
    html = page(client, world, world.admin)
    assert "/drilldown/uasc_out_of_county/" not in html  # no UASC in care: 0 counted
    assert "/drilldown/placed_in_county/" not in html  # no location recorded: 0 in county


def test_the_dashboard_links_the_disability_and_late_review_lists(client, world, march):
    """A first review (20 working days after care began) fell due in March, not held."""
    html = page(client, world, world.admin, "dashboard")
    for indicator, period in [("disability_pct", "at_e"), ("reviews_late", "month")]:
        start = html.index(f'href="{drill_url(indicator, period)}"')
        assert "behind this figure" in html[start : html.index("</a>", start)]


def test_the_demographics_page_links_the_disability_list_for_case_readers_only(
    client, world, march
):
    link = f'href="{drill_url("disability_pct", "at_e")}"'

    assert link in page(client, world, world.admin, "demographics")
    assert link not in page(client, world, world.committee, "demographics")


def test_the_scorecards_late_review_rows_link_their_lists(client, world, march):
    """The "Visits due and late reviews" table: March's late first review, in the month
    and since 1 April, each row linked to its list (and named for screen readers)."""
    html = page(client, world, world.admin)
    table = html[html.index('data-block="visits_reviews_counts"') :]
    table = table[: table.index("</table>")]
    for period, label in [("month", "Late reviews this month"),
                          ("ytd", "Late reviews since 1 April (cumulative)")]:  # fmt: skip
        start = table.index(f'href="{drill_url("reviews_late", period)}"')
        link = table[start : table.index("</a>", start)]
        assert "List the 1 review behind this figure" in link
        assert f": {label}, March 2024</span>" in link
    assert "/drilldown/" not in page(client, world, world.committee)


@pytest.mark.parametrize(
    ("count", "suppress", "text"),
    [
        (1, False, "List the 1 review behind this figure"),
        # "the review" would say 1 as surely as the number.
        (1, True, "List the reviews behind this figure"),
        (PRIMARY, True, "List the reviews behind this figure"),
        (SECONDARY, True, "List the reviews behind this figure"),
    ],
)
def test_a_withheld_count_is_not_given_away_by_its_link(count, suppress, text):
    drill = {"code": "873", "month": "2024-03", "month_label": "March 2024"}
    link = drilldown_link(drill, "reviews_late", "month", count, "Late reviews", suppress)
    assert link["text"] == text
