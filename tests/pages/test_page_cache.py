"""The page cache (``scorecards/page_cache.py``): a repeat view reads no snapshot cells,
and whatever the page shows is part of the key, so a change shows at once.

The cache is on here (the suite turns it off elsewhere); with ``REDIS_URL`` it is Redis.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import FeedStatus
from scorecards.models import Snapshot, SnapshotCell, Target
from scorecards.page_cache import page_cache_key
from scorecards.publication import commentary_save
from tests.pages.conftest import MARCH, MARCH_CELLS, page_text

DASHBOARD = "/la/873/dashboard/2024-03/"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.SCORECARD_PAGE_CACHE_SECONDS = 60


def get(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def reads_cells(sqls: list[str]) -> bool:
    return any("scorecards_snapshotcell" in sql for sql in sqls)


@pytest.mark.parametrize("page", ["scorecard", "dashboard", "demographics"])
def test_a_repeat_view_shows_the_same_page_without_reading_the_figures(la, committee_client, page):
    url = f"/la/873/{page}/2024-03/"
    first, first_sqls = get(committee_client, url)
    second, second_sqls = get(committee_client, url)
    assert reads_cells(first_sqls)
    assert not reads_cells(second_sqls)
    assert len(second_sqls) < len(first_sqls)
    assert page_text(second) == page_text(first)


def test_a_new_snapshot_version_shows_at_once(la, committee_client):
    before, _ = get(committee_client, DASHBOARD)
    assert "657" in page_text(before)
    old = Snapshot.objects.get(la=la, month=MARCH, is_current=True)
    old.is_current = False
    old.save()
    newer = Snapshot.objects.create(
        la=la, month=MARCH, version=2, is_current=True, as_of=old.as_of,
        computed_at=old.computed_at,  # the version number alone must tell them apart
    )  # fmt: skip
    SnapshotCell.objects.bulk_create(
        SnapshotCell(snapshot=newer, indicator=indicator, period=period, data=data)
        for indicator, periods in {**MARCH_CELLS, "cla_count": {"at_e": {"value": 702}}}.items()
        for period, data in periods.items()
    )
    after, sqls = get(committee_client, DASHBOARD)
    assert reads_cells(sqls)
    assert "702" in page_text(after)


def test_a_target_change_or_the_small_number_setting_changes_the_key(la):
    snapshot = Snapshot.objects.get(la=la, month=MARCH, is_current=True)
    keys = {page_cache_key(page="scorecard", la=la, snapshot=snapshot)}
    Target.objects.create(la=la, indicator="reviews_on_time", financial_year=2023, target="99")
    keys.add(page_cache_key(page="scorecard", la=la, snapshot=snapshot))
    la.small_number_suppression = not la.small_number_suppression
    la.save()
    keys.add(page_cache_key(page="scorecard", la=la, snapshot=snapshot))
    assert len(keys) == 3


def test_with_suppression_on_an_earlier_months_new_version_changes_the_key(la):
    """What March withholds depends on February (a year to date less last month's), so a
    recompute of February alone must not leave March's page cached."""
    la.small_number_suppression = True
    la.save()
    march = Snapshot.objects.get(la=la, month=MARCH, is_current=True)
    before = page_cache_key(page="scorecard", la=la, snapshot=march)
    Snapshot.objects.filter(la=la, month=dt.date(2024, 2, 1)).update(version=2)
    assert page_cache_key(page="scorecard", la=la, snapshot=march) != before


def test_commentary_shows_at_once(la, committee_lead, committee_client):
    get(committee_client, DASHBOARD)
    commentary_save(
        la=la, month=MARCH, section="health", text="Dental checks recovered.",
        acting_user=committee_lead,
    )  # fmt: skip
    after, _ = get(committee_client, DASHBOARD)
    assert "Dental checks recovered." in page_text(after)


def test_edit_links_are_never_served_to_a_reader_who_may_not_comment(
    la, committee_client, team_manager, client
):
    lead_view, _ = get(committee_client, DASHBOARD)
    assert "Write commentary" in lead_view
    client.force_login(team_manager)
    manager_view, sqls = get(client, DASHBOARD)
    assert not reads_cells(sqls)  # the built page is shared; only its HTML differs
    assert "Write commentary" not in manager_view


def test_the_feeds_line_is_read_fresh(la, committee_client):
    get(committee_client, DASHBOARD)
    FeedStatus.objects.filter(la=la, feed="ssda903:Header").update(as_at=dt.date(2023, 12, 31))
    after, _ = get(committee_client, DASHBOARD)
    assert "stale" in page_text(after).lower()
