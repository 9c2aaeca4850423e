"""django-filter sets of the API's list endpoints (query-string filters, validated: a bad
value answers 400 naming the filter)."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from imports.models import ImportBatch, ImportFormat, ImportIssue
from scorecards.models import RecomputeRun, Snapshot

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MSG_MONTH = "Give a month as YYYY-MM, e.g. 2024-03."


class MonthFormField(forms.RegexField):
    """``2024-03`` → ``date(2024, 3, 1)``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": MSG_MONTH})
        super().__init__(MONTH_PATTERN, *args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        year, month = text.split("-")
        return date(int(year), int(month), 1)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2024-03"})
class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class SnapshotFilter(django_filters.FilterSet):
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label="From month (YYYY-MM)")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label="To month (YYYY-MM)")
    month_to_date = django_filters.BooleanFilter(label="Only the month to date (true/false)")

    class Meta:
        model = Snapshot
        fields = ["month_from", "month_to", "month_to_date"]


class ImportBatchFilter(django_filters.FilterSet):
    la = extend_schema_field(OpenApiTypes.STR)(
        django_filters.CharFilter(field_name="la__code", label="Authority (DfE code)")
    )
    status = django_filters.ChoiceFilter(choices=ImportBatch.Status.choices)
    # Not "format": DRF reads ?format= as the response format.
    extract_format = django_filters.ChoiceFilter(field_name="format", choices=ImportFormat.choices)
    dry_run = django_filters.BooleanFilter()

    class Meta:
        model = ImportBatch
        fields = ["la", "status", "extract_format", "dry_run"]


class ImportIssueFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(choices=ImportIssue.Severity.choices)
    kind = django_filters.CharFilter()
    table = django_filters.CharFilter()
    file_name = django_filters.CharFilter()

    class Meta:
        model = ImportIssue
        fields = ["severity", "kind", "table", "file_name"]


class RecomputeRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RecomputeRun.Status.choices)

    class Meta:
        model = RecomputeRun
        fields = ["status"]
