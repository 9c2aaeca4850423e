"""The data quality page: what the latest imports left uncertain (admins only)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from imports.data_quality import data_quality_for_user
from organisations.permissions import IMPORTS, user_can


def data_quality(request: HttpRequest) -> HttpResponse:
    if not user_can(user=request.user, capability=IMPORTS):
        raise PermissionDenied("The data quality page is for admins.")
    on = timezone.localdate()
    pages = (("imports:upload", "Upload extract"), ("imports:history", "Import history"),
             ("imports:data_quality", "Data quality"))  # fmt: skip
    return render(
        request,
        "imports/data_quality.html",
        {
            "authorities": data_quality_for_user(user=request.user, on=on),
            "on": on,
            "stale_after": settings.FEED_STALE_AFTER_DAYS,
            "nav_items": [
                {"label": label, "href": reverse(name), "current": name == "imports:data_quality"}
                for name, label in pages
            ],
        },
    )
