"""Properties of the engine on generated care histories (hypothesis).

- every percentage's numerator is at most its denominator;
- the breakdowns at E add up to cla_count;
- year to date equals the sum of the months where the definition is additive (missing
  incidents, reviews held on time) and is at most that sum for distinct-child counts;
- a month computed from today's data equals the month computed from only the records
  dated on or before its end (as-of semantics);
- recomputing twice gives identical snapshots (in memory and in the database).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from children.care_history import EpisodeIn
from scorecards.engine import (
    AdoptionIn,
    ChildTimeline,
    LAData,
    MissingIn,
    child_timeline_build,
)
from scorecards.indicators import INDICATORS
from scorecards.periods import ReportingDates, financial_year_months, month_last
from scorecards.selectors import snapshot_cells, snapshot_current_get
from scorecards.services import snapshot_cells_compute, snapshots_recompute
from tests.indicators.builders import la_get

TODAY = date(2025, 9, 15)
FY_MONTHS = financial_year_months(2023)  # April 2023 .. March 2024
AT_E_BREAKDOWNS = (
    "legal_status_breakdown",
    "time_in_care_breakdown",
    "placement_type_breakdown",
    "age_breakdown",
    "gender_breakdown",
    "ethnicity_breakdown",
)
PLACES = ["U1", "U3", "U4", "U6", "K2", "K1", "A5", "A6", "T1", "T3", "P1", "R1", "K3", "S1"]
LEGAL = ["C1", "C2", "V2", "E1", "J1", "L1"]
ENDINGS = ["E4A", "E11", "E12", "E13", "E8", "E2", "E45", "X1", ""]


@st.composite
def child_records(draw, pk: int) -> dict:
    """One child's episodes (1–3 periods of care), reviews, missing and adoption rows."""
    cursor = draw(st.dates(date(2019, 1, 1), date(2024, 9, 30)))
    dob = cursor - timedelta(days=draw(st.integers(0, 17 * 365)))
    episodes: list[EpisodeIn] = []
    adoptions: list[AdoptionIn] = []
    for period_no in range(draw(st.integers(1, 3))):
        period_start = cursor
        count = draw(st.integers(1, 5))
        for i in range(count):
            rne = (
                draw(st.sampled_from(["S", "S", "S", "P"]))
                if i == 0
                else draw(st.sampled_from(["P", "L", "T", "U", "B"]))
            )
            length = draw(st.integers(1, 420))
            last = i == count - 1
            open_ended = last and draw(st.integers(0, 3)) == 0
            rec = "X1" if not last else draw(st.sampled_from(ENDINGS))
            episodes.append(
                EpisodeIn(
                    key=(pk, len(episodes)),
                    decom=cursor,
                    dec=None if open_ended else cursor + timedelta(days=length),
                    rne=rne,
                    ls=draw(st.sampled_from(LEGAL)),
                    place=draw(st.sampled_from(PLACES)),
                    rec="" if open_ended else rec,
                    cin=draw(st.sampled_from(["N1", "N2", "N4", ""])),
                    pl_post=draw(st.sampled_from(["AA1 1AA", "BB2 2BB"])),
                    pl_location=draw(st.sampled_from(["IN", "OUT", ""])),
                )
            )
            if open_ended:
                break
            cursor = cursor + timedelta(days=length)
        if episodes[-1].dec is None:
            break
        if episodes[-1].rec in ("E11", "E12") and draw(st.booleans()):
            match = period_start + timedelta(days=draw(st.integers(0, 300)))
            adoptions.append(
                AdoptionIn(
                    year=2000 + period_no,
                    date_int=None,
                    date_match=match,
                    foster_care=draw(st.sampled_from([True, False, None])),
                )
            )
        cursor = cursor + timedelta(days=draw(st.integers(1, 200)))
    if draw(st.integers(0, 5)) == 0:  # a series of short breaks
        start = draw(st.dates(date(2022, 1, 1), date(2024, 12, 1)))
        episodes.append(
            EpisodeIn(
                key=(pk, "sb"),
                decom=start,
                dec=start + timedelta(days=3),
                rne="S",
                ls="V3",
                place="U6",
                rec="E8",
            )
        )
    first = episodes[0].decom
    reviews = draw(st.lists(st.integers(0, 2000), max_size=8))
    missing = draw(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 10)), max_size=5))
    return {
        "pk": pk,
        "sex": draw(st.sampled_from(["M", "F", "U"])),
        "dob": dob,
        "ethnicity": draw(st.sampled_from(["WBRI", "MWBC", "BAFR", "CHNE", "NOBT", ""])),
        "episodes": episodes,
        "reviews": [first + timedelta(days=r) for r in reviews],
        "missing": [
            MissingIn(
                draw(st.sampled_from(["M", "M", "A"])),
                first + timedelta(days=s),
                first + timedelta(days=s + n),
            )
            for s, n in missing
        ],
        "adoptions": adoptions,
        "uasc_rows": [(2024, None)] if draw(st.integers(0, 6)) == 0 else [],
    }


@st.composite
def authorities(draw) -> list[dict]:
    n = draw(st.integers(1, 12))
    return [draw(child_records(pk)) for pk in range(1, n + 1)]


def _data(records: list[dict]) -> LAData:
    children: list[ChildTimeline] = [child_timeline_build(**r) for r in records]
    return LAData(la_id=1, la_code="999", children=children, populations={2023: 50_000})


def _truncate(records: list[dict], e: date) -> list[dict]:
    """The records as they were known on ``e``: nothing dated after it."""
    out = []
    for r in records:
        episodes = [
            EpisodeIn(
                **{
                    **ep.__dict__,
                    "dec": ep.dec if ep.dec is not None and ep.dec <= e else None,
                    "rec": ep.rec if ep.dec is not None and ep.dec <= e else "",
                }
            )
            for ep in r["episodes"]
            if ep.decom <= e
        ]
        out.append(
            {
                **r,
                "episodes": episodes,
                "reviews": [x for x in r["reviews"] if x <= e],
                "missing": [
                    MissingIn(m.kind, m.start, m.end if m.end and m.end <= e else None)
                    for m in r["missing"]
                    if m.start <= e
                ],
                "adoptions": [
                    AdoptionIn(
                        a.year,
                        a.date_int,
                        a.date_match if a.date_match and a.date_match <= e else None,
                        a.foster_care,
                    )
                    for a in r["adoptions"]
                ],
            }
        )
    return out


def _year(data: LAData) -> dict[date, dict]:
    return {
        m: snapshot_cells_compute(data=data, dates=ReportingDates.for_month(m, today=TODAY))
        for m in FY_MONTHS
    }


@settings(max_examples=60, deadline=None)
@given(records=authorities())
def test_numerators_never_exceed_denominators_and_breakdowns_add_up(records):
    for month, cells in _year(_data(records)).items():
        cla = cells["cla_count"]["at_e"]["value"]
        for indicator_id, periods in cells.items():
            if INDICATORS[indicator_id].unit != "percent":
                continue
            for period, cell in periods.items():
                assert 0 <= cell["numerator"] <= cell["denominator"], (month, indicator_id, period)
        for indicator_id in AT_E_BREAKDOWNS:
            breakdown = cells[indicator_id]["at_e"]["breakdown"]
            assert sum(breakdown.values()) == cla, (month, indicator_id)
        pipeline = cells["adoption_pipeline"]["at_e"]["breakdown"]
        assert sum(pipeline.values()) <= cla
        assert (
            cells["cla_uasc_count"]["at_e"]["value"] + cells["cla_non_uasc_count"]["at_e"]["value"]
            == cla
        )
        assert cells["reviews_late"]["month"]["value"] == (
            cells["reviews_on_time"]["month"]["denominator"]
            - cells["reviews_on_time"]["month"]["numerator"]
        )
        for period in ("quarter", "ytd"):
            adopted = cells["adopted_pct"][period]
            assert adopted["numerator"] <= adopted["denominator"]


@settings(max_examples=60, deadline=None)
@given(records=authorities())
def test_year_to_date_is_the_sum_of_its_months_where_additive(records):
    year = _year(_data(records))
    march = year[FY_MONTHS[-1]]
    months = list(year.values())

    def month_sum(indicator_id: str, key: str = "value") -> int:
        return sum(m[indicator_id]["month"][key] for m in months)

    assert march["missing_incidents"]["ytd"]["value"] == month_sum("missing_incidents")
    assert march["reviews_on_time"]["ytd"]["numerator"] == month_sum("reviews_on_time", "numerator")
    for distinct in ("cla_started", "cla_ceased", "adoptions", "missing_children"):
        assert march[distinct]["ytd"]["value"] <= month_sum(distinct), distinct


@settings(max_examples=60, deadline=None)
@given(records=authorities(), month=st.sampled_from(FY_MONTHS))
def test_a_month_is_the_same_computed_now_or_with_only_what_was_known_at_its_end(records, month):
    dates = ReportingDates.for_month(month, today=TODAY)
    now = snapshot_cells_compute(data=_data(records), dates=dates)
    then = snapshot_cells_compute(data=_data(_truncate(records, month_last(month))), dates=dates)

    assert now == then


@settings(max_examples=30, deadline=None)
@given(records=authorities())
def test_computing_twice_in_memory_is_identical(records):
    assert _year(_data(records)) == _year(_data(records))


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=authorities())
def test_recomputing_twice_in_the_database_gives_identical_snapshots(records):
    from children.models import Child, Episode, MissingEpisode
    from reviews.models import Review

    with transaction.atomic():
        la = la_get()
        for r in records:
            child = Child.objects.create(
                la=la, child_id=f"P{r['pk']}", sex=r["sex"], dob=r["dob"], ethnicity=r["ethnicity"]
            )
            for ep in r["episodes"]:
                Episode.objects.create(
                    la=la, child=child, decom=ep.decom, dec=ep.dec, rne=ep.rne, ls=ep.ls,
                    place=ep.place, rec=ep.rec, cin=ep.cin, pl_post=ep.pl_post,
                    pl_location=ep.pl_location,
                )  # fmt: skip
            for when in sorted(set(r["reviews"])):
                Review.objects.create(la=la, child=child, review_date=when)
            for m in {m.start: m for m in r["missing"]}.values():
                MissingEpisode.objects.create(
                    la=la, child=child, missing_type=m.kind, start_date=m.start, end_date=m.end
                )
        months = FY_MONTHS[:3]
        first = snapshots_recompute(la=la, months=months, today=TODAY)
        cells = [snapshot_cells(snapshot=s) for s in first]
        second = snapshots_recompute(la=la, months=months, today=TODAY)

        assert [s.pk for s in second] == [s.pk for s in first]
        assert [snapshot_cells(snapshot=snapshot_current_get(la=la, month=m)) for m in months] == (
            cells
        )
        transaction.set_rollback(True)
