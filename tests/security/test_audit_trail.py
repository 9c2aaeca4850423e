"""The audit trail cannot be thinned (issue #21 item 6).

- Each row keeps the user's name itself; a user with audit history cannot be deleted
  (admin or code), only deactivated, and deactivating (or reactivating) is audited.
- Pages that show child ids, dates of birth or postcodes leave access events: the import
  batch page and its row errors (web and API), and the Django admin's lists and change pages
  of case records.
"""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import ProtectedError

from children.models import Child, Episode
from imports.models import ImportBatch, ImportIssue
from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.models import AuditEvent
from organisations.services import audit_record, user_active_set
from tests.security.conftest import ADMIN_ROLE, COMMITTEE, MANAGER, SUPERUSER

A = AuditEvent.Action
pytestmark = pytest.mark.django_db


def _child_view(cast, role=MANAGER) -> AuditEvent:
    return audit_record(
        user=cast.users[role], la=cast.la, action=A.CHILD_VIEW, object_type="Child",
        object_id=str(cast.child_own.pk), n_children=1,
    )  # fmt: skip


# --- the user's name, kept -------------------------------------------------------------------


def test_each_row_keeps_the_user_name_as_it_was(client, cast):
    event = _child_view(cast)
    manager = cast.users[MANAGER]
    manager.username = "manager-renamed"
    manager.save()
    event.refresh_from_db()
    assert event.username == "manager"
    client.force_login(cast.users[SUPERUSER])
    page = client.get("/audit/", {"user": "manager"}).content.decode()
    assert page.count("data-event=") == 1 and ">manager<" in page


def test_a_row_written_directly_keeps_the_name_too(cast):
    event = AuditEvent.objects.create(user=cast.users[ADMIN_ROLE], action=A.IMPORT_UPLOAD)
    assert event.username == "admin"


def test_a_user_with_audit_history_cannot_be_deleted_in_code(cast):
    _child_view(cast)
    with pytest.raises(ProtectedError):
        cast.users[MANAGER].delete()
    assert AuditEvent.objects.get().user == cast.users[MANAGER]


def test_a_user_without_audit_history_can_still_be_deleted(cast):
    get_user_model().objects.create_user("typo-account").delete()


def test_the_admin_delete_page_says_to_deactivate_instead(client, cast):
    _child_view(cast)
    manager = cast.users[MANAGER]
    client.force_login(cast.users[SUPERUSER])
    response = client.post(f"/admin/auth/user/{manager.pk}/delete/", {"post": "yes"}, follow=True)
    text = response.content.decode()
    assert "Manager has audit history, so cannot be deleted" in text  # capitalised by the admin
    assert "Untick Active and save" in text
    assert get_user_model().objects.filter(pk=manager.pk).exists()


def test_the_admin_bulk_delete_refuses_a_user_with_history(client, cast):
    _child_view(cast)
    manager = cast.users[MANAGER]
    client.force_login(cast.users[SUPERUSER])
    client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [str(manager.pk)], "post": "yes"},
    )
    assert get_user_model().objects.filter(pk=manager.pk).exists()
    assert AuditEvent.objects.filter(user=manager).count() == 1


def _user_form(user, *, active: bool) -> dict:
    form = {
        "username": user.username,
        "email": user.email,
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "09:00:00",
        # The roles-per-authority inline, left as it is.
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    if active:
        form["is_active"] = "on"
    return form


def test_deactivating_and_reactivating_in_the_admin_are_audited(client, cast):
    committee, root = cast.users[COMMITTEE], cast.users[SUPERUSER]
    client.force_login(root)
    url = f"/admin/auth/user/{committee.pk}/change/"
    assert client.post(url, _user_form(committee, active=False)).status_code == 302
    committee.refresh_from_db()
    assert not committee.is_active
    assert client.post(url, _user_form(committee, active=True)).status_code == 302
    rows = list(AuditEvent.objects.order_by("pk").values_list("action", "username", "object_id"))
    assert rows == [
        (A.USER_DEACTIVATE, "root", str(committee.pk)),
        (A.USER_REACTIVATE, "root", str(committee.pk)),
    ]
    # Saving without changing Active writes nothing more.
    client.post(url, _user_form(committee, active=True))
    assert AuditEvent.objects.count() == 2


def test_deactivating_through_the_service_and_the_command_is_audited(cast):
    manager = cast.users[MANAGER]
    assert user_active_set(acting_user=cast.users[SUPERUSER], user=manager, active=False)
    assert not user_active_set(acting_user=cast.users[SUPERUSER], user=manager, active=False)
    out = io.StringIO()
    call_command("user_role", "--user", "manager", "--reactivate", "--by", "root", stdout=out)
    assert "reactivated" in out.getvalue()
    manager.refresh_from_db()
    assert manager.is_active
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "detail"))
    assert actions == [
        (A.USER_DEACTIVATE, {"username": "manager"}),
        (A.USER_REACTIVATE, {"username": "manager"}),
    ]


# --- pages showing child ids, dates of birth, postcodes ----------------------------------------


@pytest.fixture
def issue_batch(cast):
    """A finished batch whose row errors quote a child id and a date of birth."""
    batch = ImportBatch.objects.create(
        la=cast.la, format="ssda903", collection_year=2024, status=ImportBatch.Status.DONE
    )
    for n, (column, value) in enumerate((("CHILD", "C-OWN"), ("DOB", "03/02/2011")), start=2):
        ImportIssue.objects.create(
            batch=batch, severity="error", kind="bad", file_name="header.csv", row_number=n,
            column=column, value=value, message="Not valid.",
        )  # fmt: skip
    return batch


def test_the_batch_page_with_its_errors_is_audited(client, cast, issue_batch):
    client.force_login(cast.users[ADMIN_ROLE])
    assert client.get(f"/imports/{issue_batch.pk}/").status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.la, event.object_id) == (
        A.IMPORT_ISSUES_VIEW, "admin", cast.la, str(issue_batch.pk),
    )  # fmt: skip
    assert event.detail == {"issues_shown": 2, "page": 1, "via": "page"}


def test_polling_a_running_batch_is_not_audited_but_its_final_answer_is(client, cast, issue_batch):
    client.force_login(cast.users[ADMIN_ROLE])
    issue_batch.status = ImportBatch.Status.VALIDATING
    issue_batch.save()
    client.get(f"/imports/{issue_batch.pk}/progress/")
    assert not AuditEvent.objects.exists()
    issue_batch.status = ImportBatch.Status.DONE
    issue_batch.save()
    client.get(f"/imports/{issue_batch.pk}/progress/")
    assert AuditEvent.objects.get().detail["issues_shown"] == 2


def test_the_batch_errors_read_through_the_api_are_audited(client, cast, issue_batch):
    client.force_login(cast.users[ADMIN_ROLE])
    response = client.get(f"/api/imports/{issue_batch.pk}/issues/", {"page_size": 1})
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    event = AuditEvent.objects.get()
    assert event.action == A.IMPORT_ISSUES_VIEW
    assert event.detail == {"issues_shown": 1, "page": 1, "via": "api"}


def test_the_admin_list_of_children_is_audited_with_how_many_it_showed(client, cast):
    client.force_login(cast.users[SUPERUSER])
    assert client.get("/admin/children/child/").status_code == 200
    event = AuditEvent.objects.get()
    shown = Child.objects.count()  # a superuser's list: every authority's children
    assert shown > 1 and Child.objects.values("la").distinct().count() == 2
    assert (event.action, event.object_type, event.n_children, event.la) == (
        A.ADMIN_CASE_VIEW, "Child", shown, None,
    )  # fmt: skip
    assert event.detail["rows"] == shown


def test_an_admin_change_page_of_an_episode_is_audited(client, cast):
    episode = Episode.objects.filter(child=cast.child_own).first()
    client.force_login(cast.users[SUPERUSER])
    assert client.get(f"/admin/children/episode/{episode.pk}/change/").status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id, event.n_children) == (
        A.ADMIN_CASE_VIEW, "Episode", str(episode.pk), 1,
    )  # fmt: skip


def test_the_admin_history_page_of_a_child_is_audited(client, cast):
    client.force_login(cast.users[SUPERUSER])
    url = f"/admin/children/child/{cast.child_own.pk}/history/"
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.detail["page"]) == (
        A.ADMIN_CASE_VIEW, str(cast.child_own.pk), "history",
    )  # fmt: skip


def test_the_admin_list_of_import_errors_is_audited(client, cast, issue_batch):
    client.force_login(cast.users[SUPERUSER])
    assert client.get("/admin/imports/importissue/").status_code == 200
    event = AuditEvent.objects.get()
    assert (event.object_type, event.n_children) == ("ImportIssue", None)
    assert event.detail["rows"] == ImportIssue.objects.count()


def test_every_admin_of_case_records_is_audited():
    """A new admin of a model kept per child must take the audit mixin (or this fails)."""
    missing = []
    for model, model_admin in admin.site._registry.items():
        per_child = model is Child or any(f.name == "child" for f in model._meta.get_fields())
        if (per_child or model is ImportIssue) and not isinstance(
            model_admin, CaseRecordAuditAdmin
        ):
            missing.append(model._meta.label)
    assert missing == []
