"""Sorting the team page's lists (issue 10: "sort by days overdue"): most overdue first by
default, or least overdue first, by due date or by name; the choice is in the query string
(a reload or a shared link keeps it), the form works as a plain GET without JavaScript and
through htmx, and exports keep the order. "Today" is 20 March 2024."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from reviews.selectors import (
    SORT_DUE,
    SORT_NAME,
    SORT_OVERDUE,
    SORT_OVERDUE_LEAST,
    VISITS_OVERDUE,
    WorklistRow,
    worklist_sort,
)
from tests.worklists.conftest import looked_after_child

TODAY = date(2024, 3, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def three_overdue(world):
    """Team 1's first visits (due a week after the placement starts), none seen:
    Max due 2 March (18 days overdue), Amy due 8 March (12), Zed due 17 March (3)."""
    looked_after_child(world, "C1", start="2024-02-24", forename="Max", surname="Early")
    looked_after_child(world, "C2", start="2024-03-01", forename="Amy", surname="Middle")
    looked_after_child(world, "C3", start="2024-03-10", forename="Zed", surname="Late")


def team_url(world, **query) -> str:
    url = reverse("worklists:team", kwargs={"code": world.la.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed(html: str) -> list[str]:
    """The children of the overdue-visit list, in the order shown."""
    start = html.index('id="list-visits_overdue"')
    table = html[start : html.index("</table>", start)]
    names = ["Max Early", "Amy Middle", "Zed Late"]
    return sorted((n for n in names if n in table), key=table.index)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Max Early", "Amy Middle", "Zed Late"]),  # default: most overdue first
        ("overdue", ["Max Early", "Amy Middle", "Zed Late"]),
        ("overdue_least", ["Zed Late", "Amy Middle", "Max Early"]),
        ("due", ["Max Early", "Amy Middle", "Zed Late"]),
        ("name", ["Amy Middle", "Max Early", "Zed Late"]),
        ("nonsense", ["Max Early", "Amy Middle", "Zed Late"]),  # unknown: the default
    ],
)
def test_each_sort_orders_the_lists(client, world, three_overdue, sort, expected):
    client.force_login(world.manager1)
    html = client.get(team_url(world, kind=VISITS_OVERDUE, sort=sort)).content.decode()
    assert listed(html) == expected


def test_the_sort_control_is_a_plain_get_form_that_shows_the_choice(client, world, three_overdue):
    client.force_login(world.manager1)
    html = client.get(team_url(world, sort="name")).content.decode()
    start = html.index('class="cps-worklist-filter"')
    form = html[start : html.index("</form>", start)]
    assert '<label class="govuk-label govuk-label--s" for="filter-sort">Sort by</label>' in form
    assert '<select class="govuk-select" id="filter-sort" name="sort">' in form
    assert '<option value="name" selected>' in form
    assert '<option value="overdue">Days overdue (most first)</option>' in form
    assert '<button type="submit"' in form  # no script needed
    assert 'hx-push-url="true"' in form  # htmx puts the choice in the address bar


def test_htmx_gets_the_partial_in_the_picked_order(client, world, three_overdue):
    client.force_login(world.manager1)
    partial = client.get(
        team_url(world, kind=VISITS_OVERDUE, sort="overdue_least"), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial
    assert listed(partial) == ["Zed Late", "Amy Middle", "Max Early"]


def test_links_on_the_page_keep_the_sort(client, world, three_overdue):
    client.force_login(world.manager1)
    html = client.get(team_url(world, sort="name")).content.decode()
    export = reverse(
        "worklists:export", kwargs={"code": world.la.code, "kind": VISITS_OVERDUE, "fmt": "csv"}
    )
    assert f'href="{export}?team=T10&amp;sort=name"' in html
    assert "&amp;kind=visits_overdue&amp;sort=name" in html  # the count's link


def test_the_export_keeps_the_order(client, world, three_overdue):
    client.force_login(world.manager1)
    url = reverse(
        "worklists:export", kwargs={"code": world.la.code, "kind": VISITS_OVERDUE, "fmt": "csv"}
    )
    body = client.get(url + "?sort=name").content.decode("utf-8-sig")
    assert sorted(["Max Early", "Amy Middle", "Zed Late"], key=body.index) == [
        "Amy Middle",
        "Max Early",
        "Zed Late",
    ]


def row(child_id: str, name: str, due: date | None, days: int | None) -> WorklistRow:
    return WorklistRow(
        kind=VISITS_OVERDUE, child_pk=1, child_id=child_id, child_name=name, worker_pk=None,
        worker_name="", due_date=due, days_overdue=days, last_date=None,
    )  # fmt: skip


def test_rows_with_no_due_date_count_as_most_overdue_and_due_today_as_zero_days():
    today = row("A", "ann", date(2024, 3, 20), 0)
    never = row("B", "Bob", None, None)
    late = row("C", "cat", date(2024, 3, 1), 19)
    rows = [never, late, today]  # as built: most overdue first
    assert worklist_sort(rows=rows, sort=SORT_OVERDUE) == [never, late, today]
    assert worklist_sort(rows=rows, sort=SORT_OVERDUE_LEAST) == [today, late, never]
    assert worklist_sort(rows=rows, sort=SORT_DUE) == [late, today, never]
    assert worklist_sort(rows=rows, sort=SORT_NAME) == [today, never, late]  # case-insensitive
