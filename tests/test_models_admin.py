"""Every record model is in the Django admin, its lists work, and reference data round-trips.

The changelist test requests each model's list with a search and a filter, so a wrong
``search_fields`` or ``list_select_related`` entry (which ``manage.py check`` does not see)
fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from organisations.models import AuditEvent, LocalAuthority, Team
from organisations.resources import TeamResource
from scorecards.models import Target
from scorecards.resources import TargetResource

pytestmark = pytest.mark.django_db

RECORD_APPS = [
    "organisations",
    "children",
    "placements",
    "reviews",
    "health",
    "imports",
    "scorecards",
]
RECORD_MODELS = [
    model for label in RECORD_APPS for model in apps.get_app_config(label).get_models()
]


def authority(code: str, ons_code: str, name: str) -> LocalAuthority:
    la, _ = LocalAuthority.objects.get_or_create(
        code=code, defaults={"ons_code": ons_code, "name": name}
    )
    return la


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model._meta.label)
def test_every_record_model_is_registered_in_the_admin(model):
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model._meta.label)
def test_every_admin_list_renders_with_a_search(admin_client, model):
    authority("873", "E10000003", "Cambridgeshire")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    response = admin_client.get(url, {"q": "873"})

    assert response.status_code == 200, response.content[:500]


def test_the_audit_log_is_read_only_in_the_admin(admin_client, admin_user):
    la = authority("873", "E10000003", "Cambridgeshire")
    event = AuditEvent.objects.create(
        user=admin_user, la=la, action=AuditEvent.Action.CHILD_VIEW, object_type="child"
    )
    model_admin = admin.site._registry[AuditEvent]
    request = admin_client.get(reverse("admin:index")).wsgi_request

    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert admin_client.get(reverse("admin:organisations_auditevent_add")).status_code == 403
    delete_url = reverse("admin:organisations_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def target_rows() -> list[tuple]:
    return sorted(
        Target.objects.values_list("la__code", "indicator", "financial_year", "target", "tolerance")
    )


def test_targets_round_trip_through_their_spreadsheet_resource():
    cambs = authority("873", "E10000003", "Cambridgeshire")
    peterborough = authority("874", "E06000031", "Peterborough")
    Target.objects.create(
        la=cambs, indicator="cla_rate", financial_year=2024, target=Decimal("55.00")
    )
    Target.objects.create(
        la=cambs,
        indicator="visits_on_time",
        financial_year=2024,
        target=Decimal("90.00"),
        tolerance=Decimal("5.00"),
    )
    Target.objects.create(
        la=peterborough, indicator="cla_rate", financial_year=2025, target=Decimal("70.50")
    )
    before = target_rows()

    dataset = TargetResource().export()
    assert dataset.headers == ["la", "indicator", "financial_year", "target", "tolerance"]
    assert sorted(dataset["la"]) == ["873", "873", "874"]

    Target.objects.all().delete()
    result = TargetResource().import_data(dataset, raise_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 3
    assert target_rows() == before

    again = TargetResource().import_data(dataset, raise_errors=True)
    assert again.totals["skip"] == 3
    assert target_rows() == before


def test_a_target_spreadsheet_updates_the_row_with_the_same_natural_key():
    cambs = authority("873", "E10000003", "Cambridgeshire")
    Target.objects.create(la=cambs, indicator="cla_rate", financial_year=2024, target=55)
    dataset = TargetResource().export()
    dataset.dict = [{**row, "target": "52.00"} for row in dataset.dict]

    result = TargetResource().import_data(dataset, raise_errors=True)

    assert result.totals["update"] == 1
    assert list(Target.objects.values_list("target", flat=True)) == [Decimal("52.00")]


def test_a_parent_team_is_found_within_the_rows_own_authority():
    cambs = authority("873", "E10000003", "Cambridgeshire")
    peterborough = authority("874", "E06000031", "Peterborough")
    Team.objects.create(la=cambs, team_id="T1", name="Cambridgeshire children in care")
    Team.objects.create(la=peterborough, team_id="T1", name="Peterborough children in care")
    dataset = TeamResource().export()
    dataset.append(["874", "T2", "Peterborough placements", "T1"])

    TeamResource().import_data(dataset, raise_errors=True)

    child_team = Team.objects.get(la=peterborough, team_id="T2")
    assert child_team.parent == Team.objects.get(la=peterborough, team_id="T1")
