"""The child page (case level: in scope only, otherwise 404)."""

from __future__ import annotations

from django.urls import path

from children import views

app_name = "children"

urlpatterns = [
    path("children/<int:pk>/", views.child_detail, name="detail"),
]
