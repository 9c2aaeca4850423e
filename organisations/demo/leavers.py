"""Care leavers: dated monthly observations (SSD ``ssd_care_leavers``) and OC3 rows.

A young person is *eligible* while looked after at 16–17 having been in care 13 weeks
since turning 14, *relevant* after leaving care at 16–17, and *former relevant* from 18
until 21 (25 for about one in ten, in education or asking for support); the month the
service ends an observation says "No Current Eligibility". Their accommodation,
activity and contact change every few months; each month-end (and today) the status
then held is written as an observation, and each collection year an OC3 row describes
those whose 17th–21st birthday fell in it.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from children.models import CareLeaverObservation, OC3Outcome
from organisations.models import AllocationRole
from scorecards.periods import add_months, collection_year_of, month_last

from .care import ChildPlan, birthday, days, is_care_leaver_exit, weighted

ACCOM_18_PLUS = (
    ("U", 27.0), ("D", 21.0), ("B", 14.0), ("E", 8.0), ("C", 3.0), ("T", 3.0), ("K", 3.0),
    ("Y", 2.0), ("S", 2.5), ("W", 1.5), ("V", 1.5), ("X", 1.5),
)  # fmt: skip
ACCOM_UNDER_18 = (("D", 45.0), ("E", 20.0), ("C", 10.0), ("B", 15.0), ("U", 4.0), ("V", 3.0),
                  ("W", 1.0), ("S", 2.0))  # fmt: skip
ALWAYS_UNSUITABLE = frozenset({"S", "X", "W", "V"})
ACTIVITY_18_PLUS = (
    ("F1", 6.0), ("P1", 2.0), ("F2", 20.0), ("P2", 4.0), ("F4", 5.0), ("P4", 1.0), ("F5", 12.0),
    ("P5", 5.0), ("G4", 9.0), ("G5", 28.0), ("G6", 5.0),
)  # fmt: skip
ACTIVITY_UNDER_18 = (("F2", 55.0), ("P2", 5.0), ("F4", 5.0), ("F5", 5.0), ("G5", 22.0),
                     ("G4", 5.0), ("G6", 3.0))  # fmt: skip
IN_TOUCH = (("YES", 89.0), ("NO", 4.0), ("REFU", 2.0), ("NREQ", 3.0), ("RHOM", 2.0))


@dataclass
class State:
    since: date
    in_touch: str
    accommodation: str
    suitable: str
    activity: str


@dataclass
class Journey:
    """One young person's time as an eligible child and care leaver."""

    child: ChildPlan
    eligible_from: date | None  # while still looked after
    left: date | None  # left care as a care leaver
    service_end: date  # last day + 1 of the leaving care service
    staying_put: bool
    states: list[State] = field(default_factory=list)
    plan_reviews: list[date] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.eligible_from or self.left  # type: ignore[return-value]


def journey_plan(rng: random.Random, child: ChildPlan, today: date) -> Journey | None:
    """The care-leaver journey of ``child``, if they have one (the latest period decides)."""
    if not child.periods:
        return None
    period = child.periods[-1]
    if period.short_break:
        return None
    sixteen, eighteen = birthday(child.dob, 16), birthday(child.dob, 18)
    fourteen = birthday(child.dob, 14)
    qualifies = max(sixteen, max(period.start, fourteen) + timedelta(days=91))
    in_care_end = period.end or today + timedelta(days=1)
    eligible_from = qualifies if qualifies < min(in_care_end, eighteen) else None
    leaver = is_care_leaver_exit(child, period)
    if eligible_from is None and not leaver:
        return None
    if eligible_from is not None and eligible_from > today:
        eligible_from = None
        if not leaver:
            return None
    left = period.end if leaver else None
    extended = rng.random() < 0.1
    service_end = birthday(child.dob, 25 if extended else 21)
    if not leaver:
        service_end = min(service_end, in_care_end)
    return Journey(
        child=child,
        eligible_from=eligible_from,
        left=left,
        service_end=service_end,
        staying_put=period.rec == "E17",
    )


def _state(rng: random.Random, journey: Journey, d: date) -> State:
    child = journey.child
    age = child.age_on(d)
    if journey.left is None or d < journey.left:
        activity = weighted(rng, ACTIVITY_UNDER_18)
        return State(d, "YES", "", "", activity)
    in_touch = weighted(rng, IN_TOUCH)
    if age < 18:
        accommodation = weighted(rng, ACCOM_UNDER_18)
        activity = weighted(rng, ACTIVITY_UNDER_18)
    else:
        accommodation = weighted(rng, ACCOM_18_PLUS)
        if journey.staying_put and age < 21 and rng.random() < 0.6:
            accommodation = "Z"
        activity = weighted(rng, ACTIVITY_18_PLUS)
    if in_touch == "RHOM":
        accommodation = "B"
    suitable = "2" if accommodation in ALWAYS_UNSUITABLE or rng.random() < 0.04 else "1"
    if in_touch in ("NO", "REFU"):
        return State(d, in_touch, "", "", "")
    return State(d, in_touch, accommodation, suitable, activity)


def journey_fill(rng: random.Random, journey: Journey, today: date) -> None:
    """States changing every few months, and six-monthly pathway plan reviews."""
    t = journey.start
    stop = min(journey.service_end, today + timedelta(days=1))
    if journey.left and journey.eligible_from:
        change_points = [journey.eligible_from, journey.left]
    else:
        change_points = [t]
    d = t
    while d < stop:
        d = d + timedelta(days=60 + int(rng.expovariate(1 / 200.0)))
        if d < stop:
            change_points.append(d)
    for d in sorted(set(change_points)):
        journey.states.append(_state(rng, journey, d))
    review = t + days(rng, 0, 50)
    while review < stop:
        journey.plan_reviews.append(review)
        due = add_months(review, 6)
        review = due - days(rng, 0, 30) if rng.random() < 0.87 else due + days(rng, 10, 100)


def _state_on(journey: Journey, d: date) -> State | None:
    i = bisect_right([s.since for s in journey.states], d) - 1
    return journey.states[i] if i >= 0 else None


def observation_dates(records_start: date, today: date) -> list[date]:
    """Month ends from the first records month to the last closed month, then today."""
    out = []
    d = month_last(records_start)
    while d < today:
        out.append(d)
        d = month_last(add_months(d.replace(day=1), 1))
    out.append(today)
    return out


def observations_build(
    rng: random.Random,
    *,
    la,
    journey: Journey,
    as_at_dates: list[date],
    staff,
    leaving_team_id: str,
) -> list[CareLeaverObservation]:
    child = journey.child
    out: list[CareLeaverObservation] = []
    starts = [s.since for s in journey.states]
    for as_at in as_at_dates:
        if as_at < journey.start or as_at >= journey.service_end:
            continue
        i = bisect_right(starts, as_at) - 1
        if i < 0:
            continue
        state = journey.states[i]
        if journey.left is None or as_at < journey.left:
            eligibility = "Eligible"
        elif child.age_on(as_at) < 18:
            eligibility = "Relevant"
        else:
            eligibility = "Former Relevant"
        j = bisect_right(journey.plan_reviews, as_at) - 1
        plan = journey.plan_reviews[j] if j >= 0 else None
        span = staff.span_at(child.index, AllocationRole.PA, as_at)
        pa = span.worker.professional_id if span else ""
        contact = None
        if state.in_touch == "YES":
            contact = max(journey.start, as_at - days(rng, 0, 50))
        out.append(
            CareLeaverObservation(
                la=la,
                child=child.obj,
                as_at=as_at,
                eligibility=eligibility,
                in_touch=state.in_touch,
                latest_contact=contact,
                accommodation=state.accommodation,
                accommodation_suitable=state.suitable,
                activity=state.activity,
                pathway_plan_review_date=plan,
                personal_advisor=pa,
                allocated_team=leaving_team_id if pa else "",
                worker_id=pa,
            )
        )
    # The month the service ends (21st or 25th birthday, or leaving care without becoming
    # a care leaver) the extract says so; otherwise the last status would stand until 25.
    closing = next((d for d in as_at_dates if d >= journey.service_end), None)
    if closing is not None and out:
        last = out[-1]
        out.append(
            CareLeaverObservation(
                la=la,
                child=child.obj,
                as_at=closing,
                eligibility="No Current Eligibility",
                in_touch="NREQ" if journey.left is not None else "",
                pathway_plan_review_date=last.pathway_plan_review_date,
            )
        )
    return out


def oc3_build(*, la, journey: Journey, first_year: int, today: date) -> list[OC3Outcome]:
    """OC3 rows for collection years whose 17th–21st birthday fell after leaving care."""
    if journey.left is None:
        return []
    child = journey.child
    out = []
    for age in range(17, 22):
        bday = birthday(child.dob, age)
        year = collection_year_of(bday)
        if bday < journey.left or bday > today or year < first_year:
            continue
        state = _state_on(journey, bday)
        if state is None:
            continue
        if state.in_touch in ("YES", "NREQ") and state.accommodation:
            activity = state.activity or "0"
            accommodation = f"{state.accommodation}{state.suitable or '1'}"
        else:
            activity, accommodation = "0", "0"
        out.append(
            OC3Outcome(
                la=la,
                child=child.obj,
                year=year,
                in_touch=state.in_touch,
                activity=activity,
                accommodation=accommodation,
            )
        )
    return out
