"""/health/: for load balancers, monitors and the supervisor's checks (README)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from operations.health import service_health, service_is_healthy


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and a worker answer; 503 naming what does not.

    Exempt from sign-in and from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``); never
    cached, so every probe runs the checks.
    """
    checks = service_health()
    healthy = service_is_healthy(checks)
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
