"""The hand-checked month of the page tests (``tests/pages/conftest.py``), PDFs stored in a
temporary ``MEDIA_ROOT``, and helpers that read a PDF as a reader would: its text (pypdf),
its fonts (``pdffonts``) and a page image (``pdftoppm``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.pages.conftest import (  # noqa: F401  (fixtures shared with the page tests)
    FEBRUARY,
    MARCH,
    MARCH_CELLS,
    PASSWORD,
    admin_user,
    client_for,
    committee_client,
    committee_lead,
    la,
    other_la,
    other_la_lead,
    snapshot_make,
    team_manager,
    user_make,
)

#: Where a real Celery worker stores PDFs: the settings' own MEDIA_ROOT, read before any
#: test moves it (the worker is another process and keeps its environment's).
WORKER_MEDIA_ROOT = Path(django_settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every test stores its PDFs in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(content: bytes) -> str:
    """The text of every page, whitespace collapsed (what a reader can search for)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages_text(content: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdffonts(path: Path) -> list[dict[str, str]]:
    """``pdffonts`` rows as dicts: name, type, emb, sub, uni (poppler-utils)."""
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts (poppler-utils) is not installed: run scripts/bootstrap.sh")
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    lines = out.stdout.splitlines()
    header = lines[0]
    columns = ["type", "encoding", "emb", "sub", "uni", "object", "id"]
    starts = [header.index(name) for name in ("type", "encoding", "emb", "sub", "uni")]
    rows = []
    for line in lines[2:]:
        name = line[: starts[0]].strip()
        rest = line[starts[0] :].split()
        # "type" may be two words (CID TrueType); the last six fields are fixed.
        fields = [" ".join(rest[:-6]), *rest[-6:]]
        rows.append({"name": name, **dict(zip(columns, fields, strict=True))})
    return rows
