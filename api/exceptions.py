"""The API's exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

A module of its own: ``api.throttles`` is loaded while ``rest_framework.views`` is still
importing (it names an authentication class), so it cannot import DRF's handler.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled
from rest_framework.views import exception_handler

from api.throttles import FailedAuthenticationThrottle


def api_exception_handler(exc: Exception, context: dict[str, Any]):
    """DRF's handler, after counting a failed authentication against the client's address
    (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``); over the limit, the 401 becomes a 429."""
    request = context.get("request")
    if request is not None and isinstance(exc, NotAuthenticated | AuthenticationFailed):
        wait = FailedAuthenticationThrottle().failure_record(request)
        if wait is not None:
            exc = Throttled(wait=wait)
    return exception_handler(exc, context)
