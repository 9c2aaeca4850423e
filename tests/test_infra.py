"""The real stack: a Celery worker over the broker, WeasyPrint, production checks, migrations.

Nothing here is mocked. In CI (PostgreSQL + Redis) the worker tests must run; on the plain
SQLite demo settings, with no broker, they are skipped.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from config.celery import app as celery_app
from organisations import tasks
from organisations.models import LocalAuthority

BASE_DIR = Path(settings.BASE_DIR)
RESULT_TIMEOUT_SECONDS = 60


def production_environment() -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org",
    }


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_ping_task_round_trips_through_a_real_worker(celery_worker_process):
    result = tasks.ping.delay()

    assert result.get(timeout=RESULT_TIMEOUT_SECONDS) == "pong"
    assert result.successful()
    assert celery_app.conf.task_always_eager is False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_reads_rows_committed_by_the_test_in_the_test_database(celery_worker_process):
    LocalAuthority.objects.create(code="990", ons_code="E99999990", name="Worker Test North")
    LocalAuthority.objects.create(code="991", ons_code="E99999991", name="Worker Test South")
    expected = list(LocalAuthority.objects.order_by("code").values_list("code", flat=True))

    codes = tasks.local_authority_codes.delay().get(timeout=RESULT_TIMEOUT_SECONDS)

    assert {"990", "991"} <= set(codes)
    assert codes == expected


def test_tasks_run_eagerly_outside_worker_tests():
    result = tasks.ping.delay()

    assert celery_app.conf.task_always_eager is True
    assert result.get() == "pong"


def test_weasyprint_renders_a_pdf_whose_text_pypdf_reads_back():
    from weasyprint import HTML

    html = """
        <html><head><style>@page { size: A4; margin: 2cm } h1 { font-family: sans-serif }</style>
        </head><body>
        <h1>Corporate parenting scorecard</h1>
        <p>Children looked after per 10,000: 61</p>
        </body></html>
    """
    pdf = HTML(string=html).write_pdf()

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Corporate parenting scorecard" in text
    assert "Children looked after per 10,000: 61" in text


def test_deployment_checks_pass_in_production_mode():
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = production_environment()
    del env["SECRET_KEY"]
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in completed.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """Every model change has its migration (``makemigrations --check`` exits 1 otherwise)."""
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_readme_documents_every_environment_variable_the_settings_read():
    settings_source = (BASE_DIR / "config" / "settings.py").read_text()
    readme = (BASE_DIR / "README.md").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', settings_source))
    names |= set(re.findall(r'os\.environ(?:\.get\(|\[)\s*"([A-Z0-9_]+)"', settings_source))

    assert "DATABASE_URL" in names and "REDIS_URL" in names
    undocumented = sorted(name for name in names if f"| `{name}` |" not in readme)
    assert not undocumented, f"add these to the README's Configuration table: {undocumented}"
