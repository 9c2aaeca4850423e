"""How long uploaded files are kept: a rejected batch's files go after a retention period.

A rejected upload wrote nothing, so its files serve only to check it again (*Re-run as
dry run*) while the admin fixes the extract. After ``IMPORT_REJECTED_FILES_KEEP_DAYS``
days they are deleted — child-level data kept for no purpose is a liability — and the
batch keeps its facts: names, sizes, SHA-256, errors and when the files went. Celery beat
runs this daily (``imports.tasks.rejected_upload_files_delete_task``); ``manage.py
delete_rejected_uploads`` runs it by hand.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from imports.models import ImportBatch, ImportFile

logger = logging.getLogger(__name__)


def rejected_upload_files_delete(*, now: datetime | None = None) -> int:
    """Delete the stored files of batches rejected more than the retention period ago.

    Returns how many files were deleted. A file already gone from disk is marked deleted
    all the same; batches that were imported (or are still running) are never touched.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_REJECTED_FILES_KEEP_DAYS)
    files = ImportFile.objects.filter(
        batch__status=ImportBatch.Status.REJECTED,
        batch__finished_at__lte=cutoff,
        deleted_at__isnull=True,
    ).exclude(stored_path="")
    deleted = 0
    for stored in files.iterator():
        path = Path(stored.stored_path)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the batch's folder, once it is empty
            path.parent.rmdir()
        stored.stored_path = ""
        stored.deleted_at = now
        stored.save(update_fields=["stored_path", "deleted_at"])
        deleted += 1
    if deleted:
        logger.info("deleted %s file(s) of rejected import batches", deleted)
    return deleted
