"""The PDF's URL fetcher reads files under ``static/`` and nothing else (issue #21 item 8:
``%2e%2e`` in a URL escaped the folder check, which looked at the path before the fetch
decoded it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from scorecards.pdf import _url_fetcher

STATIC = Path(settings.BASE_DIR) / "static"


def test_a_file_under_static_is_fetched():
    fetched = _url_fetcher((STATIC / "css" / "app.css").as_uri())
    body = fetched.get("string") or fetched["file_obj"].read()
    if "file_obj" in fetched:
        fetched["file_obj"].close()
    assert body == (STATIC / "css" / "app.css").read_bytes()


@pytest.mark.parametrize(
    "tail",
    [
        "%2e%2e/config/settings.py",
        "%2E%2E/%2e%2e/etc/passwd",
        "css/%2e%2e/%2e%2e/manage.py",
        "..%2fmanage.py",
        "%2e%2e%2fmanage.py",
    ],
)
def test_an_encoded_climb_out_of_static_is_refused(tail):
    url = STATIC.as_uri() + "/" + tail
    with pytest.raises(ValueError, match="fetches nothing outside static/"):
        _url_fetcher(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/x.css",
        "file://attacker.example" + str(STATIC / "css" / "app.css"),
        "data:text/css,body{}",
        "file:///etc/passwd",
    ],
)
def test_the_network_and_other_files_are_refused(url):
    with pytest.raises(ValueError):
        _url_fetcher(url)


def test_a_link_inside_static_pointing_outside_is_refused(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the PDF")
    (static / "innocent.css").symlink_to(secret)
    settings.BASE_DIR = tmp_path
    with pytest.raises(ValueError):
        _url_fetcher((static / "innocent.css").as_uri())
