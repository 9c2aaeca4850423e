"""PEPs and pathway plans: due 6 months after the latest one (indicators.md §3)."""

from __future__ import annotations

from datetime import date

from reviews.scheduling.plans import PepRecord, pathway_plan_due, pep_due
from reviews.scheduling.recurring import RecurringDue


def test_a_pep_draft_after_a_completed_pep_neither_counts_nor_resets_the_clock():
    due = pep_due(
        peps=[
            PepRecord(pep_date=date(2024, 9, 15), status="COMPLETE"),
            PepRecord(pep_date=date(2025, 1, 10), status="DRAFT"),
        ],
        as_of=date(2025, 3, 31),
    )
    assert due == RecurringDue(
        latest_date=date(2024, 9, 15), interval_months=6, due_date=date(2025, 3, 15), overdue=True
    )


def test_a_completed_pep_within_six_months_is_in_place():
    due = pep_due(
        peps=[
            PepRecord(pep_date=date(2024, 4, 2), status="COMPLETE"),
            PepRecord(pep_date=date(2024, 10, 1), status="COMPLETE"),
        ],
        as_of=date(2025, 3, 31),
    )
    assert (due.latest_date, due.due_date, due.overdue) == (
        date(2024, 10, 1),
        date(2025, 4, 1),
        False,
    )


def test_only_complete_counts_whatever_its_case_and_blank_is_not_complete():
    as_of = date(2025, 3, 31)
    assert pep_due(peps=[PepRecord(date(2025, 1, 1), " complete ")], as_of=as_of).overdue is False
    assert pep_due(peps=[PepRecord(date(2025, 1, 1), "")], as_of=as_of).overdue is True
    assert pep_due(peps=[PepRecord(date(2025, 1, 1), "Draft")], as_of=as_of).overdue is True


def test_a_pep_after_the_as_of_date_does_not_exist_yet():
    due = pep_due(peps=[PepRecord(date(2025, 4, 1), "COMPLETE")], as_of=date(2025, 3, 31))
    assert (due.latest_date, due.overdue) == (None, True)


def test_worked_example_pathway_plan_reviewed_on_5_december_is_in_time():
    # ssd-extracts.md §5: C1002's plan reviewed 5 Dec 2024 is within 6 months of 31 Mar 2025.
    assert pathway_plan_due(
        review_dates=[date(2024, 12, 5)], as_of=date(2025, 3, 31)
    ) == RecurringDue(
        latest_date=date(2024, 12, 5), interval_months=6, due_date=date(2025, 6, 5), overdue=False
    )


def test_a_pathway_plan_reviewed_on_30_september_is_in_time_on_31_march():
    as_of = date(2025, 3, 31)
    assert pathway_plan_due(review_dates=[date(2024, 9, 30)], as_of=as_of).overdue is False
    assert pathway_plan_due(review_dates=[date(2024, 9, 29)], as_of=as_of).overdue is True
