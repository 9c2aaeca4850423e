"""The weekly digest: one e-mail per team manager with their counts and a link, no names."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reviews.services import worklist_digests_send
from reviews.tasks import worklist_digest_task
from tests.worklists.conftest import looked_after_child


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://scorecards.example.org"


@pytest.fixture
def children(world):
    a = looked_after_child(world, "C1", start="2024-03-01", forename="Ann", surname="One")
    b = looked_after_child(world, "C2", start="2024-02-24", team=world.team2, forename="Bea",
                           surname="Two")  # fmt: skip
    return a, b


def test_each_team_manager_gets_their_counts_and_a_link_and_no_names(world, children):
    sent = worklist_digests_send(today=date(2024, 3, 20))
    assert sent == 3  # manager1, manager2, the service manager; not admins or committee
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {
        "manager1@example.invalid",
        "manager2@example.invalid",
        "servicemanager@example.invalid",
    }
    body = by_to["manager1@example.invalid"].body
    assert "Children in Care Team 1" in body
    assert "     1  Statutory visits overdue" in body
    assert "https://scorecards.example.org/la/873/my-team/" in body
    service = by_to["servicemanager@example.invalid"].body
    assert "     2  Statutory visits overdue" in service
    for message in mail.outbox:
        text = message.subject + message.body
        for child in children:
            assert child.child_id not in text
            assert child.forename not in text and child.surname not in text


def test_managers_without_an_address_or_inactive_get_nothing(world, children):
    world.manager2.email = ""
    world.manager2.save()
    world.service_manager.is_active = False
    world.service_manager.save()
    assert worklist_digests_send(today=date(2024, 3, 20)) == 1
    assert mail.outbox[0].to == ["manager1@example.invalid"]


def test_the_task_and_the_command_send_the_same_digest(world, children):
    assert worklist_digest_task.delay().get() == 3
    out = StringIO()
    call_command("send_weekly_digest", "--la", "873", "--today", "2024-03-20", stdout=out)
    assert "Sent 3 digest e-mails." in out.getvalue()
    assert len(mail.outbox) == 6
    with pytest.raises(CommandError):
        call_command("send_weekly_digest", "--la", "999")


def test_the_digest_is_on_the_beat_schedule_every_monday_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worklists-weekly-digest"]
    assert entry["task"] == "reviews.tasks.worklist_digest_task"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7} and schedule.minute == {0}
