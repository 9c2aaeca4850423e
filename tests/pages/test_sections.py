"""The page builder's rules: feeds and staleness, quarters, sentences, and the whole path
from records through a recomputed snapshot to the page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from imports.models import FeedStatus
from organisations.models import LocalAuthority
from scorecards.sections import (
    feeds_as_at,
    figure_make,
    month_data_load,
    page_build,
    snapshots_current,
)
from scorecards.sentences import breakdown_sentence, sentence_for
from scorecards.services import snapshots_recompute
from scorecards.suppression import PRIMARY, SECONDARY
from tests.indicators.builders import LATER, child_make, episode_make
from tests.pages.conftest import MARCH, page_text, segments, snapshot_make, user_make


def _feed(la, feed: str, as_at: dt.date, imported: dt.date) -> None:
    FeedStatus.objects.create(
        la=la,
        feed=feed,
        as_at=as_at,
        imported_at=timezone.make_aware(dt.datetime.combine(imported, dt.time(8))),
    )


@pytest.mark.django_db
def test_feeds_group_by_return_and_use_and_stale_means_data_stop_short_of_the_month(settings):
    settings.FEED_STALE_AFTER_DAYS = 45
    la = LocalAuthority.objects.get(code="874")
    _feed(la, "ssda903:Header", dt.date(2024, 3, 31), dt.date(2024, 4, 2))
    _feed(la, "ssda903:Episodes", dt.date(2024, 3, 31), dt.date(2024, 4, 2))
    _feed(la, "ssd:ssd_cla_visits", dt.date(2024, 2, 15), dt.date(2024, 2, 16))
    _feed(la, "ssd:ssd_cla_health", dt.date(2024, 2, 14), dt.date(2024, 2, 16))
    _feed(la, "ssd:ext_code_map", dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    lines = feeds_as_at(la=la, as_of=dt.date(2024, 3, 31))
    assert [(line.label, line.stale) for line in lines] == [
        ("SSDA903", False),
        ("health", True),  # 14 February is 46 days before 31 March
        ("visits", False),  # 15 February: exactly 45 days, not yet stale
    ]
    # The same feeds are not stale for a month they fully cover.
    assert not any(line.stale for line in feeds_as_at(la=la, as_of=dt.date(2024, 1, 31)))


@pytest.mark.django_db
def test_quarters_so_far_with_the_current_one_to_date():
    la = LocalAuthority.objects.get(code="874")
    cells = {"adopted_pct": {"quarter": {"numerator": 1, "denominator": 4}}}
    for month, (n, d) in {6: (1, 4), 9: (2, 4), 11: (3, 10)}.items():
        cells = {"adopted_pct": {"quarter": {"numerator": n, "denominator": d}}}
        snapshot_make(la, dt.date(2023, month, 1), cells)
    data = month_data_load(la=la, month=dt.date(2023, 11, 1), as_of=dt.date(2023, 11, 30))
    assert data.quarter_points("adopted_pct") == [
        ("Apr–Jun", Decimal("25.0")),
        ("Jul–Sep", Decimal("50.0")),
        ("Oct–Dec (to date)", Decimal("30.0")),
    ]


@pytest.mark.parametrize(
    ("value_text", "data", "suppress", "expected"),
    [
        ("72.4%", {"numerator": 461, "denominator": 637}, False, "72.4% of the statutory"),
        ("no data", {"numerator": 0, "denominator": 0}, False, ""),
        ("suppressed", {"numerator": 3, "denominator": 40}, True, ""),
        ("7.5%", {"numerator": 3, "denominator": 40}, True, ""),
        ("7.5%", {"numerator": 3, "denominator": 40}, False, "7.5% of the statutory"),
    ],
)
def test_a_sentence_never_says_more_than_its_figure(value_text, data, suppress, expected):
    sentence = sentence_for(
        indicator_id="visits_on_time",
        period="ytd",
        value_text=value_text,
        data=data,
        la_name="Cambridgeshire",
        month=MARCH,
        as_of=dt.date(2024, 3, 31),
        suppress_small=suppress,
    )
    assert sentence.startswith(expected) if expected else sentence == ""


def test_no_out_of_county_sentence_when_no_location_is_known():
    kwargs = {
        "indicator_id": "out_of_county_non_uasc",
        "period": "at_e",
        "value_text": "0.0%",
        "la_name": "Cambridgeshire",
        "month": MARCH,
        "as_of": dt.date(2024, 3, 31),
        "suppress_small": False,
    }
    assert sentence_for(data={"numerator": 0, "denominator": 582, "unknown": 582}, **kwargs) == ""
    assert sentence_for(data={"numerator": 0, "denominator": 582, "unknown": 2}, **kwargs)


def test_breakdown_sentences_name_the_largest_part_unless_suppressed():
    parts = [("White", 532), ("Mixed", 53)]
    assert breakdown_sentence(
        what="by ethnicity", parts=parts, total=585, suppress_small=False
    ) == ("The largest group by ethnicity is White: 90.9% (532 children).")
    assert breakdown_sentence(what="x", parts=[("A", 3)], total=3, suppress_small=True) == ""
    assert breakdown_sentence(what="x", parts=[], total=0, suppress_small=False) == ""
    # A "<5" part is not the largest; a withheld larger part might be, and a withheld
    # total would come back from the share: no sentence then.
    with_small = [("White", 532), ("Mixed", PRIMARY)]
    assert breakdown_sentence(what="x", parts=with_small, total=535, suppress_small=True)
    with_complement = [("White", 532), ("Mixed", SECONDARY)]
    assert breakdown_sentence(what="x", parts=with_complement, total=585, suppress_small=True) == ""
    assert breakdown_sentence(what="x", parts=parts, total=SECONDARY, suppress_small=True) == ""


@pytest.mark.django_db
def test_figure_keeps_refused_beside_it_and_suppresses_it():
    la = LocalAuthority.objects.get(code="874")
    snapshot_make(
        la, MARCH, {"dental_on_time": {"at_e": {"numerator": 30, "denominator": 40, "refused": 3}}}
    )
    data = month_data_load(la=la, month=MARCH, as_of=dt.date(2024, 3, 31))
    assert figure_make(data, "dental_on_time", "at_e").notes == [
        "Children whose latest assessment was refused: 3"
    ]
    data.suppress = True
    assert figure_make(data, "dental_on_time", "at_e").notes == [
        "Children whose latest assessment was refused: <5"
    ]


@pytest.mark.django_db
def test_reader_scope_is_the_role_held_in_that_authority():
    from organisations.permissions import (
        AGGREGATES,
        NotFound,
        NotPermitted,
        la_get_for_capability,
    )
    from scorecards.selectors import authorities_to_switch_to
    from tests.access_helpers import roles_give

    cambs = LocalAuthority.objects.get(code="873")
    peterborough = LocalAuthority.objects.get(code="874")
    lead = user_make("lead", role="committee_lead", las=[cambs, peterborough])
    la = la_get_for_capability(user=lead, code="874", capability=AGGREGATES)
    assert la == peterborough
    assert authorities_to_switch_to(user=lead, current=la) == [cambs, peterborough]
    with pytest.raises(NotFound):
        la_get_for_capability(
            user=user_make("x", role="admin", las=[cambs]), code="874", capability=AGGREGATES
        )
    norole = user_make("y", role=None, las=[cambs])
    with pytest.raises(NotPermitted):
        la_get_for_capability(user=norole, code="873", capability=AGGREGATES)
    # A member of 874 with no role there reads 873 only, and the picker offers 873 only.
    roles_give(norole, peterborough, "committee_lead")
    assert authorities_to_switch_to(user=norole, current=peterborough) == [peterborough]


@pytest.mark.django_db
def test_no_child_is_identified_on_any_page_or_workbook(client):
    """``roles.md``: committee outputs hold aggregates only: no id, name, birth date."""
    la = LocalAuthority.objects.get(code="873")
    ids = ["CHILDIDALPHA", "CHILDIDBRAVO", "CHILDIDCHARLIE"]
    for child_id in ids:
        child = child_make(la, child_id, dob="2013-02-17")
        episode_make(child, "2023-05-02", "S", "C2", "U6")
    snapshots_recompute(la=la, months=[dt.date(2024, 3, 1)], today=LATER)
    client.force_login(user_make("lead", role="committee_lead", las=[la]))
    for page in ("scorecard", "dashboard", "demographics"):
        for url in (f"/la/873/{page}/2024-03/", f"/la/873/{page}/2024-03/{page}.xlsx"):
            content = client.get(url).content
            if url.endswith(".xlsx"):
                from io import BytesIO

                from openpyxl import load_workbook

                book = load_workbook(BytesIO(content))
                text = " ".join(
                    str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                )
            else:
                text = content.decode()
            for secret in (*ids, "2013-02-17", "17 February 2013", "17/02/2013"):
                assert secret not in text, (url, secret)


@pytest.mark.django_db
def test_records_to_snapshot_to_page(client):
    """The whole path: records, a recompute, the page and its "n out of d"."""
    la = LocalAuthority.objects.get(code="873")
    for n, (legal_status, start) in enumerate(
        [("C2", "2023-05-02"), ("C2", "2023-09-12"), ("V2", "2024-03-04")]
    ):
        child = child_make(la, f"P{n}", dob="2014-01-01")
        episode_make(child, start, "S", legal_status, "U6")
    gone = child_make(la, "P9")
    episode_make(gone, "2023-06-01", "S", "V2", "U6", dec="2024-03-20", rec="E4A")
    snapshots_recompute(la=la, months=[dt.date(2024, 2, 1), dt.date(2024, 3, 1)], today=LATER)
    client.force_login(user_make("lead", role="committee_lead", las=[la]))
    html = client.get("/la/873/scorecard/2024-03/").content.decode()
    cla = segments(html, "data-indicator", "data-period")["cla_count/at_e"]
    assert "3" in cla and "Strong" in cla  # 3 children, well below 546
    assert "Same" in cla  # 3 in February too: P9 left and P2 came in March
    uasc = segments(html, "data-indicator", "data-period")["uasc_pct/at_e"]
    assert "0.0%" in uasc and "0 out of 3" in uasc
    legal = segments(html, "data-block")["legal_status"]
    assert "C2 Full care order 2 66.7%" in legal and "V2" in legal
    assert "Became looked after (in the month) 1" in page_text(html)
    snapshot = next(s for s in snapshots_current(la=la) if s.month == MARCH)
    page = page_build(page="scorecard", la=la, snapshot=snapshot)
    assert page.month_label == "March 2024"
