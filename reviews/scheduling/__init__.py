"""The one scheduling module: statutory due dates for children in care.

Visits (reg. 28), looked-after reviews (reg. 33), initial and review health assessments,
dental checks, PEPs and pathway plans, computed as ``indicators.md`` defines them. Both the
monthly indicator engine (in bulk, as of each month end) and the live worklists call these
functions, so a list and its scorecard figure always agree.

Everything here is a pure function over plain dataclasses and dates: no ORM queries. Callers
load the records, keep only those that count (seen visits, held non-cancelled reviews,
completed health checks), merge episodes into placements and periods of care
(``indicators.md`` §1), and pass an ``as_of`` date: records dated after it are ignored.
Working days live in :mod:`reviews.working_days`.
"""

from reviews.scheduling.dates import (
    add_months,
    age_on,
    is_month_end,
    is_within_months,
    last_day_within,
)
from reviews.scheduling.durations import has_lasted_months, lasted_months_from
from reviews.scheduling.health import (
    IhaDue,
    dental_check_due,
    health_assessment_due,
    health_assessment_interval_months,
    iha_due,
)
from reviews.scheduling.plans import PepRecord, pathway_plan_due, pep_due
from reviews.scheduling.recurring import RecurringDue, recurring_due
from reviews.scheduling.reviews import CarePeriod, ReviewDue, ReviewRule, review_schedule
from reviews.scheduling.visits import (
    LONG_TERM_FOSTER_CODES,
    TEMPORARY_PLACEMENT_CODES,
    CountedFrom,
    PlacementSpan,
    VisitDue,
    VisitRule,
    VisitStandard,
    visit_interval_rule,
    visit_schedule,
)
from reviews.working_days import add_working_days, is_bank_holiday, is_working_day

__all__ = [
    "LONG_TERM_FOSTER_CODES",
    "TEMPORARY_PLACEMENT_CODES",
    "CarePeriod",
    "CountedFrom",
    "IhaDue",
    "PepRecord",
    "PlacementSpan",
    "RecurringDue",
    "ReviewDue",
    "ReviewRule",
    "VisitDue",
    "VisitRule",
    "VisitStandard",
    "add_months",
    "add_working_days",
    "age_on",
    "dental_check_due",
    "has_lasted_months",
    "health_assessment_due",
    "health_assessment_interval_months",
    "iha_due",
    "is_bank_holiday",
    "is_month_end",
    "is_within_months",
    "is_working_day",
    "last_day_within",
    "lasted_months_from",
    "pathway_plan_due",
    "pep_due",
    "recurring_due",
    "review_schedule",
    "visit_interval_rule",
    "visit_schedule",
]
