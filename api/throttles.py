"""API throttles: per user, per anonymous address, uploads, and failed authentications.

Every throttle keys an address by ``organisations.services.client_address_of``, the one
function behind audit rows and sign-in lockout too, so ``TRUSTED_PROXY_COUNT`` decides the
address for all three.

Why a throttle of failed authentications: Django REST framework checks permissions before
throttles, so a request without credentials is answered 401 before ``AnonRateThrottle``
runs, and a wrong token fails inside authentication, earlier still. Anonymous requests
and token guessing were therefore never throttled. Now each 401 counts against the
client's address (``API_FAILED_AUTH_PER_MINUTE``, counted by ``api.exceptions``); past the
limit the address gets 429 with ``Retry-After`` instead of 401, and a request carrying a
token from that address is refused before the token is even looked up (no guess can
succeed while locked). A signed-in browser session from the same address is not refused:
its cookie cannot be guessed.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import Throttled
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from organisations.services import client_address_of


class ClientAddressIdent:
    """Throttle mixin: the client's address as ``client_address_of`` reads it."""

    def get_ident(self, request: Any) -> str:
        return client_address_of(request) or "unknown"


class AnonThrottle(ClientAddressIdent, AnonRateThrottle):
    """Requests of anonymous clients per address (``anon`` rate)."""


class UserThrottle(ClientAddressIdent, UserRateThrottle):
    """Requests per signed-in user (``API_THROTTLE_PER_MINUTE``)."""


class UploadRateThrottle(ClientAddressIdent, UserRateThrottle):
    """Extract uploads per user and hour (``API_UPLOADS_PER_HOUR``): each stores the files
    and queues an import, so a runaway script must not fill the disk or the queue."""

    scope = "upload"


class FailedAuthenticationThrottle(ClientAddressIdent, SimpleRateThrottle):
    """Failed authentications (401) per client address (``API_FAILED_AUTH_PER_MINUTE``)."""

    scope = "auth_failure"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _recent(self, request: Any) -> None:
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def locked_for(self, request: Any) -> float | None:
        """Seconds until the address may try again, or ``None`` when it may now."""
        self._recent(request)
        if len(self.history) < self.num_requests:
            return None
        return self.wait()

    def failure_record(self, request: Any) -> float | None:
        """Count one failure; the wait when the address is now over the limit."""
        wait = self.locked_for(request)
        if wait is None:
            self.throttle_success()
        return wait


class LockableTokenAuthentication(TokenAuthentication):
    """Token authentication that refuses (429) a token from an address over the limit of
    failed authentications, before looking the token up."""

    def authenticate(self, request: Any):
        if get_authorization_header(request):
            wait = FailedAuthenticationThrottle().locked_for(request)
            if wait is not None:
                raise Throttled(wait=wait)
        return super().authenticate(request)
