"""schemathesis against the API's own OpenAPI schema, in process (the WSGI app, no server).

Every operation gets a bounded number of generated requests (``MAX_EXAMPLES``), signed in
with an admin's token (admins may call every operation), the path parameters pointed at real
objects of the security cast so the requests reach the data. Each response must not be a
server error and must match the schema: its status is one the schema lists, its content type
and its body conform.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_issue
from tests.security.conftest import ADMIN_ROLE

MAX_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, sharing the test's database connection: like Django's
    test client, it must not close the connection (and with it the test's transaction) at
    the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_answers_within_its_schema(cast, settings, wsgi_app):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    token = api_token_issue(user=cast.users[ADMIN_ROLE]).key
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    app = wsgi_app
    known = {
        "code": "873",
        "month": "2024-03",
        "id": cast.batch.pk,
        "indicator": "reviews_on_time",
        "kind": "visits_overdue",
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        strategy = operation.as_strategy(
            path_parameters={k: v for k, v in known.items() if k in names}
        )

        @given(case=strategy)
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(
                app=app, headers={"Authorization": f"Token {token}"}, checks=CHECKS
            )

        check()
