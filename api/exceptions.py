"""The API's exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

- The access module's refusals (``organisations.permissions``) answer as the pages do
  (``organisations.middleware``): ``NotFound`` → 404, ``NotPermitted`` → 403, in DRF's JSON
  error shape (``{"detail": …}``).
- A failed authentication counts against the client's address; over the limit the 401
  becomes a 429 (``api.throttles.FailedAuthenticationThrottle``).

A module of its own: ``api.throttles`` is loaded while ``rest_framework.views`` is still
importing (it names an authentication class), so it cannot import DRF's handler.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.throttles import FailedAuthenticationThrottle
from organisations.permissions import NotFound, NotPermitted


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after mapping access refusals and counting failed authentications."""
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(str(exc))
    request = context.get("request")
    if request is not None and isinstance(
        exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed
    ):
        wait = FailedAuthenticationThrottle().failure_record(request)
        if wait is not None:
            exc = exceptions.Throttled(wait=wait)
    return drf_exception_handler(exc, context)
