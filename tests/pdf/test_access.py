"""Who may write commentary, publish and download (``roles.md``), by URL and role.

Committee lead: commentary, publish, download. Admin: commentary and download, never
publish. Team manager: download only. Superuser: all. A reader of another authority gets
404 (as for an authority that does not exist); anonymous users are sent to sign in.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from organisations.models import AuditEvent
from scorecards.models import Commentary, Publication
from tests.pdf.conftest import user_make

COMMENTARY = "/la/873/scorecard/2024-03/commentary/health/"
PUBLISH = "/la/873/scorecard/2024-03/publish/"
PDF = "/la/873/scorecard/2024-03/scorecard.pdf"
PDF_DRAFT = "/la/873/scorecard/2024-03/scorecard-draft.pdf"

#: role → (commentary GET, commentary POST, publish POST, PDF GET, draft PDF GET)
EXPECTED = {
    "committee_lead": (200, 302, 302, 200, 200),
    "admin_user": (200, 302, 403, 200, 200),
    "team_manager": (403, 403, 403, 200, 200),
    "superuser": (200, 302, 302, 200, 200),
    "other_la_lead": (404, 404, 404, 404, 404),
    "no_role": (403, 403, 403, 403, 403),
}


@pytest.fixture
def superuser(la):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


@pytest.fixture
def no_role(la):
    return user_make("norole", role=None, las=[la])


def _statuses(client) -> tuple[int, ...]:
    return (
        client.get(COMMENTARY).status_code,
        client.post(COMMENTARY, {"text": "Visits recovered in March."}).status_code,
        client.post(PUBLISH, {"version": "1"}).status_code,
        client.get(PDF).status_code,
        client.get(PDF_DRAFT).status_code,
    )


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_may_do_what_roles_md_says(request, client, la, role):
    client.force_login(request.getfixturevalue(role))
    assert _statuses(client) == EXPECTED[role], role


def test_what_each_refused_role_leaves_behind_is_nothing(request, client, la, team_manager):
    client.force_login(team_manager)
    _statuses(client)
    assert not Commentary.objects.exists()
    assert not Publication.objects.exists()
    # Team managers download: two PDF downloads, audited; nothing else.
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        AuditEvent.Action.PDF_DOWNLOAD,
        AuditEvent.Action.PDF_DOWNLOAD,
    ]


@pytest.mark.parametrize("url", [COMMENTARY, PDF, PDF_DRAFT])
def test_anonymous_is_sent_to_sign_in(client, la, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_anonymous_cannot_publish(client, la):
    response = client.post(PUBLISH)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Publication.objects.exists()


def test_publish_answers_post_only(client, la, committee_lead):
    client.force_login(committee_lead)
    assert client.get(PUBLISH).status_code == 405


def test_downloads_answer_get_only(client, la, committee_lead):
    client.force_login(committee_lead)
    assert client.post(PDF).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/la/873/scorecard/2023-01/scorecard.pdf",
        "/la/873/scorecard/2023-01/commentary/health/",
        "/la/873/scorecard/2024-03/commentary/no-such-section/",
        "/la/999/scorecard/2024-03/scorecard.pdf",
    ],
)
def test_months_without_figures_unknown_sections_and_authorities_are_404(
    client, la, committee_lead, url
):
    client.force_login(committee_lead)
    assert client.get(url).status_code == 404
