"""The API tests use the security tests' cast (``tests/security/conftest.py``)."""

from tests.security.conftest import _fresh_cache, cast  # noqa: F401 (fixtures)
