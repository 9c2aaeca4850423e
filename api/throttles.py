"""Throttles beyond the defaults of ``REST_FRAMEWORK`` (per user and per anonymous address)."""

from __future__ import annotations

from rest_framework.throttling import UserRateThrottle


class UploadRateThrottle(UserRateThrottle):
    """Extract uploads per user and hour (``API_UPLOADS_PER_HOUR``): each stores the files
    and queues an import, so a runaway script must not fill the disk or the queue."""

    scope = "upload"
