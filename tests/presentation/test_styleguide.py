"""The style guide renders every include and chart, in the browser markup and in WeasyPrint."""

from __future__ import annotations

import io
import mimetypes
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from pypdf import PdfReader
from weasyprint import HTML, default_url_fetcher

from .conftest import parse_page

BASE_URL = "http://testserver/"


def render_styleguide(context: dict) -> str:
    request = RequestFactory().get("/")
    request.user = get_user_model()(username="lead")
    return render_to_string("styleguide.html", context, request=request)


def static_fetcher(url: str, *args, **kwargs):
    """Serve /static/ from the finders, as the PDF service will; nothing from the network."""
    prefix = BASE_URL + "static/"
    if url.startswith(prefix):
        path = finders.find(url[len(prefix) :])
        assert path, url
        mime_type, _ = mimetypes.guess_type(path)
        return {"string": Path(path).read_bytes(), "mime_type": mime_type, "redirected_url": url}
    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"unexpected fetch of {url}")


def test_styleguide_shows_every_include_and_chart(styleguide_context):
    html = render_styleguide(styleguide_context)
    for marker in (
        "cps-figure",
        "cps-rag--strong",
        "cps-rag--acceptable",
        "cps-rag--poor",
        "cps-change--improved",
        "cps-change--same",
        "cps-change--deteriorated",
        "cps-key",
        "cps-as-at",
        "cps-trend-table",
        "cps-chart--bar",
        "cps-chart--hbar",
        "cps-chart--grouped",
        "cps-chart--line",
        "cps-sparkline",
    ):
        assert marker in html, marker
    assert "Data as at 31 March 2024: SSDA903 imported 2 April" in html
    assert "461 out of 637" in html


def test_styleguide_markup_is_clean(styleguide_context):
    html = render_styleguide(styleguide_context)
    page = parse_page(html)
    assert len(page.ids) == len(set(page.ids)), "duplicate ids break aria references"
    assert page.event_handlers == []
    assert all(not script["content"].strip() for script in page.scripts)
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) > 20
    for svg in svgs:
        ET.fromstring(svg)
    for referenced in re.findall(r'aria-labelledby="([^"]+)"', html):
        for element_id in referenced.split():
            assert element_id in page.ids


@pytest.mark.slow
def test_styleguide_prints_with_weasyprint_and_keeps_chart_values(styleguide_context):
    html = render_styleguide(styleguide_context)
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=static_fetcher).write_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    # chart labels are real text in the PDF, drawn from the same SVG as the page
    for expected in (
        "70.3%",
        "88.3%",
        "Target: 98% or above",
        "Missing incidents",
        "65",
        "Children in care",
        "72.4%",
        "461 out of 637",
        "Key",
    ):
        assert expected in text, expected
    # print.css hides the navigation and the sign-out form
    assert "Sign out" not in text
    assert "Dashboard" not in text
