"""The migration that keeps user names on audit rows fills in the rows already written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("organisations", "0004_reference_history")]
AFTER = [("organisations", "0005_auditevent_username_user_protected")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_rows_get_the_name_of_the_user_they_name():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    AuditEvent = old.get_model("organisations", "AuditEvent")
    alice = User.objects.create(username="alice")
    AuditEvent.objects.create(user=alice, action=100, object_type="Child", object_id="1")
    AuditEvent.objects.create(user=None, action=210, object_type="RecomputeRun")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("organisations", "AuditEvent").objects.order_by("pk")
    assert list(rows.values_list("username", flat=True)) == ["alice", ""]
