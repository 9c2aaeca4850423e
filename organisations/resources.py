"""django-import-export resources for the organisations reference data.

Rows are matched on their natural keys (an authority by its DfE code, a team by authority
and extract team id, ...), never on database ids, so a spreadsheet exported from one
installation imports into another and re-importing it changes nothing. A row for an
authority the importing admin is not a member of is refused (``AuthorityScopedResource``).
"""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from organisations.admin_scoping import AuthorityScopedResource
from organisations.models import LocalAuthority, Population, Team, Worker


def la_code_field() -> fields.Field:
    """The authority column: its DfE 3-digit code."""
    return fields.Field(
        attribute="la", column_name="la", widget=ForeignKeyWidget(LocalAuthority, field="code")
    )


class TeamOfSameAuthorityWidget(ForeignKeyWidget):
    """A parent team by its extract team id, looked up within the row's own authority."""

    def __init__(self) -> None:
        super().__init__(Team, field="team_id")

    def get_queryset(self, value, row, *args, **kwargs):
        return Team.objects.filter(la__code=row.get("la"))


class LocalAuthorityResource(AuthorityScopedResource, resources.ModelResource):
    la_path = ""
    la_column = "code"

    class Meta:
        model = LocalAuthority
        fields = (
            "code",
            "ons_code",
            "name",
            "region",
            "is_current",
            "small_number_suppression",
            "visit_standard",
        )
        import_id_fields = ("code",)
        skip_unchanged = True


class PopulationResource(AuthorityScopedResource, resources.ModelResource):
    la = la_code_field()

    class Meta:
        model = Population
        fields = ("la", "year", "population_0_17", "source")
        import_id_fields = ("la", "year")
        skip_unchanged = True


class TeamResource(AuthorityScopedResource, resources.ModelResource):
    la = la_code_field()
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=TeamOfSameAuthorityWidget()
    )

    class Meta:
        model = Team
        fields = ("la", "team_id", "name", "parent")
        import_id_fields = ("la", "team_id")
        skip_unchanged = True


class WorkerResource(AuthorityScopedResource, resources.ModelResource):
    la = la_code_field()

    class Meta:
        model = Worker
        fields = (
            "la",
            "professional_id",
            "staff_id",
            "name",
            "registration_no",
            "job_title",
            "department",
            "fte",
            "supplied_caseload",
            "is_agency",
            "role",
        )
        import_id_fields = ("la", "professional_id")
        skip_unchanged = True
