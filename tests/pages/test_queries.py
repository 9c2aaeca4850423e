"""Query budgets: a page reads the month and its financial year in a fixed handful of
queries, however many months, indicators or sections there are (``style.md`` §13).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pages.conftest import MARCH_CELLS, snapshot_make

PAGES = ("scorecard", "dashboard", "demographics")
#: The figures, plus (scorecard and dashboard) the reader's rights, the month's commentary and
#: its publication status (issue 9).
BUDGET = 15


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_and_workbook_within_budget(
    la, committee_client, django_assert_max_num_queries, page
):
    with django_assert_max_num_queries(BUDGET):
        assert committee_client.get(f"/la/873/{page}/2024-03/").status_code == 200
    with django_assert_max_num_queries(BUDGET + 1):  # + the audit row
        assert committee_client.get(f"/la/873/{page}/2024-03/{page}.xlsx").status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_months_of_the_year(la, committee_client, page):
    url = f"/la/873/{page}/2024-03/"
    before = queries(committee_client, url)
    for month in range(4, 13):  # April..December 2023, every indicator filled
        snapshot_make(la, dt.date(2023, month, 1), MARCH_CELLS)
    snapshot_make(la, dt.date(2024, 1, 1), MARCH_CELLS)
    assert queries(committee_client, url) == before
