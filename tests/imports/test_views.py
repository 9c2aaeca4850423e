"""The import pages end to end in the test client: admins only, per authority."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.models import Episode
from imports.models import ImportBatch
from organisations.models import AuditEvent
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from tests.access_helpers import roles_give
from tests.imports.conftest import EPISODES, WORKED_EXAMPLE, import_903


def _user(username: str, *, groups=(), las=(), superuser=False) -> User:
    """A user holding the roles ``groups`` in each authority of ``las``."""
    user = User.objects.create_user(username, password="x", is_superuser=superuser)
    for la in las:
        roles_give(user, la, *groups)
    return user


@pytest.fixture
def admin(la):
    return _user("admin", groups=[ADMIN], las=[la])


def _files(files: dict[str, str]) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(name, text.encode(), content_type="text/csv")
        for name, text in files.items()
    ]


def _upload(client, la, files, **fields):
    data = {"la": la.pk, "format": "ssda903", "year": "2025", "files": _files(files)} | fields
    return client.post(reverse("imports:upload"), data)


def test_an_admin_uploads_sees_the_result_and_the_history(
    client, la, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    page = client.get(reverse("imports:upload"))
    assert page.status_code == 200
    assert (
        b'<label class="govuk-label govuk-label--s" for="id_la">Local authority</label>'
        in page.content
    )
    assert b"multiple" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, la, WORKED_EXAMPLE)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:batch", args=[batch.pk]
    )
    assert batch.status == "done" and batch.created_by == admin
    assert Episode.objects.filter(la=la).count() == 8
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_UPLOAD).object_id == str(batch.pk)

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Status: <strong" in html and "Done" in html
    assert '<th scope="row" class="govuk-table__header">Episodes</th>' in html
    assert 'hx-get="' not in html  # finished: no more polling
    assert "Re-run as a dry run" in html

    history = client.get(reverse("imports:history")).content.decode()
    assert f"#{batch.pk}" in history and batch.files.get(name="Episodes.csv").sha256[:14] in history


def test_the_progress_partial_polls_until_the_batch_finishes(client, la, admin):
    client.force_login(admin)
    batch = ImportBatch.objects.create(la=la, format="ssda903", collection_year=2025,
                                       status="writing", rows_total=200, rows_validated=200,
                                       rows_written=50)  # fmt: skip

    partial = client.get(reverse("imports:batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")

    html = partial.content.decode()
    assert partial.status_code == 200 and not html.lstrip().startswith("<!DOCTYPE")
    assert f'hx-get="{reverse("imports:batch_progress", args=[batch.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress id="progress-written" max="100" value="25">' in html
    assert "Rows written: 50 of 200" in html


def test_errors_are_listed_with_file_row_column_value_message_and_rule(
    client, la, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    bad = {"Episodes.csv": EPISODES.replace("19/07/2024,P,C1", "19/07/2024,P,Q9")}

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, la, bad)

    html = client.get(response["Location"]).content.decode()
    assert "Rejected" in html
    row = ('<td class="govuk-table__cell">Episodes.csv</td>\n'
           '        <td class="govuk-table__cell govuk-table__cell--numeric">3</td>\n'
           '        <td class="govuk-table__cell">LS</td>\n'
           '        <td class="govuk-table__cell">Q9</td>')  # fmt: skip
    assert row in html
    assert "is not a valid code" in html and '<td class="govuk-table__cell">144</td>' in html


def test_a_dry_run_from_the_form_writes_nothing(
    client, la, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, la, WORKED_EXAMPLE, dry_run="on")

    batch = ImportBatch.objects.get()
    assert batch.dry_run and batch.status == "done" and not Episode.objects.exists()


def test_rerun_checks_the_same_files_again_as_a_dry_run(
    client, la, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    original = import_903(la, WORKED_EXAMPLE)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:batch_rerun", args=[original.pk]))

    rerun = ImportBatch.objects.exclude(pk=original.pk).get()
    assert response["Location"] == reverse("imports:batch", args=[rerun.pk])
    assert rerun.dry_run and rerun.rerun_of == original and rerun.status == "done"
    assert rerun.counts["Episodes"]["unchanged"] == 8
    assert sorted(rerun.files.values_list("sha256", flat=True)) == sorted(
        original.files.values_list("sha256", flat=True)
    )


def test_rerunning_a_batch_whose_year_is_unknown_asks_for_it_instead_of_failing(client, la, admin):
    client.force_login(admin)
    original = import_903(la, WORKED_EXAMPLE)
    ImportBatch.objects.filter(pk=original.pk).update(collection_year=None)

    response = client.post(reverse("imports:batch_rerun", args=[original.pk]), follow=True)

    assert response.status_code == 200
    assert "Which collection year is this?" in response.content.decode()
    assert ImportBatch.objects.count() == 1


def test_the_authority_choice_is_limited_to_the_admins_own(client, la, other_la, admin):
    client.force_login(admin)

    page = client.get(reverse("imports:upload")).content.decode()
    response = _upload(client, other_la, WORKED_EXAMPLE)

    assert f'value="{la.pk}"' in page and f'value="{other_la.pk}"' not in page
    assert response.status_code == 200 and not ImportBatch.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_a_file_over_the_limit_is_refused_by_the_form(client, la, admin, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(admin)

    response = _upload(client, la, {"Episodes.csv": EPISODES})

    assert response.status_code == 200 and not ImportBatch.objects.exists()
    assert "over the upload limit of 100 bytes" in response.content.decode()


def test_no_year_anywhere_asks_for_it_on_the_form(client, la, admin):
    client.force_login(admin)

    response = _upload(client, la, {"episodes.csv": EPISODES}, year="")

    assert response.status_code == 200 and not ImportBatch.objects.exists()
    assert "Which collection year is this?" in response.content.decode()


# --- who may see what -----------------------------------------------------------------


@pytest.fixture
def batch(la):
    return import_903(la, WORKED_EXAMPLE)


def _urls(batch) -> list[tuple[str, str]]:
    return [
        ("get", reverse("imports:history")),
        ("get", reverse("imports:upload")),
        ("get", reverse("imports:batch", args=[batch.pk])),
        ("get", reverse("imports:batch_progress", args=[batch.pk])),
        ("post", reverse("imports:batch_rerun", args=[batch.pk])),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, batch):
    for method, url in _urls(batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", [None, TEAM_MANAGER, COMMITTEE_LEAD])
def test_other_roles_are_refused(client, la, batch, role):
    client.force_login(_user("someone", groups=[role] if role else [], las=[la]))

    for method, url in _urls(batch):
        assert getattr(client, method)(url).status_code == 403, (role, url)
    assert ImportBatch.objects.count() == 1


def test_an_admin_of_another_authority_gets_404_for_its_batches(client, other_la, batch):
    client.force_login(_user("elsewhere", groups=[ADMIN], las=[other_la]))

    assert client.get(reverse("imports:upload")).status_code == 200
    assert f"#{batch.pk}" not in client.get(reverse("imports:history")).content.decode()
    for method, url in _urls(batch)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("imports:batch", args=[batch.pk + 1000])).status_code == 404


def test_a_user_with_no_role_in_any_authority_is_refused(client, batch):
    """Roles are held in an authority: with none, there is nothing to import for (the
    pages are 403) and a batch is 404, as for any authority the user is not a member of."""
    client.force_login(_user("nomember"))

    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:history")).status_code == 403


def test_a_superuser_sees_every_authority(client, la, other_la, batch):
    client.force_login(_user("root", superuser=True))

    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 200
    page = client.get(reverse("imports:upload")).content.decode()
    assert f'value="{la.pk}"' in page and f'value="{other_la.pk}"' in page
