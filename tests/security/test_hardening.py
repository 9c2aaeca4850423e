"""Authentication and hardening (``roles.md``): lockout after failed sign-ins, session expiry
after inactivity, a Content Security Policy without inline script or style, secure cookies
and HSTS in production, upload limits, content sniffing and XML without entity expansion.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from imports.issues import IssueLog
from imports.readers import MSG_PDF, ReadOptions, source_read
from tests.security.conftest import ADMIN_ROLE, COMMITTEE, PASSWORD

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db


# --- lockout ---------------------------------------------------------------------------------


def _sign_in(client, password: str, address: str = "10.0.0.7"):
    return client.post(
        "/login/", {"username": "committee", "password": password}, REMOTE_ADDR=address
    )


def test_repeated_failed_sign_ins_lock_the_account_with_a_message(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "wrong").status_code == 200  # the form again, with its error

    locked = _sign_in(client, "wrong")

    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Sign-in locked" in text
    assert f"{settings.AXES_FAILURE_LIMIT} failed attempts to sign in as" in text
    assert "locked for 30 minutes" in text
    # Even the right password is refused now, and no session is opened.
    assert _sign_in(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "wrong")
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        response = _sign_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_successful_sign_in_resets_the_count(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "wrong")
    assert _sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "wrong").status_code == 200


def test_failures_from_another_address_do_not_lock_this_one(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "wrong", address="10.9.9.9")
    assert _sign_in(client, PASSWORD, address="10.0.0.7").status_code == 302


# --- session expiry --------------------------------------------------------------------------


def test_a_session_expires_after_the_idle_time_but_not_while_used(client, cast):
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle == timedelta(minutes=30)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _sign_in(client, PASSWORD).status_code == 302
    # Used every 20 minutes for an hour: still signed in (each request renews the session).
    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/la/873/scorecard/2024-03/").status_code == 200, minutes
    # Then 31 minutes without a request: signed out.
    with time_machine.travel(start + timedelta(minutes=91), tick=False):
        response = client.get("/la/873/scorecard/2024-03/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_idle_time_is_configurable():
    completed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; import django; "
         "django.setup(); print(settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST)"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
             "SESSION_IDLE_MINUTES": "5"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.stdout.split() == ["300", "True"], completed.stderr


# --- Content Security Policy -----------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url", ["/login/", "/la/873/scorecard/2024-03/", "/api/docs/", "/api/authorities/"]
)
def test_every_response_carries_a_policy_without_inline_script_or_style(client, cast, url):
    client.force_login(cast.users[COMMITTEE])
    response = client.get(url)

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_api_docs_load_every_script_and_style_from_files(client, cast):
    """Swagger UI under the CSP: the page is scripts and style sheets by URL, nothing inline,
    and the start-up script it names is served by the docs view itself."""
    client.force_login(cast.users[COMMITTEE])
    html = client.get("/api/docs/").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in scripts)
    init = client.get(scripts[-1].replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in init.content.decode()


TEMPLATE_DIRS = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S)


def _templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS if ".venv" not in str(d) for p in d.rglob("*.html"))


def test_no_template_has_inline_script_event_handlers_or_style_attributes():
    """The pages' own templates. (The PDF's templates are rendered by WeasyPrint, never by a
    browser, but keep the same rule.)"""
    offenders = []
    for path in _templates():
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(), flags=re.S)
        text = re.sub(r"{%\s*verbatim\s*%}.*?{%\s*endverbatim\s*%}", "", text, flags=re.S)
        for label, pattern in (("inline script", INLINE_SCRIPT), ("event handler", EVENT_HANDLER),
                               ("style attribute", STYLE_ATTRIBUTE)):  # fmt: skip
            if pattern.search(text):
                offenders.append(f"{path.relative_to(BASE_DIR)}: {label}")
        if "<style" in text:
            offenders.append(f"{path.relative_to(BASE_DIR)}: <style> element")
    assert len(_templates()) > 20
    assert not offenders, "\n".join(offenders)


# --- production settings ---------------------------------------------------------------------


def test_production_settings_secure_cookies_and_hsts():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"}  # fmt: skip
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert completed.stdout.split() == ["True", "True", "True", "31536000", "True", "True"], (
        completed.stderr
    )


# --- uploads ---------------------------------------------------------------------------------


def test_an_upload_over_the_limit_is_refused_before_anything_is_stored(client, cast, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(cast.users[ADMIN_ROLE])
    big = io.BytesIO(b"CHILD,SEX\n" + b"A1,M\n" * 50)
    big.name = "Header.csv"

    response = client.post(
        "/api/imports/upload/", {"la": "873", "format": "ssda903", "year": "2025", "files": [big]}
    )

    assert response.status_code == 400
    assert "over the upload limit of 100 bytes" in response.json()["files"][0]
    assert cast.la.import_batches.count() == 1  # the fixture's batch only


def test_a_pdf_named_csv_is_refused_by_its_content(
    client, cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.users[ADMIN_ROLE])
    fake = io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    fake.name = "Header.csv"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/imports/upload/",
            {"la": "873", "format": "ssda903", "year": "2025", "files": [fake]},
        )

    assert response.status_code == 201
    batch = client.get(f"/api/imports/{response.json()['id']}/").json()
    assert batch["status"] == "rejected"
    issues = client.get(f"/api/imports/{batch['id']}/issues/").json()["results"]
    assert [i["message"] for i in issues] == [MSG_PDF]
    stored = list(Path(tmp_path).rglob("*Header.csv"))
    assert stored and all(not os.access(p, os.X_OK) for p in stored)  # kept, never executable
    assert str(settings.MEDIA_ROOT) not in str(settings.STATIC_ROOT)


def _workbook_with_entities() -> bytes:
    """An XLSX whose sheet declares XML entities (a "billion laughs" in miniature)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Header"
    sheet.append(["CHILD", "SEX"])
    sheet.append(["A1", "M"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    doctype = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "LAUGH">'
               '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')  # fmt: skip
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (doctype + data.decode().replace("A1</t>", "&b;</t>", 1)).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_xml_entities_in_a_workbook_are_never_expanded():
    assert openpyxl.DEFUSEDXML  # defusedxml is installed, so openpyxl parses through it
    log = IssueLog(limit=10)

    sheets = source_read(
        name="book.xlsx", data=_workbook_with_entities(), log=log, options=ReadOptions(10**6)
    )

    assert sheets == []
    assert [i.kind for i in log.kept] == ["unreadable_file"]
    assert "LAUGH" not in str([i.message for i in log.kept])
