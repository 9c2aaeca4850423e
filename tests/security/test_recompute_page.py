"""The "Recompute figures" button on the import history page (``roles.md``: admins trigger a
recompute; it is audited).

The POST queues the authority's recompute (the Celery task, eager here as in the demo),
writes the access event in the same transaction and says so on the history page. Team
managers and committee leads of the authority get 403, a user of another authority 404.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from organisations.models import AuditEvent
from scorecards.models import RecomputeRun, Snapshot
from scorecards.periods import financial_year_start, month_first
from tests.security.conftest import ADMIN_ROLE, COMMITTEE, MANAGER, OUTSIDER, SUPERUSER

pytestmark = pytest.mark.django_db

URL = "/imports/recompute/873/"


def this_month() -> str:
    return month_first(timezone.localdate()).isoformat()


def test_an_admin_recomputes_an_authoritys_figures_from_the_page(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.users[ADMIN_ROLE])

    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = client.post(URL, {"month_from": this_month()}, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302 and response.url == "/imports/"
    assert len(sent) == 1  # the Celery task, sent once the run and its event committed
    run = RecomputeRun.objects.get()
    assert (run.la, run.status, run.first_month.isoformat()) == (cast.la, "done", this_month())
    assert Snapshot.objects.filter(la=cast.la, month=run.first_month, is_current=True).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.la, event.object_id) == (
        AuditEvent.Action.RECOMPUTE_TRIGGER,
        cast.users[ADMIN_ROLE],
        cast.la,
        str(run.pk),
    )
    assert event.client_address == "10.1.2.3"
    page = client.get(response.url).content.decode()
    # "being recomputed" here: the test's transaction commits after the message is written;
    # in the eager demo the task has run by then and the message says "recomputed".
    assert f"873 Cambridgeshire: figures being recomputed from {run.first_month:%B %Y}" in page
    assert f"(recompute #{run.pk})" in page


def test_the_recompute_is_queued_and_audited_in_one_transaction(client, cast):
    """Before the commit nothing has run: the run is queued, its event already written."""
    client.force_login(cast.users[ADMIN_ROLE])

    client.post(URL, {"month_from": this_month()})

    assert RecomputeRun.objects.get().status == RecomputeRun.Status.QUEUED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECOMPUTE_TRIGGER).count() == 1


@pytest.mark.parametrize(("role", "status"), [(MANAGER, 403), (COMMITTEE, 403), (OUTSIDER, 404)])
def test_other_roles_cannot_recompute_and_leave_nothing(client, cast, role, status):
    client.force_login(cast.users[role])

    response = client.post(URL, {"month_from": this_month()})

    assert response.status_code == status
    assert not RecomputeRun.objects.exists() and not AuditEvent.objects.exists()


def test_the_button_is_a_post_with_a_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users[ADMIN_ROLE])

    assert client.get(URL).status_code == 405
    assert client.post(URL, {"month_from": this_month()}).status_code == 403  # no token
    assert not RecomputeRun.objects.exists()


def test_a_month_not_offered_is_refused_with_a_message(client, cast):
    client.force_login(cast.users[ADMIN_ROLE])

    response = client.post(URL, {"month_from": "2001-01-01"}, follow=True)

    assert "Choose how far back to recompute." in response.content.decode()
    assert not RecomputeRun.objects.exists() and not AuditEvent.objects.exists()


def test_the_history_page_offers_the_button_for_the_admins_authorities_only(client, cast):
    client.force_login(cast.users[ADMIN_ROLE])

    page = client.get("/imports/").content.decode()

    assert 'action="/imports/recompute/873/"' in page
    assert "/imports/recompute/874/" not in page
    assert "csrfmiddlewaretoken" in page
    year_start = financial_year_start(timezone.localdate())
    assert f'<option value="{year_start.isoformat()}" selected>' in page


def test_a_superuser_is_offered_only_authorities_holding_children(client, cast):
    client.force_login(cast.users[SUPERUSER])

    page = client.get("/imports/").content.decode()

    assert 'action="/imports/recompute/873/"' in page
    assert 'action="/imports/recompute/874/"' in page
    assert "/imports/recompute/330/" not in page  # Birmingham holds no children in the cast
