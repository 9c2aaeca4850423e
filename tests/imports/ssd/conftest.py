"""Helpers for the SSD import tests: the §5 worked example as files, and a one-call import."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create, import_batch_run
from organisations.models import LocalAuthority

HERE = Path(__file__).parent
#: ``ssd-extracts.md`` §5 exactly as printed.
WORKED_EXAMPLE = HERE / "worked_example"
#: What §5 says exists but does not show: C1001's U6 placement (and C1002's), legal
#: statuses (so the short-break rule can be applied), location and the roles of 4.7.
WORKED_EXAMPLE_EXTRA = HERE / "worked_example_extra"
AS_AT = date(2025, 3, 31)


def ssd_import(
    la: LocalAuthority,
    *sources: Path,
    as_at: date = AS_AT,
    files: dict[str, str] | None = None,
    dry_run: bool = False,
) -> ImportBatch:
    """Import the CSVs of the given folders (and named in-memory files) as one SSD batch."""
    incoming = []
    for source in sources:
        paths = sorted(source.glob("*.csv")) if source.is_dir() else [source]
        incoming.extend(IncomingFile(name=f"{p.parent.name}/{p.name}", path=p) for p in paths)
    for name, text in (files or {}).items():
        import io

        incoming.append(IncomingFile(name=name, handle=io.BytesIO(text.encode())))
    batch = import_batch_create(
        la=la, format_name="ssd", files=incoming, as_at=as_at, dry_run=dry_run
    )
    return import_batch_run(batch_id=batch.pk)


def issues_text(batch: ImportBatch) -> str:
    return "\n".join(
        f"{i.severity} {i.kind} {i.file_name}:{i.row_number} {i.column} {i.message}"
        for i in batch.issues.all()
    )


@pytest.fixture
def la(db) -> LocalAuthority:
    return LocalAuthority.objects.get(code="873")


@pytest.fixture
def other_la(db) -> LocalAuthority:
    return LocalAuthority.objects.get(code="874")


@pytest.fixture
def example_folder(tmp_path) -> Path:
    """The worked example plus the files §5 does not show, in one folder."""
    folder = tmp_path / "ssd_2025-03-31"
    folder.mkdir()
    for source in (WORKED_EXAMPLE, WORKED_EXAMPLE_EXTRA):
        for path in source.glob("*.csv"):
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
