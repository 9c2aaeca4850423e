"""``/api/``: the OpenAPI schema, its browsable docs, and one URL per operation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import apis

app_name = "api"

CODE = r"(?P<code>[0-9]{3})"
MONTH = r"(?P<month>[0-9]{4}-(?:0[1-9]|1[0-2]))"
INDICATOR = r"(?P<indicator>[a-z0-9_]+)"
KIND = r"(?P<kind>[a-z0-9_]+)"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files: the page and its start-up
    script are separate files, so it runs under the CSP (no inline script or style). Signed-in
    users only: anyone else is sent to the sign-in page (``login_required`` below)."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


urlpatterns = [
    # The OpenAPI 3 schema (YAML, or JSON with ?format=json); token clients read it too.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", login_required(DocsView.as_view()), name="docs"),
    path("authorities/", apis.AuthorityListApi.as_view(), name="authorities"),
    path("indicators/", apis.IndicatorListApi.as_view(), name="indicators"),
    re_path(rf"^indicators/{INDICATOR}/$", apis.IndicatorDetailApi.as_view(), name="indicator"),
    re_path(rf"^authorities/{CODE}/snapshots/$", apis.SnapshotListApi.as_view(), name="snapshots"),
    re_path(
        rf"^authorities/{CODE}/snapshots/{MONTH}/$",
        apis.SnapshotDetailApi.as_view(),
        name="snapshot",
    ),
    re_path(rf"^authorities/{CODE}/trends/{INDICATOR}/$", apis.TrendApi.as_view(), name="trend"),
    re_path(
        rf"^authorities/{CODE}/worklists/$", apis.WorklistSummaryApi.as_view(), name="worklists"
    ),
    re_path(
        rf"^authorities/{CODE}/worklists/{KIND}/$",
        apis.WorklistRowsApi.as_view(),
        name="worklist",
    ),
    re_path(
        rf"^authorities/{CODE}/recomputes/$",
        apis.RecomputeRunListApi.as_view(),
        name="recomputes",
    ),
    re_path(
        rf"^authorities/{CODE}/recompute/$",
        apis.RecomputeTriggerApi.as_view(),
        name="recompute",
    ),
    path("imports/", apis.ImportBatchListApi.as_view(), name="imports"),
    path("imports/upload/", apis.ImportBatchCreateApi.as_view(), name="import_upload"),
    path("imports/<int:pk>/", apis.ImportBatchDetailApi.as_view(), name="import"),
    path("imports/<int:pk>/issues/", apis.ImportIssueListApi.as_view(), name="import_issues"),
]
