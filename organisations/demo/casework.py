"""Casework records around each period of care: visits, reviews, health, PEPs, schools, missing.

Each schedule is simulated from the start of the period or placement with the statutory
rule it is measured against, so the measures come out at the rates the profile names:
visits (reg. 28: 7 days, then 6 weeks, then 3 months in long-term foster care after the
first year), reviews (reg. 33: 20 working days, 3 months, then 6 months), health
assessments (within 20 working days, then every 6 or 12 months), dental checks (yearly),
PEPs (termly). Only records dated on or after the casework start are kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from children.models import (
    MissingEpisode,
    PersonalEducationPlan,
    School,
    SchoolPlacement,
    Source,
)
from health.models import HealthAssessment, ImmunisationStatus
from reviews.models import Review, StatutoryVisit
from scorecards.periods import add_months

from .care import DAY, ChildPlan, PeriodPlan, birthday, days, weighted
from .names import PLACE_WORDS
from .profiles import LAProfile

LONG_TERM_FOSTER = ("U1", "U4")


@dataclass
class Counters:
    """Running ids and the generator's own tally of statutory due dates met."""

    code: str
    n: dict[str, int] = field(default_factory=dict)
    visits_due: int = 0
    visits_on_time: int = 0
    reviews_due: int = 0
    reviews_on_time: int = 0

    def next_id(self, prefix: str) -> str:
        self.n[prefix] = self.n.get(prefix, 0) + 1
        return f"{self.code}{prefix}{self.n[prefix]:07d}"


@dataclass
class CaseworkContext:
    rng: random.Random
    profile: LAProfile
    la: object
    today: date
    records_start: date
    casework_start: date
    counters: Counters
    schools_in: list[str]
    schools_out: list[str]
    school_names: dict[str, str]
    visits: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    health: list = field(default_factory=list)
    immunisations: dict = field(default_factory=dict)  # child index → ImmunisationStatus
    peps: list = field(default_factory=list)
    school_placements: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    def visit_on_time_share(self, d: date) -> float:
        """Visits improve steadily across the history (seed 003 → seed 000 → today)."""
        lo, hi = self.profile.visits_on_time
        span = (self.today - self.casework_start).days or 1
        x = min(1.0, max(0.0, (d - self.casework_start).days / span))
        return lo + (hi - lo) * x


def working_days_after(start: date, n: int) -> date:
    """``n`` working days after ``start`` counting Monday–Friday only.

    Bank holidays are ignored here, which can only make this date earlier than the true
    one, so a review or assessment held on or before it is on time by the real rule too.
    """
    d = start
    left = n
    while left:
        d += DAY
        if d.weekday() < 5:
            left -= 1
    return d


# --------------------------------------------------------------------------------------
# Visits (reg. 28)
# --------------------------------------------------------------------------------------


def _visit_interval_end(visit: date, start: date, place: str) -> date:
    if visit < add_months(start, 12) or place not in LONG_TERM_FOSTER:
        return visit + timedelta(days=42)
    return add_months(visit, 3)


def visits_build(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan) -> None:
    """Seen (and a few not-seen) visits for every placement of the period."""
    rng = ctx.rng
    carers = period.carers
    for i, carer in enumerate(carers):
        end = carers[i + 1].start if i + 1 < len(carers) else period.end
        stop = end if end is not None else ctx.today + DAY
        if stop <= ctx.casework_start - timedelta(days=200):
            continue
        due = carer.start + timedelta(days=7)
        last = carer.start
        while due < stop:
            on_time = rng.random() < ctx.visit_on_time_share(due)
            if on_time:
                earliest = max(last + DAY, due - timedelta(days=12), carer.start + DAY)
                visit = earliest + days(rng, 0, max(0, (due - earliest).days))
            else:
                tail = rng.random()
                late = (
                    rng.randint(1, 14)
                    if tail < 0.7
                    else rng.randint(15, 45)
                    if tail < 0.95
                    else rng.randint(46, 120)
                )
                visit = due + timedelta(days=late)
            if visit >= stop or visit > ctx.today:
                _count_missed(ctx, due, min(stop, ctx.today + DAY), carer)
                break
            _count_met(ctx, due, visit, carer)
            if visit >= ctx.casework_start:
                if rng.random() < 0.03:
                    # An attempted visit when the child was not seen (does not count).
                    tried = visit - days(rng, 1, 6)
                    if tried > last:
                        ctx.visits.append(_visit(ctx, child, period, tried, seen=False))
                ctx.visits.append(_visit(ctx, child, period, visit, seen=True))
            last = visit
            due = _visit_interval_end(visit, carer.start, carer.place_on(visit))


def _count_met(ctx: CaseworkContext, due: date, visit: date, carer) -> None:
    """Tally due dates in the records window met by ``visit``.

    A visit meets every pending due date on or before its day: the first one on time if
    the visit was on or before it, later ones (missed while waiting) late unless one falls
    on the visit's own day.
    """
    if visit <= due:
        if ctx.records_start <= due <= ctx.today:
            ctx.counters.visits_due += 1
            ctx.counters.visits_on_time += 1
        return
    d = due
    while d <= visit:
        if ctx.records_start <= d <= ctx.today:
            ctx.counters.visits_due += 1
            ctx.counters.visits_on_time += int(d == visit)
        d = _visit_interval_end(d, carer.start, carer.place_on(d))


def _count_missed(ctx: CaseworkContext, due: date, stop: date, carer) -> None:
    d = due
    while d < stop:
        if ctx.records_start <= d <= ctx.today:
            ctx.counters.visits_due += 1
        d = _visit_interval_end(d, carer.start, carer.place_on(d))


def _visit(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan, d: date, *, seen: bool):
    age = child.age_on(d)
    if not seen:
        alone = False
    elif age >= 8:
        alone = ctx.rng.random() < 0.75
    elif age >= 4:
        alone = ctx.rng.random() < 0.3
    else:
        alone = False
    return StatutoryVisit(
        la=ctx.la,
        visit_id=ctx.counters.next_id("V"),
        child=child.obj,
        visit_date=d,
        seen=seen,
        seen_alone=alone,
        ssd_cla_id=period.ssd_cla_id,
    )


# --------------------------------------------------------------------------------------
# Reviews (reg. 33)
# --------------------------------------------------------------------------------------

PARTICIPATION = (
    ("PN1", 55.0), ("PN2", 5.0), ("PN3", 3.0), ("PN4", 7.0), ("PN5", 10.0), ("PN6", 12.0),
    ("PN7", 8.0),
)  # fmt: skip


def reviews_build(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan) -> None:
    """Reviews from the start of the period; the next is due from the date actually held."""
    rng = ctx.rng
    stop = period.end if period.end is not None else ctx.today + DAY
    due = working_days_after(period.start, 20)
    n = 0
    while due < stop:
        if rng.random() < ctx.profile.reviews_on_time:
            lo = period.start + DAY if n == 0 else due - timedelta(days=20)
            held = due - days(rng, 0, max(0, min(12, (due - lo).days)))
            on_time = True
        else:
            held = due + timedelta(days=rng.randint(1, 25) if rng.random() < 0.9 else 40)
            on_time = False
        if held >= stop or held > ctx.today:
            if ctx.records_start <= due <= ctx.today:
                ctx.counters.reviews_due += 1  # fell due and not held (yet)
            break
        if ctx.records_start <= held <= ctx.today:
            ctx.counters.reviews_due += 1
            ctx.counters.reviews_on_time += int(on_time)
        if held >= ctx.casework_start:
            if rng.random() < 0.015 and held - timedelta(days=6) > period.start:
                cancelled = held - days(rng, 2, 5)
                ctx.reviews.append(_review(ctx, child, period, cancelled, due, cancelled=True))
            ctx.reviews.append(_review(ctx, child, period, held, due, cancelled=False))
        n += 1
        due = add_months(held, 3 if n == 1 else 6)


def _review(ctx, child, period, d: date, due: date, *, cancelled: bool) -> Review:
    code = "PN0" if child.age_on(d) < 4 else weighted(ctx.rng, PARTICIPATION)
    return Review(
        la=ctx.la,
        child=child.obj,
        review_date=d,
        review_code="" if cancelled else code,
        cancelled=cancelled,
        supplied_due_date=due,
        source=Source.DEMO,
        ssd_review_id=ctx.counters.next_id("R"),
        ssd_cla_id=period.ssd_cla_id,
    )


# --------------------------------------------------------------------------------------
# Health
# --------------------------------------------------------------------------------------

RECORDED_TYPES = {
    HealthAssessment.Kind.IHA: "Initial Health Assessment",
    HealthAssessment.Kind.RHA: "Review Health Assessment",
    HealthAssessment.Kind.DENTAL: "Dental Check",
}


def health_build(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan) -> None:
    rng = ctx.rng
    stop = period.end if period.end is not None else ctx.today + DAY
    limit = min(stop, ctx.today + DAY)
    profile = ctx.profile
    # Initial health assessment: due by the 20th working day.
    deadline = working_days_after(period.start, 20)
    if rng.random() < profile.iha_on_time:
        iha = period.start + days(rng, 5, max(5, (deadline - period.start).days - 1))
    elif rng.random() < 0.7:
        iha = deadline + days(rng, 3, 40)
    else:
        iha = deadline + days(rng, 41, 130)
    last = None
    if iha < limit:
        if child.age_on(iha) >= 12 and rng.random() < 0.03:
            _health(ctx, child, iha, HealthAssessment.Kind.IHA, HealthAssessment.Status.REFUSED)
            iha = iha + days(rng, 30, 90)
        if iha < limit:
            _health(ctx, child, iha, HealthAssessment.Kind.IHA, HealthAssessment.Status.COMPLETED)
            last = iha
    # Review health assessments: every 6 months under 5, else every 12 months.
    while last is not None:
        months = 6 if child.age_on(last) < 5 else 12
        due = add_months(last, months)
        if rng.random() < profile.health_on_time:
            when = due - days(rng, 0, 45)
        else:
            when = due + days(rng, 30, 300)
        if when >= limit:
            break
        if child.age_on(when) >= 13 and rng.random() < 0.05:
            _health(ctx, child, when, HealthAssessment.Kind.RHA, HealthAssessment.Status.REFUSED)
            when = when + days(rng, 45, 150)
            if when >= limit:
                break
        _health(ctx, child, when, HealthAssessment.Kind.RHA, HealthAssessment.Status.COMPLETED)
        last = when
    # Dental checks from the first birthday: soon after entering care, then yearly.
    first_possible = max(period.start, birthday(child.dob, 1))
    dental = first_possible + days(rng, 20, 120)
    while dental < limit:
        if child.age_on(dental) >= 12 and rng.random() < 0.03:
            _health(
                ctx, child, dental, HealthAssessment.Kind.DENTAL, HealthAssessment.Status.REFUSED
            )
        else:
            _health(
                ctx, child, dental, HealthAssessment.Kind.DENTAL, HealthAssessment.Status.COMPLETED
            )
        due = add_months(dental, 12)
        if rng.random() < profile.dental_on_time:
            dental = due - days(rng, 0, 40)
        else:
            dental = due + days(rng, 30, 400)
    # Immunisation status (one row per child, the latest period's wins).
    if period.end is None or period.end >= ctx.casework_start:
        status_date = min(ctx.today, period.last_day(ctx.today)) - days(rng, 0, 90)
        ctx.immunisations[child.index] = ImmunisationStatus(
            la=ctx.la,
            child=child.obj,
            up_to_date=rng.random() < (0.6 if child.uasc else 0.86),
            status_date=max(status_date, period.start),
        )


def _health(ctx: CaseworkContext, child: ChildPlan, d: date, kind: str, status: str) -> None:
    if d < ctx.casework_start or d > ctx.today:
        return
    ctx.health.append(
        HealthAssessment(
            la=ctx.la,
            check_id=ctx.counters.next_id("H"),
            child=child.obj,
            kind=kind,
            recorded_type=RECORDED_TYPES[kind],
            check_date=d,
            status=status,
        )
    )


# --------------------------------------------------------------------------------------
# Education: PEPs and schools
# --------------------------------------------------------------------------------------


def peps_build(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan) -> None:
    """Termly PEPs while of school age (Reception to Year 13), a few drafts."""
    rng = ctx.rng
    stop = min(period.end or ctx.today + DAY, ctx.today + DAY)
    first_school = date(birthday(child.dob, 4).year, 9, 1)
    if first_school < birthday(child.dob, 4):
        first_school = date(first_school.year + 1, 9, 1)
    leaves = birthday(child.dob, 18)
    t = max(period.start, first_school) + days(rng, 10, 40)
    while t < min(stop, leaves):
        if t >= ctx.casework_start:
            if rng.random() < 0.05 and t - timedelta(days=10) > period.start:
                ctx.peps.append(_pep(ctx, child, t - days(rng, 7, 20), draft=True))
            latest = t + timedelta(days=120) >= ctx.today
            ctx.peps.append(_pep(ctx, child, t, draft=latest and rng.random() < 0.12))
        gap = rng.randint(75, 120) if rng.random() > 0.02 else rng.randint(190, 260)
        t = t + timedelta(days=gap)


def _pep(ctx: CaseworkContext, child: ChildPlan, d: date, *, draft: bool):
    return PersonalEducationPlan(
        la=ctx.la,
        record_id=ctx.counters.next_id("P"),
        child=child.obj,
        pep_date=d,
        status=PersonalEducationPlan.Status.DRAFT
        if draft
        else PersonalEducationPlan.Status.COMPLETE,
        review_due_date=d + timedelta(days=120),
    )


def schools_reference_build(
    rng: random.Random, *, profile: LAProfile, la_index: int, scale: float
) -> tuple[list[School], list[str], list[str]]:
    """Demo schools with Ofsted ratings (~80% good or outstanding), in and out of area.

    URNs are six digits from 900000 up, a range no real school uses.
    """
    n_in = max(20, round(profile.target_stock * scale / 2.6))
    n_out = max(10, round(n_in / 3))
    base = 900000 + la_index * 10000
    schools: list[School] = []
    kinds = (
        ("Primary School", 55.0),
        ("Academy", 20.0),
        ("Church of England Primary School", 10.0),
        ("Community College", 10.0),
        ("Special School", 5.0),
    )
    for i in range(n_in + n_out):
        inside = i < n_in
        rating = weighted(rng, (("1", 18.0), ("2", 63.0), ("3", 15.0), ("4", 4.0)))
        name = f"{rng.choice(PLACE_WORDS)} {weighted(rng, kinds)}"
        inspected = date(2015, 9, 1) + days(rng, 0, (date(2024, 8, 31) - date(2015, 9, 1)).days)
        schools.append(
            School(
                urn=str(base + i + 1),
                name=name,
                la_code=profile.code if inside else "",
                ofsted_rating=None if rng.random() < 0.03 else int(rating),
                inspection_date=inspected,
            )
        )
    urns_in = [s.urn for s in schools[:n_in]]
    urns_out = [s.urn for s in schools[n_in:]]
    return schools, urns_in, urns_out


def school_placements_build(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan) -> None:
    """The school of a school-aged child while in care; some change school with placement."""
    rng = ctx.rng
    if rng.random() < (0.12 if child.uasc else 0.04):
        return  # no known school (newly arrived, home educated, awaiting a place)
    starts = date(birthday(child.dob, 4).year, 9, 1)
    if starts < birthday(child.dob, 4):
        starts = date(starts.year + 1, 9, 1)
    ends = date(birthday(child.dob, 16).year, 8, 31)
    if ends < birthday(child.dob, 16):
        ends = date(ends.year + 1, 8, 31)
    span_start = max(period.start, starts)
    span_end = min(period.end or ctx.today + DAY, ends)
    if span_end <= span_start or span_end < ctx.casework_start:
        return
    current_urn = ""
    current_start = span_start
    for i, carer in enumerate(period.carers):
        c_end = period.carers[i + 1].start if i + 1 < len(period.carers) else span_end
        if c_end <= span_start or carer.start >= span_end:
            continue
        pool = ctx.schools_in if carer.where == "in" else ctx.schools_out
        if not current_urn:
            current_urn = rng.choice(pool)
            continue
        move_prob = 0.15 if carer.where == "in" else 0.55
        if rng.random() < move_prob:
            _school(ctx, child, current_urn, current_start, carer.start)
            current_urn = rng.choice(pool)
            current_start = carer.start
    if current_urn:
        end = span_end if (period.end is not None or span_end <= ctx.today) else None
        _school(ctx, child, current_urn, current_start, end)


def _school(ctx, child, urn: str, start: date, end: date | None) -> None:
    if end is not None and end < ctx.casework_start:
        return
    ctx.school_placements.append(
        SchoolPlacement(
            la=ctx.la,
            record_id=ctx.counters.next_id("S"),
            child=child.obj,
            school_urn=urn,
            school_name=ctx.school_names[urn],
            start_date=start,
            end_date=end,
        )
    )


# --------------------------------------------------------------------------------------
# Missing and away from placement
# --------------------------------------------------------------------------------------


def missing_rate_draw(rng: random.Random, child: ChildPlan, period: PeriodPlan) -> float:
    """Missing and away episodes a year for this period (a minority go missing often)."""
    if child.age_on(period.start) < 9 and (period.end is None or child.age_on(period.end) < 11):
        return 0.0
    if rng.random() < 0.16:
        return rng.expovariate(1 / 15.0) + 2.0
    return 0.25


def missing_build(ctx: CaseworkContext, child: ChildPlan, period: PeriodPlan) -> None:
    rng = ctx.rng
    rate = period.missing_rate
    if rate <= 0:
        return
    eleven, eighteen = birthday(child.dob, 11), birthday(child.dob, 18)
    t = max(period.start, eleven, ctx.casework_start)
    stop = min(period.end or ctx.today + DAY, ctx.today + DAY, eighteen)
    last_end = t - DAY
    while True:
        age_factor = 1.0 if child.age_on(t) >= 13 else 0.35
        t = t + timedelta(days=max(1, int(rng.expovariate(rate * age_factor) * 365.25)))
        if t >= stop:
            break
        if t <= last_end:
            t = last_end + DAY
            if t >= stop:
                break
        kind = "M" if rng.random() < 0.62 else "A"
        r = rng.random()
        length = (
            0
            if r < 0.35
            else 1
            if r < 0.75
            else rng.randint(2, 3)
            if r < 0.9
            else rng.randint(4, 14)
        )
        end = t + timedelta(days=length)
        if end > ctx.today:
            end = None if rng.random() < 0.5 else ctx.today
        offered = "Y" if rng.random() < (0.95 if kind == "M" else 0.6) else "N"
        accepted = ("Y" if rng.random() < 0.62 else "N") if offered == "Y" else "NA"
        completed = None
        if accepted == "Y" and end is not None and rng.random() < 0.88:
            completed = end + days(rng, 0, 4)
            if completed > ctx.today:
                completed = None
        ctx.missing.append(
            MissingEpisode(
                la=ctx.la,
                child=child.obj,
                missing_type=kind,
                start_date=t,
                end_date=end,
                rhi_offered=offered,
                rhi_accepted=accepted,
                rhi_completed_date=completed,
                source=Source.DEMO,
                ssd_id=ctx.counters.next_id("M"),
            )
        )
        last_end = end or ctx.today
        t = last_end
