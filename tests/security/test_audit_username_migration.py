"""The migration that keeps user names on audit rows fills in the rows already written."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from organisations.models import AuditEvent

MIGRATION = importlib.import_module(
    "organisations.migrations.0007_auditevent_username_user_protected"
)


@pytest.mark.django_db
def test_existing_rows_get_the_name_of_the_user_they_name():
    alice = get_user_model().objects.create_user("alice")
    AuditEvent.objects.create(user=alice, action=100, object_type="Child", object_id="1")
    AuditEvent.objects.create(user=None, action=210, object_type="RecomputeRun")
    AuditEvent.objects.update(username="")  # as the rows were before the migration

    MIGRATION.usernames_backfill(apps, None)

    rows = AuditEvent.objects.order_by("pk").values_list("username", flat=True)
    assert list(rows) == ["alice", ""]
