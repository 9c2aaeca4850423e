"""The REST API: one view per operation, each with its own nested serializers.

DRF authenticates every view (``Authorization: Token …`` for automation, the session for the
browser) and answers 401 to anyone else; DRF's views tell Django's ``LoginRequiredMiddleware``
to stand aside, since a token client has no session.

Views are thin (``style.md`` §1, rules 3–7): validate the input, check the role with
``organisations.permissions`` (404 outside the user's authorities, 403 when the roles held
in that authority lack the capability; ``api.exceptions`` maps its errors), call one
selector or service of the app that owns the data, audit what the pages audit, return.
Case-level reads start from ``Child.objects.visible_to(user)`` through ``reviews.selectors``;
aggregates come from ``scorecards.selectors``, so an API response and the page always agree.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.filters import (
    MONTH_PATTERN,
    MSG_MONTH,
    ImportBatchFilter,
    ImportIssueFilter,
    RecomputeRunFilter,
    SnapshotFilter,
)
from api.selectors import (
    TREND_MAX_MONTHS,
    indicator_trend,
    indicators_list,
    snapshot_for_api,
    snapshots_current_for_la,
    trend_default_range,
)
from api.throttles import UploadRateThrottle
from imports.audit import import_issues_view_record
from imports.batch_runs import import_batch_queue
from imports.formats import formats_available
from imports.forms import request_too_big, upload_size_problem
from imports.issue_summary import batch_rules
from imports.models import ImportBatch, ImportIssue
from imports.selectors import import_batch_get_for_user, import_batch_list_for_user
from imports.services import IncomingFile, YearRequired, import_batch_create
from organisations.models import AuditEvent, LocalAuthority
from organisations.permissions import (
    AGGREGATES,
    CAPABILITIES,
    CASE_LEVEL,
    IMPORTS,
    RECOMPUTE,
    la_get_for_capability,
    las_for_capability,
    user_can,
    user_capabilities_in,
)
from organisations.services import audit_record, client_address_of
from reviews.as_of import AsOfOutOfRange, as_of_allowed, as_of_check
from reviews.selectors import (
    KINDS_BY_KEY,
    WORKLIST_KINDS,
    WORKLIST_SORTS,
    worklist_filter,
    worklist_for_team,
    worklist_team_choice_get,
    worklist_team_choices,
)
from scorecards.indicators import INDICATORS, SECTIONS
from scorecards.models import RecomputeRun, Snapshot
from scorecards.periods import PERIODS, add_months, month_first, months_between
from scorecards.services import snapshots_recompute_trigger
from scorecards.units import UNITS

MSG_PERIOD = "{indicator} has no period {period!r}; its periods are {periods}."
MSG_RANGE = "month_from is after month_to."
MSG_TOO_LONG = "A trend covers at most {n} months."
MSG_FUTURE = "{month} has not started yet."
MSG_NOT_IMPORT_ADMIN = "Importing extracts is for admins."
MSG_LA_NOT_IMPORTABLE = "You may not import for authority {code!r}."


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2024-03"})
class MonthField(serializers.Field):
    """A month as ``YYYY-MM`` in, ``date`` (first of the month) out."""

    default_error_messages = {"invalid": MSG_MONTH}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MONTH_PATTERN, data):
            self.fail("invalid")
        return _month(data)

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class ListApiView(GenericAPIView):
    """A paginated list: ``?page=``, ``?page_size=`` (at most 1000) and the view's filters."""

    def paginated(self, items: Any, serializer_class: type[serializers.Serializer]) -> Response:
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializer_class(page, many=True).data)


# --- authorities and the registry ----------------------------------------------------------


class AuthorityListApi(ListApiView):
    """The authorities whose aggregates the user reads, with what the user may do in them."""

    filter_backends: list = []
    queryset = LocalAuthority.objects.none()

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        ons_code = serializers.CharField()
        region = serializers.CharField()
        small_number_suppression = serializers.BooleanField()
        latest_month = MonthField(allow_null=True)
        capabilities = serializers.ListField(child=serializers.ChoiceField(choices=CAPABILITIES))

    @extend_schema(
        responses=OutputSerializer(many=True), operation_id="authorities_list", tags=["aggregates"]
    )
    def get(self, request):
        latest = (
            Snapshot.objects.filter(la=OuterRef("pk"), is_current=True)
            .order_by("-month")
            .values("month")[:1]
        )
        las = las_for_capability(user=request.user, capability=AGGREGATES).annotate(
            latest_month=Subquery(latest)
        )
        page = self.paginate_queryset(las)
        for la in page:  # roles are per authority, and so is what the user may do
            la.capabilities = user_capabilities_in(user=request.user, la=la)
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)


class IndicatorOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    section = serializers.CharField()
    section_title = serializers.SerializerMethodField()
    unit = serializers.ChoiceField(choices=sorted(UNITS))
    polarity = serializers.CharField(allow_null=True)
    periods = serializers.ListField(child=serializers.ChoiceField(choices=PERIODS))
    definition = serializers.CharField()
    default_target = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    target_text = serializers.CharField()
    implemented = serializers.BooleanField()
    breakdown_labels = serializers.DictField(child=serializers.CharField())
    benchmark = serializers.CharField()
    source = serializers.CharField()
    readings = serializers.ListField(child=serializers.CharField())

    def get_section_title(self, indicator) -> str:
        return SECTIONS[indicator.section].title


class IndicatorListApi(ListApiView):
    """The indicator registry (``indicators.md`` §2) in catalogue order."""

    filter_backends: list = []

    class FilterSerializer(serializers.Serializer):
        section = serializers.ChoiceField(choices=sorted(SECTIONS), required=False)
        unit = serializers.ChoiceField(choices=sorted(UNITS), required=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=IndicatorOutputSerializer(many=True),
        operation_id="indicators_list",
        tags=["aggregates"],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return self.paginated(indicators_list(**filters.validated_data), IndicatorOutputSerializer)


class IndicatorDetailApi(APIView):
    """One indicator of the registry by its catalogue id."""

    @extend_schema(
        responses=IndicatorOutputSerializer, operation_id="indicators_retrieve", tags=["aggregates"]
    )
    def get(self, request, indicator: str):
        found = INDICATORS.get(indicator)
        if found is None:
            raise Http404("No such indicator.")
        return Response(IndicatorOutputSerializer(found).data)


# --- snapshots and trends --------------------------------------------------------------------


class SnapshotListApi(ListApiView):
    """The months with figures for an authority (its current snapshot of each), newest first."""

    queryset = Snapshot.objects.none()
    filterset_class = SnapshotFilter

    class OutputSerializer(serializers.Serializer):
        month = MonthField()
        version = serializers.IntegerField()
        as_of = serializers.DateField()
        month_to_date = serializers.BooleanField()
        computed_at = serializers.DateTimeField()

    @extend_schema(
        responses=OutputSerializer(many=True), operation_id="snapshots_list", tags=["aggregates"]
    )
    def get(self, request, code: str):
        la = la_get_for_capability(user=request.user, code=code, capability=AGGREGATES)
        snapshots = self.filter_queryset(snapshots_current_for_la(la=la))
        return self.paginated(snapshots, self.OutputSerializer)


class SnapshotOutputSerializer(serializers.Serializer):
    """``indicators.md`` §4: ``{indicator: {period: cell}}`` with derived values."""

    la = serializers.CharField()
    month = serializers.CharField()
    computed_at = serializers.CharField()
    as_of = serializers.DateField()
    month_to_date = serializers.BooleanField()
    version = serializers.IntegerField()
    batch_ids = serializers.ListField(child=serializers.IntegerField())
    small_number_suppression = serializers.BooleanField()
    indicators = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField()),
        help_text="indicator id → period → cell: {value} for counts, {numerator, "
        "denominator, value} for percentages and rates, {sum, count, value} for averages, "
        "{breakdown, total} for breakdowns. When the authority suppresses small numbers, "
        "counts 1–4, counts that would give one back, and figures built on them are null, "
        "and the cell has suppressed: true.",
    )
    not_computed = serializers.ListField(child=serializers.CharField())


class SnapshotDetailApi(APIView):
    """One month's snapshot of an authority: every figure, aggregates only."""

    class FilterSerializer(serializers.Serializer):
        indicator = serializers.ListField(
            child=serializers.ChoiceField(choices=sorted(INDICATORS)),
            required=False,
            help_text="Only these indicators (repeat the parameter for several).",
        )
        period = serializers.ListField(
            child=serializers.ChoiceField(choices=PERIODS),
            required=False,
            help_text="Only these periods (repeat the parameter for several).",
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses=SnapshotOutputSerializer,
        operation_id="snapshots_retrieve",
        tags=["aggregates"],
    )
    def get(self, request, code: str, month: str):
        la = la_get_for_capability(user=request.user, code=code, capability=AGGREGATES)
        filters = self.FilterSerializer(
            data={
                "indicator": request.query_params.getlist("indicator"),
                "period": request.query_params.getlist("period"),
            }
        )
        filters.is_valid(raise_exception=True)
        data = snapshot_for_api(
            la=la,
            month=_month(month),
            indicator_ids=filters.validated_data.get("indicator") or None,
            periods=filters.validated_data.get("period") or None,
        )
        if data is None:
            raise Http404("No figures for this month.")
        return Response(SnapshotOutputSerializer(data).data)


class TrendApi(APIView):
    """One indicator × period month by month: the trend the pages draw (default: the 12
    months ending with the latest month with figures)."""

    class FilterSerializer(serializers.Serializer):
        period = serializers.ChoiceField(
            choices=PERIODS, required=False, help_text="Default: the indicator's first period."
        )
        month_from = MonthField(required=False)
        month_to = MonthField(required=False)

    class PointSerializer(serializers.Serializer):
        month = MonthField()
        value = serializers.FloatField(allow_null=True)
        cell = serializers.DictField(allow_null=True)

    class OutputSerializer(serializers.Serializer):
        la = serializers.CharField()
        indicator = serializers.CharField()
        period = serializers.CharField()
        unit = serializers.CharField()
        points = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OutputSerializer,
        operation_id="trends_retrieve",
        tags=["aggregates"],
    )
    def get(self, request, code: str, indicator: str):
        la = la_get_for_capability(user=request.user, code=code, capability=AGGREGATES)
        found = INDICATORS.get(indicator)
        if found is None:
            raise Http404("No such indicator.")
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        period = wanted.get("period") or found.periods[0]
        if period not in found.periods:
            message = MSG_PERIOD.format(
                indicator=found.id, period=period, periods=", ".join(found.periods)
            )
            raise ValidationError({"period": [message]})
        this_month = month_first(date.today())
        default = trend_default_range(la=la) or (add_months(this_month, -11), this_month)
        last = wanted.get("month_to") or default[1]
        first = wanted.get("month_from") or add_months(last, -11)
        if first > last:
            raise ValidationError({"month_from": [MSG_RANGE]})
        if last > this_month:
            raise ValidationError({"month_to": [MSG_FUTURE.format(month=f"{last:%Y-%m}")]})
        if len(months_between(first, last)) > TREND_MAX_MONTHS:
            raise ValidationError({"month_from": [MSG_TOO_LONG.format(n=TREND_MAX_MONTHS)]})
        points = indicator_trend(la=la, indicator=found, period=period, first=first, last=last)
        return Response(
            self.OutputSerializer(
                {
                    "la": la.code,
                    "indicator": found.id,
                    "period": period,
                    "unit": found.unit,
                    "points": self.PointSerializer(points, many=True).data,
                }
            ).data
        )


# --- worklists (case level) ------------------------------------------------------------------


class WorklistQuerySerializer(serializers.Serializer):
    team = serializers.CharField(
        required=False,
        max_length=100,
        help_text="Team id of the extract, several joined by +, or 'all' (whole authority). "
        "Default: your own team(s).",
    )
    as_of = serializers.DateField(
        required=False,
        help_text="Admins only: an earlier day (others always get today), from 2000-01-01.",
    )

    def validate_as_of(self, value):
        try:
            as_of_check(requested=value)
        except AsOfOutOfRange as refused:
            raise serializers.ValidationError(str(refused)) from refused
        return value


def _worklist(request, code: str):
    la = la_get_for_capability(user=request.user, code=code, capability=CASE_LEVEL)
    query = WorklistQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    wanted = query.validated_data
    choice = worklist_team_choice_get(user=request.user, la=la, key=wanted.get("team"))
    as_of = as_of_allowed(user=request.user, la=la, requested=wanted.get("as_of"))
    worklist = worklist_for_team(user=request.user, la=la, choice=choice, as_of=as_of)
    return la, choice, as_of, worklist


class WorklistSummaryApi(APIView):
    """How many children are on each list of a team (or the whole authority) today.

    Case level (team managers for their teams, admins for the authority); audited like the
    team page.
    """

    class TeamSerializer(serializers.Serializer):
        key = serializers.CharField()
        name = serializers.CharField()

    class CountSerializer(serializers.Serializer):
        kind = serializers.CharField()
        title = serializers.CharField()
        overdue = serializers.BooleanField()
        count = serializers.IntegerField()

    class OutputSerializer(serializers.Serializer):
        la = serializers.CharField()
        as_of = serializers.DateField()
        team = serializers.DictField(child=serializers.CharField())
        teams = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
        children = serializers.IntegerField()
        looked_after = serializers.IntegerField()
        lists = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        parameters=[WorklistQuerySerializer],
        responses=OutputSerializer,
        operation_id="worklists_summary",
        tags=["worklists"],
    )
    def get(self, request, code: str):
        la, choice, as_of, worklist = _worklist(request, code)
        counts = worklist.counts()
        audit_record(
            user=request.user,
            la=la,
            action=AuditEvent.Action.WORKLIST_VIEW,
            object_type="Team",
            object_id=choice.key,
            n_children=len(worklist.child_pks()),
            detail={"team": choice.key, "as_of": as_of.isoformat(), "via": "api"},
            request=request,
        )
        data = {
            "la": la.code,
            "as_of": as_of,
            "team": self.TeamSerializer(choice).data,
            "teams": self.TeamSerializer(
                worklist_team_choices(user=request.user, la=la), many=True
            ).data,
            "children": worklist.children,
            "looked_after": worklist.looked_after,
            "lists": self.CountSerializer(
                [
                    {"kind": k.key, "title": k.title, "overdue": k.overdue, "count": counts[k.key]}
                    for k in WORKLIST_KINDS
                ],
                many=True,
            ).data,
        }
        return Response(self.OutputSerializer(data).data)


class WorklistRowsApi(ListApiView):
    """The children on one list (overdue visits, reviews due, …), most overdue first
    unless ``sort`` picks another order.

    Case level and audited: each page of rows leaves an access event with the number of
    children on it.
    """

    filter_backends: list = []

    class FilterSerializer(WorklistQuerySerializer):
        worker = serializers.CharField(
            required=False,
            max_length=20,
            help_text="Only this worker's children (worker id), or 'none' for unallocated.",
        )
        sort = serializers.ChoiceField(
            choices=list(WORKLIST_SORTS.items()),
            required=False,
            help_text="The order of the rows, as the team page's 'Sort by': "
            + "; ".join(f"{key}: {label}" for key, label in WORKLIST_SORTS.items())
            + f". Default: {next(iter(WORKLIST_SORTS))}.",
        )

    class OutputSerializer(serializers.Serializer):
        child = serializers.IntegerField(source="child_pk", help_text="Id of the child page.")
        child_id = serializers.CharField()
        child_name = serializers.CharField()
        worker = serializers.IntegerField(source="worker_pk", allow_null=True)
        worker_name = serializers.CharField()
        due_date = serializers.DateField(allow_null=True)
        days_overdue = serializers.IntegerField(allow_null=True)
        days_text = serializers.CharField()
        last_date = serializers.DateField(allow_null=True)
        placement = serializers.CharField()
        distance = serializers.CharField()
        note = serializers.CharField()

    @extend_schema(
        parameters=[
            FilterSerializer,
            OpenApiParameter(
                "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(KINDS_BY_KEY)
            ),
        ],
        responses=OutputSerializer(many=True),
        operation_id="worklists_rows",
        tags=["worklists"],
    )
    def get(self, request, code: str, kind: str):
        if kind not in KINDS_BY_KEY:
            raise Http404("No such list.")
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        la, choice, as_of, worklist = _worklist(request, code)
        worker = filters.validated_data.get("worker", "")
        sort = filters.validated_data.get("sort")
        rows = worklist_filter(worklist=worklist, kinds=[kind], worker=worker, sort=sort)[kind]
        page = self.paginate_queryset(rows)
        audit_record(
            user=request.user,
            la=la,
            action=AuditEvent.Action.WORKLIST_VIEW,
            object_type="Team",
            object_id=choice.key,
            n_children=len({row.child_pk for row in page}),
            detail={
                "team": choice.key,
                "kind": kind,
                "worker": worker,
                "sort": sort or "",
                "as_of": as_of.isoformat(),
                "page": request.query_params.get("page", "1"),
                "via": "api",
            },
            request=request,
        )
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)


# --- imports (admins) ------------------------------------------------------------------------


class ImportBatchOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    la = serializers.CharField(source="la.code")
    format = serializers.CharField()
    collection_year = serializers.IntegerField(allow_null=True)
    as_at = serializers.DateField(allow_null=True)
    dry_run = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ImportBatch.Status.choices)
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    rows_total = serializers.IntegerField()
    rows_validated = serializers.IntegerField()
    rows_written = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per table: read, inserted, updated, unchanged, removed.",
    )
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    message = serializers.CharField()
    earliest_changed_date = serializers.DateField(allow_null=True)
    recompute_due = serializers.BooleanField()
    files = serializers.SerializerMethodField()
    issues_by_rule = serializers.SerializerMethodField(
        help_text="Every error and warning counted per rule: severity, kind, DfE rule code, "
        "table, column, first message, count, first rows, indicators it may affect."
    )
    warnings_by_indicator = serializers.SerializerMethodField(
        help_text="Indicator id → how many warnings may affect it (every warning counted)."
    )

    def get_files(self, batch) -> list[dict[str, Any]]:
        return [
            {"name": f.name, "size": f.size, "sha256": f.sha256, "tables": f.tables}
            for f in batch.files.all()
        ]

    def get_issues_by_rule(self, batch) -> list[dict[str, Any]]:
        return [rule.as_dict() for rule in batch_rules(batch=batch)]

    def get_warnings_by_indicator(self, batch) -> dict[str, int]:
        return dict((batch.issue_summary or {}).get("warnings_by_indicator") or {})


def _require_import_admin(user: Any) -> None:
    if not user_can(user=user, capability=IMPORTS):
        raise PermissionDenied(MSG_NOT_IMPORT_ADMIN)


class ImportBatchListApi(ListApiView):
    """Import batches of the authorities the admin imports for, newest first."""

    queryset = ImportBatch.objects.none()
    filterset_class = ImportBatchFilter

    @extend_schema(
        responses=ImportBatchOutputSerializer(many=True),
        operation_id="imports_list",
        tags=["imports"],
    )
    def get(self, request):
        _require_import_admin(request.user)
        batches = self.filter_queryset(import_batch_list_for_user(user=request.user))
        return self.paginated(batches, ImportBatchOutputSerializer)


class ImportBatchCreateApi(APIView):
    """Upload an extract (CSV files, an XLSX workbook, an SSDA903 XML return or a zip): a
    batch is created and queued; poll it at ``/api/imports/{id}/``. The size limit is for
    all the files together. Audited as an upload."""

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadRateThrottle]

    class InputSerializer(serializers.Serializer):
        la = serializers.CharField(max_length=3, help_text="Authority (DfE code).")
        format = serializers.ChoiceField(choices=sorted(formats_available()))
        files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
        year = serializers.IntegerField(
            required=False, min_value=2000, max_value=2100, help_text="Collection year."
        )
        as_at = serializers.DateField(required=False, help_text="Extract date (SSD).")
        dry_run = serializers.BooleanField(required=False, default=False)

        def validate_files(self, files):
            problem = upload_size_problem(files=files)  # all the files together
            if problem:
                raise serializers.ValidationError(problem)
            return files

    @extend_schema(
        request=InputSerializer,
        responses={201: ImportBatchOutputSerializer},
        operation_id="imports_create",
        tags=["imports"],
    )
    def post(self, request):
        _require_import_admin(request.user)
        too_big = request_too_big(content_length=request.META.get("CONTENT_LENGTH"))
        if too_big:  # before the body is read
            raise ValidationError({"files": [too_big]})
        data = {**request.data.dict(), "files": request.FILES.getlist("files")}
        upload = self.InputSerializer(data=data)
        upload.is_valid(raise_exception=True)
        wanted = upload.validated_data
        la = las_for_capability(user=request.user, capability=IMPORTS).filter(code=wanted["la"])
        la = la.first()
        if la is None:
            raise ValidationError({"la": [MSG_LA_NOT_IMPORTABLE.format(code=wanted["la"])]})
        try:
            batch = import_batch_create(
                la=la,
                format_name=wanted["format"],
                files=[IncomingFile(name=f.name, handle=f) for f in wanted["files"]],
                year=wanted.get("year"),
                as_at=wanted.get("as_at"),
                dry_run=wanted["dry_run"],
                created_by=request.user,
                client_address=client_address_of(request),
            )
        except YearRequired as exc:
            raise ValidationError({"year": [str(exc)]}) from exc
        # With the task queue down the batch stays pending, its message saying it starts
        # once the queue is back (the lost-work sweep sends it): still 201, never a 500.
        import_batch_queue(batch=batch)
        batch = import_batch_get_for_user(user=request.user, pk=batch.pk)
        return Response(ImportBatchOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportBatchDetailApi(APIView):
    """One batch: status, progress and counts (poll it until the status is final)."""

    @extend_schema(
        responses=ImportBatchOutputSerializer, operation_id="imports_retrieve", tags=["imports"]
    )
    def get(self, request, pk: int):
        batch = import_batch_get_for_user(user=request.user, pk=pk)
        return Response(ImportBatchOutputSerializer(batch).data)


class ImportIssueListApi(ListApiView):
    """The row errors and warnings of one batch, errors first."""

    queryset = ImportIssue.objects.none()
    filterset_class = ImportIssueFilter

    class OutputSerializer(serializers.Serializer):
        severity = serializers.ChoiceField(choices=ImportIssue.Severity.choices)
        kind = serializers.CharField()
        rule_code = serializers.CharField()
        file_name = serializers.CharField()
        table = serializers.CharField()
        row_number = serializers.IntegerField(
            allow_null=True, help_text="Row of a CSV or sheet; line of an XML return."
        )
        column = serializers.CharField()
        value = serializers.CharField()
        location = serializers.CharField(
            help_text="In an XML return, the element: CHILD A1001 / EPISODE 2 / DECOM."
        )
        message = serializers.CharField()
        indicators = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        responses=OutputSerializer(many=True), operation_id="imports_issues_list", tags=["imports"]
    )
    def get(self, request, pk: int):
        batch = import_batch_get_for_user(user=request.user, pk=pk)
        issues = batch.issues.order_by("severity", "file_name", "row_number", "id")
        response = self.paginated(self.filter_queryset(issues), self.OutputSerializer)
        shown, page = len(response.data["results"]), self.paginator.page.number
        import_issues_view_record(
            user=request.user, batch=batch, shown=shown, page=page, via="api", request=request
        )
        return response


# --- recompute (admins) ----------------------------------------------------------------------


class RecomputeRunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RecomputeRun.Status.choices)
    first_month = MonthField()
    last_month = MonthField()
    months_total = serializers.IntegerField()
    months_done = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField()
    batch = serializers.IntegerField(source="batch_id", allow_null=True)


class RecomputeRunListApi(ListApiView):
    """The authority's recompute runs, newest first (poll a triggered run here)."""

    queryset = RecomputeRun.objects.none()
    filterset_class = RecomputeRunFilter

    @extend_schema(
        responses=RecomputeRunOutputSerializer(many=True),
        operation_id="recomputes_list",
        tags=["recompute"],
    )
    def get(self, request, code: str):
        la = la_get_for_capability(user=request.user, code=code, capability=RECOMPUTE)
        runs = RecomputeRun.objects.filter(la=la).order_by("-id")
        return self.paginated(self.filter_queryset(runs), RecomputeRunOutputSerializer)


class RecomputeTriggerApi(APIView):
    """Recompute the authority's snapshots from a month (default: the current month) to now.

    Queued (202); runs merge with one already queued. Audited as a recompute trigger.
    """

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    class InputSerializer(serializers.Serializer):
        month_from = MonthField(
            required=False, help_text="First month to recompute (at most 5 years back)."
        )

        def validate_month_from(self, value: date) -> date:
            this_month = month_first(date.today())
            if value > this_month:
                raise serializers.ValidationError(MSG_FUTURE.format(month=f"{value:%Y-%m}"))
            if value < add_months(this_month, -60):
                raise serializers.ValidationError("At most 5 years back.")
            return value

    @extend_schema(
        request=InputSerializer,
        responses={202: RecomputeRunOutputSerializer},
        operation_id="recompute_create",
        tags=["recompute"],
    )
    def post(self, request, code: str):
        la = la_get_for_capability(user=request.user, code=code, capability=RECOMPUTE)
        wanted = self.InputSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        run = snapshots_recompute_trigger(
            la=la,
            acting_user=request.user,
            from_date=wanted.validated_data.get("month_from"),
            request=request,
        )
        run.refresh_from_db()
        return Response(RecomputeRunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)
