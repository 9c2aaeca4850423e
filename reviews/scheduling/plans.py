"""Personal education plans and care leavers' pathway plans: due 6 months after the last one.

``indicators.md`` §3: pep_in_place counts school-aged children whose latest **completed** PEP
(drafts ignored) is dated within the 6 months ending E; pathway_plan counts care leavers whose
pathway plan was reviewed within the 6 months ending E. Records dated after ``as_of`` are
ignored; the due date and the overdue flag follow :mod:`reviews.scheduling.recurring`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reviews.scheduling.recurring import RecurringDue, recurring_due

#: A PEP, and a pathway plan, are reviewed at least every 6 months.
PEP_MONTHS = 6
PATHWAY_PLAN_MONTHS = 6
#: The only PEP status that counts (``ssd-extracts.md`` §4.1 ``clpe_pep_status``).
PEP_STATUS_COMPLETE = "COMPLETE"


@dataclass(frozen=True, slots=True)
class PepRecord:
    """A PEP as recorded: its date and status (``COMPLETE`` or ``DRAFT``)."""

    pep_date: date
    status: str


def pep_due(*, peps: Iterable[PepRecord], as_of: date) -> RecurringDue:
    """The next PEP: due 6 months after the latest complete PEP; drafts are ignored.

    A draft dated after a complete PEP neither counts nor resets the clock. The status is
    compared without regard to case or surrounding spaces; anything but COMPLETE is not done.
    """
    return recurring_due(
        record_dates=(p.pep_date for p in peps if p.status.strip().upper() == PEP_STATUS_COMPLETE),
        interval_months=PEP_MONTHS,
        as_of=as_of,
    )


def pathway_plan_due(*, review_dates: Iterable[date], as_of: date) -> RecurringDue:
    """A care leaver's next pathway plan review: due 6 months after the latest one.

    ``review_dates``: the plan's start and review dates as observed (SSD
    ``clea_pathway_plan_review_date`` is "latest of plan start or last review").
    """
    return recurring_due(
        record_dates=review_dates, interval_months=PATHWAY_PLAN_MONTHS, as_of=as_of
    )
