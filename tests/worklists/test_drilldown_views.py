"""The drill-down page behind a scorecard figure: who may open it, what it lists, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from children.models import Episode
from organisations.models import AuditEvent
from scorecards.services import snapshots_recompute
from tests.worklists.conftest import looked_after_child, missing, visit

TODAY = date(2024, 4, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def march(world):
    """C1 (team 1) seen on time for its 8 March visit; C2 (team 2) missed its 2 March one."""
    c1 = looked_after_child(world, "C1", start="2024-03-01", forename="Ann", surname="One")
    visit(c1, "2024-03-07")
    c2 = looked_after_child(
        world, "C2", start="2024-02-24", team=world.team2, worker=world.worker2,
        forename="Bea", surname="Two",
    )  # fmt: skip
    snapshots_recompute(la=world.la, months=[date(2024, 3, 1)], today=TODAY)
    return c1, c2


def url(world, indicator="visits_on_time", month="2024-03", period="month") -> str:
    return reverse(
        "worklists:drilldown",
        kwargs={"code": world.la.code, "indicator": indicator, "month": month, "period": period},
    )


def test_admins_see_every_due_visit_behind_the_figure_and_the_snapshot_beside_it(
    client, world, march
):
    client.force_login(world.admin)
    page = client.get(url(world)).content.decode()
    assert "Ann One" in page and "Bea Two" in page
    assert "1 out of 2" in page  # listed, and on the scorecard
    assert page.count("1 out of 2") == 2
    assert "2 counted, of which 1 met and 1 not met" in page


def test_a_team_manager_sees_only_their_teams_items(client, world, march):
    client.force_login(world.manager1)
    page = client.get(url(world)).content.decode()
    assert "Ann One" in page and "Bea Two" not in page
    assert "1 out of 1" in page and "only the children in your teams" in page


@pytest.mark.parametrize(("who", "status"), [("committee", 403), ("outsider", 404)])
def test_committee_leads_and_other_authorities_get_no_list(client, world, march, who, status):
    client.force_login(getattr(world, who))
    assert client.get(url(world)).status_code == status


@pytest.mark.parametrize(
    "kwargs",
    [
        {"indicator": "cla_count", "period": "at_e"},  # an aggregate: no list behind it
        {"indicator": "visits_on_time", "period": "at_e"},  # not one of its periods
        {"indicator": "no_such_figure"},
        {"month": "2030-01"},  # the future
    ],
)
def test_unknown_figures_periods_and_future_months_are_not_found(client, world, kwargs):
    client.force_login(world.admin)
    assert client.get(url(world, **kwargs)).status_code == 404


def test_each_drill_down_view_is_audited(client, world, march):
    client.force_login(world.manager1)
    client.get(url(world, period="ytd"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.DRILLDOWN_VIEW)
    assert (event.user, event.object_id, event.n_children) == (
        world.manager1,
        "visits_on_time/2024-03/ytd",
        1,
    )


def test_the_child_links_on_the_list_answer_only_within_scope(client, world, march):
    c1, c2 = march
    client.force_login(world.manager1)
    assert client.get(reverse("children:detail", kwargs={"pk": c1.pk})).status_code == 200
    assert client.get(reverse("children:detail", kwargs={"pk": c2.pk})).status_code == 404


def test_long_lists_are_paged_with_items_not_met_first(client, world, march, monkeypatch):
    import reviews.views

    monkeypatch.setattr(reviews.views, "DRILL_PAGE_ROWS", 1)
    client.force_login(world.admin)
    first = client.get(url(world)).content.decode()
    second = client.get(url(world) + "?page=2").content.decode()
    assert "Bea Two" in first and "Ann One" not in first and "Page 1 of 2" in first
    assert "Ann One" in second and "Bea Two" not in second
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DRILLDOWN_VIEW).order_by("pk")
    assert [(e.n_children, e.detail["page"]) for e in events] == [(1, 1), (1, 2)]


@pytest.fixture
def missing_in_march(world):
    """C3 (team 1) went missing twice in March: back on the 6th with a return interview
    held on the 8th, and back on the 21st with the interview declined."""
    c3 = looked_after_child(world, "C3", start="2024-01-01", forename="Cal", surname="Three")
    missing(c3, "2024-03-05", "2024-03-06", rhi_accepted="Y", rhi_completed_date="2024-03-08")
    missing(c3, "2024-03-20", "2024-03-21", rhi_accepted="N")
    snapshots_recompute(la=world.la, months=[date(2024, 3, 1)], today=TODAY)
    return c3


def test_return_interviews_list_the_incidents_with_what_happened(client, world, missing_in_march):
    client.force_login(world.admin)
    page = client.get(url(world, indicator="return_interviews")).content.decode()
    assert "The missing incidents counted" in page
    assert "2 counted, of which 1 interview held and 1 no interview held" in page
    assert "Interview held 8 Mar 2024" in page and "Declined" in page
    assert page.index("Declined") < page.index("Interview held 8 Mar 2024")  # not met first


def test_a_count_figure_lists_its_items_without_met_or_not(client, world, missing_in_march):
    client.force_login(world.admin)
    page = client.get(url(world, indicator="missing_incidents")).content.decode()
    assert "2 counted." in page and "Counted as" not in page
    assert "2 for the whole authority" in page  # the stored count beside the list
    page = client.get(url(world, indicator="missing_children")).content.decode()
    assert "1 counted." in page and "2 incidents" in page and "Cal Three" in page


def test_a_team_manager_of_another_team_gets_an_empty_missing_list(client, world, missing_in_march):
    client.force_login(world.manager2)
    page = client.get(url(world, indicator="missing_children")).content.decode()
    assert "Cal Three" not in page and "0 counted." in page


@pytest.fixture
def placed_in_march(world):
    """At 31 March: D1 placed out of county 32.5 miles from home, D2 in county, D3 with no
    recorded location (all team 1, none UASC)."""
    where = {"D1": ("OUT", Decimal("32.5")), "D2": ("IN", Decimal("3.0")), "D3": ("", None)}
    for child_id, (location, miles) in where.items():
        child = looked_after_child(
            world, child_id, start="2024-01-01", forename="Dee", surname=child_id
        )
        Episode.objects.filter(child=child).update(pl_location=location, pl_distance=miles)
    snapshots_recompute(la=world.la, months=[date(2024, 3, 1)], today=TODAY)


def test_the_out_of_county_list_says_where_each_child_lives(client, world, placed_in_march):
    client.force_login(world.admin)
    page = client.get(
        url(world, indicator="out_of_county_non_uasc", period="at_e")
    ).content.decode()
    assert "1 out of 3" in page and page.count("1 out of 3") == 2  # listed, and on the scorecard
    assert "Out of county, 32.5 miles from home" in page
    assert "In county, 3.0 miles from home" in page and "Location not known" in page
    assert page.index("32.5 miles") < page.index("Location not known")  # out of county first


def test_placed_in_county_lists_only_the_children_placed_inside_the_boundary(
    client, world, placed_in_march
):
    client.force_login(world.admin)
    page = client.get(url(world, indicator="placed_in_county", period="at_e")).content.decode()
    assert "1 counted." in page and "Dee D2" in page
    assert "Dee D1" not in page and "Dee D3" not in page


def test_another_teams_manager_sees_none_of_the_placements(client, world, placed_in_march):
    client.force_login(world.manager2)
    page = client.get(url(world, indicator="out_of_county_20_miles", period="at_e")).content
    assert b"Dee D" not in page and b"0 counted, of which 0" in page


def test_a_figure_with_no_better_direction_lists_what_it_counts_first_without_red_or_green(
    client, world, placed_in_march
):
    """% UASC is neither good nor bad: its tags are neutral, the UASC children come first."""
    from children.models import Child, UASCRecord

    d3 = Child.objects.get(la=world.la, child_id="D3")
    UASCRecord.objects.create(la=world.la, child=d3, year=2024)
    snapshots_recompute(la=world.la, months=[date(2024, 3, 1)], today=TODAY)
    client.force_login(world.admin)

    page = client.get(url(world, indicator="uasc_pct", period="at_e")).content.decode()

    assert "1 out of 3" in page
    assert "govuk-tag--red" not in page and "govuk-tag--green" not in page
    assert page.index("Dee D3") < page.index("Dee D1") and page.index("Dee D3") < page.index(
        "Dee D2"
    )
