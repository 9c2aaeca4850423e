"""Suppression holds in every output: pages, XLSX, PDF and API (issue #21 item 4).

An authority with small-number suppression on publishes February and March 2024. In
March, three counts are 1 to 4 and each can be worked out from counts that would
otherwise be published:

- 3 UASC children = 9,871 children in care − 9,868 non-UASC;
- E1 = 3 legal statuses = 9,871 − C2 6,129 − V2 3,739;
- 3 children started care in March = year to date 12,879 − February's 12,876;
- 2 late reviews = 4,429 due − 4,427 on time, and each of those is this year to date less
  February's, and the year's late reviews (1,173) are due less on time too.

Every other count of these identities is at least 1,000, so whichever of them suppression
withholds can be searched for in every output by its digits. The test reads everything a
committee lead can: the scorecard, dashboard and demographics pages of both months, their
workbooks, the scorecard PDF (rendered by WeasyPrint) and the API's snapshots and trends;
then (1) no count withheld anywhere appears in any of them, and (2) a reader with both
months' API snapshots and the definitions recomputes no withheld count. On the code before
secondary suppression, V2's 3,739 was on every page and the reader recovered all four.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from organisations.models import LocalAuthority
from scorecards.suppression import published_cells
from tests.pages.conftest import snapshot_make
from tests.pdf.conftest import pdf_text
from tests.scorecards.disclosure_builders import Reader, flatten, with_totals
from tests.security.conftest import COMMITTEE

FEBRUARY, MARCH = date(2024, 2, 1), date(2024, 3, 1)
PAGES = ("scorecard", "dashboard", "demographics")

CELLS = {
    FEBRUARY: {
        "cla_count": {"at_e": {"value": 9812}},
        "cla_uasc_count": {"at_e": {"value": 1204}},
        "cla_non_uasc_count": {"at_e": {"value": 8608}},
        "legal_status_breakdown": {"at_e": {"breakdown": {"C2": 6001, "V2": 3811}}},
        "cla_started": {"month": {"value": 1151}, "ytd": {"value": 12876}},
        "reviews_on_time": {
            "month": {"numerator": 4391, "denominator": 5562},
            "ytd": {"numerator": 47891, "denominator": 49062},
        },
        "reviews_late": {"month": {"value": 1171}, "ytd": {"value": 1171}},
    },
    MARCH: {
        "cla_count": {"at_e": {"value": 9871}},
        "cla_uasc_count": {"at_e": {"value": 3}},
        "cla_non_uasc_count": {"at_e": {"value": 9868}},
        "uasc_pct": {"at_e": {"numerator": 3, "denominator": 9871}},
        "legal_status_breakdown": {"at_e": {"breakdown": {"C2": 6129, "V2": 3739, "E1": 3}}},
        "cla_started": {"month": {"value": 3}, "ytd": {"value": 12879}},
        "reviews_on_time": {
            "month": {"numerator": 4427, "denominator": 4429},
            "ytd": {"numerator": 52318, "denominator": 53491},
        },
        "reviews_late": {"month": {"value": 2}, "ytd": {"value": 1173}},
    },
}


@pytest.fixture
def outputs(client, cast, settings, tmp_path):
    """Everything the committee lead reads of both months: (name, text) pairs, and the
    API's snapshots."""
    settings.MEDIA_ROOT = tmp_path / "media"
    la = cast.la
    la.snapshots.all().delete()
    LocalAuthority.objects.filter(pk=la.pk).update(small_number_suppression=True)
    for month, cells in CELLS.items():
        snapshot_make(la, month, cells)
    client.force_login(cast.users[COMMITTEE])
    texts: list[tuple[str, str]] = []
    snapshots = {}
    for month in CELLS:
        ym = f"{month:%Y-%m}"
        for page in PAGES:
            html = client.get(f"/la/873/{page}/{ym}/")
            assert html.status_code == 200
            texts.append((f"{page} {ym}", html.content.decode()))
            book = load_workbook(io.BytesIO(client.get(f"/la/873/{page}/{ym}/{page}.xlsx").content))
            cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
            texts.append((f"{page}.xlsx {ym}", "\n".join(cells)))
        api = client.get(f"/api/authorities/873/snapshots/{ym}/")
        assert api.status_code == 200
        snapshots[month] = api.json()
        texts.append((f"API snapshot {ym}", json.dumps(snapshots[month])))
    pdf = client.get("/la/873/scorecard/2024-03/scorecard-draft.pdf")
    assert pdf.status_code == 200
    texts.append(("scorecard PDF 2024-03", pdf_text(b"".join(pdf.streaming_content))))
    for indicator, period in (
        ("cla_started", "ytd"),
        ("reviews_late", "ytd"),
        ("cla_non_uasc_count", "at_e"),
    ):
        trend = client.get(
            f"/api/authorities/873/trends/{indicator}/",
            {"period": period, "month_from": "2024-02", "month_to": "2024-03"},
        )
        assert trend.status_code == 200, trend.content
        texts.append((f"API trend {indicator}", json.dumps(trend.json())))
    return texts, snapshots


def _withheld_counts() -> dict:
    """What suppression withholds in March (primary and secondary), from the module every
    output reads."""
    shown = flatten(published_cells(cells_by_month=with_totals(CELLS), months=[FEBRUARY, MARCH]))
    truth = flatten(with_totals(CELLS))
    return {ref: truth[ref] for ref, v in shown.items() if not isinstance(v, int)}


def test_the_cases_of_the_issue_are_withheld_with_their_complements():
    withheld = _withheld_counts()
    names = {(ref[1], ref[2], ref[3]) for ref in withheld}
    assert ("cla_uasc_count", "at_e", "value") in names
    assert ("cla_non_uasc_count", "at_e", "value") in names
    assert ("legal_status_breakdown", "at_e", "breakdown:V2") in names
    assert ("cla_started", "ytd", "value") in names
    assert ("reviews_late", "month", "value") in names
    assert all(ref[0] == MARCH for ref in withheld)  # February had nothing to protect
    assert all(v <= 4 or v >= 1000 for v in withheld.values())


def test_no_output_shows_a_withheld_count(outputs):
    texts, _ = outputs
    large = sorted(v for v in _withheld_counts().values() if v >= 1000)
    assert large  # the complements, found above
    for name, text in texts:
        for value in large:
            for form in (str(value), f"{value:,}"):
                assert form not in text, f"{form} in {name}"
    # Nor the share a withheld part would have had (3,739 of 9,871 = 37.9%).
    for name, text in texts:
        assert "37.9%" not in text, name


def test_the_outputs_searched_do_carry_the_published_figures(outputs):
    texts, _ = outputs
    every = "\n".join(text for _, text in texts)
    for shown in ("9,871", "6,129", "12,876", "suppressed", "&lt;5"):
        assert shown in every, shown


def test_a_reader_with_every_snapshot_recomputes_no_withheld_count(outputs):
    _, snapshots = outputs
    published = flatten({month: body["indicators"] for month, body in snapshots.items()})
    truth = flatten(with_totals(CELLS))
    reader = Reader(published=published, truth=truth, months=[FEBRUARY, MARCH])
    assert reader.hidden  # something is withheld
    assert len(reader.identities) >= 8
    assert reader.recoverable() == {}
    # Primary suppression alone (the code before) leaves all four recoverable.
    primary_only = {
        r: (None if isinstance(v, int) and 1 <= v <= 4 else v) for r, v in truth.items()
    }
    naive = Reader(published=primary_only, truth=truth, months=[FEBRUARY, MARCH])
    recovered = naive.recoverable()
    assert {(r[1], r[3]) for r in recovered} >= {
        ("cla_uasc_count", "value"),
        ("legal_status_breakdown", "breakdown:E1"),
        ("cla_started", "value"),
        ("reviews_late", "value"),
    }


def test_on_a_demo_authority_no_withheld_count_can_be_worked_out(db, settings, tmp_path):
    """The demo's figures come from the engine, not from a generator that keeps the
    identities by construction: four years of a small authority (``--scale 0.05``), every
    month as published, and the reader's arithmetic where it holds in them."""
    from django.core.management import call_command

    from scorecards.models import Snapshot
    from scorecards.selectors import current_cells_for_months
    from scorecards.suppression import published_cells_for_months

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("make_demo_data", "--seed", "1", "--scale", "0.05",
                 "--today", "2024-03-31", stdout=io.StringIO())  # fmt: skip
    la = LocalAuthority.objects.get(code="873")
    months = list(
        Snapshot.objects.filter(la=la, is_current=True)
        .order_by("month")
        .values_list("month", flat=True)
    )
    truth = flatten(with_totals(current_cells_for_months(la=la, months=months)))
    la.small_number_suppression = True
    la.save()
    published = flatten(published_cells_for_months(la=la, months=months))
    reader = Reader(published=published, truth=truth, months=months)
    assert len(months) >= 36 and len(reader.identities) > 50 * len(months)
    assert reader.recoverable() == {}


def test_the_plan_is_worked_out_once_while_the_snapshots_stand(cast, settings):
    """The second read of a month takes the plan from the cache: it reads that month's
    cells only, not the authority's whole history again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scorecards.suppression import published_cells_for_months

    settings.SCORECARD_PAGE_CACHE_SECONDS = 60
    cache.clear()
    la = cast.la
    la.snapshots.all().delete()
    for month, cells in CELLS.items():
        snapshot_make(la, month, cells)
    la.small_number_suppression = True
    la.save()

    def cell_reads() -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as captured:
            shown = published_cells_for_months(la=la, months=[MARCH])
        return shown, sum("scorecards_snapshotcell" in q["sql"] for q in captured)

    first, reads_first = cell_reads()
    again, reads_again = cell_reads()
    assert first == again
    assert (reads_first, reads_again) == (2, 1)
    assert again[MARCH]["legal_status_breakdown"]["at_e"]["breakdown"]["V2"].text == "suppressed"
