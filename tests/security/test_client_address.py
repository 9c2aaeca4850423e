"""One client address for audit rows, sign-in lockout and API throttles, behind the
documented TLS proxy too (``TRUSTED_PROXY_COUNT``), and API throttling of failed
authentications (issue #21 item 8).

Behind one proxy every request arrives from the proxy's own address (here 10.0.0.1), with
the client's address appended to ``X-Forwarded-For`` by the proxy. Without the setting,
every client shared 10.0.0.1: one person's failed sign-ins locked everyone out, and every
audit row named the proxy.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from api.services import api_token_issue
from organisations.models import AuditEvent
from organisations.services import client_address_of
from tests.security.conftest import ADMIN_ROLE, COMMITTEE, PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


def _request(remote: str = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's to write, so it is ignored.
        (0, "203.0.113.9", PROXY),
        (0, None, PROXY),
        # One proxy: it appended the address that connected to it.
        (1, "203.0.113.9", "203.0.113.9"),
        # A client's own X-Forwarded-For is to the left of what the proxy appended.
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),
        (1, " 198.51.100.66 ,203.0.113.9 ", "203.0.113.9"),
        # Two proxies: the client is second from the right.
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # Fewer entries than proxies: the leftmost, as DRF's NUM_PROXIES does.
        (2, "203.0.113.9", "203.0.113.9"),
        # A trusted proxy but no header (a request straight to gunicorn): the connection.
        (1, None, PROXY),
        (1, "2001:db8::7", "2001:db8::7"),
        # Not an address (a misconfigured proxy): unknown rather than a broken audit row.
        (1, "unknown", None),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address_of(_request(forwarded=forwarded)) == expected


def test_an_audit_row_names_the_client_not_the_proxy(client, cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(cast.users[ADMIN_ROLE])
    response = client.get(
        f"/children/{cast.child_own.pk}/",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHILD_VIEW)
    assert event.client_address == "203.0.113.9"


def _sign_in(client, password: str, forwarded: str):
    return client.post(
        "/login/",
        {"username": "committee", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_one_clients_failed_sign_ins_lock_out_that_client_only(
    client, cast, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "wrong", "203.0.113.9")
    assert _sign_in(client, PASSWORD, "203.0.113.9").status_code == 429
    # The same user name from another client behind the same proxy still signs in.
    assert _sign_in(client, PASSWORD, "198.51.100.20").status_code == 302


def test_without_the_setting_a_forged_header_cannot_dodge_the_lockout(client, cast, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "wrong", f"192.0.2.{n}")
    assert _sign_in(client, PASSWORD, "192.0.2.200").status_code == 429


# --- failed API authentications --------------------------------------------------------------


def _limit() -> int:
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_failure"]
    return int(rate.split("/")[0])


def test_anonymous_api_requests_are_throttled_by_address(client, cast):
    for _ in range(_limit()):
        assert client.get("/api/authorities/", REMOTE_ADDR="203.0.113.9").status_code == 401
    refused = client.get("/api/authorities/", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    # Another address is not affected.
    assert client.get("/api/authorities/", REMOTE_ADDR="198.51.100.20").status_code == 401


def test_token_guessing_is_refused_before_the_token_is_checked(client, cast):
    real = api_token_issue(user=cast.users[COMMITTEE]).key
    for n in range(_limit()):
        guess = client.get(
            "/api/authorities/",
            REMOTE_ADDR="203.0.113.9",
            HTTP_AUTHORIZATION=f"Token {'0' * 38}{n:02d}",
        )
        assert guess.status_code == 401
    # Locked: now even the right token from that address is refused unread.
    locked = client.get(
        "/api/authorities/", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Token {real}"
    )
    assert locked.status_code == 429
    # The token still works from its owner's own address.
    mine = client.get(
        "/api/authorities/", REMOTE_ADDR="198.51.100.20", HTTP_AUTHORIZATION=f"Token {real}"
    )
    assert mine.status_code == 200


def test_a_signed_in_session_behind_a_throttled_address_still_works(client, cast):
    for _ in range(_limit() + 1):
        client.get("/api/authorities/", REMOTE_ADDR="203.0.113.9")
    client.force_login(cast.users[COMMITTEE])
    assert client.get("/api/authorities/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_the_failed_authentication_throttle_reads_the_client_behind_the_proxy(
    client, cast, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(_limit() + 1):
        client.get("/api/authorities/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = client.get("/api/authorities/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.5")
    assert other.status_code == 401
