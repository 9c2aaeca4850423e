"""Issue #21 item 1, end to end: a role granted for one authority applies there only.

The reproduction of the issue, with the command a superuser runs::

    user_role --user newcomer --grant admin --la 874
    user_role --user newcomer --grant committee_lead --la 873

``newcomer`` must then read 874's children, worklists and uploads, and nothing case-level
of 873 (committee leads see aggregates only): child page, worklist CSV, drill-down,
uploads, batches — on the pages and through the API with a token. Also per authority: the
cached scorecard HTML (its drill-down links), commentary and publish rights, the API's
list of capabilities, and the team managers' weekly digest.
"""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from reviews.services import worklist_digests_send
from tests.security.conftest import MIXED, MIXED_MANAGER, PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(cast, django_user_model):
    """Granted exactly as the issue describes, with the command."""
    user = django_user_model.objects.create_user(
        "newcomer", password=PASSWORD, email="newcomer@example.invalid"
    )
    for role, code in (("admin", "874"), ("committee_lead", "873")):
        call_command("user_role", "--user", "newcomer", "--grant", role, "--la", code,
                     "--by", "root", stdout=io.StringIO())  # fmt: skip
    return user


def test_the_issue_admin_of_874_gets_no_case_level_access_to_873(client, cast, newcomer):
    client.force_login(newcomer)

    refused = {
        url: client.get(url).status_code
        for url in (
            f"/children/{cast.child_own.pk}/",
            f"/children/{cast.child_other.pk}/",
            "/la/873/my-team/",
            "/la/873/my-team/visits_overdue.csv",
            "/la/873/my-team/visits_overdue.xlsx",
            "/la/873/drilldown/visits_on_time/2024-03/month/",
            f"/imports/{cast.batch.pk}/",
            f"/imports/{cast.batch.pk}/progress/",
        )
    }
    upload = client.get("/imports/upload/").content.decode()

    assert refused == {
        f"/children/{cast.child_own.pk}/": 404,
        f"/children/{cast.child_other.pk}/": 404,
        "/la/873/my-team/": 403,
        "/la/873/my-team/visits_overdue.csv": 403,
        "/la/873/my-team/visits_overdue.xlsx": 403,
        "/la/873/drilldown/visits_on_time/2024-03/month/": 403,
        f"/imports/{cast.batch.pk}/": 403,
        f"/imports/{cast.batch.pk}/progress/": 403,
    }
    assert f'value="{cast.other_la.pk}"' in upload and f'value="{cast.la.pk}"' not in upload
    assert client.post("/imports/recompute/873/").status_code == 403


def test_import_history_and_data_quality_hold_874_only(client, cast, newcomer):
    client.force_login(newcomer)

    history = client.get("/imports/").content.decode()
    quality = client.get("/imports/data-quality/").content.decode()

    assert f'href="/imports/{cast.other_batch.pk}/"' in history
    assert f'href="/imports/{cast.batch.pk}/"' not in history
    assert 'action="/imports/recompute/874/"' in history
    assert "/imports/recompute/873/" not in history
    assert 'id="la-874"' in quality and 'id="la-873"' not in quality


def test_the_issue_admin_of_874_keeps_everything_of_874(client, cast, newcomer):
    client.force_login(newcomer)

    for url in (
        f"/children/{cast.child_874.pk}/",
        "/la/874/my-team/?team=all",
        "/la/874/my-team/visits_overdue.csv?team=all",
        "/la/874/drilldown/visits_on_time/2024-03/month/",
        f"/imports/{cast.other_batch.pk}/",
        "/la/873/scorecard/2024-03/",  # aggregates of 873: a committee lead's
    ):
        assert client.get(url).status_code == 200, url


def test_the_issue_through_the_api_with_a_token(cast, newcomer):
    token = Token.objects.create(user=newcomer)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api.get("/api/authorities/873/worklists/").status_code == 403
    assert api.get("/api/authorities/873/worklists/visits_overdue/").status_code == 403
    assert api.get(f"/api/imports/{cast.batch.pk}/").status_code == 403
    assert api.get(f"/api/imports/{cast.batch.pk}/issues/").status_code == 403
    assert api.post("/api/authorities/873/recompute/").status_code == 403
    assert api.get("/api/authorities/874/worklists/").status_code == 200
    assert api.get(f"/api/imports/{cast.other_batch.pk}/").status_code == 200
    listed = {
        la["code"]: la["capabilities"] for la in api.get("/api/authorities/").json()["results"]
    }
    assert listed == {
        "873": ["aggregates", "pdf_download", "commentary", "publish"],
        "874": ["aggregates", "pdf_download", "commentary", "case_level", "imports",
                "reference_data", "recompute", "case_level_whole_authority"],
    }  # fmt: skip


def test_refusals_of_the_api_keep_one_shape_for_missing_and_out_of_scope(cast, newcomer):
    token = Token.objects.create(user=newcomer)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    missing = api.get("/api/imports/999999/")
    elsewhere = api.get("/api/authorities/330/worklists/")  # Birmingham: not a member

    assert (missing.status_code, missing.json()) == (404, {"detail": "No such import batch."})
    assert (elsewhere.status_code, elsewhere.json()) == (404, {"detail": "No such authority."})


def test_a_batch_of_an_authority_of_which_the_user_is_no_member_answers_as_a_missing_one(
    cast, django_user_model
):
    """Same status and message as an id that does not exist: a guessed id reveals nothing."""
    manager = cast.users[MIXED_MANAGER]  # committee lead of 874, no role in 330
    lone = django_user_model.objects.create_user("lone", password=PASSWORD)
    call_command("user_role", "--user", "lone", "--grant", "admin", "--la", "330",
                 stdout=io.StringIO())  # fmt: skip
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=lone).key}")

    theirs, missing = api.get(f"/api/imports/{cast.batch.pk}/"), api.get("/api/imports/999999/")

    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    client = Client()
    client.force_login(manager)
    assert client.get(f"/imports/{cast.other_batch.pk}/").status_code == 403  # a member of 874


def test_the_cached_scorecard_never_shows_another_roles_drill_down_links(settings, cast):
    """The sections' HTML is cached per reader variant: the admin of 873 gets links to the
    children behind a figure; the mixed user, committee lead there, must not be served
    that HTML, though they are an admin (of 874)."""
    settings.SCORECARD_PAGE_CACHE_SECONDS = 300
    url = "/la/873/scorecard/2024-03/"
    admin, mixed = Client(), Client()
    admin.force_login(cast.users["admin"])
    mixed.force_login(cast.users[MIXED])

    as_admin = admin.get(url).content.decode()
    as_mixed = mixed.get(url).content.decode()

    assert "/la/873/drilldown/" in as_admin
    assert "/la/873/drilldown/" not in as_mixed


def test_commentary_and_publishing_follow_the_role_in_each_authority(client, cast):
    client.force_login(cast.users[MIXED_MANAGER])  # team manager in 873, lead of 874

    assert client.post("/la/873/scorecard/2024-03/publish/").status_code == 403
    assert client.get("/la/873/scorecard/2024-03/commentary/headline/").status_code == 403
    assert client.post("/la/874/scorecard/2024-03/publish/").status_code == 302
    assert client.get("/la/874/scorecard/2024-03/commentary/headline/").status_code == 200


def test_the_weekly_digest_covers_the_authorities_where_the_user_manages_a_team(cast, settings):
    settings.SITE_URL = "https://scorecards.example"
    cast.users[MIXED_MANAGER].email = "mixedmanager@example.invalid"
    cast.users[MIXED_MANAGER].save()

    worklist_digests_send()

    bodies = {m.to[0]: m.body for m in mail.outbox}
    digest = bodies["mixedmanager@example.invalid"]
    assert "Children in Care Team 1" in digest and "/la/873/my-team/" in digest
    assert "/la/874/" not in digest  # a committee lead there: no case lists
    assert "mixed@example.invalid" not in bodies  # an admin and a lead: not a team manager
