from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Keeping the service running: the health check, worker heartbeats, the lost-work sweep."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from operations import heartbeat

        heartbeat.worker_signals_connect()
