"""Visits before one due date meet it once (indicators.md §3 Visits), on every page.

Hand-worked: a U4 placement from 28 December 2023, first visit due 4 January 2024; seen on
31 December, so the next is due 31 Dec + 42 = 11 February. Seen on 3 and 7 February: they
meet 11 February once, and the next is due 7 Feb + 42 = 20 March (2024 is a leap year) — not
also 16 March (3 Feb + 42). The scorecard, the drill-down, the child page and the lists all
read the one schedule.
"""

from __future__ import annotations

from datetime import date

from reviews.selectors import (
    VISITS_DUE_14,
    VISITS_OVERDUE,
    child_timeline_get,
    drilldown_get,
    worklist_for_team,
    worklist_team_choice_get,
)
from scorecards.services import snapshots_recompute
from tests.worklists.conftest import d, looked_after_child, visit

TODAY = date(2024, 4, 10)


def _child(world):
    child = looked_after_child(world, "C1", start="2023-12-28")
    for when in ("2023-12-31", "2024-02-03", "2024-02-07"):
        visit(child, when)
    return child


def test_the_drill_down_and_the_figure_count_the_february_due_date_once(world):
    _child(world)
    snapshots_recompute(la=world.la, months=[date(2024, 2, 1), date(2024, 3, 1)], today=TODAY)

    february = drilldown_get(
        user=world.admin, la=world.la, indicator_id="visits_on_time",
        month=date(2024, 2, 1), period="month", today=TODAY,
    )  # fmt: skip
    assert [(it.on, it.done, it.in_numerator) for it in february.items] == [
        (d("2024-02-11"), d("2024-02-03"), True)
    ]
    assert (february.snapshot_cell["numerator"], february.snapshot_cell["denominator"]) == (1, 1)
    march = drilldown_get(
        user=world.admin, la=world.la, indicator_id="visits_on_time",
        month=date(2024, 3, 1), period="month", today=TODAY,
    )  # fmt: skip
    assert [(it.on, it.done, it.in_numerator) for it in march.items] == [
        (d("2024-03-20"), None, False)  # 20 March, missed; no 16 March visit "met" on 7 Feb
    ]
    assert (march.snapshot_cell["numerator"], march.snapshot_cell["denominator"]) == (0, 1)


def test_the_child_page_shows_one_due_date_met_and_the_next_counted_from_the_later_visit(world):
    child = _child(world)

    page = child_timeline_get(user=world.admin, child=child, as_of=d("2024-03-10"))

    visits = sorted((ev.on, ev.title, ev.done_date) for ev in page.events if ev.kind == "Visit")
    assert visits == [
        (d("2024-01-04"), "Statutory visit", d("2023-12-31")),
        (d("2024-02-07"), "Child seen (next visit due from here)", d("2024-02-07")),
        (d("2024-02-11"), "Statutory visit", d("2024-02-03")),
        (d("2024-03-20"), "Statutory visit", None),
    ]


def test_the_lists_show_the_next_visit_due_on_20_march(world):
    _child(world)
    choice = worklist_team_choice_get(user=world.admin, la=world.la, key="T10")

    wl = worklist_for_team(user=world.admin, la=world.la, choice=choice, as_of=d("2024-03-10"))

    assert [row.due_date for row in wl.rows[VISITS_DUE_14]] == [d("2024-03-20")]
    assert wl.rows[VISITS_OVERDUE] == []
