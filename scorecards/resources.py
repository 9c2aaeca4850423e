"""django-import-export resources for targets and benchmarks (reference data).

Matched on natural keys (authority code, indicator, year), so re-importing the same
spreadsheet updates nothing and a corrected one updates the rows in place. A row for an
authority the importing admin is not a member of (or, for them, an England-wide benchmark)
is refused (``AuthorityScopedResource``).
"""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from organisations.admin_scoping import AuthorityScopedResource
from organisations.models import LocalAuthority
from scorecards.models import Benchmark, Target


def la_code_field() -> fields.Field:
    """The authority column: its DfE 3-digit code (blank for England-wide benchmarks)."""
    return fields.Field(
        attribute="la", column_name="la", widget=ForeignKeyWidget(LocalAuthority, field="code")
    )


class TargetResource(AuthorityScopedResource, resources.ModelResource):
    la = la_code_field()

    class Meta:
        model = Target
        fields = ("la", "indicator", "financial_year", "target", "tolerance")
        import_id_fields = ("la", "indicator", "financial_year")
        skip_unchanged = True


class BenchmarkResource(AuthorityScopedResource, resources.ModelResource):
    la = la_code_field()

    class Meta:
        model = Benchmark
        fields = ("indicator", "year", "scope", "la", "value", "source")
        import_id_fields = ("indicator", "year", "scope", "la")
        skip_unchanged = True
