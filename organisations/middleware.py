"""Pages answer the access module's refusals (``organisations.permissions``) as Django does
its own: ``NotFound`` → 404, ``NotPermitted`` → 403, through the project's error pages.

Selectors and services raise the domain errors and know nothing of HTTP; this is the one
place a page turns them into a status. The API does the same in ``api.exceptions``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from organisations.permissions import NotFound, NotPermitted


class AccessRefusedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(str(exception)))
        if isinstance(exception, NotPermitted):
            return response_for_exception(request, PermissionDenied(str(exception)))
        return None
