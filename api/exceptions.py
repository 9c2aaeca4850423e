"""The API's answer to the access module's refusals (``organisations.permissions``):
``NotFound`` → 404, ``NotPermitted`` → 403, in DRF's JSON error shape (``{"detail": …}``),
as the pages answer them (``organisations.middleware``)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from organisations.permissions import NotFound, NotPermitted


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)
