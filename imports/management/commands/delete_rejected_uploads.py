"""``manage.py delete_rejected_uploads``: delete rejected batches' files past their retention.

What Celery beat does every night (``IMPORT_REJECTED_FILES_KEEP_DAYS``), for a deployment
without beat or to run it at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from imports.retention import rejected_upload_files_delete


class Command(BaseCommand):
    help = "Delete the stored files of import batches rejected over the retention period ago."

    def handle(self, *args, **options) -> None:
        deleted = rejected_upload_files_delete()
        days = settings.IMPORT_REJECTED_FILES_KEEP_DAYS
        self.stdout.write(
            f"Deleted {deleted} file(s) of batches rejected more than {days} days ago."
        )
