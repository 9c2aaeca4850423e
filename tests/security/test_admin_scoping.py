"""The Django admin is scoped by authority (``organisations.admin_scoping``, ``roles.md``
"Scope": no query mixes authorities unless the user is a member of each).

Two staff admins, one of 873 and one of 874, and a superuser. The admin of 874 sees only
874's reference data in lists, exports and foreign-key choices; another authority's row
answers 404 exactly like a missing one; a spreadsheet with a row for 873 writes nothing;
case records stay superuser-only in the admin whatever permissions the group is given.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from children.models import Child, School
from organisations.admin_scoping import MSG_OUT_OF_SCOPE_ROW
from organisations.models import LocalAuthority, Population, Team, TeamMembership, Worker
from organisations.roles import ADMIN, COMMITTEE_LEAD
from scorecards.models import Benchmark, Target
from scorecards.resources import TargetResource
from tests.security.conftest import PASSWORD, _user, _user_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """873 and 874 each with a team, a worker, a target and a population; an England-wide
    benchmark and one for each authority; a staff admin of each authority and a superuser."""
    cambs = LocalAuthority.objects.get(code="873")
    pboro = LocalAuthority.objects.get(code="874")
    rows = {}
    for la in (cambs, pboro):
        team = Team.objects.create(la=la, team_id="T10", name=f"Team of {la.code}")
        worker = Worker.objects.create(la=la, professional_id=f"W{la.code}", name="A Worker")
        rows[la.code] = {
            "team": team,
            "worker": worker,
            "target": Target.objects.create(
                la=la, indicator="cla_rate", financial_year=2024, target=Decimal("55.00")
            ),
            "population": Population.objects.create(la=la, year=2024, population_0_17=40000),
            "benchmark": Benchmark.objects.create(
                indicator="cla_rate", year=2024, scope="region", la=la, value=60, source="DfE"
            ),
        }
    england = Benchmark.objects.create(
        indicator="cla_rate", year=2024, scope="england", value=70, source="DfE"
    )
    users = {
        "873": _user("admin873", ADMIN, [(cambs, [])], is_staff=True),
        "874": _user("admin874", ADMIN, [(pboro, [])], is_staff=True),
        "root": get_user_model().objects.create_superuser("root", "r@example.invalid", PASSWORD),
    }
    return {"873": cambs, "874": pboro, "rows": rows, "england": england, "users": users}


@pytest.fixture
def as_874(client, world):
    client.force_login(world["users"]["874"])
    return client


def change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def changelist_pks(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


# --- lists -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["team", "worker", "target", "population"])
def test_an_admin_lists_only_their_own_authoritys_rows(as_874, world, kind):
    model = type(world["rows"]["874"][kind])

    response = as_874.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")

    assert response.status_code == 200
    assert changelist_pks(response) == {world["rows"]["874"][kind].pk}


def test_filtering_the_list_by_another_authority_shows_none_of_its_rows(as_874, world):
    response = as_874.get("/admin/scorecards/target/", {"la__id__exact": world["873"].pk})

    assert response.status_code == 200
    assert world["rows"]["873"]["target"].pk not in changelist_pks(response)


def test_an_admin_sees_only_their_own_authority_in_the_authority_list(as_874, world):
    response = as_874.get("/admin/organisations/localauthority/")

    assert changelist_pks(response) == {world["874"].pk}


def test_the_superuser_lists_every_authoritys_rows(client, world):
    client.force_login(world["users"]["root"])

    response = client.get("/admin/scorecards/target/")

    assert changelist_pks(response) == {world["rows"][c]["target"].pk for c in ("873", "874")}


def test_england_wide_benchmarks_are_listed_beside_the_admins_own(as_874, world):
    response = as_874.get("/admin/scorecards/benchmark/")

    assert changelist_pks(response) == {world["england"].pk, world["rows"]["874"]["benchmark"].pk}


# --- object pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["team", "worker", "target", "population", "benchmark"])
def test_another_authoritys_row_answers_404_like_a_missing_one(as_874, world, kind):
    theirs = world["rows"]["873"][kind]
    missing_url = change_url(theirs).replace(f"/{theirs.pk}/", "/999999/")

    assert as_874.get(change_url(theirs)).status_code == 404
    assert as_874.get(missing_url).status_code == 404
    assert as_874.get(change_url(world["rows"]["874"][kind])).status_code == 200


def test_another_authoritys_row_cannot_be_changed_or_deleted(as_874, world):
    target = world["rows"]["873"]["target"]
    delete_url = change_url(target).replace("/change/", "/delete/")

    changed = as_874.post(
        change_url(target),
        {"la": world["874"].pk, "indicator": "cla_rate", "financial_year": 2024, "target": "1"},
    )
    deleted = as_874.post(delete_url, {"post": "yes"})

    assert (changed.status_code, deleted.status_code) == (404, 404)
    target.refresh_from_db()
    assert (target.la, target.target) == (world["873"], Decimal("55.00"))


def test_the_admin_of_873_still_edits_873s_rows(client, world):
    client.force_login(world["users"]["873"])
    target = world["rows"]["873"]["target"]

    response = client.post(
        change_url(target),
        {"la": world["873"].pk, "indicator": "cla_rate", "financial_year": 2024, "target": "52"},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target == Decimal("52.00")


def test_england_wide_benchmarks_are_read_only_for_an_admin(as_874, world):
    england = world["england"]
    form = {"indicator": "cla_rate", "year": 2024, "scope": "england", "value": "1", "source": "x"}

    assert as_874.get(change_url(england)).status_code == 200  # shown read-only
    assert as_874.post(change_url(england), form).status_code == 403
    england.refresh_from_db()
    assert england.value == 70


def test_an_admin_sets_their_visit_standard_but_not_their_authoritys_name(as_874, world):
    pboro = world["874"]

    response = as_874.post(
        change_url(pboro),
        {"visit_standard": "six_weekly", "small_number_suppression": "on", "name": "Renamed"},
    )

    assert response.status_code == 302
    pboro.refresh_from_db()
    assert (pboro.visit_standard, pboro.small_number_suppression) == ("six_weekly", True)
    assert pboro.name != "Renamed"
    assert as_874.get(change_url(world["873"])).status_code == 404


# --- foreign-key choices ---------------------------------------------------------------------


def test_the_authority_dropdown_offers_only_the_admins_own(as_874, world):
    response = as_874.get("/admin/organisations/team/add/")

    choices = {value for value, _ in response.context["adminform"].form.fields["la"].choices}
    assert {str(world["874"].pk)} == {str(v) for v in choices if v != ""}


def test_a_row_cannot_be_added_to_another_authority(as_874, world):
    response = as_874.post(
        "/admin/organisations/team/add/", {"la": world["873"].pk, "team_id": "T99", "name": "X"}
    )

    assert response.status_code == 200  # the form again, with an error on the authority
    assert "la" in response.context["adminform"].form.errors
    assert not Team.objects.filter(team_id="T99").exists()


def test_a_raw_id_box_refuses_another_authoritys_team(as_874, world):
    form = {
        "membership_id": "M1",
        "la": world["874"].pk,
        "worker": world["rows"]["874"]["worker"].pk,
        "team": world["rows"]["873"]["team"].pk,
        "role": "",
        "start_date": "2024-04-01",
    }

    response = as_874.post("/admin/organisations/teammembership/add/", form)

    assert "team" in response.context["adminform"].form.errors
    assert not TeamMembership.objects.exists()


def test_an_admin_cannot_add_an_england_wide_benchmark(as_874, world):
    form = {"indicator": "reviews", "year": 2024, "scope": "england", "value": "1", "source": "x"}

    response = as_874.post("/admin/scorecards/benchmark/add/", form)

    assert "la" in response.context["adminform"].form.errors
    assert not Benchmark.objects.filter(indicator="reviews").exists()


# --- spreadsheets (django-import-export) ------------------------------------------------------


def targets_csv(*rows: tuple[str, str]) -> SimpleUploadedFile:
    lines = ["la,indicator,financial_year,target,tolerance"]
    lines += [f"{code},{indicator},2025,50.00," for code, indicator in rows]
    return SimpleUploadedFile("targets.csv", "\n".join(lines).encode(), "text/csv")


def csv_format_index() -> str:
    formats = admin.site._registry[Target].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == "csv"))


def test_an_import_file_with_another_authoritys_row_is_refused_and_writes_nothing(as_874, world):
    upload = targets_csv(("874", "reviews_on_time"), ("873", "reviews_on_time"))

    response = as_874.post(
        "/admin/scorecards/target/import/", {"import_file": upload, "format": csv_format_index()}
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in response.context  # nothing to confirm
    invalid = result.invalid_rows
    assert [r.number for r in invalid] == [2]
    assert MSG_OUT_OF_SCOPE_ROW.format(code="873") in str(invalid[0].error_dict)
    assert not Target.objects.filter(financial_year=2025).exists()


def test_an_import_file_of_the_admins_own_rows_is_offered_for_confirmation(as_874, world):
    response = as_874.post(
        "/admin/scorecards/target/import/",
        {"import_file": targets_csv(("874", "reviews_on_time")), "format": csv_format_index()},
    )

    assert not response.context["result"].has_validation_errors()
    assert "confirm_form" in response.context


def test_the_resource_refuses_the_row_even_when_called_directly_with_the_user(world):
    dataset = tablib.Dataset(
        ["874", "a", "2025", "1", ""],
        ["873", "b", "2025", "1", ""],
        headers=["la", "indicator", "financial_year", "target", "tolerance"],
    )

    result = TargetResource().import_data(
        dataset, user=world["users"]["874"], rollback_on_validation_errors=True
    )

    assert result.has_validation_errors()
    assert not Target.objects.filter(financial_year=2025).exists()


def test_an_export_holds_only_the_admins_own_rows(world):
    model_admin = admin.site._registry[Target]
    request = RequestFactory().get("/admin/scorecards/target/export/")
    request.user = world["users"]["874"]

    exported = model_admin.get_export_queryset(request)

    assert list(exported.values_list("la__code", flat=True)) == ["874"]


# --- what is not reference data ----------------------------------------------------------------


def test_case_records_stay_superuser_only_whatever_permissions_a_group_holds(as_874, world):
    """roles.md: "Django admin — admin: reference data only"."""
    admin874 = world["users"]["874"]
    admin874.user_permissions.add(
        Permission.objects.get(codename="view_child", content_type__app_label="children")
    )
    child = Child.objects.create(la=world["874"], child_id="C1", sex="F", dob="2012-01-01")

    assert as_874.get("/admin/children/child/").status_code == 403
    assert as_874.get(change_url(child)).status_code in (403, 404)


def test_schools_are_national_data_an_admin_reads_but_does_not_change(as_874, world):
    school = School.objects.create(urn="100001", name="A School", la_code="874")

    assert as_874.get("/admin/children/school/").status_code == 200
    assert as_874.get("/admin/children/school/add/").status_code == 403
    assert as_874.get("/admin/children/school/import/").status_code == 403
    assert as_874.post(change_url(school), {"urn": "100001", "name": "Z"}).status_code == 403


def test_reference_data_history_stays_superuser_only_whatever_permissions(as_874, world):
    world["users"]["874"].user_permissions.add(
        Permission.objects.get(codename="view_historicaltarget")
    )

    assert as_874.get("/admin/scorecards/historicaltarget/").status_code == 403


# --- roles differ by authority (issue #21) -----------------------------------------------------


@pytest.fixture
def as_mixed(client, world):
    """Staff, admin of 874 and committee lead of 873: an admin in 874 only."""
    mixed = _user_roles(
        "mixed", [(world["874"], ADMIN, []), (world["873"], COMMITTEE_LEAD, [])], is_staff=True
    )
    client.force_login(mixed)
    return client


@pytest.mark.parametrize("kind", ["team", "worker", "target", "population"])
def test_an_admin_of_874_who_leads_873_lists_and_opens_874s_rows_only(as_mixed, world, kind):
    model = type(world["rows"]["874"][kind])

    response = as_mixed.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")

    assert changelist_pks(response) == {world["rows"]["874"][kind].pk}
    assert as_mixed.get(change_url(world["rows"]["873"][kind])).status_code == 404
    assert as_mixed.get(change_url(world["rows"]["874"][kind])).status_code == 200


def test_an_admin_of_874_who_leads_873_picks_exports_and_imports_874_only(as_mixed, world):
    form = as_mixed.get("/admin/organisations/team/add/").context["adminform"].form
    request = RequestFactory().get("/admin/scorecards/target/export/")
    request.user = get_user_model().objects.get(username="mixed")
    exported = admin.site._registry[Target].get_export_queryset(request)
    upload = targets_csv(("874", "reviews_on_time"), ("873", "reviews_on_time"))
    imported = as_mixed.post(
        "/admin/scorecards/target/import/", {"import_file": upload, "format": csv_format_index()}
    )

    assert {str(v) for v, _ in form.fields["la"].choices if v != ""} == {str(world["874"].pk)}
    assert list(exported.values_list("la__code", flat=True)) == ["874"]
    assert [r.number for r in imported.context["result"].invalid_rows] == [2]
    assert not Target.objects.filter(financial_year=2025).exists()
    assert as_mixed.get(change_url(world["873"])).status_code == 404


def test_staff_status_without_the_admin_role_reaches_no_reference_data(client, world):
    client.force_login(_user("lead873", COMMITTEE_LEAD, [(world["873"], [])], is_staff=True))

    assert client.get("/admin/scorecards/target/").status_code == 403
    assert client.get("/admin/organisations/team/").status_code == 403
    assert client.get("/admin/").context["app_list"] == []
