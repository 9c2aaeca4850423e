"""Children known to the authority but not looked after: children in need and exploitation.

The exploitation measures count every child with an open assessed risk, looked after or
not, so the demo needs children who never enter care: children in need held by the
family safeguarding teams (which also gives those teams their caseloads), some of them
assessed at risk of sexual or criminal exploitation. Looked-after teenagers, especially
those who go missing, carry a share of the risks too. Proportions follow seed 003: CSE
risks mostly girls aged 13–16, gang risks mostly boys.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from children.models import CINEpisode, ExploitationRisk
from organisations.models import AllocationRole

from .care import ChildPlan, birthday, days, poisson, weighted
from .staff import SpanPlan

NewChild = Callable[..., ChildPlan]

RISK_TYPES = {
    # risk type: (share on looked-after children, sex weights, age-at-start weights)
    "CSE": (0.35, (("F", 80.0), ("M", 20.0)), ((10, 2.0), (11, 3.0), (12, 5.0), (13, 14.0),
            (14, 22.0), (15, 24.0), (16, 20.0), (17, 10.0))),
    "GANG": (0.40, (("M", 90.0), ("F", 10.0)), ((12, 3.0), (13, 8.0), (14, 16.0), (15, 24.0),
             (16, 26.0), (17, 23.0))),
}  # fmt: skip


@dataclass
class CommunityContext:
    rng: random.Random
    la: object
    today: date
    start: date  # first referral or risk start generated
    casework_start: date
    new_child: NewChild
    staff: object
    fs_kind: str = "fs"


def _referral_id(ctx: CommunityContext, n: int) -> str:
    return f"{ctx.la.code}F{n:07d}"


def cin_children_build(ctx: CommunityContext, *, stock: float) -> tuple[list, list[ChildPlan]]:
    """Children in need (never looked after) with a CIN episode and a social worker."""
    rng = ctx.rng
    mean_days = 300.0
    per_day = stock / mean_days
    episodes: list[CINEpisode] = []
    children: list[ChildPlan] = []
    d = ctx.start - timedelta(days=int(mean_days * 2))
    n = 0
    while d <= ctx.today:
        for _ in range(poisson(rng, per_day * 7)):
            start = d + days(rng, 0, 6)
            if start > ctx.today:
                continue
            length = rng.randint(60, 540)
            end = start + timedelta(days=length)
            if end < ctx.casework_start:
                continue
            age = rng.randint(0, 17)
            sex = "M" if rng.random() < 0.52 else "F"
            dob = start - timedelta(days=age * 365 + rng.randint(0, 364))
            end = min(end, birthday(dob, 18))
            if end <= start:
                continue
            child = ctx.new_child(sex=sex, dob=dob)
            n += 1
            episodes.append(_cin_episode(ctx, child, n, start, end))
            children.append(child)
        d += timedelta(days=7)
    return episodes, children


def _cin_episode(ctx: CommunityContext, child: ChildPlan, n: int, start: date, end: date):
    closed = end if end <= ctx.today else None
    ref = _referral_id(ctx, n)
    ctx.staff.plan(
        SpanPlan(
            child=child,
            kind=ctx.fs_kind,
            team_index=ctx.staff.team_for(ctx.fs_kind),
            start=start,
            end=closed,
            role=AllocationRole.ALLOCATED_SW,
            local_role="CW",
            referral_id=ref,
        )
    )
    return CINEpisode(
        la=ctx.la, referral_id=ref, child=child.obj, referral_date=start, close_date=closed
    )


def looked_after_index(children: list[ChildPlan], *, start: date, today: date):
    """For each month from ``start``: the looked-after children aged 10–17 on its first day."""
    months: list[date] = []
    d = date(start.year, start.month, 1)
    while d <= today:
        months.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    index: dict[date, list[tuple[ChildPlan, object]]] = {m: [] for m in months}
    for child in children:
        ten, eighteen = birthday(child.dob, 10), birthday(child.dob, 18)
        for period in child.periods:
            if period.short_break:
                continue
            lo = max(period.start, ten)
            hi = min(period.end or today, eighteen)
            if hi <= lo:
                continue
            for m in months:
                if lo <= m < hi:
                    index[m].append((child, period))
    return index


def exploitation_build(
    ctx: CommunityContext,
    *,
    stocks: dict[str, float],
    cla_index: dict[date, list],
) -> tuple[list[ExploitationRisk], list[CINEpisode], list[ChildPlan]]:
    """Risk records of both kinds, on looked-after teenagers and on children in need."""
    rng = ctx.rng
    risks: list[ExploitationRisk] = []
    cin: list[CINEpisode] = []
    new_children: list[ChildPlan] = []
    open_until: dict[tuple[int, str], date] = {}
    n_risk = 0
    n_ref = 500000
    # Risks last ~240 days but end at 18, so the mean open time is nearer 190 days.
    mean_days = 190.0
    for risk_kind in ("CSE", "GANG"):
        cla_share, sex_weights, age_weights = RISK_TYPES[risk_kind]
        per_week = stocks[risk_kind] / mean_days * 7
        d = ctx.start
        while d <= ctx.today:
            month = date(d.year, d.month, 1)
            for _ in range(poisson(rng, per_week)):
                start = d + days(rng, 0, 6)
                if start > ctx.today:
                    continue
                length = max(30, int(200 * pow(2.718281828, rng.gauss(0.0, 0.6))))
                child = None
                if rng.random() < cla_share:
                    child = _pick_looked_after(
                        rng, risk_kind, cla_index.get(month, []), start, open_until
                    )
                if child is None:
                    sex = weighted(rng, sex_weights)
                    age = int(weighted(rng, tuple((str(a), w) for a, w in age_weights)))
                    dob = start - timedelta(days=age * 365 + rng.randint(0, 364))
                    child = ctx.new_child(sex=sex, dob=dob)
                    new_children.append(child)
                    n_ref += 1
                    ref_start = start - days(rng, 0, 90)
                    ref_end = start + timedelta(days=length) + days(rng, 0, 120)
                    ref_end = min(ref_end, birthday(child.dob, 18))
                    cin.append(_cin_episode(ctx, child, n_ref, ref_start, ref_end))
                end = min(start + timedelta(days=length), birthday(child.dob, 18))
                if end <= start:
                    continue
                record_type = risk_kind
                if risk_kind == "GANG" and rng.random() < 0.5:
                    record_type = "CCE"
                level = weighted(
                    rng, (("LOW", 35.0), ("MEDIUM", 40.0), ("HIGH", 20.0), ("NONE", 5.0))
                )
                n_risk += 1
                risks.append(
                    ExploitationRisk(
                        la=ctx.la,
                        record_id=f"{ctx.la.code}X{n_risk:07d}",
                        child=child.obj,
                        risk_type=record_type,
                        level=level,
                        start_date=start,
                        end_date=end if end <= ctx.today else None,
                        assessment_id="",
                    )
                )
                open_until[(child.index, risk_kind)] = end
            d += timedelta(days=7)
    return risks, cin, new_children


def _pick_looked_after(rng, risk_kind: str, candidates: list, start: date, open_until: dict):
    """A looked-after teenager for a new risk: girls for CSE, boys for gangs, often those
    who go missing; never one already carrying an open risk of the kind."""
    weights = []
    for child, period in candidates:
        age = child.age_on(start)
        if risk_kind == "CSE":
            w = 5.0 if child.sex == "F" else 1.0
            w *= 3.0 if 13 <= age <= 16 else 0.4 if age < 13 else 1.0
        else:
            w = 6.0 if child.sex == "M" else 0.7
            w *= 3.0 if age >= 14 else 0.5
        if period.missing_rate > 1.0:
            w *= 3.0
        weights.append(w)
    if not candidates:
        return None
    for _ in range(4):
        child, period = rng.choices(candidates, weights=weights)[0]
        if period.open_on(start) and open_until.get((child.index, risk_kind), date.min) <= start:
            return child
    return None
