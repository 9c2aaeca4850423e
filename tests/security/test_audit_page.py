"""The superusers' audit page (filters, never editable) and the history of reference data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from organisations.models import AuditEvent
from organisations.services import audit_record
from scorecards.models import Target
from tests.security.conftest import ADMIN_ROLE, COMMITTEE, MANAGER, SUPERUSER

A = AuditEvent.Action
pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(cast):
    """Three events on two days: a child page, an export, a role change."""
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start, tick=False):
        audit_record(user=cast.users[MANAGER], la=cast.la, action=A.CHILD_VIEW,
                     object_type="Child", object_id="1", n_children=1)  # fmt: skip
    with time_machine.travel(start + timedelta(days=2), tick=False):
        audit_record(user=cast.users[ADMIN_ROLE], la=cast.la, action=A.WORKLIST_EXPORT,
                     object_type="Team", object_id="T10", n_children=7)  # fmt: skip
        audit_record(user=cast.users[SUPERUSER], action=A.ROLE_CHANGE, object_type="User",
                     object_id="5", detail={"role": "Admin", "change": "granted"})  # fmt: skip
    return start


def _rows(response) -> int:
    return response.content.decode().count("data-event=")


def test_a_superuser_sees_every_event_newest_first(client, cast, logged):
    client.force_login(cast.users[SUPERUSER])
    response = client.get("/audit/")

    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index("<tbody") :]  # the rows, not the filter's options
    assert _rows(response) == 3
    assert (
        html.index("Role changed")
        < html.index("Worklist exported")
        < html.index("Child detail viewed")
    )
    assert "role: Admin" in html


@pytest.mark.parametrize(
    "query, expected",
    [
        (f"action={A.CHILD_VIEW.value}", 1),
        ("user=admin", 1),
        ("object_type=Team", 1),
        ("la=__LA__", 2),
        ("on_or_after=__TWO_DAYS_AGO__", 2),
        ("on_or_before=__TWO_DAYS_AGO__", 1),
    ],
)
def test_the_filters(client, cast, logged, query, expected):
    two_days_ago = (timezone.localtime(logged) + timedelta(days=1)).date().isoformat()
    query = query.replace("__LA__", str(cast.la.pk)).replace("__TWO_DAYS_AGO__", two_days_ago)
    client.force_login(cast.users[SUPERUSER])
    assert _rows(client.get(f"/audit/?{query}")) == expected


def test_a_bad_filter_value_shows_everything_and_the_error(client, cast, logged):
    client.force_login(cast.users[SUPERUSER])
    response = client.get("/audit/?on_or_after=yesterday")
    assert _rows(response) == 3
    assert "Enter a valid date" in response.content.decode()


@pytest.mark.parametrize("role", [MANAGER, ADMIN_ROLE, COMMITTEE])
def test_nobody_else_sees_it(client, cast, role):
    client.force_login(cast.users[role])
    assert client.get("/audit/").status_code == 403


def test_events_are_never_editable_in_the_admin(client, cast, logged):
    client.force_login(cast.users[SUPERUSER])
    event = AuditEvent.objects.first()
    assert client.get("/admin/organisations/auditevent/add/").status_code == 403
    assert client.post(f"/admin/organisations/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.count() == 3


def test_an_admins_change_to_a_target_keeps_its_history(client, cast):
    target = Target.objects.create(
        la=cast.la, indicator="reviews_on_time", financial_year=2024, target=Decimal("98")
    )
    client.force_login(cast.users[ADMIN_ROLE])
    response = client.post(
        f"/admin/scorecards/target/{target.pk}/change/",
        {"la": str(cast.la.pk), "indicator": "reviews_on_time", "financial_year": "2024",
         "target": "97.50", "tolerance": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]

    latest, first = target.history.order_by("-history_id")[:2]
    assert (first.history_type, latest.history_type) == ("+", "~")
    assert latest.history_user == cast.users[ADMIN_ROLE]
    delta = latest.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("target", Decimal("98.00"), Decimal("97.50"))
    ]

    client.force_login(cast.users[SUPERUSER])
    listing = client.get("/admin/scorecards/historicaltarget/").content.decode()
    assert "target: 98.00 → 97.50" in listing
    assert "admin" in listing
