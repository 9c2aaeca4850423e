"""Spreadsheet imports in the Django admin, capped to what a web request can carry.

django-import-export imports inside the web request: a dry run on upload, then the import
itself on confirmation, each row a query or more (about 3 ms a row for schools measured
here, so 5,000 rows hold a gunicorn worker for half a minute and 40,000 pass its 120 s
timeout). The reference data the admin imports (targets, benchmarks, populations, teams,
workers, a county's schools) runs to hundreds or a few thousand rows, so an upload is
refused before anything is read when it is larger than ``ADMIN_IMPORT_MAX_MB``, or has
more than ``ADMIN_IMPORT_MAX_ROWS`` data rows, with a message saying so and what to do
(split the file). Extracts of children's records have their own route, run by the worker
(``/imports/``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

MSG_TOO_BIG = (
    "The file is {size:.1f} MB; files imported here must be {limit} MB or smaller. "
    "Split it into smaller files and import each."
)
MSG_TOO_MANY_ROWS = (
    "The file has {rows:,} rows; files imported here must have {limit:,} rows or fewer, "
    "as the import runs while the page waits. Split it into files of {limit:,} rows or "
    "fewer and import each."
)


class CappedImportForm(ImportForm):
    """The admin's import form, refusing a file too large or too long to import in a request."""

    def __init__(self, formats: list[Any], resources: list[Any], **kwargs: Any) -> None:
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        limit_mb = settings.ADMIN_IMPORT_MAX_MB
        if upload.size > limit_mb * 1024 * 1024:
            self.add_error(
                "import_file", MSG_TOO_BIG.format(size=upload.size / 1024 / 1024, limit=limit_mb)
            )
            return cleaned
        chosen = cleaned.get("format")
        if chosen in (None, ""):
            return cleaned
        rows = self._rows(upload, self.import_formats[int(chosen)]())
        limit = settings.ADMIN_IMPORT_MAX_ROWS
        if rows is not None and rows > limit:
            self.add_error("import_file", MSG_TOO_MANY_ROWS.format(rows=rows, limit=limit))
        return cleaned

    @staticmethod
    def _rows(upload: Any, input_format: Any) -> int | None:
        """Data rows of the upload in the chosen format; ``None`` when it cannot be read
        (the import step then says so in its own words)."""
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        if not input_format.is_binary():
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                return None
        try:
            return len(input_format.create_dataset(data))
        except Exception:  # noqa: BLE001 - any unreadable file is the import step's to report
            return None


class CappedImportExportModelAdmin(ImportExportModelAdmin):
    """``ImportExportModelAdmin`` with the capped import form (every reference-data admin)."""

    import_form_class = CappedImportForm
