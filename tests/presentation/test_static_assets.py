"""Vendored assets are present, use no restricted font, and survive a hashed collectstatic."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

REQUIRED = [
    "vendor/govuk-frontend/govuk-frontend.min.css",
    "vendor/govuk-frontend/govuk-frontend.min.js",
    "vendor/govuk-frontend/LICENSE",
    "vendor/htmx/htmx.min.js",
    "vendor/htmx/LICENSE",
    "vendor/README.md",
    "css/app.css",
    "css/print.css",
    "js/init.js",
]


def read_static(path: str) -> str:
    found = finders.find(path)
    assert found, f"static file {path} is missing"
    return Path(found).read_text()


def test_required_static_files_exist():
    for path in REQUIRED:
        assert finders.find(path), path


def test_govuk_css_uses_arial_not_the_restricted_transport_font():
    css = read_static("vendor/govuk-frontend/govuk-frontend.min.css")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,sans-serif" in css
    assert "sourceMappingURL" not in css
    # every url() resolves to a file shipped beside the CSS
    css_dir = Path(finders.find("vendor/govuk-frontend/govuk-frontend.min.css")).parent
    urls = set(re.findall(r"url\(([^)]+)\)", css))
    local = {url.strip("'\"") for url in urls if not url.startswith(("data:", "#"))}
    assert local, "the CSS names its images"
    for url in local:
        assert not url.startswith("/"), f"{url} would not resolve under /static/"
        assert (css_dir / url).is_file(), url


def test_govuk_js_is_the_es_module_with_init_all():
    js = read_static("vendor/govuk-frontend/govuk-frontend.min.js")
    assert "initAll" in js and js.rstrip().endswith("version};")
    assert "sourceMappingURL" not in js
    init = read_static("js/init.js")
    assert (
        'import { initAll, isSupported } from "../vendor/govuk-frontend/govuk-frontend.min.js"'
        in init
    )
    assert "govuk-frontend-supported" in init


def test_htmx_and_versions_are_recorded():
    assert "htmx" in read_static("vendor/htmx/htmx.min.js")
    readme = read_static("vendor/README.md")
    assert "5.14.0" in readme and "2.0.11" in readme
    assert "arial" in readme.lower()


def test_print_stylesheet_is_a4_and_hides_navigation():
    css = read_static("css/print.css")
    assert "size: A4" in css
    for selector in (".govuk-service-navigation__wrapper", ".govuk-footer", "form"):
        assert selector in css
    assert "break-inside: avoid" in css
    assert "content: none" in css  # no URLs after links


def test_collectstatic_with_hashed_names_resolves_every_reference(tmp_path):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").is_file()
    assert list(tmp_path.glob("vendor/govuk-frontend/govuk-frontend.min.*.css"))
