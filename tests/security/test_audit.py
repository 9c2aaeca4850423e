"""Every audited action of ``roles.md`` leaves exactly its access event (``style.md`` rule 7):
who, when, which authority, what, how many children, the client address.

Each test runs one flow and asserts the exact list of events it left, newest last.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from organisations.models import AuditEvent
from organisations.roles import ADMIN, TEAM_MANAGER
from organisations.services import user_role_grant, user_role_revoke
from scorecards.models import RecomputeRun
from scorecards.periods import month_first
from tests.imports.conftest import WORKED_EXAMPLE
from tests.security.conftest import ADMIN_ROLE, COMMITTEE, MANAGER, SUPERUSER

A = AuditEvent.Action
ADDRESS = "10.20.30.40"
pytestmark = pytest.mark.django_db


def this_month() -> str:
    return month_first(timezone.localdate()).isoformat()


def events() -> list[tuple]:
    """(action, username, LA code, object type, object id, children) of every event, oldest
    first."""
    return [
        (
            e.action,
            e.user.username if e.user else None,
            e.la.code if e.la else None,
            e.object_type,
            e.object_id,
            e.n_children,
        )
        for e in AuditEvent.objects.select_related("user", "la").order_by("at", "pk")
    ]


@pytest.fixture
def as_user(client, cast):
    def sign_in(role):
        client.force_login(cast.users[role])
        return client

    return sign_in


# --- case-level reads and exports ----------------------------------------------------------


def test_the_child_page_is_audited_with_the_child(as_user, cast):
    response = as_user(MANAGER).get(f"/children/{cast.child_own.pk}/", REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    assert events() == [(A.CHILD_VIEW, "manager", "873", "Child", str(cast.child_own.pk), 1)]
    assert AuditEvent.objects.get().client_address == ADDRESS


def test_a_child_out_of_scope_leaves_no_event(as_user, cast):
    assert as_user(MANAGER).get(f"/children/{cast.child_other.pk}/").status_code == 404
    assert events() == []


def test_the_worklist_page_and_its_export_are_audited(as_user, cast):
    client = as_user(MANAGER)
    assert client.get("/la/873/my-team/").status_code == 200
    assert client.get("/la/873/my-team/visits_overdue.csv").status_code == 200

    assert [e[:5] for e in events()] == [
        (A.WORKLIST_VIEW, "manager", "873", "Team", "T10"),
        (A.WORKLIST_EXPORT, "manager", "873", "Team", "T10"),
    ]


def test_the_drilldown_is_audited(as_user, cast):
    url = "/la/873/drilldown/visits_on_time/2024-03/month/"
    assert as_user(ADMIN_ROLE).get(url).status_code == 200

    assert [e[:5] for e in events()] == [
        (A.DRILLDOWN_VIEW, "admin", "873", "Indicator", "visits_on_time/2024-03/month")
    ]


def test_worklists_read_through_the_api_are_audited_too(as_user, cast):
    client = as_user(MANAGER)
    assert client.get("/api/authorities/873/worklists/").status_code == 200
    rows = client.get("/api/authorities/873/worklists/visits_overdue/", REMOTE_ADDR=ADDRESS)
    assert rows.status_code == 200

    found = events()
    assert [e[:5] for e in found] == [
        (A.WORKLIST_VIEW, "manager", "873", "Team", "T10"),
        (A.WORKLIST_VIEW, "manager", "873", "Team", "T10"),
    ]
    assert found[1][5] == len({row["child"] for row in rows.json()["results"]})
    assert AuditEvent.objects.order_by("pk").last().detail["via"] == "api"


def test_a_scorecard_workbook_and_the_pdf_are_audited(as_user, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(COMMITTEE)
    assert client.get("/la/873/scorecard/2024-03/scorecard.xlsx").status_code == 200
    response = client.get("/la/873/scorecard/2024-03/scorecard.pdf")
    assert response.status_code == 200
    b"".join(response.streaming_content)

    assert [e[:4] for e in events()] == [
        (A.SCORECARD_EXPORT, "committee", "873", "Snapshot"),
        (A.PDF_DOWNLOAD, "committee", "873", "RenderedPdf"),
    ]


def test_reading_aggregates_leaves_no_event(as_user, cast):
    client = as_user(COMMITTEE)
    for url in ("/la/873/scorecard/2024-03/", "/api/authorities/873/snapshots/2024-03/",
                "/api/authorities/873/trends/cla_count/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert events() == []


# --- writes ----------------------------------------------------------------------------------


def test_an_upload_through_the_api_is_audited_once(
    as_user, cast, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    files = [io.BytesIO(text.encode()) for text in WORKED_EXAMPLE.values()]
    for handle, name in zip(files, WORKED_EXAMPLE, strict=True):
        handle.name = name
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(ADMIN_ROLE).post(
            "/api/imports/upload/",
            {"la": "873", "format": "ssda903", "year": "2025", "files": files},
            REMOTE_ADDR=ADDRESS,
        )

    assert response.status_code == 201, response.content
    batch_id = str(response.json()["id"])
    assert events()[0] == (A.IMPORT_UPLOAD, "admin", "873", "ImportBatch", batch_id, None)
    assert [e[0] for e in events()] == [A.IMPORT_UPLOAD]


def test_commentary_edits_and_publishing_are_audited(as_user, cast, settings, tmp_path):
    from scorecards.publication import commentary_sections

    settings.MEDIA_ROOT = tmp_path
    section = commentary_sections()[0][0]
    client = as_user(COMMITTEE)
    url = f"/la/873/scorecard/2024-03/commentary/{section}/"
    text = "Reviews held on time stayed above target."
    assert client.post(url, {"text": text}).status_code == 302
    assert client.post("/la/873/scorecard/2024-03/publish/").status_code == 302

    assert [e[:3] for e in events()] == [
        (A.COMMENTARY_EDIT, "committee", "873"),
        (A.PUBLISH, "committee", "873"),
    ]


def test_a_recompute_triggered_through_the_api_is_audited(as_user, cast):
    response = as_user(ADMIN_ROLE).post(
        "/api/authorities/873/recompute/",
        {"month_from": "2024-03"},
        content_type="application/json",
    )

    assert response.status_code == 202, response.content
    run = RecomputeRun.objects.get(pk=response.json()["id"])
    assert events() == [(A.RECOMPUTE_TRIGGER, "admin", "873", "RecomputeRun", str(run.pk), None)]
    assert AuditEvent.objects.get().detail["from"] == "2024-03-01"


def test_a_recompute_from_the_import_history_page_is_audited(as_user, cast):
    response = as_user(ADMIN_ROLE).post("/imports/recompute/873/", {"month_from": this_month()})

    assert response.status_code == 302
    run = RecomputeRun.objects.get()
    assert events() == [(A.RECOMPUTE_TRIGGER, "admin", "873", "RecomputeRun", str(run.pk), None)]


def test_a_recompute_from_the_command_line_is_audited_with_the_command(cast):
    call_command(
        "recompute_snapshots", "--la", "873", "--from", "2024-03", "--to", "2024-03",
        stdout=io.StringIO(),
    )  # fmt: skip

    run = RecomputeRun.objects.get()
    assert run.status == RecomputeRun.Status.DONE
    assert events() == [(A.RECOMPUTE_TRIGGER, None, "873", "RecomputeRun", str(run.pk), None)]
    detail = AuditEvent.objects.get().detail
    assert detail["command"] == "manage.py recompute_snapshots --la 873 --from 2024-03 --to 2024-03"
    assert (detail["from"], detail["to"]) == ("2024-03-01", "2024-03-01")
    assert "system_user" in detail


def test_a_refused_command_line_recompute_leaves_no_event(cast):
    with pytest.raises(CommandError):
        call_command("recompute_snapshots", "--la", "873", "--from", "2024-04", "--to", "2024-03")
    assert events() == [] and not RecomputeRun.objects.exists()


def test_a_recompute_refused_leaves_no_event_and_no_run(as_user, cast):
    response = as_user(MANAGER).post("/api/authorities/873/recompute/")
    assert response.status_code == 403
    assert events() == [] and not RecomputeRun.objects.exists()


# --- roles and tokens ------------------------------------------------------------------------


def test_role_changes_through_the_services_are_audited_per_authority(cast):
    root, manager = cast.users[SUPERUSER], cast.users[MANAGER]

    assert user_role_grant(acting_user=root, user=manager, la=cast.other_la, role=ADMIN)
    assert not user_role_grant(acting_user=root, user=manager, la=cast.other_la, role=ADMIN)
    assert user_role_grant(
        acting_user=root, user=manager, la=cast.la, role=TEAM_MANAGER, team_ids=["T11"]
    )
    assert user_role_revoke(acting_user=root, user=manager, la=cast.la, role=TEAM_MANAGER)
    assert not user_role_revoke(acting_user=root, user=manager, la=cast.la, role=TEAM_MANAGER)

    assert [e[:5] for e in events()] == [
        (A.ROLE_CHANGE, "root", "874", "User", str(manager.pk)),
        (A.ROLE_CHANGE, "root", "873", "User", str(manager.pk)),
        (A.ROLE_CHANGE, "root", "873", "User", str(manager.pk)),
    ]
    details = [e.detail for e in AuditEvent.objects.order_by("pk")]
    assert details == [
        {"username": "manager", "role": ADMIN, "change": "granted"},
        {"username": "manager", "role": TEAM_MANAGER, "change": "teams set",
         "teams": ["T10", "T11"]},
        {"username": "manager", "role": TEAM_MANAGER, "change": "revoked"},
    ]  # fmt: skip
    assert list(manager.memberships.values_list("la__code", "admin")) == [("874", True)]


def test_roles_per_authority_on_the_django_admin_user_page_are_audited(client, cast):
    """The user page lists the user's roles per authority (an inline of memberships): making
    the committee lead of 873 an admin of 874 there writes one row, of 874."""
    root, committee = cast.users[SUPERUSER], cast.users[COMMITTEE]
    client.force_login(root)
    membership = committee.memberships.get()
    form = {
        "username": "committee",
        "email": "committee@example.invalid",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(membership.pk),
        "memberships-0-user": str(committee.pk),
        "memberships-0-la": str(cast.la.pk),
        "memberships-0-committee_lead": "on",
        "memberships-1-user": str(committee.pk),
        "memberships-1-la": str(cast.other_la.pk),
        "memberships-1-admin": "on",
    }

    response = client.post(f"/admin/auth/user/{committee.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(committee.memberships.values_list("la__code", "admin", "committee_lead")) == [
        ("873", False, True),
        ("874", True, False),
    ]
    assert [e[:3] for e in events()] == [(A.ROLE_CHANGE, "root", "874")]
    assert AuditEvent.objects.get().detail == {
        "username": "committee", "role": ADMIN, "change": "granted"
    }  # fmt: skip


def test_the_superuser_flag_set_in_the_django_admin_is_audited(client, cast):
    root, committee = cast.users[SUPERUSER], cast.users[COMMITTEE]
    client.force_login(root)
    response = client.get(f"/admin/auth/user/{committee.pk}/change/")
    assert "Roles per authority" in response.content.decode()
    form = {
        "username": "committee",
        "is_active": "on",
        "is_superuser": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = client.post(f"/admin/auth/user/{committee.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [e[:3] for e in events()] == [(A.ROLE_CHANGE, "root", None)]
    assert AuditEvent.objects.get().detail == {
        "username": "committee", "role": "superuser", "change": "granted"
    }  # fmt: skip


def test_the_user_role_command_grants_a_role_in_one_authority_with_an_event(cast):
    out = io.StringIO()
    call_command("user_role", "--user", "committee", "--grant", "team_manager", "--la", "873",
                 "--team", "T11", "--by", "root", stdout=out)  # fmt: skip

    assert "grant Team manager in 873 (T11)" in out.getvalue()
    assert [(e[0], e[1], e[2]) for e in events()] == [(A.ROLE_CHANGE, "root", "873")]
    membership = cast.users[COMMITTEE].memberships.get(la=cast.la)
    assert (membership.team_manager, membership.committee_lead) == (True, True)
    assert list(membership.teams.values_list("team_id", flat=True)) == ["T11"]


def test_the_user_role_command_refuses_an_unknown_team(cast):
    with pytest.raises(CommandError, match="no team T99 in 873"):
        call_command(
            "user_role",
            "--user",
            "committee",
            "--grant",
            "team_manager",
            "--la",
            "873",
            "--team",
            "T99",
        )
    assert events() == []


def test_api_tokens_issued_replaced_and_revoked_are_audited(client, cast):
    out = io.StringIO()
    call_command("create_api_token", "--user", "admin", "--by", "root", stdout=out)
    first = out.getvalue().strip()
    out = io.StringIO()
    call_command("create_api_token", "--user", "admin", "--by", "root", stdout=out)
    second = out.getvalue().strip()
    call_command("create_api_token", "--user", "admin", "--revoke", stdout=io.StringIO())

    assert len(first) == 40 and first != second
    assert [(e[0], e[1], e[4]) for e in events()] == [
        (A.API_TOKEN, "root", str(cast.users[ADMIN_ROLE].pk)),
        (A.API_TOKEN, "root", str(cast.users[ADMIN_ROLE].pk)),
        (A.API_TOKEN, None, str(cast.users[ADMIN_ROLE].pk)),
    ]
    changes = [e.detail["change"] for e in AuditEvent.objects.order_by("pk")]
    assert changes == ["created", "replaced", "revoked"]
    assert all(first not in str(e.detail) for e in AuditEvent.objects.all())


def test_role_changes_on_the_django_admin_membership_page_are_audited(client, cast):
    client.force_login(cast.users[SUPERUSER])
    manager = cast.users[MANAGER]
    membership = manager.memberships.get(la=cast.la)

    response = client.post(
        f"/admin/organisations/membership/{membership.pk}/change/",
        {"user": str(manager.pk), "la": str(cast.la.pk), "team_manager": "on",
         "teams": [str(cast.team1.pk), str(cast.team2.pk)]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        f"/admin/organisations/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302

    assert [e[:5] for e in events()] == [
        (A.ROLE_CHANGE, "root", "873", "User", str(manager.pk)),
        (A.ROLE_CHANGE, "root", "873", "User", str(manager.pk)),
    ]
    details = [e.detail for e in AuditEvent.objects.order_by("pk")]
    assert details[0] == {"username": "manager", "role": TEAM_MANAGER, "change": "teams set",
                          "teams": ["T10", "T11"]}  # fmt: skip
    assert details[1] == {"username": "manager", "role": TEAM_MANAGER, "change": "revoked"}


def test_the_membership_form_refuses_teams_of_another_authority_or_without_the_role(client, cast):
    client.force_login(cast.users[SUPERUSER])
    manager = cast.users[MANAGER]
    membership = manager.memberships.get(la=cast.la)
    url = f"/admin/organisations/membership/{membership.pk}/change/"

    elsewhere = client.post(
        url,
        {
            "user": str(manager.pk),
            "la": str(cast.la.pk),
            "team_manager": "on",
            "teams": [str(cast.other_team.pk)],
        },
    )
    no_role = client.post(url, {"user": str(manager.pk), "la": str(cast.la.pk), "admin": "on",
                                "teams": [str(cast.team1.pk)]})  # fmt: skip

    assert elsewhere.status_code == 200
    assert "These teams are not teams of 873: P10." in elsewhere.content.decode()
    assert no_role.status_code == 200
    assert "Teams are named for a team manager only" in no_role.content.decode()
    assert events() == []
