"""Redis (the cache) killed: every page that reads the cache is built afresh, never a 500.

Scorecard, dashboard and demographics pages, their XLSX, the PDF, the team worklist and its
export, and a throttled API list, on a private ``redis-server`` that the test kills and
starts again: a warning is logged, and the cache is used again once Redis is back.
"""

from __future__ import annotations

import logging

import pytest
import redis
from django.urls import reverse

from config.settings import redis_cache
from operations import cache as fail_soft

pytestmark = pytest.mark.django_db

MONTH = {"code": "873", "month": "2024-03"}
PAGES = [
    reverse(f"scorecards:{name}", kwargs=MONTH)
    for name in (
        "scorecard", "dashboard", "demographics",
        "scorecard_xlsx", "dashboard_xlsx", "demographics_xlsx", "scorecard_pdf",
    )
] + ["/api/authorities/"]  # fmt: skip
WORKLISTS = [
    reverse("worklists:team", kwargs={"code": "873"}),
    reverse("worklists:export", kwargs={"code": "873", "kind": "visits_overdue", "fmt": "csv"}),
]


@pytest.fixture
def cache_on_private_redis(settings, private_redis, monkeypatch) -> redis.Redis:
    settings.CACHES = {
        "default": redis_cache(private_redis.url()),
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.SCORECARD_PAGE_CACHE_SECONDS = 60
    settings.WORKLIST_CACHE_SECONDS = 60
    monkeypatch.setattr(fail_soft, "OUTAGE_RETRY_SECONDS", 0.2)
    fail_soft._down_until.clear()
    return redis.Redis.from_url(private_redis.url())


def statuses(client_for, committee_lead, team_manager) -> dict[str, int]:
    committee = client_for(committee_lead)
    out = {url: committee.get(url).status_code for url in PAGES}
    manager = client_for(team_manager)
    out |= {url: manager.get(url).status_code for url in WORKLISTS}
    return out


def test_pages_are_built_without_the_cache_while_redis_is_down(
    la, committee_lead, team_manager, client_for, private_redis, cache_on_private_redis, caplog
):
    everything_ok = {url: 200 for url in PAGES + WORKLISTS}
    assert statuses(client_for, committee_lead, team_manager) == everything_ok
    assert cache_on_private_redis.dbsize() > 0  # built pages and worklists were cached

    private_redis.kill()
    with caplog.at_level(logging.WARNING, logger="operations.cache"):
        assert statuses(client_for, committee_lead, team_manager) == everything_ok
    warnings = [r.getMessage() for r in caplog.records if r.name == "operations.cache"]
    assert warnings and warnings[0].startswith("cache unavailable (ConnectionError on ")

    private_redis.start()  # empty, as Redis restarted without persistence is
    fail_soft._down_until.clear()
    assert statuses(client_for, committee_lead, team_manager) == everything_ok
    assert cache_on_private_redis.dbsize() > 0
