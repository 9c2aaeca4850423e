"""The team page, exports, child page and drill-down over HTTP: who may see what (a team
manager never sees another team's child, whatever id they guess), audit rows, the htmx
partial, the as-at line and the landing page. "Today" is pinned to 20 March 2024."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from children.models import Child
from organisations.models import AuditEvent
from tests.worklists.conftest import looked_after_child

TODAY = date(2024, 3, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def two_teams(world):
    """C1 in team 1 (visit overdue since 8 March), C2 in team 2 (overdue since 2 March)."""
    c1 = looked_after_child(world, "C1", start="2024-03-01", forename="Ann", surname="One")
    c2 = looked_after_child(
        world, "C2", start="2024-02-24", team=world.team2, worker=world.worker2,
        forename="Bea", surname="Two",
    )  # fmt: skip
    return c1, c2


def team_url(world, **query) -> str:
    url = reverse("worklists:team", kwargs={"code": world.la.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(world, kind: str, fmt: str, **query) -> str:
    url = reverse("worklists:export", kwargs={"code": world.la.code, "kind": kind, "fmt": fmt})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- landing and access ---------------------------------------------------------------------


def test_a_team_manager_lands_on_their_team_page(client, world):
    client.force_login(world.manager1)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == team_url(world)
    assert "Children in Care Team 1" in response.content.decode()


def test_admins_land_on_the_home_page(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager1", 200), ("admin", 200), ("committee", 403), ("outsider", 404)],
)
def test_who_may_open_the_team_page(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(team_url(world)).status_code == status


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(team_url(world))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_team_manager_sees_only_their_team(client, world, two_teams):
    client.force_login(world.manager1)
    page = client.get(team_url(world)).content.decode()
    assert "Ann One" in page and "Bea Two" not in page


@pytest.mark.parametrize("team", ["T11", "T00", "all", "nonsense"])
def test_a_team_manager_cannot_pick_another_team(client, world, two_teams, team):
    client.force_login(world.manager1)
    assert client.get(team_url(world, team=team)).status_code == 404
    assert client.get(export_url(world, "visits_overdue", "csv", team=team)).status_code == 404


def test_a_service_manager_sees_the_teams_below_and_may_pick_each(client, world, two_teams):
    client.force_login(world.service_manager)
    page = client.get(team_url(world)).content.decode()
    assert "Ann One" in page and "Bea Two" in page
    page = client.get(team_url(world, team="T11")).content.decode()
    assert "Ann One" not in page and "Bea Two" in page


def test_admins_pick_any_team_and_the_whole_authority(client, world, two_teams):
    from children.services import care_histories_derive

    care_histories_derive(la=world.la)
    client.force_login(world.admin)
    assert "Bea Two" in client.get(team_url(world, team="T11")).content.decode()
    page = client.get(team_url(world, team="all")).content.decode()
    assert "Ann One" in page and "Bea Two" in page


def test_only_admins_may_look_at_an_earlier_day(client, world, two_teams):
    """On 5 March C1's first visit (due 8 March) is not yet overdue."""
    client.force_login(world.admin)
    page = client.get(team_url(world, as_of="2024-03-05")).content.decode()
    assert "Data as at 5 March 2024" in page
    assert "Due in 3 days" in page
    client.force_login(world.manager1)
    page = client.get(team_url(world, as_of="2024-03-05")).content.decode()
    assert "Data as at 20 March 2024" in page
    assert "12 days overdue" in page


# --- filters and the htmx partial -------------------------------------------------------------


def test_filter_by_kind_and_worker(client, world, two_teams):
    looked_after_child(world, "C3", start="2024-03-18", forename="Cy", surname="Three",
                       worker=world.worker2)  # fmt: skip
    client.force_login(world.manager1)
    page = client.get(team_url(world, kind="visits_due_7")).content.decode()
    assert "Cy Three" in page and "Ann One" not in page
    page = client.get(team_url(world, worker=world.worker1.pk)).content.decode()
    assert "Ann One" in page and "Cy Three" not in page


def test_the_filter_form_refreshes_through_htmx_with_the_same_partial(client, world, two_teams):
    client.force_login(world.manager1)
    full = client.get(team_url(world)).content.decode()
    partial = client.get(team_url(world), headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and "<html" not in partial
    assert partial.strip().startswith('<div id="worklist"')
    assert 'hx-get="' in partial and 'hx-target="#worklist"' in partial
    assert "Ann One" in partial and "Data as at 20 March 2024" in partial
    assert "<script" not in partial and " onclick=" not in full


def test_counts_are_at_the_top(client, world, two_teams):
    client.force_login(world.manager1)
    page = client.get(team_url(world)).content.decode()
    counts = page.index("cps-worklist-counts")
    assert counts < page.index('id="list-visits_overdue"')
    number = '<span class="cps-worklist-counts__number">1</span>'
    assert f'{number} <span class="cps-worklist-counts__label">Visits overdue' in page


# --- exports ---------------------------------------------------------------------------------


NASTY = ['=HYPERLINK("http://x")', "+44 1", "-1+2", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.fixture
def nasty_children(world):
    for i, name in enumerate(NASTY):
        looked_after_child(world, f"N{i}", start="2024-03-01", forename=name, surname="")


def test_csv_export_neutralises_formula_cells(client, world, nasty_children):
    client.force_login(world.manager1)
    response = client.get(export_url(world, "visits_overdue", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["Child ID", "Name"]
    names = {row[1] for row in rows[1:]}
    assert names == {"'" + name for name in NASTY}


def test_xlsx_export_neutralises_formula_cells_and_keeps_dates(client, world, nasty_children):
    client.force_login(world.manager1)
    response = client.get(export_url(world, "visits_overdue", "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[2]]
    names = [row[1].value for row in sheet.iter_rows(min_row=3)]
    # XML stores a carriage return as a line feed; the apostrophe in front is what matters.
    assert sorted(names) == sorted("'" + name.replace("\r", "\n") for name in NASTY)
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=3))
    due = header.index("Due date")
    assert {row[due].value.date() for row in sheet.iter_rows(min_row=3)} == {date(2024, 3, 8)}


def test_exports_write_an_access_event_with_the_number_of_children(client, world, two_teams):
    client.force_login(world.manager1)
    client.get(export_url(world, "visits_overdue", "xlsx", worker=world.worker1.pk))
    event = AuditEvent.objects.get(action=AuditEvent.Action.WORKLIST_EXPORT)
    assert (event.user, event.la, event.n_children) == (world.manager1, world.la, 1)
    assert event.detail["kind"] == "visits_overdue" and event.detail["format"] == "xlsx"
    assert event.client_address == "127.0.0.1"


def test_an_unknown_list_or_format_is_not_found(client, world):
    client.force_login(world.manager1)
    assert client.get(export_url(world, "everything", "csv")).status_code == 404
    bad = reverse("worklists:team", kwargs={"code": world.la.code}) + "visits_overdue.pdf"
    assert client.get(bad).status_code == 404


def test_committee_leads_cannot_export(client, world, two_teams):
    client.force_login(world.committee)
    assert client.get(export_url(world, "visits_overdue", "csv")).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.WORKLIST_EXPORT).exists()


# --- audit of page views ---------------------------------------------------------------------


def test_each_view_of_the_team_page_is_audited(client, world, two_teams):
    client.force_login(world.manager1)
    client.get(team_url(world))
    client.get(team_url(world, kind="visits_overdue"), headers={"HX-Request": "true"})
    events = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.WORKLIST_VIEW).order_by("at", "pk")
    )
    assert [(e.object_id, e.n_children, e.detail["partial"]) for e in events] == [
        ("T10", 1, False),
        ("T10", 1, True),
    ]


# --- child page ------------------------------------------------------------------------------


def test_child_page_shows_the_timeline_with_due_dates_and_is_audited(client, world, two_teams):
    c1, _ = two_teams
    client.force_login(world.manager1)
    response = client.get(reverse("children:detail", kwargs={"pk": c1.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ann One" in page and "Started to be looked after" in page
    assert "Statutory visit" in page and "Overdue" in page
    assert "Review 1" in page and "Initial health assessment" in page
    assert "Data as at 20 March 2024" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHILD_VIEW)
    assert (event.object_id, event.n_children, event.user) == (str(c1.pk), 1, world.manager1)


@pytest.mark.parametrize("who", ["manager2", "committee", "outsider"])
def test_a_child_outside_scope_answers_as_if_it_did_not_exist(client, world, two_teams, who):
    c1, _ = two_teams
    client.force_login(getattr(world, who))
    assert client.get(reverse("children:detail", kwargs={"pk": c1.pk})).status_code == 404
    assert client.get(reverse("children:detail", kwargs={"pk": 999999})).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHILD_VIEW).exists()


def test_guessing_ids_reveals_no_other_teams_child(client, world, two_teams):
    """Every child id in the database, and the ids around and beyond them: the manager of
    team 1 gets C1 only. (Not ``range(1, last)``: on PostgreSQL the sequence keeps counting
    across the suite, so that would be tens of thousands of requests.)"""
    c1, c2 = two_teams
    client.force_login(world.manager1)
    held = set(Child.objects.values_list("pk", flat=True))
    guesses = (
        held
        | {1, 2}
        | set(range(min(held) - 3, min(held)))
        | set(range(max(held) + 1, max(held) + 6))
    )
    found = {
        pk
        for pk in sorted(guesses)
        if pk > 0 and client.get(reverse("children:detail", kwargs={"pk": pk})).status_code == 200
    }
    assert found == {c1.pk}


# --- query budget ----------------------------------------------------------------------------


def test_the_team_page_query_count_does_not_grow_with_children(
    client, world, django_assert_max_num_queries
):
    for i in range(30):
        looked_after_child(world, f"Q{i}", start="2024-02-01")
    client.force_login(world.manager1)
    with django_assert_max_num_queries(50):
        assert client.get(team_url(world)).status_code == 200


# --- cache ---------------------------------------------------------------------------------


def test_the_cache_serves_repeat_views_and_an_import_refreshes_it(client, world, settings):
    """Cached per team and day; a new import batch (or a recompute, or a new child) changes
    the key at once, while an edit made outside an import waits for the cache to expire."""
    from imports.models import ImportBatch
    from tests.worklists.conftest import visit

    settings.WORKLIST_CACHE_SECONDS = 60
    child = looked_after_child(world, "C1", start="2024-03-01", forename="Ann", surname="One")
    client.force_login(world.manager1)
    overdue = team_url(world, kind="visits_overdue")
    assert "Ann One" in client.get(overdue).content.decode()
    visit(child, "2024-03-08")  # seen on the due date: no longer overdue
    assert "Ann One" in client.get(overdue).content.decode()  # served from the cache
    ImportBatch.objects.create(la=world.la, format="ssd")
    assert "Ann One" not in client.get(overdue).content.decode()
