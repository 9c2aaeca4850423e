"""Spreadsheet imports in the Django admin run while the page waits, so a file too large
or too long for one request is refused with a message, before any row is read (issue #21
item 8). The limits are ``ADMIN_IMPORT_MAX_MB`` and ``ADMIN_IMPORT_MAX_ROWS``."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from children.models import School
from organisations import spreadsheets

pytestmark = pytest.mark.django_db
HEADER = "urn,name,la_code,ofsted_rating,inspection_date\n"


def _csv(rows: int) -> bytes:
    lines = [f"{100000 + n},School {n},873,2,2023-01-01\n" for n in range(rows)]
    return (HEADER + "".join(lines)).encode()


def _xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for n in range(rows):
        sheet.append([str(100000 + n), f"School {n}", "873", 2, "2023-01-01"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def root(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = get_user_model().objects.create_superuser("root-caps", "r@example.invalid", "x")
    client.force_login(user)
    return client


def _import(client, name: str, content: bytes, fmt) -> str:
    response = client.post(
        reverse("admin:children_school_import"),
        {
            "resource": "0",
            "format": str(spreadsheets.FORMATS.index(fmt)),
            "import_file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("fmt", "make"), [(spreadsheets.CSV, _csv), (spreadsheets.XLSX, _xlsx)])
def test_a_file_with_more_rows_than_the_limit_is_refused_before_any_is_read(
    root, settings, fmt, make
):
    settings.ADMIN_IMPORT_MAX_ROWS = 20
    page = _import(root, f"schools.{fmt().get_extension()}", make(21), fmt)
    assert "The file has 21 rows; files imported here must have 20 rows or fewer" in page
    assert "Split it into files of 20 rows or fewer" in page
    assert "Confirm import" not in page
    assert not School.objects.exists()


def test_a_file_at_the_row_limit_goes_on_to_the_preview(root, settings):
    settings.ADMIN_IMPORT_MAX_ROWS = 20
    page = _import(root, "schools.csv", _csv(20), spreadsheets.CSV)
    assert "must have 20 rows or fewer" not in page
    assert "Confirm import" in page


def test_a_file_over_the_size_limit_is_refused(root, settings):
    settings.ADMIN_IMPORT_MAX_MB = 1
    big = _csv(1) + b"#" * (1024 * 1024)
    page = _import(root, "schools.csv", big, spreadsheets.CSV)
    assert "files imported here must be 1 MB or smaller" in page
    assert not School.objects.exists()


def test_the_default_limits_suit_reference_data(settings):
    assert settings.ADMIN_IMPORT_MAX_ROWS == 2000
    assert settings.ADMIN_IMPORT_MAX_MB == 5
