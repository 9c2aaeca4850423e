"""The Django cache on Redis that treats an outage as a miss.

The cache only saves work (built scorecard pages, worklists, API throttle counters, the
PDF render lock): with Redis unreachable, a read is a miss and a write is skipped, so a
page is built afresh rather than answering 500. The first failure logs a warning; for
``OUTAGE_RETRY_SECONDS`` after it the process does not try Redis at all, so a page that
would read the cache a dozen times pays for one refused connection, not twelve, and the
log gets one line per process per interval rather than one per read.

``add`` answers "stored" during an outage: its callers use it as a lock (one PDF render
of a month at a time), and without Redis each process renders on its own rather than
every one of them waiting for a lock nobody can take.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

#: After a failure, seconds during which the cache is taken to be down (no attempt made).
OUTAGE_RETRY_SECONDS = 5.0

T = TypeVar("T")

# Per cache location, shared by every thread of the process (Django makes a cache object
# per thread): monotonic time until which Redis is not tried.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class FailSoftRedisCache(RedisCache):
    """Django's ``RedisCache`` whose reads miss and writes are skipped while Redis is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _outage(self) -> bool:
        return _down_until.get(self._location, 0.0) > time.monotonic()

    def _soft(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if self._outage():
            return fallback
        try:
            return call()
        except (redis.RedisError, OSError) as exc:
            with _lock:
                first = not self._outage()
                _down_until[self._location] = time.monotonic() + OUTAGE_RETRY_SECONDS
            if first:
                logger.warning(
                    "cache unavailable (%s on %s: %s); pages are built without it for %ss",
                    type(exc).__name__,
                    operation,
                    exc,
                    OUTAGE_RETRY_SECONDS,
                )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("add", partial(RedisCache.add, self, key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._soft("get", partial(RedisCache.get, self, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._soft("set", partial(RedisCache.set, self, key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("touch", partial(RedisCache.touch, self, key, timeout, version), False)

    def delete(self, key, version=None):
        return self._soft("delete", partial(RedisCache.delete, self, key, version), False)

    def get_many(self, keys, version=None):
        return self._soft("get_many", partial(RedisCache.get_many, self, keys, version), {})

    def has_key(self, key, version=None):
        return self._soft("has_key", partial(RedisCache.has_key, self, key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._soft("incr", partial(RedisCache.incr, self, key, delta, version), missing)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = list(data)
        return self._soft(
            "set_many", partial(RedisCache.set_many, self, data, timeout, version), failed
        )

    def delete_many(self, keys, version=None):
        self._soft("delete_many", partial(RedisCache.delete_many, self, keys, version), None)

    def clear(self):
        return self._soft("clear", partial(RedisCache.clear, self), False)
