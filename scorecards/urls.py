"""Scorecard, dashboard and demographics pages of one authority, by month (issue 8)."""

from __future__ import annotations

from datetime import date

from django.urls import path, register_converter

from scorecards import views

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
