"""No child can be identified from a committee output (``roles.md``: "no page, PDF, API
response or export available to them contains a child's name, id, date of birth or
postcode").

A small demo authority is generated (``make_demo_data --scale 0.05``, every child with an
invented name, an id, a date of birth and placement postcodes); then everything a committee
lead can read of it is rendered, the way they would get it, and searched for each child's
id, "forename surname", date of birth (as 03/02/2011, 2011-02-03 and 3 February 2011) and
full postcode: the scorecard, dashboard and demographics pages and their spreadsheets, the
scorecard PDF and every aggregate API response.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from children.models import Child
from organisations.models import LocalAuthority
from placements.models import Placement
from scorecards.indicators import INDICATORS

TODAY = date(2024, 3, 31)
MONTH = "2024-02"  # the last closed month of the demo
PAGES = ("scorecard", "dashboard", "demographics")


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    call_command("make_demo_data", "--seed", "1", "--scale", "0.05",
                 "--today", TODAY.isoformat(), stdout=io.StringIO())  # fmt: skip
    return LocalAuthority.objects.get(code="873")


def identifiers(la: LocalAuthority) -> dict[str, str]:
    """Every identifying string of the authority's children → what it identifies."""
    found: dict[str, str] = {}
    for child in Child.objects.filter(la=la):
        found[child.child_id] = f"id of {child.child_id}"
        if child.forename and child.surname:
            found[f"{child.forename} {child.surname}"] = f"name of {child.child_id}"
        if child.dob:
            for text in (
                f"{child.dob:%d/%m/%Y}",
                child.dob.isoformat(),
                f"{child.dob.day} {child.dob:%B %Y}",
            ):
                found[text] = f"date of birth of {child.child_id}"
    for placement in Placement.objects.filter(la=la).select_related("child"):
        for postcode in (placement.home_post, placement.pl_post):
            if postcode and " " in postcode.strip():  # full postcodes (903 sends districts)
                found[postcode.strip()] = f"postcode of {placement.child.child_id}"
    return found


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def committee_outputs(client, la: LocalAuthority) -> dict[str, str]:
    """What a committee lead can read of the authority: every output, as text."""
    outputs: dict[str, str] = {}
    base = f"/la/{la.code}"
    for page in PAGES:
        response = client.get(f"{base}/{page}/{MONTH}/")
        assert response.status_code == 200, page
        outputs[f"{page} page"] = response.content.decode()
        response = client.get(f"{base}/{page}/{MONTH}/{page}.xlsx")
        assert response.status_code == 200, page
        outputs[f"{page} workbook"] = xlsx_text(response.content)
    response = client.get(f"{base}/scorecard/{MONTH}/scorecard.pdf")
    assert response.status_code == 200
    outputs["scorecard PDF"] = pdf_text(b"".join(response.streaming_content))
    api = f"/api/authorities/{la.code}"
    for url in ("/api/authorities/", "/api/indicators/?page_size=1000", f"{api}/snapshots/",
                f"{api}/snapshots/{MONTH}/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        outputs[url] = json.dumps(response.json())
    for indicator in INDICATORS.values():
        for period in indicator.periods:
            query = f"period={period}&month_from=2023-04&month_to={MONTH}"
            url = f"{api}/trends/{indicator.id}/?{query}"
            response = client.get(url)
            assert response.status_code == 200, (url, response.content)
            outputs[url] = json.dumps(response.json())
    return outputs


def test_no_committee_output_names_or_dates_a_child(client, demo):
    lead = get_user_model().objects.get(username="committee")
    client.force_login(lead)
    secrets = identifiers(demo)
    assert sum(v.startswith("name") for v in secrets.values()) > 50  # the demo has children
    assert any(v.startswith("date of birth") for v in secrets.values())

    outputs = committee_outputs(client, demo)

    leaks = [
        f"{where}: {secret!r} ({what})"
        for where, text in outputs.items()
        for secret, what in secrets.items()
        if secret in text
    ]
    assert not leaks, "identifiers in committee outputs:\n" + "\n".join(leaks[:50])


def test_the_outputs_searched_do_carry_the_figures(client, demo):
    """The search above is only worth something if the outputs hold real figures."""
    client.force_login(get_user_model().objects.get(username="committee"))
    snapshot = client.get(f"/api/authorities/873/snapshots/{MONTH}/").json()
    assert snapshot["indicators"]["cla_count"]["at_e"]["value"] > 0
    page = client.get(f"/la/873/scorecard/{MONTH}/").content.decode()
    assert f"{snapshot['indicators']['cla_count']['at_e']['value']}" in page
