from django.urls import path

from imports import views, views_data_quality

app_name = "imports"

urlpatterns = [
    path("", views.history, name="history"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("<int:pk>/rerun/", views.batch_rerun, name="batch_rerun"),
    path("<int:pk>/run-again/", views.batch_run_again, name="batch_run_again"),
    path("data-quality/", views_data_quality.data_quality, name="data_quality"),
    path("recompute/<str:code>/", views.recompute, name="recompute"),
]
