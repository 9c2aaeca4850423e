from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: thin APIViews over the same selectors and services as the pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "REST API"
