"""Who reads the pages (``roles.md``): team managers, admins and committee leads of the
authority, superusers; anonymous users are sent to sign in; any other authority is 404.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from organisations.models import AuditEvent
from tests.pages.conftest import user_make

PAGES = ("scorecard", "dashboard", "demographics")
URLS = [
    *(f"/la/873/{page}/2024-03/" for page in PAGES),
    *(f"/la/873/{page}/2024-03/{page}.xlsx" for page in PAGES),
    *(f"/la/873/{page}/" for page in PAGES),
]


def _status(url: str) -> int:
    """The status a reader gets: 200, or 302 for the "latest month" redirects."""
    return 200 if "2024-03" in url else 302


@pytest.mark.parametrize("role", ["team_manager", "admin_user", "committee_lead"])
@pytest.mark.parametrize("url", URLS)
def test_each_role_of_the_authority_reads_every_page(request, client, la, role, url):
    client.force_login(request.getfixturevalue(role))
    response = client.get(url)
    assert response.status_code == _status(url), (role, url)


@pytest.mark.parametrize("url", URLS)
def test_a_superuser_reads_every_page(client, la, url):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "x"))
    assert client.get(url).status_code == _status(url)


@pytest.mark.parametrize("url", [*URLS, "/la/switch/?la=873"])
def test_anonymous_is_sent_to_sign_in(client, la, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", URLS)
def test_a_user_of_another_authority_gets_404(client, la, other_la_lead, url):
    client.force_login(other_la_lead)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/la/999/scorecard/2024-03/", "/la/999/scorecard/"])
def test_an_authority_that_does_not_exist_is_404_too(client, committee_lead, url):
    client.force_login(committee_lead)
    assert client.get(url).status_code == 404


def test_a_member_without_a_role_is_refused(client, la):
    client.force_login(user_make("norole", role=None, las=[la]))
    assert client.get("/la/873/scorecard/2024-03/").status_code == 403


def test_the_pages_only_answer_get(client, committee_lead):
    client.force_login(committee_lead)
    assert client.post("/la/873/scorecard/2024-03/").status_code == 405


def test_a_spreadsheet_download_is_audited(client, la, admin_user):
    client.force_login(admin_user)
    response = client.get("/la/873/dashboard/2024-03/dashboard.xlsx", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-873-2024-03.xlsx"'
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.SCORECARD_EXPORT
    assert (event.user, event.la, event.client_address) == (admin_user, la, "10.1.2.3")
    assert event.detail == {"page": "dashboard", "month": "2024-03", "format": "xlsx"}


def test_page_views_leave_no_audit_rows_they_are_aggregates(client, la, committee_lead):
    client.force_login(committee_lead)
    client.get("/la/873/scorecard/2024-03/")
    assert not AuditEvent.objects.exists()


def test_the_home_page_links_each_authority_to_its_pages(client, la, committee_lead):
    client.force_login(committee_lead)
    html = client.get("/").content.decode()
    for page in PAGES:
        assert f'href="/la/873/{page}/"' in html
