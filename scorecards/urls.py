"""Scorecard, dashboard and demographics pages of one authority, by month (issue 8)."""

from __future__ import annotations

from datetime import date

from django.urls import path, register_converter

from scorecards import publication_views, views

app_name = "scorecards"


class MonthConverter:
    """``2024-03`` in a URL ↔ ``date(2024, 3, 1)``."""

    regex = r"[0-9]{4}-(0[1-9]|1[0-2])"

    def to_python(self, value: str) -> date:
        year, month = value.split("-")
        return date(int(year), int(month), 1)

    def to_url(self, value: date | str) -> str:
        if isinstance(value, str):
            return value
        return f"{value:%Y-%m}"


register_converter(MonthConverter, "yyyymm")

urlpatterns = [
    path("la/switch/", views.authority_switch, name="switch"),
]
for page in ("scorecard", "dashboard", "demographics"):
    urlpatterns += [
        path(
            f"la/<str:code>/{page}/",
            views.page_latest,
            {"page": page},
            name=f"{page}_latest",
        ),
        path(
            f"la/<str:code>/{page}/<yyyymm:month>/",
            views.page_month,
            {"page": page},
            name=page,
        ),
        path(
            f"la/<str:code>/{page}/<yyyymm:month>/{page}.xlsx",
            views.page_workbook_download,
            {"page": page},
            name=f"{page}_xlsx",
        ),
    ]

# Commentary, publication and the monthly PDF (issue 9).
urlpatterns += [
    path(
        "la/<str:code>/scorecard/<yyyymm:month>/commentary/<slug:section>/",
        publication_views.commentary_edit,
        name="commentary_edit",
    ),
    path(
        "la/<str:code>/scorecard/<yyyymm:month>/publish/",
        publication_views.scorecard_publish_view,
        name="publish",
    ),
    path(
        "la/<str:code>/scorecard/<yyyymm:month>/scorecard.pdf",
        publication_views.scorecard_pdf_download,
        {"kind": "published"},
        name="scorecard_pdf",
    ),
    path(
        "la/<str:code>/scorecard/<yyyymm:month>/scorecard-draft.pdf",
        publication_views.scorecard_pdf_download,
        {"kind": "draft"},
        name="scorecard_pdf_draft",
    ),
]
