"""A list and its scorecard figure agree, on a fixed demo seed.

The demo authority 873 is generated once (seed 7, a fifth of its size, as if today were
15 November 2024) and October 2024 is recomputed. As of the month end 31 October:

- each children-in-care team's overdue-visit list equals, child for child, the children
  the indicator engine's own path finds (``la_data_load`` of the whole authority, ``visit_items`` as
  visits_on_time reads them, children looked after at E in that team with a due date of
  their current placement on or before E not met by E);
- the drill-down behind each case-level figure lists exactly the snapshot cell's numerator
  and denominator, and behind visits_on_time exactly the engine's due visits;
- a team manager's drill-down is the admin's restricted to their own children.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from children.models import Child
from organisations.demo.services import demo_data_generate
from organisations.models import LocalAuthority
from reviews.selectors import (
    DRILLDOWNS,
    VISITS_OVERDUE,
    drilldown_get,
    worklist_for_team,
    worklist_team_choice_get,
)
from scorecards.engine import MonthContext, la_data_load
from scorecards.indicators import indicator_get
from scorecards.indicators.service_standards import visit_items
from scorecards.periods import ReportingDates
from scorecards.selectors import snapshot_cells, snapshot_current_get
from scorecards.services import snapshots_recompute
from tests.demo.cleanup import demo_cleanup

TODAY = date(2024, 11, 15)
MONTH = date(2024, 10, 1)
E = date(2024, 10, 31)
TEAM = "873T10"
TEAMS = ("873T10", "873T11", "873T12", "873T13")


def engine_overdue(la: LocalAuthority, team: str) -> set[int]:
    """Children looked after at E in ``team`` (the engine's team reading) with a due visit of
    their current placement on or before E not met by E, through the engine's own path."""
    ctx = MonthContext(la_data_load(la=la), ReportingDates.for_month(MONTH, today=TODAY))
    index = visit_items(ctx)
    found = set()
    for entry in ctx.cla:
        if entry.child.team_on(E) != team or entry.placement is None:
            continue
        for item in index.between(entry.placement.start, E):
            if item.child_pk == entry.child.pk and (item.met is None or item.met > E):
                found.add(entry.child.pk)
    return found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_cleanup()
        demo_data_generate(seed=7, scale=0.2, today=TODAY, force=True, snapshots=False, log=str)
        la = LocalAuthority.objects.get(code="873")
        snapshots_recompute(la=la, months=[MONTH], today=TODAY)
        yield
        demo_cleanup()


@pytest.fixture
def la(demo, db):
    return LocalAuthority.objects.get(code="873")


@pytest.fixture
def users(demo, db):
    User = get_user_model()
    return {name: User.objects.get(username=name) for name in ("admin", "manager", "committee")}


@pytest.mark.parametrize("team", TEAMS)
def test_the_overdue_visit_list_equals_the_engine_path_child_for_child(la, users, team):
    choice = worklist_team_choice_get(user=users["admin"], la=la, key=team)
    worklist = worklist_for_team(user=users["admin"], la=la, choice=choice, as_of=E)
    listed = {row.child_pk for row in worklist.rows[VISITS_OVERDUE]}
    assert listed == engine_overdue(la, team)


def test_the_seed_leaves_overdue_visits_to_compare(la):
    assert sum(len(engine_overdue(la, team)) for team in TEAMS) >= 3


def test_the_team_managers_list_is_the_admins_for_their_team(la, users):
    """As of today the manager's own team (no as-of choice) is the admin's pick of it."""
    manager = worklist_team_choice_get(user=users["manager"], la=la, key=None)
    admin = worklist_team_choice_get(user=users["admin"], la=la, key=TEAM)
    assert manager.key == TEAM
    mine = worklist_for_team(user=users["manager"], la=la, choice=manager, as_of=TODAY)
    theirs = worklist_for_team(user=users["admin"], la=la, choice=admin, as_of=TODAY)
    assert mine.rows == theirs.rows


def test_the_visits_on_time_drill_down_lists_exactly_the_due_visits_behind_the_figure(la, users):
    result = drilldown_get(
        user=users["admin"], la=la, indicator_id="visits_on_time", month=MONTH, period="month",
        today=TODAY,
    )  # fmt: skip
    cell = snapshot_cells(snapshot=snapshot_current_get(la=la, month=MONTH))["visits_on_time"]
    assert (result.numerator, result.denominator) == (
        cell["month"]["numerator"],
        cell["month"]["denominator"],
    )
    assert result.denominator > 0
    ctx = MonthContext(la_data_load(la=la), ReportingDates.for_month(MONTH, today=TODAY))
    engine = visit_items(ctx).between(MONTH, E)
    assert Counter((it.child_pk, it.on) for it in result.items) == Counter(
        (it.child_pk, it.due) for it in engine
    )
    assert Counter((it.child_pk, it.on) for it in result.numerator_items) == Counter(
        (it.child_pk, it.due) for it in engine if it.on_time
    )


@pytest.mark.parametrize(
    ("indicator_id", "period"),
    [(i, p) for i in sorted(DRILLDOWNS) for p in indicator_get(i).periods],
)
def test_every_drill_down_adds_up_to_its_snapshot_cell(la, users, indicator_id, period):
    result = drilldown_get(
        user=users["admin"], la=la, indicator_id=indicator_id, month=MONTH, period=period,
        today=TODAY,
    )  # fmt: skip
    cell = snapshot_cells(snapshot=snapshot_current_get(la=la, month=MONTH))[indicator_id][period]
    if result.is_count:  # missing children and incidents: every item is the figure
        assert (result.numerator, result.denominator) == (cell["value"], cell["value"])
    else:
        assert (result.numerator, result.denominator) == (cell["numerator"], cell["denominator"])
    assert result.snapshot_cell == cell
    assert not result.differs_from_snapshot


@pytest.mark.parametrize(
    ("indicator_id", "period"),
    [
        ("return_interviews", "ytd"),
        ("missing_children", "ytd"),
        ("missing_incidents", "ytd"),
        ("cl_19_21_in_touch", "ytd"),
        ("cl_19_21_unsuitable_accommodation", "ytd"),
        ("cl_19_21_neet", "ytd"),
        ("adopted_pct", "ytd"),
        ("adoption_wait_under_14m", "rolling12"),
        ("placed_in_county", "at_e"),
        ("out_of_county_non_uasc", "at_e"),
        ("out_of_county_20_miles", "at_e"),
        ("uasc_out_of_county", "at_e"),
        ("good_outstanding_school", "at_e"),
        ("reviews_late", "ytd"),
        ("supervision_in_month", "month"),
        ("uasc_pct", "at_e"),
        ("disability_pct", "at_e"),
    ],
)
def test_the_missing_care_leaver_adoption_and_location_drill_downs_have_items_on_the_seed(
    la, users, indicator_id, period
):
    """So the sums above compare real lists, not two zeros."""
    result = drilldown_get(
        user=users["admin"], la=la, indicator_id=indicator_id, month=MONTH, period=period,
        today=TODAY,
    )  # fmt: skip
    assert result.denominator > 0
    if indicator_id in (
        "out_of_county_non_uasc",
        "out_of_county_20_miles",
        "good_outstanding_school",
    ):
        assert 0 < result.numerator < result.denominator


def test_missing_children_are_the_distinct_children_of_the_missing_incidents(la, users):
    def get(indicator_id):
        return drilldown_get(
            user=users["admin"], la=la, indicator_id=indicator_id, month=MONTH, period="ytd",
            today=TODAY,
        )  # fmt: skip

    incidents, children = get("missing_incidents"), get("missing_children")
    assert {it.child_pk for it in children.items} == {it.child_pk for it in incidents.items}
    assert children.denominator == len({it.child_pk for it in incidents.items})


def test_a_team_managers_drill_down_is_the_admins_limited_to_their_children(la, users):
    def items(user):
        return drilldown_get(
            user=user, la=la, indicator_id="visits_on_time", month=MONTH, period="ytd",
            today=TODAY,
        ).items  # fmt: skip

    visible = set(Child.objects.visible_to(users["manager"]).values_list("pk", flat=True))
    mine = items(users["manager"])
    assert mine and {it.child_pk for it in mine} <= visible
    assert mine == [it for it in items(users["admin"]) if it.child_pk in visible]


def test_the_location_lists_split_the_children_in_care_as_the_figures_do(la, users):
    def get(indicator_id):
        return drilldown_get(
            user=users["admin"], la=la, indicator_id=indicator_id, month=MONTH, period="at_e",
            today=TODAY,
        )  # fmt: skip

    out, far, uasc = (
        get("out_of_county_non_uasc"),
        get("out_of_county_20_miles"),
        get("uasc_out_of_county"),
    )
    in_county = get("placed_in_county")
    cla = snapshot_cells(snapshot=snapshot_current_get(la=la, month=MONTH))["cla_count"]["at_e"]
    assert out.denominator + uasc.denominator == cla["value"]
    assert {it.child_pk for it in far.items} == {it.child_pk for it in out.items}
    assert {it.child_pk for it in far.numerator_items} <= {
        it.child_pk for it in out.numerator_items
    }
    assert not {it.child_pk for it in in_county.items} & {
        it.child_pk for it in out.numerator_items + uasc.numerator_items
    }


@pytest.mark.parametrize("period", ["month", "ytd"])
def test_the_late_reviews_are_the_reviews_on_time_lists_reviews_not_met(la, users, period):
    def get(indicator_id):
        return drilldown_get(
            user=users["admin"], la=la, indicator_id=indicator_id, month=MONTH, period=period,
            today=TODAY,
        )  # fmt: skip

    late, on_time = get("reviews_late"), get("reviews_on_time")
    assert late.items == [
        replace(it, in_numerator=True, note=it.note or "Held late") for it in on_time.other_items
    ]
