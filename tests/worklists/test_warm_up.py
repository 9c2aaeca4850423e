"""The worklist cache warm-up (issue 10: "fast"): after an import commits, after a
recompute and on the beat's schedule from early morning, today's lists of every team are
built in the worker, so a team manager's first view of the day is a cache read.

"Served from the cache" is shown the way a reader would notice it: a visit recorded after
the warm-up (an edit outside any import, which changes no cache key) does not show yet.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from imports.models import ImportBatch
from imports.tasks import import_batch_run
from organisations.models import Membership
from reviews.selectors import (
    worklist_cache_key,
    worklist_team_choice_get,
    worklist_team_choices,
    worklist_warm_up_choices,
)
from reviews.services import worklists_warm
from reviews.tasks import worklists_warm_task
from scorecards.tasks import recompute_snapshots_task
from tests.worklists.conftest import looked_after_child, visit

TODAY = date(2024, 3, 20)


@pytest.fixture(autouse=True)
def _today_and_cache(settings):
    settings.WORKLIST_CACHE_SECONDS = 60
    cache.clear()
    with time_machine.travel(TODAY, tick=False):
        yield
    cache.clear()


@pytest.fixture
def ann(world):
    """Team 1's child, her first visit (due 8 March) not made: on the overdue list."""
    return looked_after_child(world, "C1", start="2024-03-01", forename="Ann", surname="One")


def overdue_page(client, world) -> str:
    url = reverse("worklists:team", kwargs={"code": world.la.code}) + "?kind=visits_overdue"
    return client.get(url).content.decode()


def manager_key(world) -> str:
    choice = worklist_team_choice_get(user=world.manager1, la=world.la, key=None)
    return worklist_cache_key(la=world.la, choice=choice, as_of=TODAY)


def test_after_the_warm_up_a_first_view_is_served_from_the_cache(client, world, ann):
    assert not cache.has_key(manager_key(world))
    assert worklists_warm_task.delay(world.la.pk).get() == 3  # the service and its two teams
    assert cache.has_key(manager_key(world))
    visit(ann, "2024-03-08")  # recorded after the warm-up, outside any import
    client.force_login(world.manager1)
    assert "Ann One" in overdue_page(client, world)  # the lists built by the warm-up


def test_without_the_warm_up_the_first_view_reads_the_records(client, world, ann):
    visit(ann, "2024-03-08")
    client.force_login(world.manager1)
    assert "Ann One" not in overdue_page(client, world)


def test_an_import_warms_the_lists_under_the_key_its_batch_makes(client, world, ann):
    batch = ImportBatch.objects.create(la=world.la, format="ssd", dry_run=True)
    import_batch_run.delay(batch.pk).get()  # nothing to read: rejected, but a new batch
    assert cache.has_key(manager_key(world))
    visit(ann, "2024-03-08")
    client.force_login(world.manager1)
    assert "Ann One" in overdue_page(client, world)


def test_a_recompute_warms_the_lists_under_the_key_its_snapshots_make(client, world, ann):
    before = manager_key(world)
    assert recompute_snapshots_task.delay(world.la.pk, "2024-03-01").get() == "done"
    assert manager_key(world) != before  # new snapshots: a new key ...
    assert cache.has_key(manager_key(world))  # ... already filled
    visit(ann, "2024-03-08")
    client.force_login(world.manager1)
    assert "Ann One" in overdue_page(client, world)


def test_the_warm_up_builds_each_team_once_unless_forced(world, ann):
    assert worklists_warm(la=world.la) == 3
    assert worklists_warm(la=world.la) == 0  # the import's and the recompute's runs
    assert worklists_warm(la=world.la, force=True) == 3  # the beat's runs


def test_the_warm_up_covers_every_pick_a_member_lands_on(world):
    """Every team, and a manager's several teams together ("My teams")."""
    both = Membership.objects.get(user=world.manager1, la=world.la)
    both.teams.set([world.team1, world.team2])
    warmed = {c.key for c in worklist_warm_up_choices(la=world.la)}
    assert warmed == {"T00", "T10", "T11", "T10+T11"}
    landing = worklist_team_choices(user=world.manager1, la=world.la)[0]
    assert landing.key == "T10+T11"


def test_nothing_is_built_with_the_cache_off(world, ann, settings):
    settings.WORKLIST_CACHE_SECONDS = 0
    assert worklists_warm(la=world.la) == 0


def test_the_warm_up_is_on_the_beat_schedule_from_early_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worklists-warm-up"]
    assert entry["task"] == "reviews.tasks.worklists_warm_task"
    assert entry["kwargs"] == {"force": True}
    schedule = entry["schedule"]
    assert schedule.hour == set(range(6, 20))  # from 06:00, before managers arrive
    # Every 10 minutes: rebuilt before the default 15-minute cache lets a team go cold.
    assert schedule.minute == {0, 10, 20, 30, 40, 50}
