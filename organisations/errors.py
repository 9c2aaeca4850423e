"""Errors in a request that the page explains to the reader (status 400).

Django answers a ``BadRequest`` with its bare "Bad Request (400)" page and logs it as a
server error with its traceback. A ``ReaderBadRequest`` carries a message written for the
person who sent the request (what was wrong, what to ask for instead): the middleware
below answers it with the service's own page (``organisations.views.bad_request``, also
the ``handler400``), logged as the ordinary 400 it is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class ReaderBadRequest(BadRequest):
    """A bad request whose message is shown to the reader."""


class ReaderBadRequestMiddleware:
    """Turns a ``ReaderBadRequest`` raised by a view into the 400 page with its message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ReaderBadRequest):
            return None
        from organisations.views import bad_request

        return bad_request(request, exception)
