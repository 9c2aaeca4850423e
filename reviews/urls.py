"""Worklists (the team page and its exports) and the drill-down behind scorecard figures."""

from __future__ import annotations

from django.urls import path, re_path

from reviews import views

app_name = "worklists"

urlpatterns = [
    path("my-team/", views.my_team, name="my_team"),
    path("la/<str:code>/my-team/", views.team_page, name="team"),
    re_path(
        r"^la/(?P<code>[0-9A-Za-z]+)/my-team/(?P<kind>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$",
        views.team_export,
        name="export",
    ),
    re_path(
        r"^la/(?P<code>[0-9A-Za-z]+)/drilldown/(?P<indicator>[a-z0-9_]+)/"
        r"(?P<month>[0-9]{4}-(?:0[1-9]|1[0-2]))/(?P<period>[a-z0-9_]+)/$",
        views.drilldown,
        name="drilldown",
    ),
]
